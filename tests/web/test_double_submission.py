"""The same addition form sent twice (a double-click, a resent page) is saved once: the
second POST goes where the first went and says so (eip/submissions.py), while two
different forms opened side by side are both saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases.records import (
    CaseAction,
    DashReview,
    Incident,
    InterventionSession,
    OnwardReferral,
    ProfessionalsMeeting,
)
from eip.clock import today
from eip.extensions import db
from eip.models import FormSubmission
from tests import factories_pathway_activity as fa
from tests import factories_pathway_progress as pf
from tests.conftest import csrf_token_from, hidden_fields

STARTED = date(2026, 1, 19)
ON = date(2026, 1, 22)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _opened(client, url: str) -> dict:
    page = client.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_token_from(page), **hidden_fields(page)}


def _flashes(client) -> list:
    """(category, text) of each flash: a save's banner also names the section it links to."""
    with client.session_transaction() as browser_session:
        return [
            (category, message["text"] if isinstance(message, dict) else message)
            for category, message in browser_session.get("_flashes", [])
        ]


ADDITIONS = [
    ("sessions/new", lambda: fa.session_form(ON), InterventionSession, "Session recorded"),
    ("meetings/new", lambda: fa.meeting_form(ON), ProfessionalsMeeting, "Meeting recorded"),
    ("incidents/new", lambda: fa.incident_form(ON), Incident, "Incident recorded"),
    ("dash/new", lambda: fa.dash_form(ON, 3), DashReview, "DASH review recorded"),
    (
        "actions/new",
        lambda: {
            "description": "Call the school",
            "owner": "Practitioner",
            "due_on": _parts(today() + timedelta(days=7)),
        },
        CaseAction,
        "Action added",
    ),
]


@pytest.mark.parametrize(("path", "form", "model", "message"), ADDITIONS)
def test_an_addition_sent_twice_is_saved_once_and_the_second_goes_where_the_first_went(
    signed_in, path, form, model, message
):
    client, _ = signed_in("practitioner")
    case = fa.case("active", started_on=STARTED)
    url = f"/cases/{case.reference}/{path}"
    data = {**form(), **_opened(client, url)}
    first = client.post(url, data=data)
    assert first.status_code == 302, first.get_data(as_text=True)
    assert _flashes(client) == [("success", message)]
    second = client.post(url, data=data)
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    (category, said) = _flashes(client)[-1]
    assert category == "success" and said.startswith(message)
    assert "already been sent, so it was saved only once" in said
    assert _count(model) == 1
    assert _count(FormSubmission) == 1


def test_two_forms_opened_side_by_side_are_both_saved(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.case("active", started_on=STARTED)
    url = f"/cases/{case.reference}/sessions/new"
    first_tab, second_tab = _opened(client, url), _opened(client, url)
    assert first_tab["submission"] != second_tab["submission"]
    assert client.post(url, data={**fa.session_form(ON), **first_tab}).status_code == 302
    later = fa.session_form(ON + timedelta(days=1))
    assert client.post(url, data={**later, **second_tab}).status_code == 302
    assert _count(InterventionSession) == 2


def test_a_refused_addition_keeps_its_token_so_the_corrected_form_is_saved(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.case("active", started_on=STARTED)
    url = f"/cases/{case.reference}/sessions/new"
    opened = _opened(client, url)
    refused = client.post(url, data={**fa.session_form(ON, duration_minutes="900"), **opened})
    assert refused.status_code == 400
    again = hidden_fields(refused.get_data(as_text=True))
    assert again["submission"] == opened["submission"]
    saved = client.post(url, data={**fa.session_form(ON), **opened})
    assert saved.status_code == 302
    assert _count(InterventionSession) == 1


def test_an_addition_without_its_token_is_refused_and_saves_nothing(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.case("active", started_on=STARTED)
    url = f"/cases/{case.reference}/incidents/new"
    opened = _opened(client, url)
    response = client.post(url, data={**fa.incident_form(ON), "csrf_token": opened["csrf_token"]})
    assert response.status_code == 400
    assert "The page had expired, so nothing was saved" in response.get_data(as_text=True)
    assert _count(Incident) == 0


def test_a_plan_action_and_an_onward_referral_sent_twice_are_saved_once(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("not_suitable", user)
    plan_url = f"/cases/{case.reference}/plan/actions/new"
    plan = {
        "description": "Check in with the school",
        "owner": "Social worker",
        "review_on": _parts(today() + timedelta(days=7)),
        **_opened(client, plan_url),
    }
    assert client.post(plan_url, data=plan).status_code == 302
    assert client.post(plan_url, data=plan).status_code == 302
    assert _count(CaseAction) == 1
    referral_url = f"/cases/{case.reference}/onward-referrals/new"
    referral = {
        "agency": "idva",
        "referred_on": _parts(today()),
        "status": "made",
        **_opened(client, referral_url),
    }
    assert client.post(referral_url, data=referral).status_code == 302
    second = client.post(referral_url, data=referral)
    assert second.status_code == 302
    assert "saved only once" in _flashes(client)[-1][1]
    assert _count(OnwardReferral) == 1
