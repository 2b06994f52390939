"""Reading Django fixture files (``manage.py dumpdata`` JSON) into records."""

from __future__ import annotations

import json
from pathlib import Path

from app.services.importer.registry import FixtureImportError, Record


def read_fixture(path: Path) -> list[Record]:
    """Read one fixture file: a JSON list of ``{"model", "pk", "fields"}`` objects.

    Raises:
        FixtureImportError: the file cannot be read or is not a Django fixture.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FixtureImportError(f"{path}: cannot read it ({exc.strerror}).") from None
    except (UnicodeDecodeError, ValueError) as exc:
        # JSONDecodeError is a ValueError, and so is an integer of over 4300 digits
        raise FixtureImportError(f"{path}: not a JSON file ({exc}).") from None
    except RecursionError:
        raise FixtureImportError(
            f"{path}: not a JSON file (nested too deeply to read)."
        ) from None
    if not isinstance(data, list):
        raise FixtureImportError(f"{path}: expected a JSON list of fixture objects.")
    records = []
    for index, item in enumerate(data):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("model"), str)
            or not isinstance(item.get("fields"), dict)
        ):
            raise FixtureImportError(
                f"{path}: item {index} is not a fixture object "
                '({"model": "app.model", "pk": ..., "fields": {...}}).'
            )
        records.append(
            Record(item["model"].lower(), item.get("pk"), item["fields"], path.name)
        )
    return records
