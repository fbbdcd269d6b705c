"""Reminder e-mails under stress: an unreachable server, two runs at once, the daily
digest, and the clock changes (Sunday 25 October 2026 back to GMT, Sunday 28 March 2027
to BST, with Easter around it). Job functions run with frozen time; e-mails go to a real
SMTP server started by the test."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from eip.auth.models import User
from eip.extensions import db
from eip.job_claims import JobRun
from eip.jobs import run_due
from eip.notifications.centre import (
    DIGEST,
    FAILED,
    SENT,
    WAITING_FOR_DIGEST,
    Notification,
    record_due_reminders,
    unread_count,
)
from eip.notifications.mail import digest_period, send_digests, send_pending
from eip.workdays import LONDON
from tests import factories
from tests.conftest import SmtpSink, _free_port
from tests.factories_notifications import (
    CLIENT,
    acknowledgements_of,
    assert_no_personal_data,
    london,
    mails_to,
    notifications_of,
    referral,
    run,
)

# ---------------------------------------------------------------------------
# An unreachable mail server


def test_an_unreachable_smtp_server_keeps_the_notification_and_retries_the_email(
    make_app, app, caplog
):
    port = _free_port()
    broken = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with broken.app_context():
        practitioner = factories.user("practitioner")
        case = referral(practitioner)
        with caplog.at_level(logging.INFO, logger="eip"):
            outcomes = run(london(2026, 11, 6, 9))
        # The other jobs are unaffected, and the send job itself finished its run; the
        # due-items job has no settings change waiting, so it claims nothing.
        assert outcomes.pop("due-items") == "nothing to do"
        assert set(outcomes.values()) == {"done"}
        [notification] = notifications_of(practitioner)
        assert notification.email_status == FAILED
        assert notification.email_error == "ConnectionRefusedError"
        assert unread_count(db.session, practitioner) == 1
        for secret in (practitioner.email, case.reference, CLIENT):
            assert secret not in caplog.text
        assert any(
            getattr(r, "fields", {}).get("event") == "notification_mail_failed"
            for r in caplog.records
        )

        # The server comes back; the next hour's run sends the e-mail once.
        from aiosmtpd.controller import Controller

        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            run(london(2026, 11, 6, 10))
            run(london(2026, 11, 6, 11))
        finally:
            controller.stop()
        db.session.refresh(notification)
        assert notification.email_status == SENT and notification.email_attempts == 2
        assert len(mails_to(sink, practitioner)) == 1


def test_an_unreachable_server_delays_the_digest_which_is_retried_the_same_morning(make_app, app):
    port = _free_port()
    broken = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with broken.app_context():
        practitioner = factories.user("practitioner")
        practitioner.notification_email = DIGEST
        db.session.commit()
        referral(practitioner)
        run(london(2026, 11, 6, 6, 30))
        outcomes = run(london(2026, 11, 6, 7, 0))
        assert outcomes["daily-digest"] == "failed"
        assert outcomes["reminders"] == "done"
        assert {n.email_status for n in notifications_of(practitioner)} == {WAITING_FOR_DIGEST}
        from aiosmtpd.controller import Controller

        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert run(london(2026, 11, 6, 7, 10))["daily-digest"] == "done"
            assert run(london(2026, 11, 6, 8, 10))["daily-digest"] == "already claimed"
        finally:
            controller.stop()
        assert len(mails_to(sink, practitioner)) == 1


def _digest_users(count: int) -> list[User]:
    users = []
    for _ in range(count):
        user = factories.user("practitioner")
        user.notification_email = DIGEST
        db.session.commit()
        referral(user)
        users.append(user)
    run(london(2026, 11, 6, 6, 30))  # the reminders, made before the digest is due
    return users


def test_with_the_server_down_the_digest_stops_after_three_failures_and_sends_later(make_app, app):
    port = _free_port()
    broken = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with broken.app_context():
        users = _digest_users(5)
        assert run(london(2026, 11, 6, 7, 0))["daily-digest"] == "failed"
        attempts = sorted(n.email_attempts for u in users for n in notifications_of(u))
        assert attempts == [0, 0, 1, 1, 1]  # three tried, then the run gave up
        claims = db.session.scalars(
            select(JobRun.status).where(JobRun.period.like("digest:%"))
        ).all()
        assert sorted(claims) == ["failed"] * 3
        from aiosmtpd.controller import Controller

        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert run(london(2026, 11, 6, 7, 10))["daily-digest"] == "done"
            assert run(london(2026, 11, 6, 7, 20))["daily-digest"] == "already claimed"
        finally:
            controller.stop()
        assert [len(mails_to(sink, u)) for u in users] == [1] * 5


def test_a_digest_another_run_is_sending_is_not_sent_again(mail_app):
    """A run taking over the day's digest from one it took for dead (claimed over 30
    minutes ago) skips the user whose digest the first run is sending at that moment."""
    with mail_app.app_context():
        first, second, third = _digest_users(3)
        day = date(2026, 11, 6)
        db.session.add_all(
            [
                JobRun(
                    job="daily-digest",
                    period=day.isoformat(),
                    claimed_at=london(2026, 11, 6, 7, 0),
                    claimed_by="slow-scheduler",
                ),
                JobRun(
                    job="daily-digest",
                    period=digest_period(first.id, day),
                    claimed_at=london(2026, 11, 6, 7, 25),
                    claimed_by="slow-scheduler",
                ),
            ]
        )
        db.session.commit()
        assert run(london(2026, 11, 6, 7, 31), worker="second")["daily-digest"] == "done"
        sink = mail_app.smtp_sink
        assert [len(mails_to(sink, u)) for u in (first, second, third)] == [0, 1, 1]
        assert {n.email_status for n in notifications_of(first)} == {WAITING_FOR_DIGEST}


def test_two_digest_runs_at_once_send_each_user_one_digest(mail_app):
    moment = london(2026, 11, 6, 7, 0)
    with mail_app.app_context():
        addresses = [u.email for u in _digest_users(4)]
        db.session.remove()
    with time_machine.travel(moment, tick=False):
        _in_threads(mail_app, lambda name: send_digests(db.session, moment), count=3)
    assert [len(mails_to(mail_app.smtp_sink, a)) for a in addresses] == [1] * 4


# ---------------------------------------------------------------------------
# Two runs at once


def _in_threads(application, target, count=2) -> list:
    barrier, results, errors = threading.Barrier(count), [], []

    def work(name: str) -> None:
        with application.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(target(name))
            except Exception as exc:  # surfaced below: a thread cannot fail the test itself
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_schedulers_at_once_send_each_email_once(mail_app):
    moment = london(2026, 11, 6, 9)
    with mail_app.app_context():
        address = factories.user("practitioner").email
        practitioner = db.session.scalar(select(User).where(User.email == address))
        references = [referral(practitioner).reference for _ in range(3)]
        db.session.remove()
    with time_machine.travel(moment, tick=False):
        outcomes = _in_threads(mail_app, lambda name: run_due(db.session, moment, worker=name))
    assert sorted(o["send-notification-mail"] for o in outcomes) == ["already claimed", "done"]
    sent = mails_to(mail_app.smtp_sink, address)
    assert sorted(m["Subject"].rsplit(" ", 1)[-1] for m in sent) == sorted(references)
    with mail_app.app_context():
        claims = db.session.scalar(
            select(func.count(JobRun.id)).where(JobRun.job == "send-notification-mail")
        )
        assert claims == 1


def test_two_send_runs_that_overlap_anyway_still_send_each_email_once(mail_app):
    """Without the job claim (say one run was taken for dead): each e-mail's own claim."""
    moment = london(2026, 11, 6, 9)
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        address = practitioner.email
        for _ in range(4):
            referral(practitioner)
        record_due_reminders(db.session, moment)
        db.session.remove()
    with time_machine.travel(moment, tick=False):
        _in_threads(mail_app, lambda name: send_pending(db.session, moment), count=3)
    assert len(mails_to(mail_app.smtp_sink, address)) == 4
    with mail_app.app_context():
        statuses = db.session.scalars(select(Notification.email_status)).all()
        assert statuses == [SENT] * 4


# ---------------------------------------------------------------------------
# The daily digest and the clock


def test_digest_mode_sends_one_email_at_seven_london_time(mail_app):
    sink = mail_app.smtp_sink
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        practitioner.notification_email = DIGEST
        db.session.commit()
        first, second = referral(practitioner), referral(practitioner)
        assert run(london(2026, 11, 6, 6, 30))["daily-digest"] == "not due"
        assert len(notifications_of(practitioner)) == 2
        assert mails_to(sink, practitioner) == []
        assert run(london(2026, 11, 6, 7, 0))["daily-digest"] == "done"
        for hour in (9, 15):
            assert run(london(2026, 11, 6, hour))["daily-digest"] == "already claimed"
        assert {n.email_status for n in notifications_of(practitioner)} == {SENT}
        assert len(mails_to(sink, practitioner)) == 1
        # Saturday: nothing new over the weekend, so no digest at all.
        run(london(2026, 11, 7, 7, 0))
        assert len(mails_to(sink, practitioner)) == 1
        # Monday: the day's new reminders in one e-mail.
        run(london(2026, 11, 9, 7, 0))
        assert len(mails_to(sink, practitioner)) == 2
        digest = mails_to(sink, practitioner)[0]
        references = first.reference, second.reference
    body = digest.get_content()
    assert references[0] in body and references[1] in body
    assert "2 reminders" in digest["Subject"]
    assert_no_personal_data(digest)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 10, 24), 6),  # Saturday, still BST: 07:00 London is 06:00 UTC
        (date(2026, 10, 25), 7),  # the clocks went back overnight: 07:00 GMT
        (date(2027, 3, 27), 7),  # Saturday, GMT
        (date(2027, 3, 28), 6),  # the clocks went forward overnight: 07:00 BST
    ],
)
def test_the_digest_follows_london_time_across_the_clock_changes(mail_app, day, utc_hour):
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        practitioner.notification_email = DIGEST
        db.session.commit()
        received = datetime.combine(day - timedelta(days=14), datetime.min.time(), UTC)
        referral(practitioner, received)
        before = datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=UTC)
        run(before - timedelta(hours=2))
        assert run(before - timedelta(minutes=1))["daily-digest"] == "not due"
        assert mails_to(mail_app.smtp_sink, practitioner) == []
        assert run(before)["daily-digest"] == "done"
        assert len(mails_to(mail_app.smtp_sink, practitioner)) == 1


def test_the_repeated_hour_in_october_makes_no_second_reminder(mail_app):
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        referral(practitioner, datetime(2026, 10, 19, 10, 0, tzinfo=UTC))  # due Thu 22nd
        first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
        second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, an hour later
        assert first.astimezone(LONDON).hour == second.astimezone(LONDON).hour == 1
        assert run(first)["reminders"] == "done"
        assert run(second)["reminders"] == "done"  # a new UTC hour: the job runs again
        assert len(notifications_of(practitioner)) == 1
        # Night time: the e-mail waits for 07:00.
        assert notifications_of(practitioner)[0].email_status == "pending"
        run(london(2026, 10, 25, 7, 0))
        assert notifications_of(practitioner)[0].email_status == SENT


def test_easter_and_the_spring_clock_change_move_the_overdue_reminder_to_tuesday(mail_app):
    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        referral(practitioner, datetime(2027, 3, 22, 10, 0, tzinfo=UTC))  # due Thu 25 March
        run(datetime(2027, 3, 26, 9, 0, tzinfo=UTC))  # Good Friday: not a working day
        run(datetime(2027, 3, 28, 9, 0, tzinfo=UTC))  # Sunday: the clocks went forward
        run(datetime(2027, 3, 29, 9, 0, tzinfo=UTC))  # Easter Monday
        run(datetime(2027, 3, 29, 22, 30, tzinfo=UTC))  # 23:30 BST: still Easter Monday
        assert [n.kind for n in acknowledgements_of(practitioner)] == ["acknowledgement_due"]
        run(datetime(2027, 3, 29, 23, 30, tzinfo=UTC))  # 00:30 BST Tuesday: a working day
        overdue = acknowledgements_of(practitioner)[-1]
        assert overdue.kind == "acknowledgement_overdue"
        assert overdue.dedupe_key.endswith("|2027-03-30")
        # Night time in London: the e-mail waits until 07:00 BST (06:00 UTC).
        assert overdue.email_status == "pending"
        run(datetime(2027, 3, 30, 5, 30, tzinfo=UTC))
        db.session.refresh(overdue)
        assert overdue.email_status == "pending"
        run(datetime(2027, 3, 30, 6, 0, tzinfo=UTC))
        db.session.refresh(overdue)
        assert overdue.email_status == SENT
