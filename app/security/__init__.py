"""HTTP-side security glue: CSRF, browser sessions and bearer tokens.

:mod:`app.authn` is the one place that turns credentials into an actor; the
modules here configure the libraries it relies on (Flask-WTF's CSRF machinery,
Flask-Login, Flask-JWT-Extended) and hold their callbacks.
"""
