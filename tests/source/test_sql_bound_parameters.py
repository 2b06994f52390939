"""SQL is built only with bound parameters: no string-formatted SQL in ``app/``.

The test parses every module and looks at the first argument of ``text(...)``,
``execute(...)``, ``exec_driver_sql(...)``, ``executemany(...)``, ``copy(...)``
and ``sql.SQL(...)`` calls: an f-string with placeholders, ``%`` formatting,
``.format(...)`` (except psycopg's ``sql.SQL(...).format``, which quotes
identifiers) or a concatenation involving one of them is refused. The few
vetted interpolations of identifiers (constants, never request values) carry
the marker :data:`MARKER` on the line of the call, with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
MARKER = "# sql-identifiers: vetted"
SQL_CALLS = frozenset(
    {"text", "execute", "exec_driver_sql", "executemany", "copy", "SQL"}
)
#: A module that calls none of :data:`SQL_CALLS` by name has nothing to check:
#: it is not parsed (parsing every module was most of this test's time).
CALLS = re.compile(r"\b(?:" + "|".join(sorted(SQL_CALLS)) + r")\(")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _formatted(node: ast.expr) -> bool:
    """Whether ``node`` builds a string by formatting or concatenating values."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod) and isinstance(
            node.left, ast.Constant | ast.JoinedStr
        ):
            return True
        if isinstance(node.op, ast.Add):
            return (
                _formatted(node.left)
                or _formatted(node.right)
                or not (
                    isinstance(node.left, ast.Constant)
                    and isinstance(node.right, ast.Constant)
                )
            )
    if isinstance(node, ast.Call) and _name(node.func) == "format":
        receiver = getattr(node.func, "value", None)
        # psycopg's sql.SQL(...).format(...) quotes identifiers: that is safe.
        return not (isinstance(receiver, ast.Call) and _name(receiver.func) == "SQL")
    return False


def _violations(path: Path, root: Path = APP) -> list[str]:
    source = path.read_text(encoding="utf-8")
    if not CALLS.search(source):
        return []
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _name(node.func) in SQL_CALLS):
            continue
        if not node.args or not _formatted(node.args[0]):
            continue
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if not any(MARKER in line for line in span):
            found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_sql_in_app_uses_bound_parameters_only() -> None:
    violations = [v for path in sorted(APP.rglob("*.py")) for v in _violations(path)]

    assert violations == [], (
        "string-formatted SQL (use bound parameters, or mark a vetted identifier "
        f"interpolation with {MARKER!r}): {violations}"
    )


def test_sql_check_catches_formatted_sql(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(  # SQL that the check must refuse
        "from sqlalchemy import text\n"  # noqa: S608
        "def f(s, name):\n"
        "    s.execute(text(f\"SELECT * FROM t WHERE name = '{name}'\"))\n"
        "    s.execute(text('SELECT %s' % name))\n"
        "    s.execute(text('SELECT {}'.format(name)))\n"
        "    s.execute(text('SELECT * FROM t WHERE id = ' + name))\n"
        "    s.execute(text('SELECT :n'), {'n': name})\n"
        "    s.execute(sql.SQL('DROP ROLE {}').format(sql.Identifier(name)))\n"
        f"    s.execute(text(f'SELECT 1 FROM {{name}}'))  {MARKER} (test)\n",
        encoding="utf-8",
    )

    found = _violations(sample, tmp_path)

    assert [v.rsplit(":", 1)[1] for v in found] == ["3", "4", "5", "6"]
