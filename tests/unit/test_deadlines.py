"""What is due on a case: dates derived from facts and settings, in the right units."""

from datetime import UTC, date, datetime

from eip.cases.deadlines import (
    DUE_SOON,
    DUE_TODAY,
    LATER,
    OVERDUE,
    Deadlines,
    DueFacts,
    DueItem,
    IncidentFacts,
    OpenAction,
    acknowledged_in_time,
    acknowledgement_due,
    consultation_booking_due,
    due_items,
)
from eip.workdays import london_date

SETTINGS = Deadlines()


def kinds(items):
    return {item.kind: item.due_on for item in items}


def test_a_new_referral_is_due_acknowledgement_in_three_working_days_and_booking_in_five():
    facts = DueFacts("EIP-2026-0001", "referred", received_on=date(2026, 11, 23))  # Monday
    due = kinds(due_items(facts, SETTINGS))
    assert due["acknowledgement"] == date(2026, 11, 26)  # Thursday
    assert due["consultation_booking"] == date(2026, 11, 30)  # next Monday


def test_christmas_and_boxing_day_push_the_acknowledgement():
    facts = DueFacts("R", "referred", received_on=date(2026, 12, 23))  # Wednesday
    # 24th, (25th, 26th bank holidays; 26th is Saturday so 28th is the substitute), 29th, 30th
    assert kinds(due_items(facts, SETTINGS))["acknowledgement"] == date(2026, 12, 30)


def test_the_acknowledgement_is_counted_from_the_london_day_of_receipt():
    # 23:30 UTC on Sunday 28 June 2026 is 00:30 BST on Monday 29 June: due Thursday 2 July.
    received_on = london_date(datetime(2026, 6, 28, 23, 30, tzinfo=UTC))
    assert acknowledgement_due(received_on, SETTINGS) == date(2026, 7, 2)


def test_a_saturday_referral_is_due_acknowledgement_on_thursday():
    saturday = date(2026, 6, 13)
    assert acknowledgement_due(saturday, SETTINGS) == date(2026, 6, 18)
    assert acknowledged_in_time(saturday, date(2026, 6, 17), SETTINGS)  # Wednesday
    assert acknowledged_in_time(saturday, date(2026, 6, 18), SETTINGS)  # Thursday
    assert not acknowledged_in_time(saturday, date(2026, 6, 19), SETTINGS)  # Friday


def test_the_acknowledgement_follows_the_programmes_working_days():
    assert acknowledgement_due(date(2026, 6, 8), Deadlines(acknowledge_working_days=1)) == date(
        2026, 6, 9
    )
    extra = Deadlines(extra_non_working_days=frozenset({date(2026, 6, 9)}))
    assert acknowledgement_due(date(2026, 6, 8), extra) == date(2026, 6, 12)


def test_an_extra_non_working_day_moves_the_due_date():
    facts = DueFacts("R", "referred", received_on=date(2026, 11, 23))
    settings = Deadlines(extra_non_working_days=frozenset({date(2026, 11, 24)}))
    assert kinds(due_items(facts, settings))["acknowledgement"] == date(2026, 11, 27)


def test_an_acknowledged_referral_no_longer_owes_an_acknowledgement():
    facts = DueFacts("R", "acknowledged", received_on=date(2026, 11, 23), acknowledged=True)
    assert "acknowledgement" not in kinds(due_items(facts, SETTINGS))
    assert "consultation_booking" in kinds(due_items(facts, SETTINGS))


def test_a_late_referral_waiting_for_agreement_is_not_asked_to_book_a_consultation():
    facts = DueFacts("R", "awaiting_late_agreement", received_on=date(2027, 1, 4))
    assert set(kinds(due_items(facts, SETTINGS))) == {"acknowledgement"}


def test_a_late_referrals_booking_counts_from_the_day_its_agreement_was_recorded():
    # Received Tuesday 18 August (before the window), agreed Tuesday 1 September: counted
    # from receipt it would be due 25 August, overdue the moment it is agreed.
    facts = DueFacts(
        "R",
        "acknowledged",
        received_on=date(2026, 8, 18),
        acknowledged=True,
        late_agreed_on=date(2026, 9, 1),
    )
    due = kinds(due_items(facts, SETTINGS))
    assert due["consultation_booking"] == date(2026, 9, 8)
    assert consultation_booking_due(date(2026, 8, 18), None, SETTINGS) == date(2026, 8, 25)


def test_meetings_are_due_seven_calendar_days_after_the_last_or_the_start():
    start = date(2026, 11, 2)
    facts = DueFacts("R", "active", date(2026, 10, 1), True, True, intervention_started_on=start)
    assert kinds(due_items(facts, SETTINGS))["meeting"] == date(2026, 11, 9)
    held = DueFacts(
        "R", "active", date(2026, 10, 1), True, True, start, last_meeting_on=date(2026, 11, 12)
    )
    assert kinds(due_items(held, SETTINGS))["meeting"] == date(2026, 11, 19)


def test_dash_reviews_are_due_every_28_days_and_at_once_after_an_incident():
    facts = DueFacts(
        "R",
        "active",
        date(2026, 10, 1),
        True,
        True,
        date(2026, 10, 5),
        last_dash_on=date(2026, 10, 20),
    )
    assert kinds(due_items(facts, SETTINGS))["dash_review"] == date(2026, 11, 17)
    after_incident = DueFacts(
        "R",
        "active",
        date(2026, 10, 1),
        True,
        True,
        date(2026, 10, 5),
        last_dash_on=date(2026, 10, 20),
        incidents=(IncidentFacts(date(2026, 10, 25), date(2026, 10, 25)),),
    )
    assert kinds(due_items(after_incident, SETTINGS))["dash_review"] == date(2026, 10, 25)


def _after_incidents(*incidents: tuple[date, date], last_dash_on=date(2026, 11, 10)):
    """The DASH review item after these (occurred, recorded) incidents; without them the
    28-day review would be due on 8 December."""
    facts = DueFacts(
        "R",
        "active",
        date(2026, 10, 1),
        True,
        True,
        date(2026, 10, 5),
        last_dash_on=last_dash_on,
        incidents=tuple(IncidentFacts(*incident) for incident in incidents),
    )
    [item] = [item for item in due_items(facts, SETTINGS) if item.kind == "dash_review"]
    return item


def test_an_incident_recorded_days_after_it_happened_is_due_for_review_when_recorded():
    # Happened on 14 November, recorded ten days later: due that day, not overdue.
    item = _after_incidents((date(2026, 11, 14), date(2026, 11, 24)))
    assert item.due_on == date(2026, 11, 24)
    assert item.label == "Review risk with DASH after the incident"
    assert item.urgency(date(2026, 11, 24)) == DUE_TODAY


def test_an_incident_recorded_before_the_day_it_is_dated_is_due_on_its_date():
    item = _after_incidents((date(2026, 11, 26), date(2026, 11, 24)))
    assert item.due_on == date(2026, 11, 26)


def test_the_earliest_review_owed_among_several_incidents_is_the_one_due():
    item = _after_incidents(
        (date(2026, 11, 20), date(2026, 11, 24)),  # the latest to happen, recorded late
        (date(2026, 11, 12), date(2026, 11, 13)),  # earlier, recorded the next day
    )
    assert item.due_on == date(2026, 11, 13)


def test_an_incident_before_the_last_dash_review_owes_no_review_whenever_it_was_recorded():
    item = _after_incidents((date(2026, 11, 1), date(2026, 11, 24)), last_dash_on=date(2026, 11, 5))
    assert item.due_on == date(2026, 12, 3)  # the 28-day review after 5 November
    assert item.label == "Review risk with DASH"


def test_an_incident_on_a_case_awaiting_consent_makes_a_review_due():
    facts = DueFacts(
        "R",
        "awaiting_consent",
        date(2026, 10, 1),
        True,
        True,
        incidents=(IncidentFacts(date(2026, 11, 1), date(2026, 11, 1)),),
    )
    assert kinds(due_items(facts, SETTINGS))["dash_review"] == date(2026, 11, 1)


def test_closed_cases_owe_nothing():
    facts = DueFacts(
        "R", "closed", date(2026, 10, 1), open_actions=(OpenAction("plan", "x", date(2026, 1, 1)),)
    )
    assert due_items(facts, SETTINGS) == []


def test_open_actions_are_due_items_and_urgent_ones_sort_first_on_the_same_day():
    facts = DueFacts(
        "R",
        "active",
        date(2026, 10, 1),
        True,
        True,
        open_actions=(
            OpenAction("plan", "Routine", date(2026, 11, 3)),
            OpenAction("consent_review", "Urgent review", date(2026, 11, 3), urgent=True),
        ),
    )
    items = [i for i in due_items(facts, SETTINGS) if i.due_on == date(2026, 11, 3)]
    assert [i.description if hasattr(i, "description") else i.label for i in items] == [
        "Urgent review",
        "Routine",
    ]


def test_urgency_counts_working_days_for_due_soon():
    item = DueItem("meeting", "x", date(2026, 11, 30), "R")  # a Monday
    assert item.urgency(date(2026, 12, 1)) == OVERDUE
    assert item.urgency(date(2026, 11, 30)) == DUE_TODAY
    assert item.urgency(date(2026, 11, 27)) == DUE_SOON  # Friday: one working day before
    assert item.urgency(date(2026, 11, 26)) == DUE_SOON  # Thursday: two working days before
    assert item.urgency(date(2026, 11, 25)) == LATER  # three working days before
