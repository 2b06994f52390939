"""The account pages' forms (Flask-WTF: each carries its CSRF token).

Field names are allauth's, so existing links and scripts keep working.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Sign in with username or e-mail address."""

    login = StringField(_l("Username or e-mail"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    next = HiddenField()


class SignupForm(FlaskForm):  # type: ignore[misc]
    """A new account."""

    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    username = StringField(
        _l("Username"), validators=[InputRequired(), Length(max=150)]
    )
    password1 = PasswordField(_l("Password"), validators=[InputRequired()])
    password2 = PasswordField(_l("Password (again)"), validators=[InputRequired()])


class EmailForm(FlaskForm):  # type: ignore[misc]
    """One e-mail address (re-send a confirmation, reset a password)."""

    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])


class ButtonForm(FlaskForm):  # type: ignore[misc]
    """A form that is only a button (log out, confirm, re-send)."""

    submit = SubmitField()


class ChangeEmailForm(ButtonForm):
    """Switch to a new e-mail address (after confirming it)."""

    email = EmailField(
        _l("New e-mail address"), validators=[InputRequired(), Length(max=254)]
    )


class SetPasswordForm(FlaskForm):  # type: ignore[misc]
    """A new password, typed twice."""

    password1 = PasswordField(_l("New password"), validators=[InputRequired()])
    password2 = PasswordField(_l("New password (again)"), validators=[InputRequired()])


class ChangePasswordForm(SetPasswordForm):
    """The current password and a new one."""

    oldpassword = PasswordField(_l("Current password"), validators=[InputRequired()])
