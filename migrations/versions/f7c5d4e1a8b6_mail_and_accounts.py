"""Mail outbox and account recovery.

Revision ID: f7c5d4e1a8b6
Revises: e6a4c3d0f7b5
Create Date: 2026-12-01 10:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = "f7c5d4e1a8b6"
down_revision = "e6a4c3d0f7b5"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
