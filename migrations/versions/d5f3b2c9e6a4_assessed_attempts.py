"""Assessed and practice attempts: for each learner and scenario the first started attempt becomes
the assessed one (the first finished, where the first started was never finished), the others
practice; the evidence read model is rebuilt from the assessed attempts. Run 'flask rollups rebuild'
afterwards for the other read models (they need the content catalogue).

Revision ID: d5f3b2c9e6a4
Revises: c4e2a1b8d5f3
Create Date: 2026-12-01 07:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5f3b2c9e6a4"
down_revision = "c4e2a1b8d5f3"
branch_labels = None
depends_on = None

attempts = sa.table(
    "attempts",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("scenario_id", sa.String),
    sa.column("finished_at", sa.DateTime),
    sa.column("kind", sa.String),
)


def assessed_ids(rows) -> set[int]:
    """Rows of (id, user_id, scenario_id, finished_at) in id order: the assessed attempt of each pair."""
    first_started, first_finished = {}, {}
    for attempt_id, user_id, scenario_id, finished_at in rows:
        key = (user_id, scenario_id)
        first_started.setdefault(key, (attempt_id, finished_at))
        if finished_at is not None:
            first_finished.setdefault(key, attempt_id)
    return {
        started if finished is not None or key not in first_finished else first_finished[key]
        for key, (started, finished) in first_started.items()
    }


def upgrade():
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(attempts.c.id, attempts.c.user_id, attempts.c.scenario_id, attempts.c.finished_at).order_by(
            attempts.c.id
        )
    ).all()
    assessed = assessed_ids(rows)
    connection.execute(attempts.update().values(kind="practice"))
    for attempt_id in assessed:
        connection.execute(attempts.update().where(attempts.c.id == attempt_id).values(kind="assessed"))
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=10), nullable=False)
    # evidence: the assessed attempt's scores (one assessed attempt per learner and scenario so far)
    connection.execute(sa.text("DELETE FROM evidence"))
    connection.execute(
        sa.text(
            "INSERT INTO evidence (user_id, scenario_id, skill_id, attempt_id, score, finished_at)"
            " SELECT a.user_id, a.scenario_id, s.skill_id, a.id, s.score, a.finished_at"
            " FROM attempts a JOIN skill_scores s ON s.attempt_id = a.id"
            " WHERE a.kind = 'assessed' AND a.finished_at IS NOT NULL"
        )
    )


def downgrade():
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_column("kind")
