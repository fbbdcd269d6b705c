"""Where a placement reaches into the case pathway: a case cannot close while a placement
has not ended; withdrawing consent to accommodation notifies the borough's SPOCs in the app
at once and by e-mail from the scheduler's send job (through a real SMTP server), without
ending the placement; and the practitioner's home list shows when a placement ends and when
its return-home review is due."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import event, select

from accommodation.models import Placement, ReturnHomeReview
from accommodation.stay import notices as stay_notices
from eip.audit import AuditEvent
from eip.cases import closure_services, consent_services, hooks, queries
from eip.cases.deadlines import (
    DUE_SOON,
    DUE_TODAY,
    LATER,
    OVERDUE,
    Deadlines,
    DueFacts,
    StayFacts,
    due_items,
)
from eip.cases.records import CaseAction, Consent
from eip.clock import today
from eip.domain import RuleBroken
from eip.extensions import db
from eip.jobs import JOBS, run_due
from eip.notifications.centre import (
    DIGEST,
    FAILED,
    PENDING,
    SENT,
    WAITING_FOR_DIGEST,
    Notification,
    record_due_reminders,
    unread_count,
)
from eip.notifications.mail import send_digests
from eip.workdays import LONDON, london_date
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import SmtpSink, _free_port


def _close(case, user):
    return closure_services.close_case(
        db.session,
        user,
        case,
        outcome="completed",
        risk_level="medium",
        living_arrangements="living_apart",
        childrens_services_status="child_in_need",
        police_callouts=0,
        reason="Intervention completed",
    )


def _consent(case, person="client", kind="accommodation") -> Consent:
    return db.session.scalar(
        select(Consent).where(
            Consent.case_id == case.id, Consent.person_role == person, Consent.kind == kind
        )
    )


def _withdraw(case, user, consent):
    return consent_services.withdraw_consent(
        db.session,
        user,
        case,
        consent.id,
        version=consent.version,
        withdrawn_on=today(),
        reason="Feels unsafe about the arrangement",
    )


# ---------------------------------------------------------------------------
# Closure


@pytest.mark.parametrize(
    ("state", "what"),
    [
        ("requested", "withdraw the placement request"),
        ("approved", "cancel the placement"),
        ("agreement_signed", "cancel the placement"),
        ("checked_in", "record the move-out"),
    ],
)
def test_a_case_with_a_placement_not_yet_ended_cannot_close(app_context, state, what):
    user = factories.user("practitioner")
    case = fa.accommodation_case(user)
    fa.placement(case, state)
    with pytest.raises(RuleBroken) as refused:
        _close(case, user)
    db.session.rollback()
    assert refused.value.message == (
        f"This case has a placement that has not ended: {what} before closing the case"
    )
    assert case.status == "active"


@pytest.mark.parametrize("state", ["ended", "cancelled", "declined", "withdrawn"])
def test_a_case_closes_once_its_placements_have_ended(app_context, state):
    user = factories.user("practitioner")
    case = fa.accommodation_case(user)
    fa.placement(case, state)
    _close(case, user)
    assert case.status == "closed"


def test_the_refusal_names_every_step_still_to_take(app_context):
    user = factories.user("practitioner")
    case = fa.accommodation_case(user)
    fa.placement(case, "checked_in")
    fa.placement(case, "requested")
    refusal = hooks.closure_refusal(db.session, case)
    assert "record the move-out and withdraw the placement request" in refusal


# ---------------------------------------------------------------------------
# Withdrawing consent to accommodation


def _send_job_runs(moment: datetime) -> str:
    """The scheduler's send job, once, as the next tick would run it."""
    [job] = [job for job in JOBS if job.name == "send-notification-mail"]
    with time_machine.travel(moment, tick=False):
        return run_due(db.session, moment, worker="test", jobs=[job])[job.name]


def _daytime_after(moment: datetime, days: int = 1) -> datetime:
    """10:00 London `days` days on: within the hours immediate e-mails are sent."""
    day = london_date(moment) + timedelta(days=days)
    return datetime.combine(day, time(10, 0), LONDON).astimezone(UTC)


def _notices(user=None) -> list[Notification]:
    query = select(Notification).where(Notification.kind == stay_notices.NOTICE_KIND)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_withdrawing_accommodation_consent_notifies_the_boroughs_spocs_and_ends_nothing(mail_app):
    sink = mail_app.smtp_sink
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user, "Camden")
        placement = fa.placement(case, "checked_in")
        camden = [fa.spoc_of(case), fa.spoc_of(case)]
        gone = factories.user("spoc", borough_name="Camden", active=False)
        elsewhere = factories.user("spoc", borough_name="Hackney")
        client_name, partner_name = case.client.full_name, case.partner.full_name
        reference = case.reference
        consent = _consent(case)
        withdrawn = _withdraw(case, user, consent)

        assert withdrawn.spocs_notified == 2
        assert withdrawn.review_action is not None and withdrawn.review_action.urgent
        assert db.session.get(Placement, placement.id).state == "checked_in"
        assert db.session.scalar(select(CaseAction).where(CaseAction.case_id == case.id))
        # In the app at once, committed with the withdrawal; nothing sent from the request.
        notices = _notices()
        assert sorted(n.user_id for n in notices) == sorted(s.id for s in camden)
        for notice in notices:
            assert (notice.case_reference, notice.placement_id) == (reference, placement.id)
            assert notice.email_status == PENDING and notice.path == f"/placements/{placement.id}"
            assert notice.dedupe_key == stay_notices.dedupe_key(placement.id, consent.id)
            assert notice.label == "Accommodation consent withdrawn"
        assert [unread_count(db.session, s) for s in camden] == [1, 1]
        assert _notices(gone) == [] and _notices(elsewhere) == []
        assert sink.messages == []
        event_ = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "placement.spoc_notified")
        )
        assert event_.case_reference == reference
        assert sorted(event_.details["notified_user_ids"]) == sorted(s.id for s in camden)
        assert event_.details["placement_ids"] == [placement.id]
        assert "@" not in str(event_.details)
        emails = {s.email for s in camden}
        not_told = {gone.email, elsewhere.email}
        link = f"/placements/{placement.id}"

        # The scheduler's send job delivers the e-mails, once.
        moment = _daytime_after(notices[0].created_at, days=0)
        assert _send_job_runs(moment) == "done"
        assert {n.email_status for n in _notices()} == {SENT}
        assert _send_job_runs(moment + timedelta(hours=1)) == "done"

    recipients = [to for tos, _message in sink.messages for to in tos]
    assert sorted(recipients) == sorted(emails) and not set(recipients) & not_told
    for _tos, message in sink.messages:
        text = message["Subject"] + message.get_content()
        assert reference in text
        assert link in text
        assert "Accommodation consent withdrawn" in message["Subject"]
        for private in (client_name, partner_name, "unsafe about", "Feels"):
            assert private not in text
        assert "DASH" not in text and "risk" not in text.lower()


def test_the_reminders_job_leaves_the_spocs_notice_open_and_its_email_owed(mail_app):
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user)
        fa.placement(case, "approved")
        spoc = fa.spoc_of(case)
        _withdraw(case, user, _consent(case, "partner"))
        [notice] = _notices(spoc)
        # Night: no immediate e-mail goes out, but the reminders job runs and closes what
        # is no longer due; a notice is not a deadline, so it stays as it was.
        night = _daytime_after(notice.created_at) - timedelta(hours=12)
        with time_machine.travel(night, tick=False):
            record_due_reminders(db.session, night)
        db.session.refresh(notice)
        assert notice.closed_at is None and notice.email_status == PENDING
        assert unread_count(db.session, spoc) == 1
        assert _send_job_runs(_daytime_after(notice.created_at)) == "done"
        db.session.refresh(notice)
        assert notice.email_status == SENT
        address = spoc.email
    # (The practitioner has reminders of their own by now: the urgent review action.)
    assert [tos for tos, _message in mail_app.smtp_sink.messages].count([address]) == 1


def test_with_the_mail_server_down_the_withdrawal_is_saved_and_the_email_retried(make_app, app):
    port = _free_port()
    broken = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with broken.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user)
        fa.placement(case, "checked_in")
        spoc = fa.spoc_of(case)
        withdrawn = _withdraw(case, user, _consent(case))
        assert withdrawn.spocs_notified == 1
        [notice] = _notices(spoc)
        moment = _daytime_after(notice.created_at)
        assert _send_job_runs(moment) == "done"
        db.session.refresh(notice)
        assert notice.email_status == FAILED and unread_count(db.session, spoc) == 1

        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert _send_job_runs(moment + timedelta(minutes=10)) == "done"  # too soon
            db.session.refresh(notice)
            assert notice.email_status == FAILED
            assert _send_job_runs(moment + timedelta(minutes=35)) == "done"
        finally:
            controller.stop()
        db.session.refresh(notice)
        assert notice.email_status == SENT and notice.email_attempts == 2
        assert [tos for tos, _message in sink.messages] == [[spoc.email]]


def test_a_spoc_who_reads_a_daily_digest_gets_the_notice_in_it(mail_app):
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user)
        placement = fa.placement(case, "agreement_signed")
        spoc = fa.spoc_of(case)
        spoc.notification_email = DIGEST
        db.session.commit()
        reference = case.reference
        _withdraw(case, user, _consent(case))
        [notice] = _notices(spoc)
        assert notice.email_status == WAITING_FOR_DIGEST
        seven = _daytime_after(notice.created_at) - timedelta(hours=3)
        with time_machine.travel(seven, tick=False):
            assert send_digests(db.session, seven) == "1 digests sent"
        [(tos, message)] = mail_app.smtp_sink.messages
        assert tos == [spoc.email]
        link = f"/placements/{placement.id}"
    assert reference in message.get_content()
    assert link in message.get_content()


def test_no_notice_when_the_case_has_no_placement_still_running(mail_app):
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user)
        fa.placement(case, "ended")
        fa.spoc_of(case)
        withdrawn = _withdraw(case, user, _consent(case, "partner"))
        assert withdrawn.spocs_notified is None
        assert withdrawn.review_action is not None
        assert not db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "placement.spoc_notified")
        )
        assert _notices() == []
    assert mail_app.smtp_sink.messages == []


def test_withdrawing_consent_to_the_intervention_tells_the_spoc_nothing(mail_app):
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user)
        fa.placement(case, "approved")
        fa.spoc_of(case)
        withdrawn = _withdraw(case, user, _consent(case, kind="intervention"))
        assert withdrawn.spocs_notified is None
        assert _notices() == []
    assert mail_app.smtp_sink.messages == []


def test_a_borough_without_an_active_spoc_is_recorded_as_not_told(mail_app):
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user, "Lambeth")
        fa.placement(case, "requested")
        withdrawn = _withdraw(case, user, _consent(case))
        assert withdrawn.spocs_notified == 0
        event_ = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "placement.spoc_notified")
        )
        assert event_.details["notified_user_ids"] == []
        assert _notices() == []
    assert mail_app.smtp_sink.messages == []


# ---------------------------------------------------------------------------
# What is due: pure rules first, then the home page's caseload


def _items(move_out: date, *, review_done: bool = False) -> dict:
    facts = DueFacts(
        "EIP-2026-0001",
        "active",
        received_on=date(2026, 9, 1),
        acknowledged=True,
        consultation_booked=True,
        stays=(StayFacts(7, move_out, review_done),),
    )
    return {item.kind: item for item in due_items(facts, Deadlines())}


def test_a_stay_is_due_to_end_on_its_planned_move_out():
    item = _items(date(2026, 11, 26))["placement_end"]
    assert item.due_on == date(2026, 11, 26)
    assert item.urgency(date(2026, 11, 24)) == DUE_SOON  # Tuesday, two working days ahead
    assert item.urgency(date(2026, 11, 26)) == DUE_TODAY
    assert item.urgency(date(2026, 11, 27)) == OVERDUE
    assert item.urgency(date(2026, 11, 20)) == LATER


def test_the_return_home_review_is_due_from_three_days_before_the_move_out_until_recorded():
    # Move-out on Thursday 26 November 2026: due soon from Monday 23rd, three working days
    # ahead, which the ordinary two-working-day rule alone would not show yet.
    item = _items(date(2026, 11, 26))["return_home_review"]
    assert item.urgency(date(2026, 11, 22)) == LATER
    assert item.urgency(date(2026, 11, 23)) == DUE_SOON
    assert item.urgency(date(2026, 11, 26)) == DUE_TODAY
    assert item.urgency(date(2026, 11, 30)) == OVERDUE
    assert "return_home_review" not in _items(date(2026, 11, 26), review_done=True)


def test_the_review_is_listed_before_the_move_out_on_the_same_day():
    facts = DueFacts("R", "active", None, stays=(StayFacts(1, date(2026, 11, 26)),))
    kinds = [i.kind for i in due_items(facts, Deadlines()) if i.due_on == date(2026, 11, 26)]
    assert kinds == ["return_home_review", "placement_end"]


def test_the_caseload_shows_placements_ending_and_reviews_due(app_context):
    user = factories.user("practitioner")
    ending = fa.accommodation_case(user)
    fa.placement(ending, "checked_in", nights=11, move_in_on=today() - timedelta(days=10))
    reviewed = fa.accommodation_case(user)
    done = fa.placement(reviewed, "checked_in", nights=10, move_in_on=today() - timedelta(days=10))
    db.session.add(
        ReturnHomeReview(
            placement_id=done.id,
            reviewed_on=today(),
            children_risks_reviewed=True,
            adults_risks_reviewed=True,
            return_safe=True,
            support_package="Weekly visits",
        )
    )
    db.session.commit()
    rows = {row.case.reference: row for row in queries.caseload(db.session, user, today())}
    first = {item.kind: item for item in rows[ending.reference].due}
    assert first["placement_end"].due_on == today() + timedelta(days=1)
    assert first["return_home_review"].urgency(today()) == DUE_SOON
    second = {item.kind: item for item in rows[reviewed.reference].due}
    assert second["placement_end"].urgency(today()) == DUE_TODAY
    assert "return_home_review" not in second


@contextmanager
def _count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_the_caseload_reads_stays_in_a_constant_number_of_queries(app_context):
    user = factories.user("practitioner")

    def add(n):
        for _ in range(n):
            fa.placement(fa.accommodation_case(user), "checked_in")

    add(1)
    db.session.expire_all()
    with _count_queries() as few:
        queries.caseload(db.session, user, today())
    add(4)
    db.session.expire_all()
    with _count_queries() as many:
        queries.caseload(db.session, user, today())
    assert len(many) == len(few)
