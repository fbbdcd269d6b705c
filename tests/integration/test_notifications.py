"""Reminders end to end, in the app and by e-mail: the job functions run with frozen time
(never a running APScheduler), notifications land in the database, and e-mails arrive at
a real SMTP server started by the test. Every timestamp comes from Python.

Calendar used: a referral received on Monday 2 November 2026 is due on Thursday 5th,
overdue on Friday 6th and escalated on Monday 9th. Bank holiday: Monday 31 August 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from accommodation.models import Invoice
from eip.cases.records import CaseAction
from eip.extensions import db
from eip.notifications.centre import (
    CANCELLED,
    DIGEST,
    SENT,
    WAITING_FOR_DIGEST,
    Notification,
    record_due_reminders,
    unread_count,
)
from eip.workdays import LONDON
from tests import factories
from tests.factories_notifications import (
    RECEIVED_MONDAY,
    acknowledgements_of,
    assert_no_personal_data,
    london,
    mails_to,
    notifications_of,
    referral,
    run,
)

# ---------------------------------------------------------------------------
# In the app and by e-mail


def test_an_overdue_acknowledgement_reaches_the_practitioner_in_the_app_and_by_email(mail_app):
    sink = mail_app.smtp_sink
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        case = referral(practitioner)
        outcomes = run(london(2026, 11, 6, 9))
        assert outcomes["reminders"] == outcomes["send-notification-mail"] == "done"
        [notification] = notifications_of(practitioner)
        assert notification.kind == "acknowledgement_overdue"
        assert notification.case_reference == case.reference
        assert notification.due_on == date(2026, 11, 5)
        assert notification.email_status == SENT and notification.email_attempts == 1
        assert unread_count(db.session, practitioner) == 1
        [message] = mails_to(sink, practitioner)
        assert case.reference in message["Subject"]
        body = message.get_content()
        assert f"http://127.0.0.1:5000/cases/{case.reference}" in body
        assert "5 November 2026" in body
        assert_no_personal_data(message)


def test_the_same_reminder_is_never_made_or_sent_twice_on_the_same_day(mail_app):
    sink = mail_app.smtp_sink
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        referral(practitioner)
        for hour in (9, 10, 13, 17):
            run(london(2026, 11, 6, hour))
        # Run again by hand within the same hour: already claimed, and nothing new anyway.
        assert record_due_reminders(db.session, london(2026, 11, 6, 17, 30)).startswith("0 ")
        assert len(notifications_of(practitioner)) == 1
        assert len(mails_to(sink, practitioner)) == 1


def test_weekend_runs_repeat_nothing_and_monday_reminds_again_and_escalates(mail_app):
    sink = mail_app.smtp_sink
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        manager = factories.user("manager")
        referral(practitioner)
        run(london(2026, 11, 6, 9))  # Friday: overdue
        for day in (7, 8):  # Saturday, Sunday
            for hour in (9, 15):
                run(london(2026, 11, day, hour))
        assert len(notifications_of(practitioner)) == 1
        assert notifications_of(manager) == []
        run(london(2026, 11, 9, 9))  # Monday: reminded again, escalated
        friday, monday = acknowledgements_of(practitioner)
        assert (friday.closed_at, friday.close_reason) == (london(2026, 11, 9, 9), "replaced")
        assert monday.kind == "acknowledgement_overdue" and monday.is_open
        [escalation] = notifications_of(manager)
        assert escalation.kind == "acknowledgement_overdue_escalated"
        # Only the newest reminder counts as unread (beside Monday's consultation reminder).
        assert unread_count(db.session, practitioner) == 2
        acknowledgement_mails = [
            m for m in mails_to(sink, practitioner) if "acknowledgement" in m.get_content()
        ]
        assert len(acknowledgement_mails) == 2
        [escalated] = mails_to(sink, manager)
    assert "escalated to the programme managers" in escalated.get_content()
    assert_no_personal_data(escalated)


def test_a_bank_holiday_moves_the_notice_and_the_overdue_reminder(mail_app):
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        referral(practitioner, datetime(2026, 8, 26, 10, 0, tzinfo=UTC))  # due Tue 1 Sep
        run(london(2026, 8, 27, 9))
        assert notifications_of(practitioner) == []
        run(london(2026, 8, 28, 9))  # Friday before the bank holiday
        assert [n.kind for n in notifications_of(practitioner)] == ["acknowledgement_due"]
        run(london(2026, 8, 31, 9))  # bank holiday: nothing new
        run(london(2026, 9, 1, 9))  # due date: still the notice
        assert len(notifications_of(practitioner)) == 1
        run(london(2026, 9, 2, 9))
        kinds = [n.kind for n in notifications_of(practitioner)]
        assert kinds == ["acknowledgement_due", "acknowledgement_overdue"]
        assert len(mails_to(mail_app.smtp_sink, practitioner)) == 2


def test_a_reminder_stops_once_the_thing_is_done(mail_app):
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        practitioner.notification_email = DIGEST
        db.session.commit()
        case = referral(practitioner)
        run(london(2026, 11, 6, 6, 30))  # before the day's digest
        [notification] = notifications_of(practitioner)
        assert notification.email_status == WAITING_FOR_DIGEST
        case.acknowledged_at = london(2026, 11, 6, 6, 45)
        db.session.commit()
        assert run(london(2026, 11, 6, 7))["daily-digest"] == "done"
        db.session.refresh(notification)
        assert notification.close_reason == "done"
        # The digest did not carry a reminder of something already done.
        assert notification.email_status == CANCELLED
        assert unread_count(db.session, practitioner) == 0
        run(london(2026, 11, 9, 9))
        assert len(acknowledgements_of(practitioner)) == 1
        sent = [m.get_content() for m in mails_to(mail_app.smtp_sink, practitioner)]
        assert not [body for body in sent if "acknowledge" in body]


def test_a_completed_action_stops_its_reminder(mail_app):
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        case = referral(practitioner)
        case.acknowledged_at = RECEIVED_MONDAY
        action = CaseAction(
            case_id=case.id,
            kind="idva_referral",
            description="Refer to the IDVA: DASH score 16, threats to kill",
            due_on=date(2026, 11, 3),
            urgent=True,
        )
        db.session.add(action)
        db.session.commit()
        run(london(2026, 11, 4, 9))
        assert [n.kind for n in notifications_of(practitioner)] == ["idva_referral_overdue"]
        action.completed_at = london(2026, 11, 4, 10)
        db.session.commit()
        run(london(2026, 11, 5, 9))
        assert [n.close_reason for n in notifications_of(practitioner)] == ["done"]
        [message] = mails_to(mail_app.smtp_sink, practitioner)
    assert "an urgent action is overdue" in message.get_content()
    assert "threats" not in message.get_content() and "DASH score" not in message.get_content()
    assert_no_personal_data(message)


def test_an_incident_recorded_ten_days_late_is_due_for_review_that_day_not_escalated(mail_app):
    from eip.cases.activity_services import record_incident
    from tests import factories_pathway_activity as activity

    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        manager = factories.user("manager")
        case = activity.case(
            practitioner=practitioner,
            received_on=date(2026, 10, 5),
            started_on=date(2026, 11, 2),
        )
        recorded = london(2026, 11, 19, 10)  # a Thursday; the incident was on Monday 9th
        with time_machine.travel(recorded, tick=False):
            record_incident(
                db.session,
                practitioner,
                case,
                occurred_on=date(2026, 11, 9),
                source="police_callout",
                description="Fictional call-out",
            )

        def dash_reviews(user):
            return [(n.kind, n.due_on) for n in notifications_of(user) if n.topic == "dash_review"]

        run(london(2026, 11, 19, 11))
        assert dash_reviews(practitioner) == [("dash_review_due", date(2026, 11, 19))]
        assert dash_reviews(manager) == []
        run(london(2026, 11, 20, 9))  # a working day later it is overdue, not yet escalated
        assert dash_reviews(practitioner)[-1] == ("dash_review_overdue", date(2026, 11, 19))
        assert dash_reviews(manager) == []


# ---------------------------------------------------------------------------
# Who hears of what


def test_finance_hears_of_an_invoice_unpaid_after_the_set_number_of_days(mail_app):
    from tests.factories_accommodation import accommodation_case, placement

    with mail_app.app_context():
        with time_machine.travel(london(2026, 9, 20), tick=False):
            finance = factories.user("finance")
            practitioner = factories.user("practitioner")
            stay = placement(accommodation_case(practitioner), "checked_in")
            invoice = Invoice(
                placement_id=stay.id,
                supplier="Fictional Lets Ltd",
                supplier_key="fictional lets ltd",
                number="INV-1",
                invoice_date=date(2026, 10, 1),
                first_night=date(2026, 9, 10),
                last_night=date(2026, 9, 30),
                amount_pence=13_000,
            )
            db.session.add(invoice)
            db.session.commit()
        run(london(2026, 10, 30, 9))
        assert notifications_of(finance) == []
        run(london(2026, 11, 2, 9))  # 30 days on was Saturday 31 October
        [notification] = notifications_of(finance)
        assert (notification.kind, notification.invoice_id) == ("invoice_unpaid", invoice.id)
        assert notification.path == "/invoices"
        [message] = mails_to(mail_app.smtp_sink, finance)
    assert "/invoices" in message.get_content()
    assert "Fictional Lets" not in message.get_content()
    assert_no_personal_data(message)


def test_a_placement_ending_in_3_days_reminds_its_practitioner_with_a_link_to_it(mail_app):
    from tests.factories_accommodation import accommodation_case, placement

    with mail_app.app_context():
        with time_machine.travel(london(2026, 10, 20), tick=False):
            practitioner = factories.user("practitioner")
            stay = placement(
                accommodation_case(practitioner),
                "checked_in",
                nights=21,
                move_in_on=date(2026, 10, 20),
            )  # moves out Tuesday 10 November
            case_reference = stay.case.reference

        def placement_reminders():
            return [n for n in notifications_of(practitioner) if n.placement_id]

        run(london(2026, 11, 5, 9))
        assert placement_reminders() == []
        run(london(2026, 11, 6, 9))
        assert {n.kind for n in placement_reminders()} == {
            "placement_ending",
            "return_home_review_due",
        }
        assert {n.path for n in placement_reminders()} == {f"/placements/{stay.id}"}
        sent = [
            m
            for m in mails_to(mail_app.smtp_sink, practitioner)
            if "/placements/" in m.get_content()
        ]
    assert len(sent) == 2
    for message in sent:
        assert case_reference in message["Subject"]
        assert "Example Road" not in message.get_content()  # the address stays in the app
        assert_no_personal_data(message)


@pytest.mark.usefixtures("programme_as_migrated")
def test_managers_hear_that_the_referral_window_closes_in_14_days(mail_app):
    with mail_app.app_context():
        manager = factories.user("manager")
        run(london(2026, 12, 16, 9))
        assert notifications_of(manager) == []
        run(london(2026, 12, 17, 9))
        [notification] = notifications_of(manager)
        assert notification.kind == "referral_window_closing"
        assert notification.due_on == date(2026, 12, 31)
        assert notification.path == "/admin/settings"


def test_disabled_accounts_get_no_reminders(mail_app):
    with mail_app.app_context():
        practitioner = factories.user("practitioner", active=False)
        referral(practitioner)
        run(london(2026, 11, 6, 9))
        assert notifications_of(practitioner) == []


# ---------------------------------------------------------------------------
# Settings and the demo


def test_the_scheduler_refuses_to_start_naming_a_malformed_mail_setting(make_app, app):
    bad = make_app(SMTP_HOST="smtp.example.org:587", SMTP_FROM="EIP Tracker")
    result = bad.test_cli_runner().invoke(args=["eip", "scheduler"])
    assert result.exit_code == 1
    assert "SMTP_HOST" in result.output and "SMTP_FROM" in result.output


def test_the_demo_shows_its_overdue_acknowledgement_in_the_practitioners_notifications(
    app_context,
):
    from eip.demo import seed_demo
    from eip.demo.notifications import seed

    now = datetime.now(UTC)
    seed_demo(db.session, "development", now)
    seed(db.session, now.astimezone(LONDON).date(), now)
    overdue = db.session.scalars(
        select(Notification).where(Notification.kind == "acknowledgement_overdue")
    ).all()
    assert overdue
    assert all(n.user.role in ("practitioner", "manager") for n in overdue)
    # Seeding twice (or the scheduler's first tick) adds nothing.
    count = db.session.scalar(select(func.count(Notification.id)))
    seed(db.session, now.astimezone(LONDON).date(), now)
    assert db.session.scalar(select(func.count(Notification.id))) == count
