"""Who may fetch an installation's photo: whoever may see the installation.

A photo's URL (``MEDIA_URL`` + a random name) ends up in pages, logs and
browser histories, so the name alone must not open a private installation's
photo. Visibility is the installations' own (:func:`app.services.access.visible`):
anonymous callers get the photos of public installations, members those of their
organizations' installations. A file no visible installation names is not found,
exactly like an invisible installation.
"""

from __future__ import annotations

from flask_babel import gettext

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.models import Installation
from app.services import access
from app.services.access import Actor


def require_visible_photo(session: Session, actor: Actor, name: str) -> bool:
    """Check that ``actor`` may fetch the stored photo ``name``.

    Args:
        session: the database session.
        actor: the caller.
        name: the stored file name (the part of the URL after ``MEDIA_URL``).

    Returns:
        Whether a public installation shows the photo, so that anyone may have it
        (and shared caches may keep it).

    Raises:
        NotFoundError: no installation the actor may see has this photo.
    """
    stmt = access.scoped(
        select(func.bool_or(Installation.is_public)).where(Installation.image == name),
        Installation,
        actor,
    )
    public = session.scalar(stmt)
    if public is None:
        raise NotFoundError(gettext("No photo named %(name)s.", name=name))
    return bool(public)
