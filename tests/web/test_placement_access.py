"""Who may use the placement pages: each role allowed and refused per endpoint; a SPOC of
another borough, a manager or a finance user trying to decide gets 403 and the refusal is
audited; finance never sees the client's name; a SPOC never sees the partner or the risk."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accommodation.models import LedgerEntry, PlacementExtension
from eip.audit import AuditEvent
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.conftest import csrf_token_from

PLAN_RISKS = "Arguments escalate when money is short"  # the consultation's plan (factory)
PARTNER_ADDRESS = "14 Fictional Street, London N7 9ZZ"
DECIDE_PATHS = (
    "{requested}/approve",
    "{requested}/decline",
    "{requested}/no-accommodation",
    "{requested}/pot-exhausted",
    "{stay}/extensions/{extension}",
    "{stay}/commitments/new",
)
PRACTITIONER_PATHS = (
    "{requested}/withdraw",
    "{requested}/client-declined",
    "{stay}/extensions/new",
)


@pytest.fixture
def world(app_context):
    """In Camden: a ready case, a request waiting for the SPOC, and a stay with an extension
    waiting; the partner's address and the plan's risks are on the cases."""
    ready = fa.accommodation_case()
    requested = fa.placement(state="requested", nights=14)
    stay = fa.placement(state="checked_in", nights=14)
    extension = PlacementExtension(placement_id=stay.id, nights=3, reason="Housing offer soon")
    db.session.add(extension)
    for case in (ready, requested.case, stay.case):
        case.partner.address = PARTNER_ADDRESS
    db.session.commit()
    return {
        "ready": ready,
        "requested": requested,
        "stay": stay,
        "values": {"requested": requested.id, "stay": stay.id, "extension": extension.id},
        "client_names": {requested.client.full_name, stay.client.full_name},
        "partner_names": {requested.case.partner.full_name, stay.case.partner.full_name},
    }


def _urls(world, paths) -> list[str]:
    return ["/placements/" + path.format(**world["values"]) for path in paths]


def _request_url(world) -> str:
    return f"/cases/{world['ready'].reference}/placements/new"


def _token(client) -> str:
    return csrf_token_from(client.get("/").get_data(as_text=True))


def _refusals() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access.refused")
    )


def _ledger_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def _both(client, url: str, token: str):
    return client.get(url), client.post(url, data={"csrf_token": token})


# ---------------------------------------------------------------------------
# Each role, each endpoint


def test_the_spoc_of_the_borough_may_decide_but_not_request(signed_in, world):
    client, _ = signed_in("spoc", borough_name="Camden")
    token = _token(client)
    for url in _urls(world, DECIDE_PATHS):
        for response in _both(client, url, token):
            assert response.status_code in (200, 400, 409), url
    for url in [*_urls(world, PRACTITIONER_PATHS), _request_url(world)]:
        for response in _both(client, url, token):
            assert response.status_code == 403, url
    for url in ("/placements", _urls(world, ("{requested}",))[0]):
        assert client.get(url).status_code == 200


def test_the_practitioner_may_request_and_manage_but_not_decide(signed_in, world):
    client, _ = signed_in("practitioner")
    token = _token(client)
    for url in [*_urls(world, PRACTITIONER_PATHS), _request_url(world)]:
        for response in _both(client, url, token):
            assert response.status_code in (200, 400, 409), url
    before = _refusals()
    for url in _urls(world, DECIDE_PATHS):
        for response in _both(client, url, token):
            assert response.status_code == 403, url
    assert _refusals() == before + 2 * len(DECIDE_PATHS)


@pytest.mark.parametrize("role", ["manager", "finance"])
def test_a_manager_or_finance_user_trying_to_decide_is_refused_and_audited(signed_in, world, role):
    client, user = signed_in(role)
    token = _token(client)
    entries = _ledger_count()
    for url in [*_urls(world, DECIDE_PATHS + PRACTITIONER_PATHS), _request_url(world)]:
        for response in _both(client, url, token):
            assert response.status_code == 403, url
    approve = _urls(world, ("{requested}/approve",))[0]
    data = {
        "csrf_token": token,
        "version": str(world["requested"].version),
        "provider": "Fictional Lets Ltd",
        "address": "Flat 2",
        "rate": "65",
        "nights": "14",
    }
    assert client.post(approve, data=data).status_code == 403
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "access.refused", AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.details == {"action": "placement.decide", "endpoint": "accommodation.approve"}
    assert _ledger_count() == entries
    db.session.expire_all()
    assert world["requested"].state == "requested"


def test_a_spoc_of_another_borough_is_refused_every_placement_page_and_audited(signed_in, world):
    client, user = signed_in("spoc", borough_name="Hackney")
    token = _token(client)
    urls = _urls(world, ("{requested}", "{stay}", *DECIDE_PATHS))
    for url in urls:
        for response in _both(client, url, token):
            assert response.status_code in (403, 405), url
            body = response.get_data(as_text=True)
            assert not any(name in body for name in world["client_names"])
    refused = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access.refused", AuditEvent.actor_id == user.id
        )
    ).all()
    assert len(refused) == 2 * len(DECIDE_PATHS) + 2
    assert {e.object_type for e in refused} == {"placement"}
    # Their list and home show nothing of Camden's placements.
    for url in ("/placements", "/"):
        body = client.get(url).get_data(as_text=True)
        assert world["requested"].case.reference not in body


def test_finance_sees_only_approved_placements_pages(signed_in, world):
    client, _ = signed_in("finance")
    assert client.get(_urls(world, ("{stay}",))[0]).status_code == 200
    assert client.get(_urls(world, ("{requested}",))[0]).status_code == 403


@pytest.mark.parametrize("role", ["evaluator", "admin"])
def test_evaluators_and_admins_get_no_placement_page(signed_in, world, role):
    client, _ = signed_in(role)
    for url in ["/placements", *_urls(world, ("{requested}", "{stay}")), _request_url(world)]:
        assert client.get(url).status_code == 403, url


def test_an_anonymous_visitor_is_sent_to_sign_in(app, world):
    anonymous = app.test_client()
    for url in ["/placements", *_urls(world, ("{requested}", "{requested}/approve"))]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


# ---------------------------------------------------------------------------
# What each role sees


def test_finance_never_sees_the_clients_name_or_contact(signed_in, world):
    stay = world["stay"]
    stay.client.phone = "07700 900123"
    db.session.commit()
    client, _ = signed_in("finance")
    for url in ("/", "/placements", _urls(world, ("{stay}",))[0]):
        body = client.get(url).get_data(as_text=True)
        assert not any(name in body for name in world["client_names"]), url
        assert "07700 900123" not in body and PLAN_RISKS not in body
        assert "Anywhere in Holloway" not in body  # the request's safety notes
    page = client.get(_urls(world, ("{stay}",))[0]).get_data(as_text=True)
    assert stay.case.reference in page and "Fictional Lets Ltd" in page and "£65.00" in page


def test_a_spoc_sees_the_clients_name_and_needs_but_never_the_partner_or_the_risk(signed_in, world):
    requested = world["requested"]
    client, _ = signed_in("spoc", borough_name="Camden")
    pages = [
        "/",
        "/placements",
        *_urls(world, ("{requested}", "{stay}", "{requested}/approve")),
        *_urls(world, ("{stay}/extensions/{extension}",)),
    ]
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        assert not any(name in body for name in world["partner_names"]), url
        assert PARTNER_ADDRESS not in body and "N7 9ZZ" not in body, url
        assert PLAN_RISKS not in body and "DASH" not in body, url
    page = client.get(_urls(world, ("{requested}",))[0]).get_data(as_text=True)
    assert requested.client.full_name in page
    assert "Anywhere in Holloway" in page and "Ground floor room" in page
    # The social worker's name is the practitioner's record; the SPOC needs only the judgement.
    assert "Judged safe and suitable by the practitioner and the social worker on" in page
    assert "Mira Fictional" not in page


def test_practitioners_and_managers_see_the_whole_request(signed_in, world):
    for role in ("practitioner", "manager"):
        client, _ = signed_in(role)
        page = client.get(_urls(world, ("{requested}",))[0]).get_data(as_text=True)
        assert world["requested"].client.full_name in page
        assert "Mira Fictional" in page
