"""Each learner's evidence points per skill, summed over their own role track, for the cohort
dashboard. A database that already has evidence is marked for 'flask rollups rebuild' (the sums
need the content catalogue); until then the dashboard and the overview read the live queries.

Revision ID: a7d2e5c8b1f4
Revises: d9e0f1a2b3c4
Create Date: 2026-12-02 22:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d2e5c8b1f4"
down_revision = "d9e0f1a2b3c4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "track_skill_points",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.String(length=60), nullable=False),
        sa.Column("earned", sa.Float(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "skill_id"),
    )
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM evidence LIMIT 1")).first() is not None:
        bind.execute(sa.text("UPDATE totals_state SET fingerprint = 'rebuild'"))


def downgrade():
    op.drop_table("track_skill_points")
