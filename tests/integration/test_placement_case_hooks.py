"""Where a placement reaches into the case pathway: a case cannot close while a placement
has not ended; withdrawing consent to accommodation e-mails the borough's SPOCs (through a
real SMTP server) without ending the placement; and the practitioner's home list shows when
a placement ends and when its return-home review is due."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from accommodation.models import Placement, ReturnHomeReview
from eip.audit import AuditEvent
from eip.cases import closure_services, consent_services, queries
from eip.cases.common import today
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
from eip.domain import RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa


def _close(case, user):
    return closure_services.close_case(
        db.session,
        user,
        case,
        version=case.version,
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
        version=case.version,
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
    refusal = closure_services.placement_refusal(db.session, case)
    assert "record the move-out and withdraw the placement request" in refusal


# ---------------------------------------------------------------------------
# Withdrawing consent to accommodation


def test_withdrawing_accommodation_consent_emails_the_boroughs_spocs_and_ends_nothing(mail_app):
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
        withdrawn = _withdraw(case, user, _consent(case))

        assert withdrawn.spocs_notified == 2
        assert withdrawn.review_action is not None and withdrawn.review_action.urgent
        assert db.session.get(Placement, placement.id).state == "checked_in"
        assert db.session.scalar(select(CaseAction).where(CaseAction.case_id == case.id))
        event_ = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "placement.spoc_notified")
        )
        assert event_.case_reference == reference
        assert sorted(event_.details["sent_to_user_ids"]) == sorted(s.id for s in camden)
        assert event_.details["placement_ids"] == [placement.id]
        assert "@" not in str(event_.details)
        emails = {s.email for s in camden}
        not_told = {gone.email, elsewhere.email}

    recipients = {to for tos, _message in sink.messages for to in tos}
    assert recipients == emails and not recipients & not_told
    for _tos, message in sink.messages:
        text = message["Subject"] + message.get_content()
        assert reference in text
        assert f"/placements/{placement.id}" in text
        for private in (client_name, partner_name, "unsafe about", "Feels"):
            assert private not in text
        assert "DASH" not in text and "risk" not in text.lower()


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
    assert mail_app.smtp_sink.messages == []


def test_withdrawing_consent_to_the_intervention_sends_the_spoc_nothing(mail_app):
    with mail_app.app_context():
        user = factories.user("practitioner")
        case = fa.accommodation_case(user)
        fa.placement(case, "approved")
        fa.spoc_of(case)
        withdrawn = _withdraw(case, user, _consent(case, kind="intervention"))
        assert withdrawn.spocs_notified is None
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
        assert event_.details["sent_to_user_ids"] == []
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
