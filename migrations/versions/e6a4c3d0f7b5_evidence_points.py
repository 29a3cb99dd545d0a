"""Evidence carries the points a score earned of the points its scenario can award in the skill,
the trials of the proficiency model (docs/metrics.md). Existing rows start at zero: run
'flask rollups rebuild' after upgrading (it needs the content catalogue for the points).

Revision ID: e6a4c3d0f7b5
Revises: d5f3b2c9e6a4
Create Date: 2026-12-01 08:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e6a4c3d0f7b5"
down_revision = "d5f3b2c9e6a4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("earned", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("available", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("available")
        batch_op.drop_column("earned")
