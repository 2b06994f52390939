"""The dashboard's language switch: a signed-in user's stored locale, else a cookie.

Signed-in users keep their choice where their mails and every page read it
(``users.locale``, through :func:`app.services.accounts.staff_users.set_locale`,
as the back office's switch); anonymous visitors of the public pages get the
cookie :data:`app.i18n.LOCALE_COOKIE`, which the view sets.
"""

from __future__ import annotations

from flask_babel import gettext

from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.i18n import LANGUAGES
from app.models import User
from app.services.access import Actor
from app.services.accounts import staff_users

#: Where the choice is reported when refused (the form's field).
FIELD = "locale"


def choose(session: Session, actor: Actor, locale: str | None) -> None:
    """Store ``locale`` on the actor's user, or only check it for a visitor's cookie.

    ``None`` means "as the browser asks".

    Raises:
        ValidationError: ``locale`` is not one of :data:`~app.i18n.LANGUAGES`.
    """
    if locale not in (None, *LANGUAGES):
        raise ValidationError(
            gettext("Choose one of %(choices)s or none.", choices=", ".join(LANGUAGES)),
            FIELD,
        )
    if actor.user_id is not None:
        user = session.get_one(User, actor.user_id)
        staff_users.set_locale(session, user, locale)
