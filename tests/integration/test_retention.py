"""The retention schedule on a real database (both engines): which closed cases are past
retention on a day, at London's day boundaries and with the children rule; legal holds;
the nightly purge; and a confirmed batch anonymised all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from eip import jobs
from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.cases.records import Child
from eip.domain import Conflict
from eip.extensions import db
from eip.notifications.centre import Notification
from eip.privacy import retention, review
from eip.privacy.anonymise import anonymise_case
from eip.privacy.retention_models import RetentionDisposal
from eip.programme import current_settings
from evaluation.models import EvaluationExtract
from evaluation.services import folder
from tests import factories


def closed_case(closed_at: datetime, status: str = "closed") -> Case:
    case = factories.case(status=status)
    case.closed_at = closed_at
    db.session.commit()
    return case


def child(case: Case, recorded_at: datetime, age_years=None, age_band=None, needs_review=False):
    count = db.session.scalar(select(Child.id).where(Child.case_id == case.id).limit(1))
    db.session.add(
        Child(
            case_id=case.id,
            position=2 if count else 1,
            age_years=age_years,
            age_band=age_band,
            needs_review=needs_review,
            created_at=recorded_at,
        )
    )
    db.session.commit()


def due_on(day: date) -> list[str]:
    found, _more = retention.due_cases(db.session, day)
    return [item.reference for item in found]


def test_a_case_is_due_on_the_london_day_its_closure_years_end(app_context):
    # 23:59 UTC on 6 December is still 6 December in London (GMT); 23:30 UTC on 30 June
    # is 00:30 BST on 1 July.
    winter = closed_case(datetime(2026, 12, 6, 23, 59, tzinfo=UTC))
    next_day = closed_case(datetime(2026, 12, 7, 0, 0, tzinfo=UTC))
    summer = closed_case(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert due_on(date(2032, 6, 30)) == []
    assert due_on(date(2032, 7, 1)) == [summer.reference]
    assert due_on(date(2032, 12, 5)) == [summer.reference]
    assert due_on(date(2032, 12, 6)) == [summer.reference, winter.reference]
    assert due_on(date(2032, 12, 7)) == [summer.reference, winter.reference, next_day.reference]
    [first, *_] = retention.due_cases(db.session, date(2032, 12, 7))[0]
    assert (first.closed_on, first.due.on, first.due.rule) == (
        date(2026, 7, 1),
        date(2032, 7, 1),
        "closure",
    )


def test_open_and_anonymised_cases_are_never_due(app_context):
    factories.case(status="active")
    gone = closed_case(datetime(2020, 1, 1, tzinfo=UTC))
    anonymise_case(db.session, None, gone, reason="An erasure request")
    db.session.commit()
    refused = closed_case(datetime(2020, 1, 1, tzinfo=UTC), status="not_accepted")
    assert due_on(date(2032, 1, 1)) == [refused.reference]


def test_a_child_keeps_the_case_until_18_plus_the_extra_years_to_the_day(app_context):
    case = closed_case(datetime(2026, 12, 1, 12, tzinfo=UTC))
    child(case, datetime(2026, 3, 1, 12, tzinfo=UTC), age_years=4)  # 18 + 7 by 1 March 2047
    assert due_on(date(2047, 2, 28)) == []
    assert due_on(date(2047, 3, 1)) == [case.reference]
    [item] = retention.due_cases(db.session, date(2047, 3, 1))[0]
    assert (item.due.on, item.due.rule, item.children) == (date(2047, 3, 1), "children", 1)


def test_an_age_band_counts_from_its_youngest_age(app_context):
    case = closed_case(datetime(2026, 12, 1, 12, tzinfo=UTC))
    child(case, datetime(2026, 3, 1, 12, tzinfo=UTC), age_band="5_to_10")  # 13 years, then 7
    assert due_on(date(2046, 2, 28)) == []
    assert due_on(date(2046, 3, 1)) == [case.reference]


def test_a_child_of_unknown_age_sends_the_case_to_review_at_the_closure_rule(app_context):
    unknown = closed_case(datetime(2026, 12, 1, 12, tzinfo=UTC))
    child(unknown, datetime(2026, 3, 1, 12, tzinfo=UTC), age_band="not_known")
    flagged = closed_case(datetime(2026, 12, 1, 13, tzinfo=UTC))
    child(flagged, datetime(2026, 3, 1, 12, tzinfo=UTC), age_years=1, needs_review=True)
    assert due_on(date(2032, 11, 30)) == []
    found = retention.due_cases(db.session, date(2032, 12, 1))[0]
    assert [(item.reference, item.due.rule) for item in found] == [
        (unknown.reference, "review"),
        (flagged.reference, "review"),
    ]


def test_the_settings_move_the_due_day(app_context):
    case = closed_case(datetime(2026, 12, 1, 12, tzinfo=UTC))
    current_settings(db.session).retain_case_years = 1
    db.session.commit()
    assert due_on(date(2027, 12, 1)) == [case.reference]
    assert retention.due_count(db.session, date(2027, 12, 1)) == 1


def test_a_legal_hold_keeps_a_case_out_until_it_is_removed(app_context):
    manager = factories.user("manager")
    case = closed_case(datetime(2020, 1, 1, tzinfo=UTC))
    hold = review.place_hold(db.session, manager, reference=case.reference, reason="A claim")
    assert due_on(date(2030, 1, 1)) == []
    review.remove_hold(db.session, manager, hold.id, reason="The claim was settled")
    assert due_on(date(2030, 1, 1)) == [case.reference]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_reference == case.reference)
    ).all()
    assert actions == ["retention.hold_placed", "retention.hold_removed"]


def test_the_due_list_is_paged(app_context, monkeypatch):
    monkeypatch.setattr(retention, "PAGE_SIZE", 2)
    cases = [closed_case(datetime(2020, 1, day, tzinfo=UTC)) for day in (1, 2, 3)]
    first, more = retention.due_cases(db.session, date(2030, 1, 1), page=1)
    second, last = retention.due_cases(db.session, date(2030, 1, 1), page=2)
    assert [c.reference for c in first + second] == [c.reference for c in cases]
    assert (more, last) == (True, False)


# ---------------------------------------------------------------------------
# Confirming a batch


def test_a_confirmed_batch_is_anonymised_and_recorded(app_context):
    manager = factories.user("manager")
    one, two = (closed_case(datetime(2020, 1, d, tzinfo=UTC)) for d in (1, 2))
    done = review.confirm_batch(db.session, manager, [two.id, one.id], date(2030, 1, 1))
    assert done == [one.reference, two.reference]
    db.session.expire_all()
    assert db.session.get(Case, one.id).anonymised_at is not None
    assert (
        db.session.scalar(select(RetentionDisposal.rule).where(RetentionDisposal.case_id == one.id))
        == "closure"
    )
    assert due_on(date(2030, 1, 1)) == []
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_reference == one.reference)
    ).all()
    assert set(events) == {"case.anonymised", "retention.case_anonymised"}


def test_a_batch_that_fails_half_way_anonymises_nothing(app_context, monkeypatch):
    manager = factories.user("manager")
    one, two = (closed_case(datetime(2020, 1, d, tzinfo=UTC)) for d in (1, 2))
    real = review._anonymise

    def second_fails(session, actor, case, *, reason):
        if case.id == two.id:
            raise RuntimeError("disk full")
        real(session, actor, case, reason=reason)

    monkeypatch.setattr(review, "_anonymise", second_fails)
    with pytest.raises(RuntimeError):
        review.confirm_batch(db.session, manager, [one.id, two.id], date(2030, 1, 1))
    db.session.expire_all()
    assert db.session.get(Case, one.id).anonymised_at is None
    assert db.session.scalar(select(RetentionDisposal.id)) is None
    assert due_on(date(2030, 1, 1)) == [one.reference, two.reference]


def test_a_batch_with_a_case_no_longer_due_is_refused_whole(app_context):
    manager = factories.user("manager")
    one, held = (closed_case(datetime(2020, 1, d, tzinfo=UTC)) for d in (1, 2))
    review.place_hold(db.session, manager, reference=held.reference, reason="Inquiry")
    with pytest.raises(Conflict, match=held.reference):
        review.confirm_batch(db.session, manager, [one.id, held.id], date(2030, 1, 1))
    db.session.expire_all()
    assert db.session.get(Case, one.id).anonymised_at is None


# ---------------------------------------------------------------------------
# The nightly job

NOW = datetime(2032, 12, 6, 12, 0, tzinfo=UTC)


def _extract(prepared_at: datetime, name: str, state: str = "prepared") -> EvaluationExtract:
    (folder(current_app.config["INSTANCE_PATH"]) / name).write_bytes(b"zip")
    item = EvaluationExtract(
        period_start=date(2026, 1, 1), period_end=date(2026, 2, 1), state=state, k=5,
        case_count=0, referred_count=0, left_out={}, smallest_group=0, generalisation={},
        key_check="x", file_name=name, sha256="0" * 64, size_bytes=3, prepared_at=prepared_at,
        release_number=1 if state == "released" else None,
    )  # fmt: skip
    db.session.add(item)
    db.session.commit()
    return item


def test_the_nightly_job_purges_what_needs_no_review_at_its_day_boundaries(app_context):
    # The instance folder outlives a test: start from no extract files, so that the count of
    # files removed is this test's own (a backup test before it restores files there).
    for leftover in folder(current_app.config["INSTANCE_PATH"]).iterdir():
        if leftover.is_file():
            leftover.unlink()
    manager = factories.user("manager")
    for created, closed in (
        (NOW - timedelta(days=91), NOW),  # old and closed: goes
        (NOW - timedelta(days=89), NOW),  # closed but recent: stays
        (NOW - timedelta(days=200), None),  # old but still open and unread: stays
    ):
        db.session.add(
            Notification(
                user_id=manager.id, kind="meeting_due", topic="case", subject="1",
                dedupe_key=f"k{created}", created_at=created, closed_at=closed,
            )
        )  # fmt: skip
    old = _extract(NOW - timedelta(days=31), "old.zip")
    recent = _extract(NOW - timedelta(days=29), "recent.zip")
    released = _extract(NOW - timedelta(days=300), "released.zip", state="released")
    # Six years: events up to the end of 6 December 2026 (London) go.
    for at in (datetime(2026, 12, 6, 23, 59, tzinfo=UTC), datetime(2026, 12, 7, 0, 1, tzinfo=UTC)):
        db.session.add(AuditEvent(action="case.viewed", at=at))
    db.session.commit()
    old_id = old.id

    summary = jobs.retention(db.session, NOW)

    assert "removed 1 notifications, 1 unreleased extracts (1 files), 1 audit events" in summary
    assert db.session.scalar(select(db.func.count(Notification.id))) == 2
    assert db.session.get(EvaluationExtract, old_id) is None
    assert {e.id for e in db.session.scalars(select(EvaluationExtract))} == {recent.id, released.id}
    files = {p.name for p in folder(current_app.config["INSTANCE_PATH"]).iterdir()}
    assert "old.zip" not in files and {"recent.zip", "released.zip"} <= files
    [kept] = db.session.scalars(select(AuditEvent.at).where(AuditEvent.action == "case.viewed"))
    assert kept == datetime(2026, 12, 7, 0, 1, tzinfo=UTC)


def test_the_audit_trail_still_refuses_any_other_delete(app_context):
    db.session.add(AuditEvent(action="case.viewed", at=datetime(2020, 1, 1, tzinfo=UTC)))
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(delete(AuditEvent))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == 1


def test_the_nightly_job_tells_managers_how_many_cases_await_review(app_context):
    manager = factories.user("manager")
    factories.user("practitioner")
    for day in (1, 2):
        closed_case(datetime(2026, 1, day, tzinfo=UTC))
    summary = jobs.retention(db.session, NOW)
    assert summary.startswith("2 cases past retention await review")
    [notice] = db.session.scalars(select(Notification)).all()
    assert notice.user_id == manager.id
    assert notice.label == "Cases past retention awaiting review: 2"
    assert notice.case_reference is None and notice.path == "/retention"
    # The next night's notice replaces it.
    jobs.retention(db.session, NOW + timedelta(days=1))
    notices = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [n.closed_at is None for n in notices] == [False, True]


def test_the_retention_job_runs_nightly_once(app_context):
    assert "retention" in [job.name for job in jobs.JOBS]
    night = datetime(2032, 12, 6, 3, 5, tzinfo=UTC)
    assert jobs.run_due(
        db.session, night, jobs=[j for j in jobs.JOBS if j.name == "retention"]
    ) == {"retention": "done"}
    again = jobs.run_due(db.session, night, jobs=[j for j in jobs.JOBS if j.name == "retention"])
    assert again == {"retention": "already claimed"}
