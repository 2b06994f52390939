"""The translation catalogues: compile them, and list what is marked for translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, check_and_call_extract_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
#: A file without one of these cannot hold a marked string, so it is not
#: tokenized: most of ``app/`` has none, and tokenizing was most of the cost.
MARKER = re.compile(rb"(?:\b_|\b_l|\bN_|gettext)\(|\{%-?\s*trans\b")
#: The suffixes babel.cfg maps to an extractor.
SOURCES = (".py", ".html", ".txt")
#: Extractors by import path: babel finds ``jinja2`` by scanning every installed
#: package's entry points, which took longer than extracting the templates.
EXTRACTORS = {"jinja2": "jinja2.ext:babel_extract"}


def compile_catalogues() -> None:
    """Write each ``messages.mo`` that is missing or older than its ``.po``."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def marked_messages() -> set[str]:
    """Return the msgid of every string marked for translation in the code.

    Babel extracts each file of ``app/`` that babel.cfg maps, as ``pybabel
    extract`` does, but only the files that show a marker at all.
    """
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        mapping, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    method_map = [
        (pattern, EXTRACTORS.get(method, method)) for pattern, method in mapping
    ]
    found = set()
    for path in sorted((ROOT / "app").rglob("*")):
        if path.suffix not in SOURCES or not MARKER.search(path.read_bytes()):
            continue
        for _file, _line, message, _comments, _context in check_and_call_extract_file(
            str(path), method_map, options_map, None, KEYWORDS, (), False, str(ROOT)
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found
