"""Read model renamed: learner_progress is track_progress (when a learner started and finished their
role track), so "progress" no longer names three different things

Revision ID: b3d1f0c7a9e2
Revises: 72c7a2ee695f
Create Date: 2026-12-01 07:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b3d1f0c7a9e2"
down_revision = "72c7a2ee695f"
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    with op.batch_alter_table(old, schema=None) as batch_op:
        batch_op.drop_index(f"ix_{old}_started_at")
        batch_op.drop_index(f"ix_{old}_completed_at")
    op.rename_table(old, new)
    with op.batch_alter_table(new, schema=None) as batch_op:
        batch_op.create_index(f"ix_{new}_started_at", ["started_at"], unique=False)
        batch_op.create_index(f"ix_{new}_completed_at", ["completed_at"], unique=False)


def upgrade():
    _rename("learner_progress", "track_progress")


def downgrade():
    _rename("track_progress", "learner_progress")
