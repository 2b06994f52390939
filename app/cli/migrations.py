"""``flask db``: Flask-Migrate's group, reporting an unusable database in one line."""

from __future__ import annotations

from flask_migrate.cli import db as migrate_db

from app.cli.group import Group


class MigrationGroup(Group):
    """A missing table while migrating is the migration's error: shown as it is."""

    schema_hint = False


#: Flask-Migrate's options, callback and sub-commands (upgrade, current, ...) in a
#: :class:`Group`, so that ``flask db upgrade`` against a database that is down
#: says so instead of ending in SQLAlchemy's traceback
db = MigrationGroup(
    name="db",
    commands=migrate_db.commands,
    callback=migrate_db.callback,
    params=migrate_db.params,
    help=migrate_db.help,
    short_help=migrate_db.short_help,
)
