"""Forced POSTs: inspectors, owners of other organizations, anonymous callers and
posts without the CSRF token are refused before anything is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flask.testing import FlaskClient

from app.i18n import LOCALE_COOKIE
from tests.api.dashboard_manage.conftest import World, send, sign_in
from tests.support.refusals import assert_page_refused

#: (path below the page, form prefix, fields) of every form, each valid for an owner.
Form = tuple[str, str, dict[str, Any]]
FORMS: dict[str, Callable[[World], Form]] = {
    "site": lambda w: (
        "sites/",
        "site",
        {"name": "New", "street1": "A 1", "zip": "10115", "city": "Berlin"},
    ),
    "room": lambda w: ("rooms/", "room", {"site": w.site.id, "name": "New"}),
    "node": lambda w: (
        "nodes/",
        "node",
        {
            "eui64": "70B3D57ED0049999",
            "alias": "New",
            "protocol": w.protocol.id,
            "model": w.model.id,
        },
    ),
    "install": lambda w: (
        "installations/",
        "install",
        {"node": str(w.spare_node.id), "room": w.room.id},
    ),
    "end": lambda w: (
        f"installations/{w.installation.id}/end/",
        f"end{w.installation.id}",
        {},
    ),
    "publicity": lambda w: (
        f"installations/{w.installation.id}/publicity/",
        f"pub{w.installation.id}",
        {"is_public": "1"},
    ),
    "invite": lambda w: ("members/", "invite", {"email": w.outsider.email}),
    "role": lambda w: (
        f"memberships/{_membership_id(w)}/role/",
        f"role{_membership_id(w)}",
        {"role": "O"},
    ),
    "leave": lambda w: ("leave/", "leave", {}),
}
TABLES = ("sites", "addresses", "rooms", "nodes", "installations", "memberships")


def _membership_id(world: World) -> int:
    return next(
        m.id for m in world.inspector.memberships if m.organization_id == world.org.id
    )


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("caller", ["inspector", "outsider"])
def test_forced_post_by_a_non_owner_is_403_and_stores_nothing(
    browser: FlaskClient, world: World, form: str, caller: str
) -> None:
    path, prefix, fields = FORMS[form](world)
    client = sign_in(browser, getattr(world, caller))

    assert_page_refused(
        lambda: send(client, world, path, prefix, fields), 403, unchanged=TABLES
    )


@pytest.mark.parametrize("form", sorted(FORMS))
def test_post_without_csrf_token_is_403_and_stores_nothing(
    browser: FlaskClient, world: World, form: str
) -> None:
    path, prefix, fields = FORMS[form](world)
    client = sign_in(browser, world.owner)

    assert_page_refused(
        lambda: send(client, world, path, prefix, fields, token=False),
        403,
        unchanged=TABLES,
        shows="This form could not be verified. Please go back, reload the page",
    )


def test_post_without_csrf_token_says_so_in_german(
    browser: FlaskClient, world: World
) -> None:
    path, prefix, fields = FORMS["room"](world)
    client = sign_in(browser, world.owner)
    client.set_cookie(LOCALE_COOKIE, "de")

    resp = send(client, world, path, prefix, fields, token=False)

    assert resp.status_code == 403
    shown = resp.get_data(as_text=True)
    assert "Dieses Formular konnte nicht überprüft werden." in shown
    assert "CSRF token" not in shown  # Flask-WTF's English reason


@pytest.mark.parametrize("form", sorted(FORMS))
def test_anonymous_post_is_401_and_stores_nothing(
    browser: FlaskClient, world: World, form: str
) -> None:
    path, prefix, fields = FORMS[form](world)

    assert_page_refused(
        lambda: send(browser, world, path, prefix, fields, token=False),
        401,
        unchanged=TABLES,
    )


@pytest.mark.parametrize("form", sorted(set(FORMS) - {"leave"}))  # the last owner
def test_every_form_works_for_the_owner(
    browser: FlaskClient, world: World, form: str
) -> None:
    path, prefix, fields = FORMS[form](world)
    client = sign_in(browser, world.owner)

    resp = send(client, world, path, prefix, fields)

    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
