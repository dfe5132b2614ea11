"""gov_proposal_tally.total_weight for the feed's most-votes sort

Revision ID: 2c7dcd6d175e
Revises: 3c083bdc5b00
Create Date: 2026-11-22 05:15:40.324095

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
# The schema's own column types (exact uint256, timezone-aware UTC timestamps).
import coop_dashboard.db.uint256
import coop_dashboard.db.utc_datetime

# revision identifiers, used by Alembic.
revision: str = '2c7dcd6d175e'
down_revision: Union[str, Sequence[str], None] = '3c083bdc5b00'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _backfill_total_weight() -> None:
    """total_weight = for + against + abstain of every existing tally.

    Added up in Python: SQLite stores uint256 values as zero-padded text it
    cannot add exactly (and PostgreSQL gets the same code path for simplicity).
    """
    uint256 = coop_dashboard.db.uint256.Uint256
    tally = sa.table(
        'gov_proposal_tally',
        sa.column('proposal_id', uint256()),
        sa.column('for_votes', uint256()),
        sa.column('against_votes', uint256()),
        sa.column('abstain_votes', uint256()),
        sa.column('total_weight', uint256()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            tally.c.proposal_id, tally.c.for_votes, tally.c.against_votes, tally.c.abstain_votes
        )
    ).all()
    if rows:
        connection.execute(
            tally.update()
            .where(tally.c.proposal_id == sa.bindparam('tally_id'))
            .values(total_weight=sa.bindparam('weight_cast')),
            [
                {'tally_id': proposal_id, 'weight_cast': for_ + against + abstain}
                for proposal_id, for_, against, abstain in rows
            ],
        )


def upgrade() -> None:
    """Upgrade schema."""
    # Nullable first: existing rows get their value from the backfill, then NOT NULL.
    with op.batch_alter_table('gov_proposal_tally', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total_weight', coop_dashboard.db.uint256.Uint256(length=78), nullable=True))
    _backfill_total_weight()
    with op.batch_alter_table('gov_proposal_tally', schema=None) as batch_op:
        batch_op.alter_column('total_weight', existing_type=coop_dashboard.db.uint256.Uint256(length=78), nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('gov_proposal_tally', schema=None) as batch_op:
        batch_op.drop_column('total_weight')
