"""The consultation, consent and closure pages through the real app and real forms:
the whole path to an active case, each bad input (message shown, nothing saved), a
stale save (409) and what the case page's panels show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases.models import Case
from eip.cases.records import CaseAction, Consent, Consultation, OnwardReferral
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_progress as pf
from tests.conftest import csrf_token_from, hidden_fields, post_form


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _url(case: Case, path: str) -> str:
    return f"/cases/{case.reference}/{path}"


def _booking(case: Case, **changes) -> dict:
    data = {
        "scheduled_on": _date(pf.days_ago(15)),
        "scheduled_time": "2:30pm",
        "medium": "phone",
        "attendees": "Practitioner and social worker",
    }
    data.update(changes)
    return data


def _consultation(case: Case, **changes) -> dict:
    data = {
        "held_on": _date(pf.days_ago(14)),
        "outcome": "intervention",
        "advice": "",
        "plan_risks": "Arguments escalate at weekends",
        "plan_protective_factors": "Grandmother nearby",
        "action_1_description": "Safety plan with the partner",
        "action_1_owner": "Social worker",
        "action_1_review_on": _date(today() + timedelta(days=7)),
    }
    data.update(changes)
    return data


def _consent(case: Case, person: str, **changes) -> dict:
    """One person's consent form: the intervention given, the other purposes not asked."""
    data = {
        "decision_intervention": "given",
        "decision_accommodation": "not_asked",
        "decision_information_sharing": "not_asked",
        "decision_evaluation": "not_asked",
        "recorded_on": _date(pf.days_ago(3)),
        "obtained_by": "Allocated social worker",
        "how": "in_person",
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------
# The path


def test_a_practitioner_takes_an_acknowledged_case_to_active_through_the_forms(signed_in):
    client, user = signed_in("practitioner")
    case = pf.acknowledged_case(user)

    booked = post_form(client, _url(case, "consultation/book"), _booking(case))
    assert booked.status_code == 302, booked.get_data(as_text=True)
    case = _fresh(case)
    assert case.status == "consultation_booked"
    stored = db.session.scalar(select(Consultation))
    assert stored.scheduled_for.hour in (13, 14)  # 2:30pm London, stored in UTC
    assert stored.scheduled_for.minute == 30

    recorded = post_form(client, _url(case, "consultation/record"), _consultation(case))
    assert recorded.status_code == 302
    case = _fresh(case)
    assert case.status == "awaiting_consent"
    assert db.session.scalar(select(CaseAction)).description == "Safety plan with the partner"

    post_form(client, _url(case, "consents/client"), _consent(case, "client"))
    case = _fresh(case)
    assert case.status == "awaiting_consent"
    done = post_form(
        client, _url(case, "consents/partner"), _consent(case, "partner"), follow_redirects=True
    )
    assert "the intervention has started" in done.get_data(as_text=True)
    case = _fresh(case)
    assert case.status == "active"
    assert case.intervention_started_on == pf.days_ago(3)

    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Arguments escalate at weekends" in page
    assert "Safety plan with the partner" in page
    assert "Close the case" in page


def test_not_suitable_goes_on_to_the_onward_referrals(signed_in):
    client, user = signed_in("practitioner")
    case = pf.booked_case(user)
    response = post_form(
        client, _url(case, "consultation/record"), _consultation(case, outcome="not_suitable")
    )
    assert response.headers["Location"].endswith(_url(case, "onward-referrals/new"))
    case = _fresh(case)
    referred = post_form(
        client,
        _url(case, "onward-referrals/new"),
        {
            "agency": "dvpp",
            "referred_on": _date(today()),
            "status": "made",
        },
    )
    assert referred.status_code == 302
    referral = db.session.scalar(select(OnwardReferral))
    assert referral.agency == "dvpp"
    case = _fresh(case)
    changed = post_form(
        client,
        _url(case, f"onward-referrals/{referral.id}"),
        {"status": "accepted"},
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(OnwardReferral, referral.id).status == "accepted"


def test_the_accommodation_outcome_goes_on_to_the_scenario_plan(signed_in):
    client, user = signed_in("practitioner")
    case = pf.booked_case(user)
    response = post_form(
        client,
        _url(case, "consultation/record"),
        _consultation(case, outcome="intervention_with_accommodation"),
    )
    assert response.headers["Location"].endswith(_url(case, "scenario-plan"))
    case = _fresh(case)
    saved = post_form(
        client,
        _url(case, "scenario-plan"),
        {"plan": "Client stays with his brother in Enfield"},
    )
    assert saved.status_code == 302
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Client stays with his brother in Enfield" in page


def test_a_withdrawal_through_the_form_adds_the_urgent_review(signed_in):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    consent = db.session.scalar(
        select(Consent).where(Consent.person_role == "client", Consent.kind == "intervention")
    )
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"/consents/{consent.id}/withdraw" in page
    response = post_form(
        client,
        _url(case, f"consents/{consent.id}/withdraw"),
        {"withdrawn_on": _date(today()), "reason": "Moved away"},
        follow_redirects=True,
    )
    assert "An urgent review action has been added" in response.get_data(as_text=True)
    action = db.session.scalar(select(CaseAction).where(CaseAction.kind == "consent_review"))
    assert action.urgent
    assert _fresh(case).status == "active"


def test_closing_and_reopening_through_the_forms(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("consultation_only", user)
    closed = post_form(
        client,
        _url(case, "close"),
        {
            "outcome": "completed",
            "risk_level": "standard",
            "living_arrangements": "living_together",
            "childrens_services_status": "early_help",
            "police_callouts": "0",
            "reason": "Advice given to the social worker",
        },
    )
    assert closed.status_code == 302
    case = _fresh(case)
    assert (case.status, case.status_before_closure) == ("closed", "consultation_only")

    manager_client, _ = signed_in("manager")
    page = manager_client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Reopen the case" in page
    reopened = post_form(
        manager_client,
        _url(case, "reopen"),
        {"reason": "The social worker asked for more help"},
    )
    assert reopened.status_code == 302
    assert _fresh(case).status == "consultation_only"


# ---------------------------------------------------------------------------
# Bad input: the message beside the field and in the summary, nothing saved


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": _date(today() + timedelta(days=1))}, "cannot be in the future"),
        ({"held_on": ["", "", ""]}, "Enter the date the consultation was held"),
        ({"held_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"outcome": ""}, "Select the outcome of the consultation"),
        ({"outcome": "consultation_only", "advice": ""}, "Enter the advice given"),
        ({"plan_risks": ""}, "Enter the risks in the plan"),
        ({"action_1_owner": ""}, "Enter who owns action 1"),
    ],
)
def test_bad_consultation_input_is_shown_and_nothing_is_saved(signed_in, changes, message):
    client, user = signed_in("practitioner")
    case = pf.booked_case(user)
    response = post_form(client, _url(case, "consultation/record"), _consultation(case, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert "Grandmother nearby" in html  # what was typed is kept
    assert _fresh(case).status == "consultation_booked"
    assert _count(CaseAction) == 0


def test_a_consultation_before_the_referral_is_refused_on_the_form(signed_in):
    client, user = signed_in("practitioner")
    case = pf.acknowledged_case(user)
    response = post_form(
        client,
        _url(case, "consultation/book"),
        _booking(case, scheduled_on=_date(pf.days_ago(pf.RECEIVED_DAYS_AGO + 2))),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "before the referral was received" in html
    assert 'href="#scheduled_on-day"' in html
    assert _count(Consultation) == 0


def test_a_time_that_is_not_a_time_is_refused(signed_in):
    client, user = signed_in("practitioner")
    case = pf.acknowledged_case(user)
    response = post_form(
        client, _url(case, "consultation/book"), _booking(case, scheduled_time="25:99")
    )
    assert response.status_code == 400
    assert "like 14:30 or 2:30pm" in response.get_data(as_text=True)
    assert _count(Consultation) == 0


def test_a_step_out_of_order_is_refused_with_the_rules_reason(signed_in):
    client, user = signed_in("practitioner")
    case = pf.acknowledged_case(user)
    page = client.get(_url(case, "consultation/record")).get_data(as_text=True)
    assert "A consultation must be booked before it is recorded" in page
    assert 'name="held_on"' not in page
    response = post_form(
        client,
        _url(case, "consultation/record"),
        _consultation(case),
        form_url=_url(case, "consultation/book"),
    )
    assert response.status_code == 400
    assert "A consultation must be booked before it is recorded" in response.get_data(as_text=True)
    assert _fresh(case).status == "acknowledged"


def test_a_future_consent_date_is_refused_on_the_form(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    response = post_form(
        client,
        _url(case, "consents/client"),
        _consent(case, "client", recorded_on=_date(today() + timedelta(days=2))),
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert _count(Consent) == 0


@pytest.mark.parametrize("typed", ["two", "²"])
def test_closure_needs_a_whole_number_of_call_outs(signed_in, typed):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    response = post_form(
        client,
        _url(case, "close"),
        {"police_callouts": typed},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "must be a whole number" in html
    assert "Select the outcome of the case" in html
    assert _fresh(case).status == "active"


# ---------------------------------------------------------------------------
# Two people at once


def _page(client, url: str) -> dict:
    """What a browser keeps of a form page it opened: its CSRF token and hidden fields."""
    page = client.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_token_from(page), **hidden_fields(page)}


def test_the_second_of_two_consultation_records_gets_a_conflict_and_keeps_what_was_typed(
    signed_in,
):
    first, user = signed_in("practitioner", name="Tom Reilly")
    second, _ = signed_in("practitioner")
    case = pf.booked_case(user)
    url = _url(case, "consultation/record")
    opened = _page(second, url)
    assert post_form(first, url, _consultation(case)).status_code == 302
    typed = {**_consultation(case), "plan_risks": "A different plan", "outcome": "not_suitable"}
    late = second.post(url, data={**typed, **opened})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Someone else changed this consultation" in html
    assert "consultation recorded by Tom Reilly" in html
    assert "A different plan" in html  # kept on the form
    case = _fresh(case)
    assert case.status == "awaiting_consent"
    assert db.session.scalar(select(Consultation)).plan_risks == "Arguments escalate at weekends"


def test_a_consultation_record_is_not_refused_by_a_change_to_another_record(signed_in):
    first, user = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = pf.booked_case(user)
    url = _url(case, "consultation/record")
    opened = _page(second, url)
    # Meanwhile a colleague records a consent, a change on the case row (as correcting the
    # referral details writes it) and an incident.
    pf.consent(case, "client", "information_sharing")
    case.weapons, case.referral_version = "yes", case.referral_version + 1
    db.session.commit()
    incident = {
        "occurred_on": _date(today()),
        "source": "police_callout",
        "description": "Neighbour called the police",
    }
    assert post_form(first, _url(case, "incidents/new"), incident).status_code == 302
    saved = second.post(url, data={**_consultation(case), **opened})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert _fresh(case).status == "awaiting_consent"


def test_another_persons_consent_meanwhile_does_not_refuse_a_consent(signed_in):
    first, user = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    opened = _page(second, _url(case, "consents/partner"))
    assert (
        post_form(first, _url(case, "consents/client"), _consent(case, "client")).status_code == 302
    )
    saved = second.post(
        _url(case, "consents/partner"), data={**_consent(case, "partner"), **opened}
    )
    assert saved.status_code == 302
    assert _count(Consent) == 2
    assert _fresh(case).status == "active"


def test_the_same_persons_consent_meanwhile_refuses_a_consent_and_keeps_what_was_typed(
    signed_in,
):
    first, user = signed_in("practitioner", name="Tom Reilly")
    second, _ = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    opened = _page(second, _url(case, "consents/client"))
    assert (
        post_form(first, _url(case, "consents/client"), _consent(case, "client")).status_code == 302
    )
    typed = _consent(
        case, "client", decision_intervention="declined", obtained_by="Duty worker Ravi"
    )
    late = second.post(_url(case, "consents/client"), data={**typed, **opened})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Someone else changed this consent" in html
    assert "consent recorded by Tom Reilly" in html
    assert "Duty worker Ravi" in html
    assert _count(Consent) == 1
    # The form shown again carries the consent as it is now: saving it again is checked
    # against the rules (a given consent is withdrawn, not declined over), not refused again.
    again = second.post(
        _url(case, "consents/client"),
        data={**typed, "csrf_token": opened["csrf_token"], **hidden_fields(html)},
    )
    assert again.status_code == 400
    assert "record its withdrawal instead" in again.get_data(as_text=True)


# ---------------------------------------------------------------------------
# The panels


def test_the_consent_panel_shows_each_person_and_purpose(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("intervention", user)
    pf.consent(case, "partner", "evaluation", state="declined")
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert html.count("Not yet asked") == 7
    assert "Declined" in html
    assert f'href="/cases/{case.reference}/consents/client"' in html
    assert f'href="/cases/{case.reference}/consents/partner"' in html


def test_a_manager_sees_the_panels_without_the_practitioners_buttons(signed_in):
    client, _ = signed_in("manager")
    case = pf.consulted_case("intervention")
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Arguments escalate when money is short" in html
    assert "Record the client's consent" not in html
    assert "Close the case" not in html
    assert "Reopen the case" not in html  # not closed


def test_the_closure_panel_shows_how_the_case_ended(signed_in):
    client, _ = signed_in("practitioner")
    case = pf.closed_case("active")
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Intervention completed" in html
    assert "Reopen the case" not in html  # managers only
    assert "Close the case" not in html


def test_an_onward_referral_added_from_the_closure_page_returns_to_it(signed_in):
    client, user = signed_in("practitioner")
    case = pf.consulted_case("not_suitable", user)
    close_page = client.get(_url(case, "close")).get_data(as_text=True)
    assert "No onward referrals are recorded" in close_page
    link = _url(case, "onward-referrals/new?next=close")
    assert link in close_page
    response = post_form(
        client,
        link,
        {
            "agency": "other",
            "agency_name": "Local men's service",
            "referred_on": _date(today()),
            "status": "planned",
        },
    )
    assert response.headers["Location"].endswith(_url(case, "close"))
    assert "Local men&#39;s service" in client.get(_url(case, "close")).get_data(as_text=True)


def test_the_consultation_panel_keeps_an_earlier_booking_as_rebooked(signed_in):
    client, user = signed_in("practitioner")
    case = pf.booked_case(user)
    rebooked = post_form(client, _url(case, "consultation/book"), _booking(case))
    assert rebooked.status_code == 302
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Rebooked" in html and "Booked" in html
    assert _count(Consultation) == 2
    assert _fresh(case).status == "consultation_booked"


CLOSE_FORM = {
    "outcome": "completed",
    "risk_level": "high",
    "living_arrangements": "living_apart",
    "childrens_services_status": "early_help",
    "police_callouts": "0",
    "reason": "Intervention completed",
}


def test_closing_at_high_risk_asks_for_a_reason_shows_it_and_refuses_without_it(signed_in):
    from tests import factories_pathway_activity as fa

    client, user = signed_in("practitioner")
    case = pf.consulted_case("consultation_only", user)
    page = client.get(_url(case, "close")).get_data(as_text=True)
    assert 'name="risk_reason"' not in page
    fa.dash_review(case, date(2026, 3, 6), 12, "high")
    page = client.get(_url(case, "close")).get_data(as_text=True)
    assert 'name="risk_reason"' in page and "is high risk" in page
    refused = post_form(client, _url(case, "close"), CLOSE_FORM)
    assert refused.status_code == 400
    assert "Say why the case is closed while the risk is high" in refused.get_data(as_text=True)
    assert _fresh(case).status == "consultation_only"
    closed = post_form(client, _url(case, "close"), {**CLOSE_FORM, "risk_reason": "IDVA leads"})
    assert closed.status_code == 302
    view = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Why closed at high risk" in view and "IDVA leads" in view
