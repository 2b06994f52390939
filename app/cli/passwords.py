"""The password a command sets: read from ``--password-file`` or asked for twice,
and held to the rules sign-up applies (:mod:`app.services.accounts.password_policy`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from app.errors import ValidationError
from app.services.accounts.password_policy import (
    MAX_LENGTH,
    NewPassword,
    check_new_password,
)

#: The ``--password-file`` option, for scripts that cannot answer a prompt.
password_file_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
    help="Read the password from this file (first line; UTF-8, a byte order mark "
    "is ignored; - for standard input) instead of prompting.",
)

#: bytes of the first line read at most: MAX_LENGTH characters of up to 4 bytes,
#: a byte order mark and the line end (a bigger file is not read into memory)
READ_LIMIT = 4 * MAX_LENGTH + 3 + 2


def read_password(password_file: Path | None) -> str:
    """Return the first line of ``password_file`` (empty for an empty file, for the
    password rules to refuse), or prompt twice without echo."""
    if password_file is None:
        password: str = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        return password
    if str(password_file) == "-":
        line = sys.stdin.buffer.readline(READ_LIMIT)
    else:
        with password_file.open("rb") as stream:
            line = stream.readline(READ_LIMIT)
    if len(line) == READ_LIMIT and not line.endswith(b"\n"):
        raise click.BadParameter(
            f"the first line is longer than a password may be ({MAX_LENGTH} "
            "characters); put only the password on it.",
            param_hint="'--password-file'",
        )
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.BadParameter(
            "the file is not UTF-8 text; save the password as UTF-8.",
            param_hint="'--password-file'",
        ) from None
    return text.rstrip("\r\n")


def check_password(password: str, *, username: str, email: str = "") -> None:
    """Hold ``password`` to the rules of sign-up (length, not only digits, not like
    the name or address).

    Raises:
        click.ClickException: every rule it breaks, one per line.
    """
    try:
        check_new_password(
            NewPassword(password, password), username=username, email=email
        )
    except ValidationError as exc:
        problems = " ".join(problem.detail for problem in exc.details())
        raise click.ClickException(problems) from exc
