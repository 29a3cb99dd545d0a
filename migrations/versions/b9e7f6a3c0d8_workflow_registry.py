"""The AI-workflow registry: workflows, their data sources and named operators, and the append-only
history of every change and review.

Revision ID: b9e7f6a3c0d8
Revises: a8d6e5f2b9c7
Create Date: 2026-12-01 12:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b9e7f6a3c0d8"
down_revision = "a8d6e5f2b9c7"
branch_labels = None
depends_on = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False)


def upgrade():
    op.create_table(
        "workflows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        _text("purpose"),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("stage_since", sa.Date(), nullable=False),
        _text("tools"),
        _text("ai_may"),
        _text("needs_approval"),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        _text("outcome_measure"),
        _text("tracing"),
        _text("fault_noticed"),
        _text("fault_contact"),
        _text("fault_stop"),
        sa.Column("review_days", sa.Integer(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("touches_revenue", sa.Boolean(), nullable=False),
        sa.Column("touches_reputation", sa.Boolean(), nullable=False),
        sa.Column("touches_customer_data", sa.Boolean(), nullable=False),
        _text("roles_json"),
        _text("skills_json"),
        _text("scenarios_json"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["approver_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name", name="uq_workflows_org_id_name"),
    )
    op.create_index("ix_workflows_org_id", "workflows", ["org_id"])
    op.create_index("ix_workflows_owner_id", "workflows", ["owner_id"])
    op.create_table(
        "workflow_operators",
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workflow_id", "user_id"),
    )
    op.create_index("ix_workflow_operators_user_id", "workflow_operators", ["user_id"])
    op.create_table(
        "workflow_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workflow_sources_workflow_id", "workflow_sources", ["workflow_id"])
    op.create_table(
        "workflow_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        _text("old"),
        _text("new"),
        _text("note"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workflow_changes_workflow_at", "workflow_changes", ["workflow_id", "at"])


def downgrade():
    op.drop_index("ix_workflow_changes_workflow_at", table_name="workflow_changes")
    op.drop_table("workflow_changes")
    op.drop_index("ix_workflow_sources_workflow_id", table_name="workflow_sources")
    op.drop_table("workflow_sources")
    op.drop_index("ix_workflow_operators_user_id", table_name="workflow_operators")
    op.drop_table("workflow_operators")
    op.drop_index("ix_workflows_owner_id", table_name="workflows")
    op.drop_index("ix_workflows_org_id", table_name="workflows")
    op.drop_table("workflows")
