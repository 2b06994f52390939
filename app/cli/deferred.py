"""Commands imported when they run, not when the application starts.

Every process builds the application, and with it every command group: the
importer's and the series' modules, and Flask-Migrate's ``db`` group, which
imports Alembic. Only the one command a ``flask`` invocation names needs its
module, so :class:`Deferred` stands in for each group until click hands it
its arguments.
"""

from __future__ import annotations

from functools import cached_property
from pkgutil import resolve_name
from typing import Any

import click


class Deferred(click.Command):
    """Stands in for the command at ``target`` (``"module:attribute"``).

    Click runs a sub-command through its ``make_context``: the stand-in returns
    the real command's context there, so options, sub-commands, ``--help`` and
    shell completion are the real command's. ``flask --help`` lists the real
    short help (and so imports every group).
    """

    def __init__(self, name: str, target: str) -> None:
        super().__init__(name)
        self.target = target

    @cached_property
    def command(self) -> click.Command:
        """The real command, imported on first use."""
        command = resolve_name(self.target)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The real command's context: click then invokes the real command."""
        return self.command.make_context(info_name, args, parent=parent, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The real command's short help, for ``flask --help``."""
        return self.command.get_short_help_str(limit)
