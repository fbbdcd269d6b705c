"""Who may use the consultation, consent and closure pages: practitioners run every
step, managers only reopen, and SPOCs, finance, evaluators and admins get none of it,
nor any of the data these steps record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.records import OnwardReferral
from eip.extensions import db
from tests import factories_pathway_progress as pf
from tests.conftest import csrf_token_from

PLAN_TEXT = "Arguments escalate when money is short"
OBTAINED_BY = "Social worker"
STEP_PATHS = (
    "consultation/book",
    "consultation/record",
    "plan/actions/new",
    "onward-referrals/new",
    "onward-referrals/{referral}",
    "scenario-plan",
    "consents/client",
    "consents/partner",
    "consents/{consent}/withdraw",
    "close",
)
REOPEN = "reopen"


@pytest.fixture
def recorded(app_context):
    """A Camden case with a plan, consents and an onward referral recorded."""
    case = pf.consulted_case("intervention_with_accommodation", borough_name="Camden")
    consent = pf.consent(case, "client")
    referral = OnwardReferral(
        case_id=case.id, agency="idva", referred_on=pf.days_ago(1), status="made"
    )
    db.session.add(referral)
    db.session.commit()
    return {"case": case, "consent": consent.id, "referral": referral.id}


def _urls(recorded, paths):
    case = recorded["case"]
    return [
        f"/cases/{case.reference}/"
        + path.format(consent=recorded["consent"], referral=recorded["referral"])
        for path in paths
    ]


def _token(client) -> str:
    # Every signed-in page has the sign-out form, with the session's CSRF token.
    return csrf_token_from(client.get("/").get_data(as_text=True))


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_roles_outside_the_pathway_are_refused_every_step_and_see_none_of_it(
    signed_in, recorded, role
):
    client, _ = signed_in(role)  # the SPOC is Camden's: the case's own borough
    token = _token(client)
    for url in _urls(recorded, (*STEP_PATHS, REOPEN)):
        for response in (client.get(url), client.post(url, data={"csrf_token": token})):
            body = response.get_data(as_text=True)
            assert response.status_code == 403, (role, url)
            assert PLAN_TEXT not in body and OBTAINED_BY not in body
    refusals = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access.refused")
    )
    assert refusals == 2 * (len(STEP_PATHS) + 1)


def test_a_spocs_view_of_their_own_boroughs_case_shows_no_plan_consent_or_closure(
    signed_in, recorded
):
    client, _ = signed_in("spoc", borough_name="Camden")
    html = client.get(f"/cases/{recorded['case'].reference}").get_data(as_text=True)
    assert recorded["case"].reference in html
    assert PLAN_TEXT not in html
    assert "Consent" not in html and OBTAINED_BY not in html
    assert "Onward referrals" not in html


def test_a_manager_may_reopen_but_not_run_the_practitioners_steps(signed_in, recorded):
    client, _ = signed_in("manager")
    token = _token(client)
    for url in _urls(recorded, STEP_PATHS):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    (reopen,) = _urls(recorded, (REOPEN,))
    page = client.get(reopen)
    assert page.status_code == 200
    assert "Only a closed case can be reopened" in page.get_data(as_text=True)


def test_a_practitioner_runs_every_step_but_may_not_reopen(signed_in, recorded):
    client, _ = signed_in("practitioner")
    for url in _urls(recorded, STEP_PATHS):
        assert client.get(url).status_code == 200, url
    (reopen,) = _urls(recorded, (REOPEN,))
    assert client.get(reopen).status_code == 403
    token = _token(client)
    assert client.post(reopen, data={"csrf_token": token}).status_code == 403


def test_a_practitioner_is_refused_reopening_a_closed_case(signed_in, app_context):
    client, _ = signed_in("practitioner")
    case = pf.closed_case("active")
    response = client.post(
        f"/cases/{case.reference}/reopen",
        data={"csrf_token": _token(client), "version": str(case.version), "reason": "x"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert case.status == "closed"


def test_anonymous_visitors_are_sent_to_sign_in(client, recorded):
    for url in _urls(recorded, (*STEP_PATHS, REOPEN)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_an_id_from_another_case_is_not_found(signed_in, recorded, app_context):
    client, _ = signed_in("practitioner")
    other = pf.consulted_case("not_suitable")
    for path in ("onward-referrals/{referral}", "consents/{consent}/withdraw"):
        url = f"/cases/{other.reference}/" + path.format(
            consent=recorded["consent"], referral=recorded["referral"]
        )
        assert client.get(url).status_code == 404, url
