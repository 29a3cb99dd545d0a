"""Enterprise identity: OpenID Connect providers, linked provider identities, SCIM tokens, SCIM
profiles (what a SCIM client wrote about a person, and whether it deleted them) and the external
ids SCIM clients give people and groups.

Revision ID: b1c2d3e4f5a6
Revises: a7d3e9f1b2c4
Create Date: 2026-12-01 15:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1c2d3e4f5a6"
down_revision = "a7d3e9f1b2c4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sso_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret_encrypted", sa.Text(), nullable=False, server_default=""),
        sa.Column("client_secret_env", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("domains", sa.String(length=1000), nullable=False, server_default=""),
        sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("tested_at", sa.DateTime(), nullable=True),
        sa.Column("test_result", sa.Text(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id"),
    )
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_sso_identities_issuer_subject"),
    )
    op.create_index("ix_sso_identities_user_id", "sso_identities", ["user_id"])
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_scim_tokens_org_id", "scim_tokens", ["org_id"])
    op.create_table(
        "scim_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("assumed_role", sa.String(length=60), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("scim_external_id", sa.String(length=255), nullable=False, server_default=""))
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("scim_external_id", sa.String(length=255), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("scim_external_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("scim_external_id")
    op.drop_table("scim_profiles")
    op.drop_index("ix_scim_tokens_org_id", table_name="scim_tokens")
    op.drop_table("scim_tokens")
    op.drop_index("ix_sso_identities_user_id", table_name="sso_identities")
    op.drop_table("sso_identities")
    op.drop_table("sso_configs")
