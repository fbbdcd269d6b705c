"""Sessions, professionals meetings and incidents through the real app and its forms
(CSRF on): what is saved, what is refused and why, and what the case page then shows."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases.records import CaseAction, Incident, InterventionSession, ProfessionalsMeeting
from eip.clock import today
from eip.extensions import db
from tests import factories
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from

STARTED = date(2026, 1, 19)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def error_summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</div>\n", html.index("govuk-error-summary__body", start))]


@pytest.fixture
def practitioner(signed_in):
    return signed_in("practitioner")


def url(case, step: str) -> str:
    return f"/cases/{case.reference}/{step}/new"


# ---------------------------------------------------------------------------
# Sessions


def test_a_practitioner_records_a_session_and_sees_it_on_the_case_page(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    response = fa.submit(client, url(case, "sessions"), fa.session_form(date(2026, 1, 22)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    html = html_of(client.get(response.headers["Location"]))
    assert "Session recorded" in html
    activity = section(html, "activity")
    assert "22 January 2026" in activity and "Managing anger" in activity
    assert "<strong>100%</strong> of 1 session" in activity


def test_the_flash_message_names_nobody(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    fa.submit(client, url(case, "sessions"), fa.session_form(date(2026, 1, 22)))
    with client.session_transaction() as browser_session:
        assert browser_session["_flashes"] == [
            (
                "success",
                {
                    "text": "Session recorded",
                    "anchor": "activity",
                    "section": "Sessions, meetings and incidents",
                },
            )
        ]


def test_the_session_form_starts_with_today_and_a_one_time_token(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    html = html_of(client.get(url(case, "sessions")))
    again = html_of(client.get(url(case, "sessions")))
    assert len(fa.submission_from(html)) >= 32
    assert fa.submission_from(html) != fa.submission_from(again)
    assert f'name="held_on" type="text" value="{today().day:02d}"' in html
    assert 'inputmode="numeric"' in html
    assert "Did the client attend?" in html


def test_the_attendance_rate_leaves_out_sessions_the_practitioner_cancelled(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    fa.session(case, date(2026, 1, 20))
    fa.session(case, date(2026, 1, 27), "did_not_attend")
    fa.session(case, date(2026, 2, 3), "cancelled_by_practitioner")
    fa.session(case, date(2026, 2, 10), "cancelled_by_client")
    activity = section(html_of(client.get(f"/cases/{case.reference}")), "activity")
    assert "<strong>33%</strong> of 4 sessions" in activity
    assert "Cancelled by the practitioner" in activity


BAD_SESSIONS = [
    ({"held_on": ["", "", ""]}, "Enter the date of the session"),
    ({"held_on": ["31", "2", "2026"]}, "The date of the session must be a real date"),
    ({"held_on": fa.date_parts(STARTED - timedelta(days=1))}, "before the intervention started"),
    ({"duration_minutes": ""}, "Enter how long the session lasted, from 1 to 480 minutes"),
    ({"duration_minutes": "0"}, "Enter how long the session lasted, from 1 to 480 minutes"),
    ({"duration_minutes": "481"}, "Enter how long the session lasted, from 1 to 480 minutes"),
    ({"duration_minutes": "an hour"}, "Enter how long the session lasted, from 1 to 480 minutes"),
    ({"attendance": ""}, "Select whether the client attended"),
    ({"attendance": "perhaps"}, "Select whether the client attended"),
]


@pytest.mark.parametrize(("change", "message"), BAD_SESSIONS)
def test_bad_session_input_is_shown_beside_the_field_and_nothing_is_saved(
    practitioner, change, message
):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    data = {**fa.session_form(date(2026, 1, 22)), "themes": "Typed themes kept", **change}
    response = fa.submit(client, url(case, "sessions"), data)
    html = html_of(response)
    assert response.status_code == 400
    assert message in error_summary(html)
    assert html.count(message) >= 2  # in the summary and beside the field
    assert "Typed themes kept" in html
    assert "<title>Error:" in html
    assert count(InterventionSession) == 0


def test_a_session_dated_tomorrow_is_refused(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    response = fa.submit(client, url(case, "sessions"), fa.session_form(today() + timedelta(1)))
    assert response.status_code == 400
    assert "The date of the session cannot be in the future" in html_of(response)
    assert count(InterventionSession) == 0


def test_without_the_partners_consent_the_session_page_says_why_and_refuses(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED, consents=False)
    fa.consent(case, "client")
    page = html_of(client.get(url(case, "sessions")))
    assert "Both the client and the partner must consent" in page
    assert "Save session" not in page
    response = client.post(
        url(case, "sessions"),
        data={
            **fa.session_form(date(2026, 1, 22)),
            "csrf_token": csrf_token_from(html_of(client.get("/"))),
        },
    )
    assert response.status_code == 400
    assert "Both the client and the partner must consent" in error_summary(html_of(response))
    assert count(InterventionSession) == 0
    activity = section(html_of(client.get(f"/cases/{case.reference}")), "activity")
    assert "Record a session" not in activity
    assert "Sessions cannot be recorded now" in activity


def test_after_a_withdrawal_no_session_can_be_recorded_from_the_form(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    html = html_of(client.get(url(case, "sessions")))
    fa.consent(case, "partner", withdrawn_on=date(2026, 1, 25))
    response = client.post(
        url(case, "sessions"),
        data={
            **fa.session_form(date(2026, 1, 22)),
            "csrf_token": csrf_token_from(html),
            "submission": fa.submission_from(html),
        },
    )
    assert response.status_code == 400
    assert "neither consent may be withdrawn" in html_of(response)
    assert count(InterventionSession) == 0


def test_a_second_practitioners_session_from_a_page_opened_before_the_first_is_saved(
    signed_in,
):
    """An addition never conflicts: what the second practitioner typed is not lost."""
    first, _ = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = fa.case("active", started_on=STARTED)
    form_url = url(case, "sessions")
    seen_by_second = html_of(second.get(form_url))
    assert fa.submit(first, form_url, fa.session_form(date(2026, 1, 22))).status_code == 302
    response = second.post(
        form_url,
        data={
            **fa.session_form(date(2026, 1, 23), themes="Second practitioner's themes"),
            "csrf_token": csrf_token_from(seen_by_second),
            "submission": fa.submission_from(seen_by_second),
        },
    )
    assert response.status_code == 302
    assert count(InterventionSession) == 2


# ---------------------------------------------------------------------------
# Meetings


def test_a_meeting_with_an_action_shows_on_the_case_page_with_the_next_due_date(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    held = today() - timedelta(days=2)
    due = today() + timedelta(days=10)
    data = fa.meeting_form(
        held,
        action1_description="Ask the school about attendance",
        action1_owner="Social worker",
        action1_due_on=fa.date_parts(due),
    )
    response = fa.submit(client, url(case, "meetings"), data)
    assert response.status_code == 302
    activity = section(html_of(client.get(f"/cases/{case.reference}")), "activity")
    assert "Practitioner and social worker" in activity
    assert "Ask the school about attendance" in activity and "Social worker" in activity
    next_due = held + timedelta(days=7)
    assert f"{next_due.day} {next_due:%B %Y}" in activity
    [action] = db.session.scalars(select(CaseAction)).all()
    assert (action.kind, action.due_on) == ("meeting", due)


def test_a_meeting_overdue_is_flagged_on_the_case_page(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    activity = section(html_of(client.get(f"/cases/{case.reference}")), "activity")
    assert re.search(
        r"26 January 2026\s*<strong class=\"govuk-tag govuk-tag--red\">Overdue", activity
    )


def test_a_started_meeting_action_without_owner_or_date_is_refused_beside_its_fields(
    practitioner,
):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    data = fa.meeting_form(date(2026, 1, 26), action2_description="Call the GP")
    response = fa.submit(client, url(case, "meetings"), data)
    html = html_of(response)
    assert response.status_code == 400
    summary = error_summary(html)
    assert '<a href="#action2_owner">Enter who owns action 2</a>' in summary
    assert '<a href="#action2_due_on-day">Enter the date action 2 is due</a>' in summary
    assert 'value="Call the GP"' in html
    assert count(ProfessionalsMeeting) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attendees": ""}, "Enter who attended the meeting"),
        ({"held_on": ["", "", ""]}, "Enter the date of the meeting"),
        ({"held_on": fa.date_parts(date(2025, 12, 1))}, "before the referral was received"),
    ],
)
def test_bad_meeting_input_is_refused_and_nothing_is_saved(practitioner, change, message):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    response = fa.submit(client, url(case, "meetings"), {**fa.meeting_form(STARTED), **change})
    assert response.status_code == 400
    assert message in error_summary(html_of(response))
    assert count(ProfessionalsMeeting) == 0


def test_a_meeting_on_a_closed_case_is_refused_with_the_reason(practitioner):
    client, _ = practitioner
    case = fa.case("closed", started_on=STARTED)
    page = html_of(client.get(url(case, "meetings")))
    assert "A manager must reopen it to record a meeting" in page
    assert "Save meeting" not in page
    response = client.post(
        url(case, "meetings"),
        data={
            **fa.meeting_form(STARTED),
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 400
    assert "A manager must reopen it to record a meeting" in error_summary(html_of(response))
    assert count(ProfessionalsMeeting) == 0
    assert "Record a meeting" not in section(
        html_of(client.get(f"/cases/{case.reference}")), "activity"
    )


def test_a_meeting_from_a_page_opened_before_another_was_saved_is_saved(signed_in):
    first, _ = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = fa.case("active", started_on=STARTED)
    seen = html_of(second.get(url(case, "meetings")))
    assert fa.submit(first, url(case, "meetings"), fa.meeting_form(STARTED)).status_code == 302
    data = {**fa.meeting_form(STARTED), "csrf_token": csrf_token_from(seen)}
    response = second.post(
        url(case, "meetings"), data={**data, "submission": fa.submission_from(seen)}
    )
    assert response.status_code == 302
    assert count(ProfessionalsMeeting) == 2


# ---------------------------------------------------------------------------
# Incidents


def test_an_incident_makes_a_dash_review_due_on_the_case_page(practitioner):
    client, _ = practitioner
    case = fa.case("active", started_on=STARTED)
    fa.dash_review(case, date(2026, 1, 20), 4)
    happened = today() - timedelta(days=1)
    response = fa.submit(client, url(case, "incidents"), fa.incident_form(happened))
    assert response.status_code == 302
    html = html_of(client.get(f"/cases/{case.reference}"))
    assert "Review risk with DASH after the incident" in section(html, "due")
    activity = section(html, "activity")
    assert "Police call-out" in activity and "Police called by a neighbour" in activity
    assert db.session.scalar(select(Incident)).police_callout is True


def test_an_incident_after_closure_is_recorded_without_reopening(practitioner):
    client, _ = practitioner
    case = fa.case("closed", started_on=STARTED)
    response = fa.submit(client, url(case, "incidents"), fa.incident_form(date(2026, 4, 1)))
    assert response.status_code == 302
    db.session.expire_all()
    assert count(Incident) == 1
    assert db.session.get(type(case), case.id).status == "closed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": ""}, "Select where the incident was reported from"),
        ({"description": ""}, "Enter what happened"),
        ({"occurred_on": ["1", "13", "2026"]}, "The date of the incident must be a real date"),
    ],
)
def test_bad_incident_input_is_refused_and_nothing_is_saved(practitioner, change, message):
    client, _ = practitioner
    case = fa.case("active")
    data = {**fa.incident_form(date(2026, 2, 1)), "response": "Typed response kept", **change}
    response = fa.submit(client, url(case, "incidents"), data)
    assert response.status_code == 400
    assert message in error_summary(html_of(response))
    assert "Typed response kept" in html_of(response)
    assert count(Incident) == 0


def test_a_future_incident_is_refused(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    data = fa.incident_form(today() + timedelta(days=1))
    response = fa.submit(client, url(case, "incidents"), data)
    assert response.status_code == 400
    assert "The date of the incident cannot be in the future" in html_of(response)


def test_the_panel_shows_nothing_to_edit_to_a_manager(signed_in):
    client, _ = signed_in("manager")
    case = fa.case("active", started_on=STARTED)
    fa.session(case, date(2026, 1, 20))
    fa.action(case, "idva_referral")
    activity = section(html_of(client.get(f"/cases/{case.reference}")), "activity")
    assert "20 January 2026" in activity  # managers see the record
    for link in ("Record a session", "Record a meeting", "Record an incident", "Mark as done"):
        assert link not in activity


def test_pages_for_an_unknown_case_are_not_found(practitioner):
    client, _ = practitioner
    factories.case("Camden")
    assert client.get("/cases/EIP-2026-9999/sessions/new").status_code == 404
