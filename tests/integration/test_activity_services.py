"""Sessions, meetings, incidents and actions through their services, on a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases import activity_services as services
from eip.cases.records import CaseAction, Incident, InterventionSession, ProfessionalsMeeting
from eip.clock import today
from eip.domain import RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_pathway_activity as fa
from tests.audit_trail import events

STARTED = date(2026, 1, 19)


@pytest.fixture
def user(app_context):
    return factories.user("practitioner")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def record_session(user, case, **values):
    defaults = {
        "held_on": STARTED + timedelta(days=3),
        "duration_minutes": 60,
        "attendance": "attended",
        "themes": "Jealousy and control",
        "notes": "Fictional note about the session",
    }
    return services.record_session(db.session, user, case, **{**defaults, **values})


# ---------------------------------------------------------------------------
# Sessions


def test_a_session_is_recorded_on_an_active_case_with_both_consents(user):
    case = fa.case("active", started_on=STARTED)
    saved = record_session(user, case)
    assert (saved.held_on, saved.duration_minutes, saved.attendance) == (
        date(2026, 1, 22),
        60,
        "attended",
    )
    assert saved.recorded_by_id == user.id


def test_a_session_is_audited_by_field_names_never_their_values(user):
    case = fa.case("active", started_on=STARTED)
    record_session(user, case)
    [event] = events("case.session_recorded")
    assert event.case_reference == case.reference
    assert event.details["fields"] == sorted(
        ["attendance", "duration_minutes", "held_on", "notes", "themes"]
    )
    assert "Fictional note" not in str(event.details) and "Jealousy" not in str(event.details)


def test_a_session_is_refused_before_the_intervention_has_started(user):
    case = fa.case("awaiting_consent")
    with pytest.raises(RuleBroken, match="once the intervention has started"):
        record_session(user, case)
    assert count(InterventionSession) == 0


def test_a_session_is_refused_until_the_partner_has_consented(user):
    case = fa.case("active", started_on=STARTED, consents=False)
    fa.consent(case, "client")
    with pytest.raises(RuleBroken, match="Both the client and the partner must consent"):
        record_session(user, case)
    assert count(InterventionSession) == 0


def test_a_session_is_refused_once_a_consent_to_the_intervention_is_withdrawn(user):
    case = fa.case("active", started_on=STARTED, consents=False)
    fa.consent(case, "client")
    fa.consent(case, "partner", withdrawn_on=STARTED + timedelta(days=5))
    with pytest.raises(RuleBroken, match="neither consent may be withdrawn"):
        record_session(user, case)
    assert count(InterventionSession) == 0


def test_a_declined_consent_recorded_after_the_given_one_stops_sessions(user):
    case = fa.case("active", started_on=STARTED)
    fa.consent(case, "client", state="declined", recorded_on=STARTED + timedelta(days=2))
    with pytest.raises(RuleBroken, match="Both the client and the partner"):
        record_session(user, case)


def test_a_session_is_refused_on_a_closed_case(user):
    case = fa.case("closed", started_on=STARTED)
    with pytest.raises(RuleBroken, match="closed"):
        record_session(user, case)


def test_a_session_cannot_be_dated_in_the_future(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_session(user, case, held_on=today() + timedelta(days=1))
    assert refused.value.errors == {"held_on": "The date of the session cannot be in the future"}


def test_a_session_cannot_be_dated_before_the_intervention_started(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_session(user, case, held_on=STARTED - timedelta(days=1))
    assert refused.value.field == "held_on"
    assert "before the intervention started (19 January 2026)" in refused.value.message


def test_a_session_on_the_day_the_intervention_started_is_accepted(user):
    case = fa.case("active", started_on=STARTED)
    assert record_session(user, case, held_on=STARTED).held_on == STARTED


@pytest.mark.parametrize("minutes", [None, 0, 481, -5])
def test_a_session_lasts_from_1_to_480_minutes(user, minutes):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_session(user, case, duration_minutes=minutes)
    assert refused.value.field == "duration_minutes"


@pytest.mark.parametrize("minutes", [1, 480])
def test_the_shortest_and_longest_sessions_are_accepted(user, minutes):
    case = fa.case("active", started_on=STARTED)
    assert record_session(user, case, duration_minutes=minutes).duration_minutes == minutes


def test_an_unknown_attendance_is_refused(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_session(user, case, attendance="maybe")
    assert refused.value.field == "attendance"


def test_two_sessions_recorded_from_pages_opened_together_are_both_saved(user):
    """An addition never conflicts: a colleague's session saved meanwhile loses nothing."""
    case = fa.case("active", started_on=STARTED)
    record_session(user, case)
    record_session(user, case, held_on=date(2026, 1, 23))
    assert count(InterventionSession) == 2


# ---------------------------------------------------------------------------
# Meetings


def record_meeting(user, case, actions=(), **values):
    defaults = {
        "held_on": STARTED + timedelta(days=7),
        "attendees": "Practitioner and social worker",
        "risk_update": "Partner reports feeling safer",
        "progress": "Attending every session",
    }
    return services.record_meeting(
        db.session, user, case, actions=list(actions), **{**defaults, **values}
    )


def row(n, description="Check school attendance", owner="Social worker", due=date(2026, 2, 2)):
    return services.ActionInput(n, description, owner, due)


def test_a_meeting_is_recorded_with_its_actions_linked_to_it(user):
    case = fa.case("active", started_on=STARTED)
    meeting = record_meeting(user, case, actions=[row(1), row(2, "Book a session", "EIP")])
    actions = db.session.scalars(select(CaseAction).order_by(CaseAction.id)).all()
    assert [(a.kind, a.source_id, a.description, a.owner) for a in actions] == [
        ("meeting", meeting.id, "Check school attendance", "Social worker"),
        ("meeting", meeting.id, "Book a session", "EIP"),
    ]
    [event] = events("case.meeting_recorded")
    assert event.details["actions_added"] == 2
    assert "safer" not in str(event.details)


def test_empty_action_rows_are_ignored(user):
    case = fa.case("active", started_on=STARTED)
    record_meeting(user, case, actions=[services.ActionInput(1, "", " ", None), row(2)])
    assert count(CaseAction) == 1


def test_a_meeting_can_be_held_before_the_intervention_starts(user):
    case = fa.case("awaiting_consent")
    assert record_meeting(user, case).id is not None


def test_a_meeting_is_refused_on_a_closed_case(user):
    case = fa.case("closed", started_on=STARTED)
    with pytest.raises(RuleBroken, match=r"closed\. A manager must reopen it to record a meeting"):
        record_meeting(user, case, actions=[row(1)])
    assert count(ProfessionalsMeeting) == 0 and count(CaseAction) == 0


def test_a_meeting_is_refused_before_the_referral_is_acknowledged(user):
    case = fa.case("referred")
    with pytest.raises(RuleBroken, match="acknowledged before a meeting"):
        record_meeting(user, case)


def test_a_meeting_cannot_be_dated_in_the_future_or_before_the_referral(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken, match="cannot be in the future"):
        record_meeting(user, case, held_on=today() + timedelta(days=1))
    with pytest.raises(RuleBroken, match="before the referral was received"):
        record_meeting(user, case, held_on=fa.RECEIVED - timedelta(days=1))
    assert count(ProfessionalsMeeting) == 0


def test_a_meeting_needs_its_attendees(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_meeting(user, case, attendees="   ")
    assert refused.value.errors == {"attendees": "Enter who attended the meeting"}


def test_a_started_action_needs_a_description_an_owner_and_a_due_date(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_meeting(user, case, actions=[services.ActionInput(2, "Call the school", "", None)])
    assert refused.value.errors == {
        "action2_owner": "Enter who owns action 2",
        "action2_due_on": "Enter the date action 2 is due",
    }
    assert count(ProfessionalsMeeting) == 0


def test_an_action_cannot_be_due_before_its_meeting(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_meeting(user, case, actions=[row(1, due=STARTED)])
    assert refused.value.errors == {"action1_due_on": "Action 1 cannot be due before the meeting"}


def test_a_meeting_action_cannot_be_due_years_away(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken) as refused:
        record_meeting(user, case, actions=[row(1), row(2, due=date(9999, 12, 31))])
    [(field, message)] = refused.value.errors.items()
    assert field == "action2_due_on"
    assert message.startswith("Action 2 cannot be due after ")
    assert count(ProfessionalsMeeting) == 0 and count(CaseAction) == 0


def test_a_meeting_has_at_most_three_actions(user):
    case = fa.case("active", started_on=STARTED)
    with pytest.raises(RuleBroken, match="up to 3 actions"):
        record_meeting(user, case, actions=[row(n) for n in range(1, 5)])


def test_a_meeting_recorded_while_another_was_saved_is_saved_too(user):
    case = fa.case("active", started_on=STARTED)
    record_meeting(user, case)
    record_meeting(user, case, actions=[row(1)])
    assert count(ProfessionalsMeeting) == 2 and count(CaseAction) == 1


# ---------------------------------------------------------------------------
# Incidents


def record_incident(user, case, **values):
    defaults = {
        "occurred_on": date(2026, 2, 1),
        "source": "police_callout",
        "description": "Neighbour called the police",
        "response": "Police attended",
    }
    return services.record_incident(db.session, user, case, **{**defaults, **values})


def test_a_police_callout_incident_is_marked_as_a_police_callout(user):
    case = fa.case("active")
    incident = record_incident(user, case)
    assert incident.police_callout is True
    assert record_incident(user, case, source="partner_disclosure").police_callout is False


def test_an_incident_after_closure_is_accepted_without_reopening(user):
    case = fa.case("closed")
    record_incident(user, case)
    assert case.status == "closed"
    assert count(Incident) == 1


def test_an_incident_before_the_referral_can_be_recorded(user):
    case = fa.case("acknowledged")
    assert record_incident(user, case, occurred_on=date(2025, 6, 1)).id is not None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"occurred_on": None}, "occurred_on"),
        ({"source": "rumour"}, "source"),
        ({"source": None}, "source"),
        ({"description": " "}, "description"),
    ],
)
def test_an_incident_needs_a_date_a_known_source_and_what_happened(user, values, field):
    case = fa.case("active")
    with pytest.raises(RuleBroken) as refused:
        record_incident(user, case, **values)
    assert refused.value.field == field
    assert count(Incident) == 0


def test_an_incident_cannot_be_dated_in_the_future(user):
    case = fa.case("active")
    with pytest.raises(RuleBroken, match="cannot be in the future"):
        record_incident(user, case, occurred_on=today() + timedelta(days=1))


def test_an_incident_recorded_while_another_was_saved_is_saved_too(user):
    case = fa.case("active")
    record_incident(user, case)
    record_incident(user, case)
    assert count(Incident) == 2
