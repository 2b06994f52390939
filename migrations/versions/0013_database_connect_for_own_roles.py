"""CONNECT on the application's database for its own roles only, not PUBLIC.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 00:30:00

PostgreSQL grants CONNECT on every database to PUBLIC: any login role of the
cluster (an analyst role of another deployment on the same server) could connect.
``sql/timescale/versions/0013_restrict_database_connect.sql`` revokes it and grants CONNECT to the analyst roles; the
owner keeps its own. Downgrading revokes the analyst roles' grants (so that they
can still be dropped once their tables are gone) and grants CONNECT to PUBLIC
again, PostgreSQL's default.
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        (SQL / "versions" / "0013_restrict_database_connect.sql").read_text(
            encoding="utf-8"
        )
    )


def downgrade() -> None:
    op.execute(
        """
        DO $$
        DECLARE
            analysts text := (
                SELECT string_agg(quote_ident(r.role_name), ', ')
                FROM analyst_roles r
                JOIN pg_catalog.pg_roles p ON p.rolname = r.role_name
            );
        BEGIN
            IF (SELECT datistemplate FROM pg_catalog.pg_database
                WHERE datname = current_database()) THEN
                RETURN;  -- the upgrade left a template database alone
            END IF;
            IF analysts IS NOT NULL THEN
                EXECUTE format(
                    'REVOKE CONNECT ON DATABASE %I FROM %s', current_database(), analysts
                );
            END IF;
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO PUBLIC', current_database());
        END
        $$
        """
    )
