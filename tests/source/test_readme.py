"""The README's lists agree with the code they describe.

``make help`` and the configuration table are what an operator reads first;
a target the help hides or a variable the table leaves out misleads them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: ``env.<method>("NAME", ...)`` and the helpers that take ``(env, "NAME", ...)``.
ENV_METHODS = frozenset({"text", "flag", "integer", "words", "secret"})
ENV_HELPERS = frozenset({"_choice", "_timezone", "_origins", "_http_url"})
#: Read by gunicorn.conf.py, scripts/serve.sh and the tests, not by config.py.
NOT_CONFIG_PY = frozenset(
    {
        "BIND",
        "FORWARDED_ALLOW_IPS",
        "WEB_WORKERS",
        "WEB_WORKER_CLASS",
        "WEB_WORKER_CONNECTIONS",
        "WEB_THREADS",
        "WEB_TIMEOUT_S",
        "PROMETHEUS_MULTIPROC_DIR",
        "TEST_DATABASE_URL",
    }
)


def _section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _help_targets() -> set[str]:
    """The targets ``make help`` lists: the Makefile's own pattern applied to it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"grep -E '([^']+)' \$\(MAKEFILE_LIST\)", makefile)
    assert found, "the help target's grep pattern"
    pattern = re.compile(found.group(1))
    return {ln.split(":", 1)[0] for ln in makefile.splitlines() if pattern.search(ln)}


def test_make_help_lists_every_target_the_readme_names() -> None:
    listed = re.search(r"`make help` \(([^)]+)\)", README)
    assert listed
    named = set(re.findall(r"`([a-z0-9-]+)`", listed.group(1)))

    assert {"i18n-update", "audit", "lint"} <= named
    assert sorted(named - _help_targets()) == []


def _config_reads() -> dict[str, str]:
    """Every variable ``config.py`` reads, with the kind of read (``secret``, ...)."""
    tree = ast.parse((ROOT / "config.py").read_text(encoding="utf-8"))
    reads: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
            and func.attr in ENV_METHODS
        ):
            name = args[0] if args else None
            kind = func.attr
        elif isinstance(func, ast.Name) and func.id in ENV_HELPERS and len(args) > 1:
            name, kind = args[1], func.id
        else:
            continue
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            reads.setdefault(name.value, kind)
    return reads


def _table(text: str) -> dict[str, bool]:
    """Variable -> marked ``(secret)``, from the rows of a Markdown/RST table."""
    rows: dict[str, bool] = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            first = line.strip().strip("|").split(" | ")[0]
            for found in re.finditer(r"`+([A-Z][A-Z0-9_]+)`+( \(secret\))?", first):
                rows[found.group(1)] = bool(found.group(2))
    return rows


def test_the_configuration_tables_name_exactly_what_config_reads() -> None:
    import config

    reads = _config_reads()
    readme = _table(_section("Configuration"))
    docstring = _table(config.__doc__ or "")

    assert len(reads) > 80
    assert sorted(set(reads) - set(readme)) == []
    assert sorted(set(readme) - set(reads) - NOT_CONFIG_PY) == []
    assert sorted(set(reads) ^ set(docstring)) == []


def test_the_configuration_tables_mark_exactly_the_secrets() -> None:
    import config

    secrets = {name for name, kind in _config_reads().items() if kind == "secret"}
    readme = {n for n, marked in _table(_section("Configuration")).items() if marked}
    docstring = {n for n, marked in _table(config.__doc__ or "").items() if marked}

    assert "SECRET_KEY" in secrets
    assert sorted(secrets ^ readme) == []
    assert sorted(secrets ^ docstring) == []
