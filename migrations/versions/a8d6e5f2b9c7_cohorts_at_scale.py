"""Cohorts at scale: archived cohorts, a due date per assigned item, cohort names unique within an
organisation. Names that already repeat (ignoring case) within an organisation get " (2)", " (3)"...
appended, oldest cohort first keeping its name, before the constraint is added.

Revision ID: a8d6e5f2b9c7
Revises: f7c5d4e1a8b6
Create Date: 2026-12-01 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8d6e5f2b9c7"
down_revision = "f7c5d4e1a8b6"
branch_labels = None
depends_on = None


def _rename_duplicates():
    """Make (org_id, lower(name)) unique: later cohorts with a taken name get the first free " (n)"."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, org_id, name FROM cohorts ORDER BY org_id, id")).all()
    taken = {(org_id, name.lower()) for _, org_id, name in rows}
    seen = set()
    for cohort_id, org_id, name in rows:
        key = (org_id, name.lower())
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while (org_id, f"{name} ({n})".lower()) in taken:
            n += 1
        new = f"{name} ({n})"
        taken.add((org_id, new.lower()))
        seen.add((org_id, new.lower()))
        connection.execute(sa.text("UPDATE cohorts SET name = :name WHERE id = :id"), {"name": new, "id": cohort_id})


def upgrade():
    _rename_duplicates()
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint("uq_cohorts_org_id_name", ["org_id", "name"])
    with op.batch_alter_table("cohort_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("cohort_assignments", schema=None) as batch_op:
        batch_op.drop_column("due_on")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cohorts_org_id_name", type_="unique")
        batch_op.drop_column("archived_at")
