"""job_spec.title: the board's title of each spec, saved with its facts so a board page
reads no spec from the content store. Facts saved before this revision have no title:
they are dropped, and the spec service reads those specs again (facts are derived from
the content store, never the only copy).

Revision ID: a7c3e9f1d254
Revises: 161f8685b55c
Create Date: 2026-11-30 09:50:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = 'a7c3e9f1d254'
down_revision: Union[str, Sequence[str], None] = '161f8685b55c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute('DELETE FROM job_spec')
    with op.batch_alter_table('job_spec', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=90), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('job_spec', schema=None) as batch_op:
        batch_op.drop_column('title')
