"""The sample list: a node's page of samples at a cost that does not grow with rows."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.api.test_query_bounds import statements
from tests.factories import make_node, make_samples
from tests.support.admin_forms import page_text


def _sample_statements(
    client: FlaskClient, session: Session, filter_value: str
) -> tuple[str, list[str]]:
    """The page and its statements, with nothing cached in the session."""
    session.commit()
    session.expunge_all()
    with statements() as seen:
        answer = client.get("/admin/sample/", query_string={"flt0_0": filter_value})
    assert answer.status_code == 200
    return page_text(answer), seen


def test_sample_page_statements_do_not_grow_with_its_rows(
    staff_client: FlaskClient, session: Session
) -> None:
    few, many = make_node(session), make_node(session)
    make_samples(session, few, count=2)
    make_samples(session, many, count=20)
    session.commit()
    staff_client.get("/admin/sample/")  # the log-in's flash message
    (few_eui, few_label), (many_eui, many_label) = [
        (node.eui64, f"{node.alias} ({node.eui64})") for node in (few, many)
    ]

    few_page, few_statements = _sample_statements(staff_client, session, few_eui)
    many_page, many_statements = _sample_statements(staff_client, session, many_eui)

    assert few_page.count(few_label) == 2
    assert many_page.count(many_label) == 20
    assert len(many_statements) == len(few_statements)


def test_sample_page_asks_for_the_nodes_samples_by_id(
    staff_client: FlaskClient, session: Session
) -> None:
    """The node ids are values, so PostgreSQL reads one page of the
    ``(node_id, time DESC)`` index; with a subquery over ``nodes`` it read and
    sorted all of the node's samples."""
    node = make_node(session)
    make_samples(session, node, count=2)

    _, seen = _sample_statements(staff_client, session, node.eui64)

    (listing,) = [s for s in seen if re.match(r"SELECT samples\.time", s)]
    assert "FROM nodes" not in listing


def test_an_alias_of_two_nodes_lists_the_samples_of_both(
    staff_client: FlaskClient, session: Session
) -> None:
    first, second = make_node(session, alias="twin"), make_node(session, alias="twin")
    make_samples(session, first, count=2, co2_ppm=611)
    make_samples(session, second, count=3, co2_ppm=922)

    body, _ = _sample_statements(staff_client, session, "twin")

    found = re.findall(r'<td class="col-co2_ppm">\s*(\d+)', body)
    assert sorted(found) == ["611"] * 2 + ["922"] * 3


def test_a_value_naming_no_node_lists_no_samples(
    staff_client: FlaskClient, session: Session
) -> None:
    make_samples(session, make_node(session), count=2)

    body, _ = _sample_statements(staff_client, session, "no such node")

    assert re.findall(r'<td class="col-co2_ppm">', body) == []
