"""When the track sums were last rebuilt: the cohort dashboard reads them only when that rebuild is
the totals' last one. A server of an earlier release rewrites evidence without the sums, so a
database with people waits for 'flask rollups rebuild' once every server runs this release; an
empty one has nothing to sum.

Revision ID: b3f6a9c2d8e1
Revises: a7d2e5c8b1f4
Create Date: 2026-12-03 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3f6a9c2d8e1"
down_revision = "a7d2e5c8b1f4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("totals_state", sa.Column("sums_built_at", sa.DateTime(), nullable=True))
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM users LIMIT 1")).first() is None:
        bind.execute(sa.text("UPDATE totals_state SET sums_built_at = built_at"))


def downgrade():
    with op.batch_alter_table("totals_state") as batch:
        batch.drop_column("sums_built_at")
