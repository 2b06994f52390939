"""A marker for "not given" in partial updates, where None is a real value."""

from __future__ import annotations

import enum
from typing import Final


class Unset(enum.Enum):
    """The type of :data:`UNSET`."""

    UNSET = "UNSET"


#: A field a partial update (PATCH) leaves as it is.
UNSET: Final = Unset.UNSET
