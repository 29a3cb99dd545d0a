"""Certification cycles: per-role rules, each person's cycles, and recertification cohorts.

Revision ID: f4c2a0d7e5b3
Revises: e3b1c9d6f4a2
Create Date: 2026-12-01 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4c2a0d7e5b3"
down_revision = "e3b1c9d6f4a2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certification_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("valid_months", sa.Integer(), nullable=False),
        sa.Column("renew_days", sa.Integer(), nullable=False),
        sa.Column("require_policy", sa.Boolean(), nullable=False),
        sa.Column("skills", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "role", name="uq_certification_rules_org_role"),
    )
    op.create_table(
        "certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("certified_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("override", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "number", name="uq_certifications_user_number"),
    )
    op.create_index("ix_certifications_user_id", "certifications", ["user_id"])
    op.create_index("ix_certifications_org_expires", "certifications", ["org_id", "expires_at"])
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("recertification", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("recertification")
    op.drop_index("ix_certifications_org_expires", table_name="certifications")
    op.drop_index("ix_certifications_user_id", table_name="certifications")
    op.drop_table("certifications")
    op.drop_table("certification_rules")
