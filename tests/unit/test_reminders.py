"""Which reminders are due when, and for whom: pure rules, no app and no database.

Dates used: November 2026 (Mon 2 to Sun 8, Mon 9 ...), the August 2026 bank holiday
(Monday 31 August) and Christmas 2026 (Friday 25 and Monday 28 December).
"""

from datetime import date

import pytest

from eip.cases.deadlines import Deadlines, DueFacts, IncidentFacts, OpenAction
from eip.notifications.kinds import KINDS, kind_of
from eip.notifications.mail import mail_setting_problems
from eip.notifications.reminders import (
    ACTION_KINDS,
    CASE_DEADLINES,
    Calendar,
    StayFacts,
    UnpaidInvoice,
    case_reminders,
    invoice_reminders,
    placement_reminders,
    window_reminders,
)

PRACTITIONER, MANAGERS, FINANCE = 7, (20, 21), (30,)
SETTINGS = Deadlines()


def referred(received_on: date, **facts) -> DueFacts:
    return DueFacts(reference="EIP-2026-0042", status="referred", received_on=received_on, **facts)


def on(day: date, facts: DueFacts, practitioner: int | None = PRACTITIONER):
    return case_reminders(1, facts, practitioner, MANAGERS, SETTINGS, Calendar(day))


def kinds(reminders) -> set[tuple[int, str]]:
    return {(r.user_id, r.kind) for r in reminders}


def acknowledgement(reminders):
    return [r for r in reminders if r.topic == "acknowledgement"]


# ---------------------------------------------------------------------------
# Acknowledgement: due tomorrow, overdue, escalated; across a weekend


ACKNOWLEDGED_BY_THURSDAY = referred(date(2026, 11, 2))  # received Monday, due Thursday 5th


def test_the_acknowledgement_notice_comes_on_the_working_day_before_it_is_due():
    assert acknowledgement(on(date(2026, 11, 3), ACKNOWLEDGED_BY_THURSDAY)) == []
    [notice] = acknowledgement(on(date(2026, 11, 4), ACKNOWLEDGED_BY_THURSDAY))
    assert (notice.user_id, notice.kind, notice.due_on) == (
        PRACTITIONER,
        "acknowledgement_due",
        date(2026, 11, 5),
    )
    assert notice.case_reference == "EIP-2026-0042" and notice.subject == "case:1"


def test_the_notice_is_one_reminder_however_many_days_it_stays_current():
    wednesday = acknowledgement(on(date(2026, 11, 4), ACKNOWLEDGED_BY_THURSDAY))
    thursday = acknowledgement(on(date(2026, 11, 5), ACKNOWLEDGED_BY_THURSDAY))
    assert [r.dedupe_key for r in wednesday] == [r.dedupe_key for r in thursday]


def test_an_acknowledgement_is_overdue_the_next_working_day_and_reminded_each_working_day():
    friday = acknowledgement(on(date(2026, 11, 6), ACKNOWLEDGED_BY_THURSDAY))
    assert kinds(friday) == {(PRACTITIONER, "acknowledgement_overdue")}
    saturday = acknowledgement(on(date(2026, 11, 7), ACKNOWLEDGED_BY_THURSDAY))
    sunday = acknowledgement(on(date(2026, 11, 8), ACKNOWLEDGED_BY_THURSDAY))
    # The weekend shares Friday's bucket: nothing new until Monday.
    assert {r.dedupe_key for r in saturday} == {r.dedupe_key for r in friday}
    assert {r.dedupe_key for r in sunday} == {r.dedupe_key for r in friday}
    monday = acknowledgement(on(date(2026, 11, 9), ACKNOWLEDGED_BY_THURSDAY))
    [monday_reminder] = [r for r in monday if r.user_id == PRACTITIONER]
    assert monday_reminder.dedupe_key not in {r.dedupe_key for r in friday}


def test_overdue_items_escalate_to_every_manager_after_one_working_day():
    friday = acknowledgement(on(date(2026, 11, 6), ACKNOWLEDGED_BY_THURSDAY))
    assert all(r.user_id == PRACTITIONER for r in friday)
    # Saturday and Sunday are not working days: still no escalation.
    assert all(r.user_id == PRACTITIONER for r in on(date(2026, 11, 8), ACKNOWLEDGED_BY_THURSDAY))
    monday = acknowledgement(on(date(2026, 11, 9), ACKNOWLEDGED_BY_THURSDAY))
    assert kinds(monday) == {
        (PRACTITIONER, "acknowledgement_overdue"),
        (20, "acknowledgement_overdue_escalated"),
        (21, "acknowledgement_overdue_escalated"),
    }
    tuesday = acknowledgement(on(date(2026, 11, 10), ACKNOWLEDGED_BY_THURSDAY))
    escalations = {r.dedupe_key for r in tuesday if r.user_id in MANAGERS}
    # Escalated once: the same key every day after.
    assert escalations == {r.dedupe_key for r in monday if r.user_id in MANAGERS}


def test_an_acknowledged_referral_gives_no_acknowledgement_reminder():
    done = referred(date(2026, 11, 2), acknowledged=True)
    assert acknowledgement(on(date(2026, 11, 9), done)) == []


def test_a_closed_case_gives_no_reminders():
    closed = DueFacts("EIP-2026-0042", "closed", date(2026, 11, 2))
    assert on(date(2026, 11, 20), closed) == []


# ---------------------------------------------------------------------------
# Bank holidays


def test_a_deadline_after_a_bank_holiday_is_announced_the_working_day_before_the_holiday():
    # Received Wednesday 26 August: due Tuesday 1 September (Monday 31 is a bank holiday).
    facts = referred(date(2026, 8, 26))
    [notice] = acknowledgement(on(date(2026, 8, 28), facts))
    assert notice.kind == "acknowledgement_due" and notice.due_on == date(2026, 9, 1)
    assert acknowledgement(on(date(2026, 8, 27), facts)) == []
    # Over the long weekend and on the due date: the same notice, nothing overdue.
    for day in (date(2026, 8, 29), date(2026, 8, 31), date(2026, 9, 1)):
        assert [r.dedupe_key for r in acknowledgement(on(day, facts))] == [notice.dedupe_key]
    assert kinds(acknowledgement(on(date(2026, 9, 2), facts))) == {
        (PRACTITIONER, "acknowledgement_overdue")
    }
    assert (20, "acknowledgement_overdue_escalated") in kinds(on(date(2026, 9, 3), facts))


def test_christmas_bank_holidays_delay_overdue_and_escalation():
    # Received Wednesday 23 December: 24th, 29th, 30th -> due Wednesday 30 December.
    facts = referred(date(2026, 12, 23))
    assert acknowledgement(on(date(2026, 12, 29), facts))[0].kind == "acknowledgement_due"
    assert kinds(acknowledgement(on(date(2026, 12, 31), facts))) == {
        (PRACTITIONER, "acknowledgement_overdue")
    }
    # New Year's Day is a bank holiday: escalation waits for Monday 4 January.
    assert all(r.user_id == PRACTITIONER for r in on(date(2027, 1, 1), facts))
    assert (20, "acknowledgement_overdue_escalated") in kinds(on(date(2027, 1, 4), facts))


def test_a_managers_extra_non_working_day_counts_like_a_bank_holiday():
    facts = referred(date(2026, 11, 2))
    extra = frozenset({date(2026, 11, 4)})  # Wednesday off: due moves to Friday 6th
    settings = Deadlines(extra_non_working_days=extra)
    friday = Calendar(date(2026, 11, 6), extra)
    reminders = case_reminders(1, facts, PRACTITIONER, MANAGERS, settings, friday)
    assert [(r.kind, r.due_on) for r in acknowledgement(reminders)] == [
        ("acknowledgement_due", date(2026, 11, 6))
    ]


# ---------------------------------------------------------------------------
# The other case deadlines


def test_an_unbooked_consultation_is_reminded_5_working_days_after_the_referral():
    facts = referred(date(2026, 11, 2), acknowledged=True)  # due Monday 9th
    booking = [r for r in on(date(2026, 11, 6), facts) if r.topic == "consultation_booking"]
    assert booking == []
    [reminder] = [r for r in on(date(2026, 11, 9), facts) if r.topic == "consultation_booking"]
    assert reminder.kind == "consultation_not_booked"
    booked = referred(date(2026, 11, 2), acknowledged=True, consultation_booked=True)
    assert [r for r in on(date(2026, 11, 9), booked) if r.topic == "consultation_booking"] == []


def test_an_agreed_late_referral_is_reminded_5_working_days_after_the_agreement():
    # Received 18 August, agreed 1 September: the reminder waits for 8 September, instead
    # of an overdue reminder (and escalation) the day after the agreement.
    facts = referred(date(2026, 8, 18), acknowledged=True, late_agreed_on=date(2026, 9, 1))
    for day in (date(2026, 9, 2), date(2026, 9, 7)):
        assert [r for r in on(day, facts) if r.topic == "consultation_booking"] == []
    [reminder] = [r for r in on(date(2026, 9, 8), facts) if r.topic == "consultation_booking"]
    assert (reminder.kind, reminder.due_on) == ("consultation_not_booked", date(2026, 9, 8))


def active(**facts) -> DueFacts:
    return DueFacts(
        "EIP-2026-0042",
        "active",
        date(2026, 10, 1),
        acknowledged=True,
        consultation_booked=True,
        **facts,
    )


def test_a_meeting_due_on_a_saturday_is_announced_friday_and_overdue_on_monday():
    facts = active(intervention_started_on=date(2026, 10, 31), last_dash_on=date(2026, 11, 1))
    meeting = lambda day: [r for r in on(day, facts) if r.topic == "meeting"]  # noqa: E731
    assert meeting(date(2026, 11, 5)) == []
    assert [r.kind for r in meeting(date(2026, 11, 6))] == ["meeting_due"]
    assert [r.kind for r in meeting(date(2026, 11, 8))] == ["meeting_due"]
    assert [r.kind for r in meeting(date(2026, 11, 9))] == ["meeting_overdue"]
    assert {r.kind for r in meeting(date(2026, 11, 10))} == {
        "meeting_overdue",
        "meeting_overdue_escalated",
    }


def test_a_dash_review_is_due_at_once_after_a_recorded_incident():
    facts = active(
        intervention_started_on=date(2026, 11, 2),
        last_dash_on=date(2026, 11, 2),
        last_meeting_on=date(2026, 11, 9),
        incidents=(IncidentFacts(date(2026, 11, 10), date(2026, 11, 10)),),
    )
    dash = [r for r in on(date(2026, 11, 11), facts) if r.topic == "dash_review"]
    assert [(r.kind, r.due_on) for r in dash] == [("dash_review_overdue", date(2026, 11, 10))]


def test_an_old_incident_recorded_today_gives_a_due_notice_not_an_overdue_escalation():
    facts = active(
        intervention_started_on=date(2026, 11, 2),
        last_dash_on=date(2026, 11, 2),
        last_meeting_on=date(2026, 11, 9),
        incidents=(IncidentFacts(date(2026, 11, 9), date(2026, 11, 19)),),
    )
    dash = [r for r in on(date(2026, 11, 19), facts) if r.topic == "dash_review"]
    assert [(r.user_id, r.kind, r.due_on) for r in dash] == [
        (PRACTITIONER, "dash_review_due", date(2026, 11, 19))
    ]


def test_idva_marac_and_plan_actions_are_reminded_when_overdue_only():
    actions = (
        OpenAction("idva_referral", "Refer to the IDVA service", date(2026, 11, 3), True, 51),
        OpenAction("marac_referral", "Refer to MARAC", date(2026, 11, 4), True, 52),
        OpenAction("plan", "Parenting course", date(2026, 11, 10), False, 53),
        OpenAction("meeting", "Call the school", date(2026, 11, 4), False, 54),
    )
    facts = active(intervention_started_on=date(2026, 11, 2), open_actions=actions)
    reminders = [r for r in on(date(2026, 11, 5), facts) if r.topic == "action"]
    assert {(r.subject, r.kind) for r in reminders if r.user_id == PRACTITIONER} == {
        ("action:51", "idva_referral_overdue"),
        ("action:52", "marac_referral_overdue"),
        ("action:54", "plan_action_overdue"),
    }
    assert {r.subject for r in reminders if r.user_id in MANAGERS} == {"action:51"}


def test_a_case_without_a_practitioner_reminds_the_managers_without_a_separate_escalation():
    reminders = on(date(2026, 11, 9), ACKNOWLEDGED_BY_THURSDAY, practitioner=None)
    assert kinds(acknowledgement(reminders)) == {
        (20, "acknowledgement_overdue"),
        (21, "acknowledgement_overdue"),
    }


# ---------------------------------------------------------------------------
# Placements, invoices, the referral window


STAY = StayFacts(9, 1, "EIP-2026-0042", date(2026, 11, 10), return_home_review_done=False)


def stay_on(day: date, stay: StayFacts = STAY):
    return placement_reminders(stay, PRACTITIONER, MANAGERS, Calendar(day))


def test_a_placement_ending_in_3_days_is_announced_with_the_return_home_review():
    # Ends Tuesday 10th: 3 days before is Saturday, so the notice comes on Friday 6th.
    assert stay_on(date(2026, 11, 5)) == []
    friday = stay_on(date(2026, 11, 6))
    assert kinds(friday) == {
        (PRACTITIONER, "placement_ending"),
        (PRACTITIONER, "return_home_review_due"),
    }
    assert all(r.placement_id == 9 and r.case_reference == "EIP-2026-0042" for r in friday)
    reviewed = StayFacts(9, 1, "EIP-2026-0042", date(2026, 11, 10), return_home_review_done=True)
    assert kinds(stay_on(date(2026, 11, 6), reviewed)) == {(PRACTITIONER, "placement_ending")}


def test_a_passed_end_date_without_a_move_out_is_reminded_then_escalated():
    assert (PRACTITIONER, "placement_end_passed") in kinds(stay_on(date(2026, 11, 11)))
    assert (20, "placement_end_passed_escalated") not in kinds(stay_on(date(2026, 11, 11)))
    assert (20, "placement_end_passed_escalated") in kinds(stay_on(date(2026, 11, 12)))


INVOICE = UnpaidInvoice(4, 9, 1, "EIP-2026-0042", date(2026, 10, 1))


def test_finance_hears_of_an_unpaid_invoice_after_30_calendar_days_once_a_week():
    # 1 October + 30 days = Saturday 31 October: the reminder starts on Monday 2 November.
    assert invoice_reminders(INVOICE, FINANCE, 30, Calendar(date(2026, 10, 30))) == []
    assert invoice_reminders(INVOICE, FINANCE, 30, Calendar(date(2026, 10, 31))) == []
    monday = invoice_reminders(INVOICE, FINANCE, 30, Calendar(date(2026, 11, 2)))
    assert kinds(monday) == {(30, "invoice_unpaid")}
    friday = invoice_reminders(INVOICE, FINANCE, 30, Calendar(date(2026, 11, 6)))
    next_monday = invoice_reminders(INVOICE, FINANCE, 30, Calendar(date(2026, 11, 9)))
    assert friday[0].dedupe_key == monday[0].dedupe_key != next_monday[0].dedupe_key
    assert monday[0].invoice_id == 4


def test_the_unpaid_days_are_a_setting():
    assert invoice_reminders(INVOICE, FINANCE, 45, Calendar(date(2026, 11, 2))) == []
    assert invoice_reminders(INVOICE, FINANCE, 45, Calendar(date(2026, 11, 16)))


def test_managers_hear_once_that_the_referral_window_closes_in_14_days():
    end = date(2026, 12, 31)
    assert window_reminders(end, MANAGERS, Calendar(date(2026, 12, 16))) == []
    first = window_reminders(end, MANAGERS, Calendar(date(2026, 12, 17)))
    assert kinds(first) == {(20, "referral_window_closing"), (21, "referral_window_closing")}
    later = window_reminders(end, MANAGERS, Calendar(date(2026, 12, 30)))
    assert {r.dedupe_key for r in later} == {r.dedupe_key for r in first}
    assert window_reminders(end, MANAGERS, Calendar(date(2027, 1, 1))) == []


# ---------------------------------------------------------------------------
# Wording


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_wording_and_its_escalation_too(kind):
    for wording in (kind_of(kind), kind_of(kind + "_escalated")):
        assert wording.label and wording.mail and wording.link


def test_every_kind_the_rules_make_has_wording():
    made = {
        kind for notice, overdue, _lead in CASE_DEADLINES.values() for kind in (notice, overdue)
    }
    made |= set(ACTION_KINDS.values()) | {"plan_action_overdue", "placement_ending"}
    made |= {"placement_end_passed", "return_home_review_due", "invoice_unpaid"}
    made |= {"referral_window_closing"}
    assert made <= set(KINDS)


@pytest.mark.parametrize(
    "kind", ["idva_referral_overdue", "marac_referral_overdue", "consent_review_overdue"]
)
def test_urgent_action_emails_do_not_say_what_the_risk_is(kind):
    text = kind_of(kind).mail.lower()
    assert "idva" not in text and "marac" not in text and "consent" not in text


def test_a_calendar_shares_one_bucket_from_friday_to_sunday_and_one_per_week():
    friday, sunday = Calendar(date(2026, 11, 6)), Calendar(date(2026, 11, 8))
    assert friday.bucket("daily") == sunday.bucket("daily") == "2026-11-06"
    assert friday.bucket("weekly") == Calendar(date(2026, 11, 2)).bucket("weekly") == "2026-W45"
    assert friday.bucket("once") == "once"


# ---------------------------------------------------------------------------
# Mail settings the scheduler checks at start


GOOD = {
    "SMTP_HOST": "smtp.example.org",
    "SMTP_FROM": "EIP Tracker <eip@example.org>",
    "SMTP_USER": "eip",
    "SMTP_PASSWORD": "secret-value",
    "SMTP_SECURITY": "starttls",
    "EIP_BASE_URL": "https://eip.example.org",
}


def test_good_mail_settings_have_no_problems():
    assert mail_setting_problems(GOOD) == []
    assert (
        mail_setting_problems({**GOOD, "SMTP_HOST": "", "SMTP_USER": "", "SMTP_PASSWORD": ""}) == []
    )
    assert mail_setting_problems({**GOOD, "SMTP_HOST": "127.0.0.1"}) == []


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SMTP_HOST": "smtp://smtp.example.org"}, "SMTP_HOST"),
        ({"SMTP_HOST": "smtp.example.org:587"}, "SMTP_HOST"),
        ({"SMTP_HOST": "smtp example org"}, "SMTP_HOST"),
        ({"SMTP_FROM": "EIP Tracker"}, "SMTP_FROM"),
        ({"SMTP_FROM": "eip@"}, "SMTP_FROM"),
        ({"SMTP_PASSWORD": ""}, "SMTP_USER and SMTP_PASSWORD"),
        ({"SMTP_SECURITY": "none"}, "SMTP_SECURITY"),
        ({"EIP_BASE_URL": "eip.example.org"}, "EIP_BASE_URL"),
    ],
)
def test_a_malformed_mail_setting_is_named_and_its_value_is_not_shown(changes, named):
    problems = mail_setting_problems({**GOOD, **changes})
    assert len(problems) == 1 and problems[0].startswith(named)
    assert "secret-value" not in problems[0]
