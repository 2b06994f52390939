"""List filters whose unknown values are refused like any other filter's.

flask-admin's filters on enum columns (a membership's role, a node's fidelity)
look a value up by member name, which raises ``KeyError`` for an unknown one;
its filter check only expects ``ValueError``, so ``?flt0_7=x`` answered 500.
These filters count an unknown name as an invalid value: the list is shown
without that filter and says the value was not valid, as for a malformed date.
"""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla import filters


class _KnownMembers:
    """An enum filter whose value must name a member of the column's enum."""

    def validate(self, value: Any) -> bool:
        """Whether ``value`` names members of the enum (each of a list)."""
        try:
            self.clean(value)  # type: ignore[attr-defined]
        except (KeyError, ValueError):
            return False
        return True


class EnumEqualFilter(_KnownMembers, filters.EnumEqualFilter):  # type: ignore[misc]
    """The role (or verdict) is the chosen one."""


class EnumFilterNotEqual(_KnownMembers, filters.EnumFilterNotEqual):  # type: ignore[misc]
    """The role (or verdict) is not the chosen one."""


class EnumFilterInList(_KnownMembers, filters.EnumFilterInList):  # type: ignore[misc]
    """The role (or verdict) is one of a list."""


class EnumFilterNotInList(_KnownMembers, filters.EnumFilterNotInList):  # type: ignore[misc]
    """The role (or verdict) is none of a list."""


class FilterConverter(filters.FilterConverter):  # type: ignore[misc]
    """flask-admin's filters, with the enum ones above."""

    enum = (
        EnumEqualFilter,
        EnumFilterNotEqual,
        filters.EnumFilterEmpty,
        EnumFilterInList,
        EnumFilterNotInList,
    )
