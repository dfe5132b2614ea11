"""Compute nodes: node_heartbeat (a provider's latest progress on a job) and
node_reproduction (a verifier's re-run of a submitted result)

Revision ID: c4e1d7a90b21
Revises: bb597940d499
Create Date: 2026-11-30 09:05:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = 'c4e1d7a90b21'
down_revision: Union[str, Sequence[str], None] = 'bb597940d499'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('node_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('done', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=240), nullable=False),
    sa.Column('reported_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'provider', name='uq_node_heartbeat_job_provider')
    )
    op.create_index(op.f('ix_node_heartbeat_job_id'), 'node_heartbeat', ['job_id'], unique=False)
    op.create_index(op.f('ix_node_heartbeat_provider'), 'node_heartbeat', ['provider'], unique=False)
    op.create_table('node_reproduction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=False),
    sa.Column('verifier', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('claimed_units', sa.BigInteger(), nullable=False),
    sa.Column('reproduced_units', sa.BigInteger(), nullable=False),
    sa.Column('retrained_units', sa.BigInteger(), nullable=True),
    sa.Column('agrees', sa.Boolean(), nullable=False),
    sa.Column('metrics_cid', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('reported_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'verifier', name='uq_node_reproduction_job_verifier')
    )
    op.create_index(op.f('ix_node_reproduction_job_id'), 'node_reproduction', ['job_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_node_reproduction_job_id'), table_name='node_reproduction')
    op.drop_table('node_reproduction')
    op.drop_index(op.f('ix_node_heartbeat_provider'), table_name='node_heartbeat')
    op.drop_index(op.f('ix_node_heartbeat_job_id'), table_name='node_heartbeat')
    op.drop_table('node_heartbeat')
