"""``flask users``: manage accounts from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.cli.group import Group
from app.cli.passwords import check_password, password_file_option, read_password
from app.db import transaction
from app.errors import DomainError
from app.services.accounts.profile import USERNAME_PATTERN
from app.services.accounts.registration import valid_email
from app.services.accounts.users import NewUser, create_user


@click.group(cls=Group, help="Manage user accounts.")
def users() -> None:
    """Group of account commands."""


def _email(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """The address checked and normalized as sign-up and the back office do it;
    blank is no address (as in the back office)."""
    if not value.strip():
        return ""
    try:
        return valid_email(value)
    except DomainError as exc:
        raise click.BadParameter(exc.detail) from None


def _username(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """The characters sign-up and profile changes allow (letters, digits and
    @/./+/-/_); blank, long and unstorable names are the service's to refuse."""
    name = value.strip()
    if name and _storable(name) and not USERNAME_PATTERN.fullmatch(name):
        raise click.BadParameter(
            "use only letters, digits and @/./+/-/_ (no spaces or control characters)."
        )
    return value


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@users.command("create")
@click.argument("username", callback=_username)
@click.argument("email", callback=_email)
@password_file_option
@click.option("--staff", is_flag=True, help="May use the back office (/admin/).")
@click.option("--superuser", is_flag=True, help="Staff with every permission.")
@click.option("--verified", is_flag=True, help="Mark the e-mail address as verified.")
@click.option("--first-name", default="", help="Given name.")
@click.option("--last-name", default="", help="Family name.")
def create(
    username: str,
    email: str,
    password_file: Path | None,
    staff: bool,
    superuser: bool,
    verified: bool,
    first_name: str,
    last_name: str,
) -> None:
    """Create an account USERNAME with address EMAIL ("" for none).

    The password is asked for twice unless --password-file is given; it must
    pass the rules of sign-up (8 to 1024 characters, not only digits, not like
    the username or address) and is stored only as an argon2id hash, e.g.

    \b
    flask users create admin you@example.org --superuser --verified
    """
    password = read_password(password_file)
    check_password(password, username=username.strip(), email=email)
    new = NewUser(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=staff,
        is_superuser=superuser,
        email_verified=verified,
    )
    try:
        with transaction() as session:
            user = create_user(session, new)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    role = "superuser" if user.is_superuser else "staff" if user.is_staff else "user"
    click.echo(f"Created {role} {user.username!r} (id {user.id}).")
    if not user.email_verified and current_app.config["ACCOUNT_EMAIL_VERIFICATION"]:
        click.echo(_unverified_warning(user.username, user.email), err=True)


def _unverified_warning(username: str, email: str) -> str:
    """Log-in needs a verified address, and nothing mailed this account a link."""
    way = (
        "its owner can ask for a confirmation link at /accounts/confirm-email/"
        if email
        else "it has no address to confirm"
    )
    return (
        f"Warning: {username!r} cannot log in until its e-mail address is verified "
        f"(ACCOUNT_EMAIL_VERIFICATION=1) and no confirmation mail was sent: {way}; "
        "--verified creates an account that can log in at once."
    )
