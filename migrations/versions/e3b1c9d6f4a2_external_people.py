"""Staff or external: people of agencies, contractors and partners, and the firm they work for.

Revision ID: e3b1c9d6f4a2
Revises: d2a9b8c5e3f1
Create Date: 2026-12-01 14:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b1c9d6f4a2"
down_revision = "d2a9b8c5e3f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("external", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("agency", sa.String(length=200), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("agency")
        batch.drop_column("external")
