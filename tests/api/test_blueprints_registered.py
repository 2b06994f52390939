"""Every blueprint the package defines is in the one registration tuple, once.

A blueprint left out of :data:`app.blueprints.BLUEPRINTS` serves nothing and is
missing from the OpenAPI document, without any import error to say so.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

import app.blueprints
from app.blueprints import BLUEPRINTS


def _defined_blueprints() -> set[str]:
    names = set()
    for info in pkgutil.walk_packages(app.blueprints.__path__, "app.blueprints."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Blueprint) and value.import_name == info.name:
                names.add(value.name)
    return names


def test_every_defined_blueprint_is_registered_once() -> None:
    registered = [blp.name for blp in BLUEPRINTS]

    assert len(registered) == len(set(registered))
    assert set(registered) == _defined_blueprints()
