"""Who may use each referral page: every route, every role, allowed and refused.

SPOCs (even of the referring borough), finance, evaluators and administrators see
none of the referral's personal data: each refusal is a 403 that shows none of it,
and is audited.
"""

from datetime import date

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.extensions import db
from tests import factories_pathway_referral as rf
from tests.conftest import post_form

# endpoint path (after /cases/<reference>) -> the roles let through.
ROUTES = {
    "new": {"practitioner"},
    "acknowledge": {"practitioner"},
    "late-referral": {"manager"},
    "referral": {"practitioner"},
    "partner": {"practitioner", "manager"},
}
POST_ROUTES = {"new", "acknowledge", "late-referral", "referral"}
PERSONAL = ("Alex", "Marlowe", "Jordan", "Reyes", "Bluebell", "Tuesdays after 2pm", "Sam Okafor")


def _url(case, route: str) -> str:
    return "/cases/new" if route == "new" else f"/cases/{case.reference}/{route}"


@pytest.fixture
def case(app_context):
    # Referred by Hackney, late, so that every page has something to show.
    return rf.recorded_case(borough_name="Hackney", received_at=rf.london(date(2026, 8, 18)))


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_roles_outside_the_pathway_are_refused_every_referral_page(signed_in, case, role, route):
    client, user = signed_in(role, **({"borough_name": "Hackney"} if role == "spoc" else {}))
    url = _url(case, route)
    got = client.get(url)
    assert got.status_code == 403
    body = got.get_data(as_text=True)
    for detail in PERSONAL:
        assert detail not in body
    if route in POST_ROUTES:
        posted = post_form(client, url, {"client_name": "Someone"}, form_url="/")
        assert posted.status_code == 403
    refusals = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.refused")
    ).all()
    assert refusals and all(r.actor_id == user.id for r in refusals)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.partner_viewed"))
        is None
    )


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_reach_exactly_their_pages(signed_in, case, role, route):
    client, _ = signed_in(role)
    status = client.get(_url(case, route)).status_code
    assert (status == 200) == (role in ROUTES[route]), (role, route, status)
    if role not in ROUTES[route]:
        assert status == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, case):
    for route in ROUTES:
        response = client.get(_url(case, route))
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_an_unknown_case_is_404_on_every_page(signed_in, case):
    client, _ = signed_in("practitioner")
    for route in ("acknowledge", "referral", "partner"):
        assert client.get(f"/cases/EIP-2026-9999/{route}").status_code == 404
