"""The password a command sets: read from ``--password-file`` or asked for twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

#: The ``--password-file`` option, for scripts that cannot answer a prompt.
password_file_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the password from this file (first line) instead of prompting.",
)


def read_password(password_file: Path | None) -> str:
    """Return the first line of ``password_file`` (empty for an empty file, for the
    password rules to refuse), or prompt twice without echo."""
    if password_file is None:
        password: str = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        return password
    try:
        lines = password_file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise click.BadParameter(
            "the file is not UTF-8 text; save the password as UTF-8.",
            param_hint="'--password-file'",
        ) from None
    return lines[0] if lines else ""
