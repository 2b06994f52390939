"""The models and the migrated schema agree: autogenerate would write no migration.

The run's database is migrated to head by Alembic (tests/conftest.py); Alembic's
``compare_metadata`` sets it against ``db.metadata``, types and server defaults
included. What the models deliberately leave out is named in :data:`NOT_MODELLED`
with the reason, so a table someone forgets to model (or a column a migration
forgets to add) still shows up.
"""

from __future__ import annotations

import warnings
from typing import Any

from flask import Flask

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Computed, Connection, text

from app.extensions import db

#: Schemas of the database compared with the models (None: the default, public).
#: Left out: ``analytics`` (views for analysts, sql/timescale, read by no model) and
#: TimescaleDB's own ``_timescaledb_*`` and ``timescaledb_*`` schemas (its catalog,
#: chunks and continuous-aggregate internals).
MODELLED_SCHEMAS = {None, "public"}

#: Tables of the public schema kept by sql/timescale alone and read with plain SQL:
#: the downsampled series (Apache edition: tables; TSL: continuous aggregates, which
#: are views), their refresh bookkeeping and the zone of the local-day level. Their
#: shapes are fixed by the SQL functions that fill them, not by an ORM class.
NOT_MODELLED = {
    "samples_10m",
    "samples_1h",
    "samples_1d",
    "samples_1mo",
    "samples_1d_local",  # the series levels
    "samples_watermark",
    "samples_1d_local_watermark",  # how far the levels are complete
    "samples_dirty",
    "samples_1d_local_dirty",  # logged writes below the watermarks
    "series_day_zone",  # the zone of samples_1d_local
    "samples_retention",  # how far retention dropped raw samples
    "node_tallies",
    "installation_tallies",
    "sample_tally_log",  # the lists' sample counts, kept by triggers
}


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "schema":
        return name in MODELLED_SCHEMAS
    if type_ == "table":
        return name not in NOT_MODELLED
    return True


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_schemas": True,
            "include_name": _include_name,
        },
    )
    return list(compare_metadata(context, db.metadata))


def test_autogenerate_finds_no_difference(app: Flask) -> None:
    with db.engine.connect() as conn, warnings.catch_warnings():
        # Generated columns: compared properly by the next test.
        warnings.filterwarnings("ignore", "Computed default on .* cannot be modified")
        differences = _differences(conn)

    assert differences == []


def _generated(conn: Connection, table: str, column: str) -> str:
    return str(
        conn.execute(
            text(
                "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
                "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                "WHERE d.adrelid = CAST(:table AS regclass) AND a.attname = :column"
            ),
            {"table": table, "column": column},
        ).scalar_one()
    )


def test_generated_columns_compute_what_the_models_say(app: Flask) -> None:
    # Alembic compares generated columns only as text (and merely warns): here
    # PostgreSQL normalises the model's expression on a scratch copy of the table,
    # so two spellings of one expression agree and two expressions do not.
    computed = [
        (table.name, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.server_default, Computed)
    ]
    assert computed
    with db.engine.connect() as conn, conn.begin() as outer:
        for table, column in computed:
            expression = column.server_default.sqltext  # type: ignore[union-attr]
            type_ = column.type.compile(dialect=conn.dialect)
            conn.execute(
                text(f"CREATE TEMPORARY TABLE probe (LIKE {table}) ON COMMIT DROP")
            )
            conn.execute(
                text(
                    f"ALTER TABLE probe DROP COLUMN {column.name}, "
                    f"ADD COLUMN {column.name} {type_} "
                    f"GENERATED ALWAYS AS ({expression}) STORED"
                )
            )
            model = _generated(conn, "probe", column.name)
            migrated = _generated(conn, table, column.name)
            conn.execute(text("DROP TABLE probe"))

            assert migrated == model, f"{table}.{column.name}"
        outer.rollback()
