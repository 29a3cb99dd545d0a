"""Order seeds: each attempt shows its choices, and each learner their check options, in a random
order fixed by a stored seed (existing rows get a random seed each)

Revision ID: c4e2a1b8d5f3
Revises: b3d1f0c7a9e2
Create Date: 2026-12-01 07:30:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e2a1b8d5f3"
down_revision = "b3d1f0c7a9e2"
branch_labels = None
depends_on = None
TABLES = ("attempts", "users")


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("order_seed", sa.Integer(), nullable=True))
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("order_seed", sa.Integer))
        for (row_id,) in connection.execute(sa.select(rows.c.id)).all():
            connection.execute(rows.update().where(rows.c.id == row_id).values(order_seed=secrets.randbelow(2**31)))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("order_seed", existing_type=sa.Integer(), nullable=False)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("order_seed")
