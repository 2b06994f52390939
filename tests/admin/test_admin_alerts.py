"""The back office's alerts page: every organization's rules, open alerts, the outbox."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import AlertNotification
from app.models.types import utcnow
from tests.factories import (
    make_alert,
    make_alert_rule,
    make_organization,
    make_room,
    make_site,
)
from tests.support.admin_forms import page_text


def test_staff_see_rules_open_alerts_and_failing_messages(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session, name="Grundschule Nord")
    rule = make_alert_rule(session, org, name="Lüften bitte")
    room = make_room(session, make_site(session, org), name="Klasse 5a")
    open_alert = make_alert(session, rule, room)
    make_alert(session, rule, room, opened_at=utcnow(), cleared_at=utcnow())
    session.add(
        AlertNotification(
            alert_id=open_alert.id,
            event="opened",
            channel="mail",
            attempts=2,
            last_error="Connection refused",
        )
    )
    session.flush()

    body = page_text(staff_client.get("/admin/alerts/"))

    assert "Grundschule Nord" in body
    assert "Lüften bitte" in body
    assert body.count('data-alert="') == 1  # the cleared one is not listed
    assert f'data-alert="{open_alert.id}"' in body
    assert "Connection refused" in body


def test_the_page_shows_weekdays_without_hours_and_whose_alert_is_open(
    staff_client: FlaskClient, session: Session
) -> None:
    """A weekday-only rule showed a dash (read as every day); open alerts named no
    organization."""
    org = make_organization(session, name="Bäckerei Süd")
    rule = make_alert_rule(session, org, name="Montags", active_weekdays=[1, 3])
    make_alert(session, rule, make_room(session, make_site(session, org)))
    session.flush()

    html = staff_client.get("/admin/alerts/").get_data(as_text=True)

    row = html.split(f'data-rule="{rule.id}"', 1)[1].split("</tr>", 1)[0]
    assert "1,3 Europe/Berlin" in row
    alert_row = html.split('id="open-alerts"', 1)[1].split("</table>", 1)[0]
    assert "Bäckerei Süd" in alert_row
