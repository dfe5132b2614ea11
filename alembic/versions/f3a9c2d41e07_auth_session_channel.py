"""auth_session.channel: how a session was opened ("browser" sign-in or "api" bearer
token from POST /api/auth/verify), for the data access log's "via" column

Revision ID: f3a9c2d41e07
Revises: e45520bbe987
Create Date: 2026-11-30 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = 'f3a9c2d41e07'
down_revision: Union[str, Sequence[str], None] = 'e45520bbe987'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema. Sessions opened before this revision are counted as the browser's."""
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'channel',
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default='browser',
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('channel')
