"""The AI-use policy: published versions and who acknowledged which, when, under what name.

Revision ID: d2a9b8c5e3f1
Revises: c1f8a7b4d2e9
Create Date: 2026-12-01 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2a9b8c5e3f1"
down_revision = "c1f8a7b4d2e9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "version", name="uq_policies_org_id_version"),
    )
    op.create_index("ix_policies_org_id", "policies", ["org_id"])
    op.create_table(
        "policy_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_id", "user_id", name="uq_policy_acknowledgements_policy_user"),
    )
    op.create_index("ix_policy_acknowledgements_user_id", "policy_acknowledgements", ["user_id"])


def downgrade():
    op.drop_index("ix_policy_acknowledgements_user_id", table_name="policy_acknowledgements")
    op.drop_table("policy_acknowledgements")
    op.drop_index("ix_policies_org_id", table_name="policies")
    op.drop_table("policies")
