"""``flask ingest-tokens``: create, list and revoke the tokens ingest clients present."""

from __future__ import annotations

import unicodedata

import click

from sqlalchemy import select

from app.cli.group import Group
from app.db import transaction
from app.models import ApiToken, Organization
from app.services.accounts import tokens

#: a database id: larger numbers are no id (and overflow bigint)
ID = click.IntRange(1, 2**63 - 1)
#: the length of ``api_tokens.name``
NAME_MAX = 100


@click.group("ingest-tokens", cls=Group, help="Manage ingest tokens (stored hashed).")
def ingest_tokens() -> None:
    """Group of ingest-token commands."""


@ingest_tokens.command("create")
@click.option(
    "--organization",
    "organization_id",
    type=ID,
    help="Only this organization's nodes (id); without it the token is "
    "deployment-wide.",
)
@click.option(
    "--name",
    default="",
    help=f"What the token is for, e.g. 'TTN webhook' (at most {NAME_MAX} characters).",
)
def create(organization_id: int | None, name: str) -> None:
    """Create an ingest token and print its secret (shown only this once)."""
    if len(name) > NAME_MAX:
        raise click.BadParameter(
            f"at most {NAME_MAX} characters, not {len(name)}.", param_hint="'--name'"
        )
    if not _printable(name):
        raise click.BadParameter(
            "give printable text: no tabs, line breaks or other control characters, "
            "nothing the terminal's encoding could not read.",
            param_hint="'--name'",
        )
    with transaction() as session:
        if (
            organization_id is not None
            and session.get(Organization, organization_id) is None
        ):
            raise click.ClickException(f"No organization with id {organization_id}.")
        issued = tokens.issue_ingest_token(session, organization_id, name)
    scope = (
        f"organization {organization_id}"
        if organization_id is not None
        else "every organization (deployment-wide)"
    )
    click.echo(f"Created ingest token {issued.token.id} for {scope}.")
    click.echo("Send it as 'Authorization: Token <token>'. It is shown only now:")
    click.echo(issued.key)


@ingest_tokens.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
def list_tokens(show_all: bool) -> None:
    """List ingest tokens: id, prefix, organization, name, last use."""
    stmt = select(ApiToken).where(ApiToken.kind == "ingest").order_by(ApiToken.id)
    if not show_all:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    with transaction() as session:
        rows = session.scalars(stmt).all()
    click.echo("id\tprefix\torganization\tname\tlast used\trevoked")
    for t in rows:
        click.echo(
            "\t".join(
                (
                    str(t.id),
                    f"{t.prefix}…",
                    "all" if t.organization_id is None else str(t.organization_id),
                    t.name or "-",
                    t.last_used_at.isoformat(timespec="seconds")
                    if t.last_used_at
                    else "never",
                    t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else "-",
                )
            )
        )


@ingest_tokens.command("revoke")
@click.argument("token_id", type=ID)
def revoke(token_id: int) -> None:
    """Revoke the ingest token TOKEN_ID (its id in flask ingest-tokens list).

    A worker that verified the token within the last INGEST_TOKEN_CACHE_S seconds
    (default 5) keeps accepting it until then; after that it is refused everywhere.
    """
    with transaction() as session:
        token = session.get(ApiToken, token_id)
        if token is None or token.kind != "ingest":
            raise click.ClickException(f"No ingest token with id {token_id}.")
        revoked_at = token.revoked_at
        if revoked_at is None:
            tokens.revoke(session, token_id)
    if revoked_at is not None:
        click.echo(
            f"Ingest token {token_id} was revoked already, at "
            f"{revoked_at.isoformat(timespec='seconds')}."
        )
        return
    click.echo(f"Revoked ingest token {token_id}.")


def _printable(text: str) -> bool:
    """Text that one line of the list shows as it is (and the database stores)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of the command line
        return False
    return all(unicodedata.category(c) != "Cc" for c in text)
