"""Subject access requests through their services: recorded with the statutory due date and
audited (the role and dates, never who asked), completed once, refused to every role but
the managers'; the managers reminded a week before the due date and each working day once
it has passed, and the reminders closed when it is completed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.clock import today
from eip.domain import NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from eip.notifications.centre import Notification, record_due_reminders
from eip.privacy import subject_access
from eip.privacy.statutory import due_date
from tests import factories
from tests import factories_subject_access as fs


@pytest.fixture
def manager(app_context):
    return factories.user("manager", name="Morgan Manager")


def record(user, case, **changes):
    values = {
        "reference": case.reference,
        "role": "client",
        "requested_by": "Their solicitor, Ms Fictional",
        "received_on": today() - timedelta(days=1),
        **changes,
    }
    return subject_access.record_request(db.session, user, **values, today=today())


def test_a_request_is_recorded_with_its_due_date_and_audited_without_who_asked(manager):
    case = fs.family_case()
    request = record(manager, case)
    assert request.person_id == case.client_id
    assert request.due_on == due_date(today() - timedelta(days=1))
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject_access.recorded")
    ).all()
    assert event.case_reference == case.reference
    assert event.details["due_on"] == request.due_on.isoformat()
    assert "Fictional" not in str(event.details)


def test_a_case_without_that_person_is_refused(manager):
    case = factories.case()
    with pytest.raises(RuleBroken) as refused:
        record(manager, case, role="partner")
    assert refused.value.errors == {"role": f"Case {case.reference} has no partner recorded"}


def test_a_request_is_completed_once(manager):
    request = record(manager, fs.family_case())
    subject_access.complete(
        db.session, manager, request.id, completed_on=today(), today=today(), now=datetime.now(UTC)
    )
    assert request.status == "completed"
    with pytest.raises(RuleBroken):
        subject_access.complete(
            db.session,
            manager,
            request.id,
            completed_on=today(),
            today=today(),
            now=datetime.now(UTC),
        )
    with pytest.raises(NotFound):
        subject_access.get_request(db.session, request.id + 100)


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_only_managers_record_or_complete_a_request(app_context, role):
    case = fs.family_case()
    with pytest.raises(NotAllowed):
        record(factories.user(role), case)
    request = fs.request(case, "client")
    with pytest.raises(NotAllowed):
        subject_access.complete(
            db.session,
            factories.user(role),
            request.id,
            completed_on=today(),
            today=today(),
            now=datetime.now(UTC),
        )


def _noon(day):
    return datetime.combine(day, time(12), tzinfo=UTC)


def test_managers_are_reminded_as_the_due_date_comes_and_the_reminder_closes_when_done(manager):
    request = fs.request(fs.family_case(), "client", received_on=today() - timedelta(days=27))
    record_due_reminders(db.session, _noon(today()))
    [notice] = db.session.scalars(
        select(Notification).where(Notification.kind == "subject_access_due")
    ).all()
    assert notice.user_id == manager.id and notice.path == "/subject-access"
    assert notice.case_reference is None  # no case link: the list is the managers'
    subject_access.complete(
        db.session, manager, request.id, completed_on=today(), today=today(), now=datetime.now(UTC)
    )
    db.session.refresh(notice)
    assert notice.closed_at is not None


def test_an_overdue_request_is_reminded_as_overdue(manager):
    fs.request(fs.family_case(), "partner", received_on=today() - timedelta(days=45))
    record_due_reminders(db.session, _noon(today()))
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert "subject_access_overdue" in kinds
