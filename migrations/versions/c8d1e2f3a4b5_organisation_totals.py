"""Organisation totals for the leader's overview: per-group sums kept up to date on the learning-event
path, each person's share of them, and the content and settings they were built for.

A database that already has people is marked for ``flask rollups rebuild`` (the overview reads the
live queries until then); an empty one starts with empty totals, which are exact.

Revision ID: c8d1e2f3a4b5
Revises: b1c2d3e4f5a6
Create Date: 2026-12-01 18:00:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8d1e2f3a4b5"
down_revision = "b1c2d3e4f5a6"
branch_labels = None
depends_on = None


def _org_fk():
    return sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE")


def upgrade():
    op.create_table(
        "learner_snapshots",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        _org_fk(),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_learner_snapshots_expiry", "learner_snapshots", ["org_id", "expires_at"])
    op.create_index("ix_learner_snapshots_computed", "learner_snapshots", ["org_id", "computed_at"])
    op.create_table(
        "skill_totals",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=120), nullable=False),
        sa.Column("skill_id", sa.String(length=60), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in ("learners", "at_target")),
        *(sa.Column(name, sa.Float(), nullable=False) for name in ("prof_sum", "target_sum")),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in ("attempts", "everyone")),
        sa.Column("var_sum", sa.Float(), nullable=False),
        _org_fk(),
        sa.PrimaryKeyConstraint("org_id", "dimension", "group_key", "skill_id"),
    )
    op.create_table(
        "month_totals",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("started", "completed", "evidence", "met", "current")
        ),
        _org_fk(),
        sa.PrimaryKeyConstraint("org_id", "role", "month"),
    )
    op.create_table(
        "role_totals",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("at_target", sa.Integer(), nullable=False),
        _org_fk(),
        sa.PrimaryKeyConstraint("org_id", "role"),
    )
    op.create_table(
        "compliance_totals",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("policy_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("external", sa.Integer(), nullable=False),
        _org_fk(),
        sa.PrimaryKeyConstraint("org_id", "status", "policy_id"),
    )
    state = op.create_table(
        "totals_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    has_people = op.get_bind().execute(sa.text("SELECT 1 FROM users LIMIT 1")).first() is not None
    now = datetime.now(UTC).replace(tzinfo=None)
    # "rebuild": count the people already here first; "": empty, adopt the content on first use
    op.bulk_insert(state, [{"id": 1, "fingerprint": "rebuild" if has_people else "", "built_at": now}])


def downgrade():
    for table in ("totals_state", "compliance_totals", "role_totals", "month_totals", "skill_totals"):
        op.drop_table(table)
    op.drop_index("ix_learner_snapshots_computed", table_name="learner_snapshots")
    op.drop_index("ix_learner_snapshots_expiry", table_name="learner_snapshots")
    op.drop_table("learner_snapshots")
