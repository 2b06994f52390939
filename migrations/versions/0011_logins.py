"""Log-ins: one row per log-in, named by the API key, JWTs and session it issued.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:10:00

Existing API keys keep working without a log-in (``login_id`` null); bearer
tokens and browser sessions issued before this revision carry no log-in and
stop verifying, so their users log in once more.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_logins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logins")),
    )
    op.create_index(op.f("ix_logins_user_id"), "logins", ["user_id"], unique=False)
    op.add_column("api_tokens", sa.Column("login_id", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_api_tokens_login_id"), "api_tokens", ["login_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_api_tokens_login_id_logins"),
        "api_tokens",
        "logins",
        ["login_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_api_tokens_login_id_logins"), "api_tokens", type_="foreignkey"
    )
    op.drop_index(op.f("ix_api_tokens_login_id"), table_name="api_tokens")
    op.drop_column("api_tokens", "login_id")
    op.drop_index(op.f("ix_logins_user_id"), table_name="logins")
    op.drop_table("logins")
