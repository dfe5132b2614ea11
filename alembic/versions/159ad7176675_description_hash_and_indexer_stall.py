"""gov_proposal.description_hash (exact bytes of sanitised descriptions); indexer_stall

Revision ID: 159ad7176675
Revises: 6f359ab42678
Create Date: 2026-11-30 05:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
from eth_utils import keccak
# The schema's own column types (exact uint256, timezone-aware UTC timestamps).
import coop_dashboard.db.uint256
import coop_dashboard.db.utc_datetime

# revision identifiers, used by Alembic.
revision: str = '159ad7176675'
down_revision: Union[str, Sequence[str], None] = '6f359ab42678'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _backfill_description_hash() -> None:
    """keccak256 of every indexed description.

    Rows indexed before this revision hold their description exactly (the old
    decoder refused invalid UTF-8 instead of replacing it), so its UTF-8 bytes
    are the bytes the Governor hashed.
    """
    uint256 = coop_dashboard.db.uint256.Uint256
    proposal = sa.table(
        'gov_proposal',
        sa.column('proposal_id', uint256()),
        sa.column('description', sa.Text()),
        sa.column('description_hash', sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(proposal.c.proposal_id, proposal.c.description)).all()
    if rows:
        connection.execute(
            proposal.update()
            .where(proposal.c.proposal_id == sa.bindparam('row_id'))
            .values(description_hash=sa.bindparam('hash_value')),
            [
                {'row_id': proposal_id, 'hash_value': '0x' + keccak(description.encode()).hex()}
                for proposal_id, description in rows
            ],
        )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('indexer_stall',
    sa.Column('stream', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('block_number', sa.BigInteger(), nullable=True),
    sa.Column('log_index', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attempts', sa.BigInteger(), nullable=False),
    sa.Column('since', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('stream'),
    sqlite_with_rowid=False
    )
    # Nullable first: existing rows get their value from the backfill, then NOT NULL.
    with op.batch_alter_table('gov_proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_hash', sqlmodel.sql.sqltypes.AutoString(length=66), nullable=True))
    _backfill_description_hash()
    with op.batch_alter_table('gov_proposal', schema=None) as batch_op:
        batch_op.alter_column('description_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('gov_proposal', schema=None) as batch_op:
        batch_op.drop_column('description_hash')
    op.drop_table('indexer_stall')
