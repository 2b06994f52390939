"""Every back-office page renders for staff, with the data it is about."""

from __future__ import annotations

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.admin.test_admin_access import URLS
from tests.factories import (
    make_fidelity,
    make_installation,
    make_samples,
)
from tests.support.admin import AdminUrl

READ_ONLY = ("/admin/sample/", "/admin/fidelity/", "/admin/registration/")
PAGES = [
    url
    for url in URLS
    if url.method == "GET"
    and not url.json
    and not url.path.endswith(("/export/csv/", "/details/", "/edit/"))
    and not (url.path.endswith("/new/") and url.path.startswith(READ_ONLY))
]


@pytest.mark.parametrize("url", PAGES, ids=str)
def test_staff_sees_the_page(
    staff_client: FlaskClient, session: Session, url: AdminUrl
) -> None:
    inst = make_installation(session)
    make_samples(session, inst.node)
    make_fidelity(session, inst.node)

    response = staff_client.get(url.path)

    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
