"""Languages of pages, mails and messages: Flask-Babel with English and German.

The locale is the user's own (``users.locale``), else an anonymous visitor's
choice on the dashboard (cookie :data:`LOCALE_COOKIE`), else the best match of the
browser's ``Accept-Language``, else ``DEFAULT_LOCALE``. Catalogues live in
``app/translations/<lang>/LC_MESSAGES/messages.po``; ``make i18n-compile`` (run
by ``make setup``) builds the ``.mo`` files, which are not committed.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request

from app.extensions import babel

LANGUAGES = ("en", "de")
#: The language an anonymous visitor chose with the dashboard's switch.
LOCALE_COOKIE = "airq_locale"


def init_i18n(app: Flask) -> None:
    """Initialize Flask-Babel; call it before anything renders a template."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    babel.init_app(app, locale_selector=select_locale)


def select_locale() -> str:
    """Return the language of the current request (see the module docstring)."""
    preferred = g.get("user_locale") if has_request_context() else None
    if preferred in LANGUAGES:
        return str(preferred)
    if has_request_context():
        chosen = request.cookies.get(LOCALE_COOKIE)
        if chosen in LANGUAGES:
            return str(chosen)
        best = request.accept_languages.best_match(LANGUAGES)
        if best:
            return best
    return str(current_app.config["DEFAULT_LOCALE"])
