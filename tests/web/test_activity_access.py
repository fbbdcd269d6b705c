"""Who may record sessions, meetings, incidents, DASH reviews and actions: practitioners
only. Everyone else is refused every route, the refusal is audited, nothing is saved,
and SPOCs, finance, evaluators and admins never see this personal data."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.records import (
    CaseAction,
    DashReview,
    Incident,
    InterventionSession,
    ProfessionalsMeeting,
)
from eip.extensions import db
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from

REFUSED_ROLES = ["manager", "spoc", "finance", "evaluator", "admin"]
PERSONAL = ["Fictional incident words", "Fictional session themes", "Risk (DASH)", "Strangulation"]


def routes(case, action_id: int) -> list[tuple[str, str]]:
    base = f"/cases/{case.reference}"
    pages = [f"{base}/{step}/new" for step in ("sessions", "meetings", "incidents", "dash")]
    pages.append(f"{base}/actions/new")
    return [(method, url) for url in pages for method in ("GET", "POST")] + [
        ("POST", f"{base}/actions/{action_id}/done")
    ]


def post_data(case) -> dict:
    return {
        **fa.session_form(date(2026, 1, 22)),
        **fa.meeting_form(date(2026, 1, 22)),
        **fa.incident_form(date(2026, 1, 22)),
        **fa.dash_form(date(2026, 1, 22), 20),
    }


def totals() -> list[int]:
    db.session.expire_all()
    models = (InterventionSession, ProfessionalsMeeting, Incident, DashReview)
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in models]
    done = db.session.scalar(
        select(func.count()).select_from(CaseAction).where(CaseAction.completed_at.is_not(None))
    )
    actions = db.session.scalar(select(func.count()).select_from(CaseAction))
    return [*counts, done, actions]


def seeded_case():
    case = fa.case("active", borough_name="Camden")
    incident = fa.incident(case, date(2026, 1, 20))
    incident.description = "Fictional incident words"
    fa.session(case, date(2026, 1, 21)).themes = "Fictional session themes"
    db.session.commit()
    fa.dash_review(case, date(2026, 1, 21), 15, "high")
    action = fa.action(case, "idva_referral")
    return case, action


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_every_activity_route_is_refused_to_everyone_but_practitioners(signed_in, role):
    case, action = seeded_case()
    client, user = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    before = totals()
    for method, url in routes(case, action.id):
        data = {**post_data(case), "csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
        body = response.get_data(as_text=True)
        for words in PERSONAL:
            assert words not in body, (method, url, words)
    assert totals() == before
    refusals = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access.refused", AuditEvent.actor_id == user.id
        )
    ).all()
    assert len(refusals) == len(routes(case, action.id))


def test_a_spoc_sees_their_boroughs_case_without_any_of_this_data(signed_in):
    case, _ = seeded_case()
    client, _ = signed_in("spoc", borough_name="Camden")
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert case.reference in body
    for words in [*PERSONAL, "IDVA referral", "Sessions, meetings and incidents", "<svg"]:
        assert words not in body


@pytest.mark.parametrize("role", ["finance", "evaluator", "admin"])
def test_roles_without_case_access_see_nothing_of_the_case(signed_in, role):
    case, _ = seeded_case()
    client, _ = signed_in(role)
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    for words in [*PERSONAL, "IDVA referral"]:
        assert words not in body


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, app_context):
    case, action = seeded_case()
    for method, url in routes(case, action.id):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/sign-in?next=")


def test_a_practitioner_may_open_every_step_page(signed_in):
    case, _ = seeded_case()
    client, _ = signed_in("practitioner")
    for method, url in routes(case, 0):
        if method == "GET":
            assert client.get(url).status_code == 200, url
