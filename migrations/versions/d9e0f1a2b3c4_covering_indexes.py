"""Covering indexes for the cohort dashboard: attempts by learner and scenario with their kind and
dates (replacing the narrower index it starts with), and evidence by learner with its points.

On PostgreSQL both are built CONCURRENTLY, outside a transaction, so writes go on meanwhile.

Revision ID: d9e0f1a2b3c4
Revises: c8d1e2f3a4b5
Create Date: 2026-12-01 19:20:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d9e0f1a2b3c4"
down_revision = "c8d1e2f3a4b5"
branch_labels = None
depends_on = None

ATTEMPTS = ["user_id", "scenario_id", "finished_at", "kind", "updated_at"]
EVIDENCE = ["user_id", "scenario_id", "skill_id", "earned", "available", "finished_at"]


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_attempts_user_scenario_work", "attempts", ATTEMPTS, postgresql_concurrently=True)
        op.create_index("ix_evidence_user_points", "evidence", EVIDENCE, postgresql_concurrently=True)
        op.drop_index("ix_attempts_user_scenario", table_name="attempts", postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_attempts_user_scenario",
            "attempts",
            ["user_id", "scenario_id", "finished_at"],
            postgresql_concurrently=True,
        )
        op.drop_index("ix_evidence_user_points", table_name="evidence", postgresql_concurrently=True)
        op.drop_index("ix_attempts_user_scenario_work", table_name="attempts", postgresql_concurrently=True)
