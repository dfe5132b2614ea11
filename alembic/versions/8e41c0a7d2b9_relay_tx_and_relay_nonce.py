"""relay_tx (the relayer's sent transactions and hourly spend) and relay_nonce (its one
nonce authority, shared by every app worker)

Revision ID: 8e41c0a7d2b9
Revises: 159ad7176675
Create Date: 2026-11-30 06:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
# The schema's own column types (exact uint256, timezone-aware UTC timestamps).
import coop_dashboard.db.uint256
import coop_dashboard.db.utc_datetime

# revision identifiers, used by Alembic.
revision: str = '8e41c0a7d2b9'
down_revision: Union[str, Sequence[str], None] = '159ad7176675'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('relay_tx',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relayer', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('nonce', sa.BigInteger(), nullable=False),
    sa.Column('tx_hash', sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('signer', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('claim', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True),
    sa.Column('sent_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('cost_wei', coop_dashboard.db.uint256.Uint256(length=78), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('claim'),
    sa.UniqueConstraint('tx_hash')
    )
    with op.batch_alter_table('relay_tx', schema=None) as batch_op:
        batch_op.create_index('ix_relay_tx_relayer_sent_at', ['relayer', 'sent_at_ms'], unique=False)

    op.create_table('relay_nonce',
    sa.Column('relayer', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('next_nonce', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('relayer')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('relay_nonce')
    with op.batch_alter_table('relay_tx', schema=None) as batch_op:
        batch_op.drop_index('ix_relay_tx_relayer_sent_at')

    op.drop_table('relay_tx')
