"""What the dashboard reads kept by triggers instead of working it out at each request: each
reviewed case's first and latest DASH review (case_dash_levels), each case's last activity
(case_activity) and the referrals counted by their days (timeliness_tallies). Each equals
working it out afresh after reviews and records are
added out of order, deleted and moved, a case closed, two connections writing to one case
at once, and the migrations that fill them from what is already stored. (tests/conftest.py
also checks both after every test of the suite that used the database.)"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, insert, inspect, select, text, update

from eip.cases.models import NOT_YET, Case, CaseActivity, OutcomeTally, TimelinessTally
from eip.cases.records import (
    CaseDashLevels,
    CaseNote,
    Consultation,
    DashReview,
    LateReferralDecision,
)
from eip.extensions import db
from eip.reports import dashboard_cases as dc
from tests import factories
from tests.conftest import (
    activity_mismatches,
    dash_level_mismatches,
    month_tally_mismatches,
    outcome_mismatches,
    timeliness_mismatches,
)

BEFORE = "f4a9c2e7b1d3"
EARLY = datetime(2026, 9, 1, 10, tzinfo=UTC)


def _review(case_id: int, on: date, level: str, marac: bool = False) -> int:
    return db.session.execute(
        insert(DashReview)
        .values(
            case_id=case_id,
            completed_on=on,
            answers={},
            score=1,
            risk_level=level,
            marac=marac,
            created_at=EARLY,
        )
        .returning(DashReview.id)
    ).scalar_one()


def _note(case_id: int, at: datetime) -> int:
    return db.session.execute(
        insert(CaseNote)
        .values(case_id=case_id, noted_on=at.date(), contact="none", created_at=at)
        .returning(CaseNote.id)
    ).scalar_one()


def _case() -> int:
    case = factories.case()
    db.session.execute(update(Case).where(Case.id == case.id).values(created_at=EARLY))
    db.session.commit()
    return case.id


def _levels(case_id: int) -> tuple | None:
    db.session.expire_all()
    row = db.session.get(CaseDashLevels, case_id)
    return row and (row.intake_level, row.latest_level, row.latest_review_id)


def _activity(case_id: int) -> tuple[bool, datetime]:
    db.session.expire_all()
    row = db.session.get(CaseActivity, case_id)
    return row.is_open, row.last_at


def _agree() -> None:
    conn = db.session.connection()
    assert dash_level_mismatches(conn) == []
    assert activity_mismatches(conn) == []
    assert timeliness_mismatches(db.session) == []
    assert outcome_mismatches(conn) == []
    assert month_tally_mismatches(db.session) == []


def test_the_first_and_latest_review_follow_the_dates_not_the_order_written(app_context):
    case_id = _case()
    middle = _review(case_id, date(2026, 10, 5), "medium")
    assert _levels(case_id) == ("medium", "medium", middle)
    latest = _review(case_id, date(2026, 11, 1), "high", marac=True)
    first = _review(case_id, date(2026, 9, 20), "standard")  # entered late, dated earlier
    db.session.commit()
    assert _levels(case_id) == ("standard", "high", latest)
    assert db.session.get(CaseDashLevels, case_id).latest_marac is True
    same_day = _review(case_id, date(2026, 11, 1), "medium")  # the same day: the later id
    assert _levels(case_id) == ("standard", "medium", same_day)
    db.session.execute(delete(DashReview).where(DashReview.id.in_([same_day, latest])))
    assert _levels(case_id) == ("standard", "medium", middle)
    db.session.execute(
        update(DashReview).where(DashReview.id == first).values(completed_on=date(2026, 12, 1))
    )
    assert _levels(case_id) == ("medium", "standard", first)
    _agree()
    db.session.execute(delete(DashReview).where(DashReview.case_id == case_id))
    assert _levels(case_id) is None
    _agree()
    db.session.commit()


def test_the_last_activity_moves_with_records_and_the_case_and_drives_the_quiet_queue(
    app_context,
):
    case_id = _case()
    assert _activity(case_id) == (True, EARLY)
    today = date(2026, 12, 7)
    quiet = select(Case.id).where(dc.quiet(today))
    assert db.session.scalars(quiet).all() == [case_id]
    recent = datetime(2026, 12, 1, 9, tzinfo=UTC)
    note = _note(case_id, recent)
    _note(case_id, EARLY + timedelta(days=1))  # an older record does not move it back
    assert _activity(case_id) == (True, recent)
    assert db.session.scalars(quiet).all() == []
    db.session.execute(delete(CaseNote).where(CaseNote.id == note))  # worked out afresh
    assert _activity(case_id) == (True, EARLY + timedelta(days=1))
    acknowledged = datetime(2026, 12, 2, 9, tzinfo=UTC)
    db.session.execute(update(Case).where(Case.id == case_id).values(acknowledged_at=acknowledged))
    assert _activity(case_id) == (True, acknowledged)
    db.session.execute(update(Case).where(Case.id == case_id).values(status="closed"))
    assert _activity(case_id) == (False, acknowledged)
    _agree()
    db.session.commit()


def _tallies() -> dict[tuple, int]:
    db.session.expire_all()
    rows = db.session.scalars(select(TimelinessTally).where(TimelinessTally.n != 0))
    return {
        (t.received_on, t.closed, t.late, t.agreed_on, t.acknowledged_on, t.booked_on): t.n
        for t in rows
    }


def test_a_referral_is_counted_by_its_days_as_it_moves_on(app_context):
    case_id = _case()
    assert _tallies() == {}  # not received: not counted
    summer = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # British Summer Time: the 25th
    received = datetime(2026, 10, 30, 23, 30, tzinfo=UTC)  # GMT again: the 30th
    db.session.execute(
        update(Case).where(Case.id == case_id).values(received_at=summer, late_referral=True)
    )
    assert _tallies() == {(date(2026, 10, 25), 0, 1, NOT_YET, NOT_YET, NOT_YET): 1}
    db.session.execute(update(Case).where(Case.id == case_id).values(received_at=received))
    decision = db.session.execute(
        insert(LateReferralDecision)
        .values(case_id=case_id, decision="agreed", decided_on=date(2026, 11, 2))
        .returning(LateReferralDecision.id)
    ).scalar_one()
    db.session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(acknowledged_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    )
    for day in (5, 3):  # the first recorded counts, whichever is written last
        db.session.execute(
            insert(Consultation).values(
                case_id=case_id,
                scheduled_for=datetime(2026, 11, 20, 10, tzinfo=UTC),
                medium="online",
                created_at=datetime(2026, 11, day, 9, tzinfo=UTC),
            )
        )
    days = (date(2026, 10, 30), 0, 1, date(2026, 11, 2), date(2026, 11, 2), date(2026, 11, 3))
    assert _tallies() == {days: 1}
    _agree()
    db.session.execute(delete(LateReferralDecision).where(LateReferralDecision.id == decision))
    db.session.execute(update(Case).where(Case.id == case_id).values(status="closed"))
    assert _tallies() == {(days[0], 1, 1, NOT_YET, *days[4:]): 1}
    _agree()
    db.session.commit()


def _outcomes() -> dict[tuple, int]:
    db.session.expire_all()
    rows = db.session.scalars(select(OutcomeTally).where(OutcomeTally.n != 0))
    return {(t.outcome, t.month, t.borough_id): t.n for t in rows}


def _consultation(case_id: int, held_on: date | None, outcome: str | None) -> int:
    return db.session.execute(
        insert(Consultation)
        .values(
            case_id=case_id,
            scheduled_for=datetime(2026, 10, 1, 10, tzinfo=UTC),
            medium="online",
            held_on=held_on,
            outcome=outcome,
        )
        .returning(Consultation.id)
    ).scalar_one()


def test_a_case_is_counted_once_per_outcome_and_month_held_and_moves_with_its_borough(
    app_context,
):
    case_id = _case()
    camden = db.session.get(Case, case_id).borough_id
    hackney = factories.borough("Hackney").id
    october, november = date(2026, 10, 1), date(2026, 11, 1)
    first = _consultation(case_id, date(2026, 10, 5), "intervention")
    second = _consultation(case_id, date(2026, 10, 31), "intervention")  # the same month
    booked = _consultation(case_id, None, None)  # booked, not held: not counted
    assert _outcomes() == {("intervention", october, camden): 1}
    db.session.execute(
        update(Consultation)
        .where(Consultation.id == booked)
        .values(held_on=date(2026, 11, 2), outcome="consultation_only")
    )
    db.session.execute(delete(Consultation).where(Consultation.id == first))
    assert _outcomes() == {
        ("intervention", october, camden): 1,
        ("consultation_only", november, camden): 1,
    }
    db.session.execute(update(Case).where(Case.id == case_id).values(borough_id=hackney))
    db.session.execute(
        update(Consultation).where(Consultation.id == second).values(held_on=date(2026, 11, 3))
    )
    assert _outcomes() == {
        ("intervention", november, hackney): 1,
        ("consultation_only", november, hackney): 1,
    }
    _agree()
    db.session.execute(delete(Consultation).where(Consultation.case_id == case_id))
    assert _outcomes() == {}
    _agree()
    db.session.commit()


def test_referrals_are_counted_by_london_month_and_meetings_by_day(app_context):
    from eip.cases.models import MeetingTally, ReferralTally
    from eip.cases.records import ProfessionalsMeeting

    case_id = _case()
    camden = db.session.get(Case, case_id).borough_id
    hackney = factories.borough("Hackney").id

    def referrals():
        db.session.expire_all()
        rows = db.session.scalars(select(ReferralTally).where(ReferralTally.n != 0))
        return {(t.borough_id, t.month): t.n for t in rows}

    # 23:30 on 31 August in UTC is 00:30 on 1 September in London (summer time).
    late_august = datetime(2026, 8, 31, 23, 30, tzinfo=UTC)
    db.session.execute(update(Case).where(Case.id == case_id).values(received_at=late_august))
    assert referrals() == {(camden, date(2026, 9, 1)): 1}
    db.session.execute(update(Case).where(Case.id == case_id).values(borough_id=hackney))
    assert referrals() == {(hackney, date(2026, 9, 1)): 1}
    meeting = db.session.execute(
        insert(ProfessionalsMeeting)
        .values(case_id=case_id, held_on=date(2026, 9, 3), attendees="IDVA")
        .returning(ProfessionalsMeeting.id)
    ).scalar_one()
    db.session.execute(
        update(ProfessionalsMeeting)
        .where(ProfessionalsMeeting.id == meeting)
        .values(held_on=date(2026, 9, 4))
    )
    db.session.expire_all()
    held = db.session.scalars(select(MeetingTally).where(MeetingTally.n != 0)).all()
    assert [(t.held_on, t.n) for t in held] == [(date(2026, 9, 4), 1)]
    _agree()
    db.session.commit()


def test_two_connections_writing_to_one_case_at_once_are_both_kept(app, app_context):
    case_id = _case()
    db.session.remove()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                _review(case_id, date(2026, 10, 1 + n), ("standard", "high")[n])
                _note(case_id, datetime(2026, 12, 1 + n, 9, tzinfo=UTC))
                db.session.commit()
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _levels(case_id)[:2] == ("standard", "high")
    assert _activity(case_id) == (True, datetime(2026, 12, 2, 9, tzinfo=UTC))
    _agree()


def test_the_triggers_are_in_place_at_the_head(app_context):
    """A later migration that rebuilds a table (SQLite's batch mode copies it) would drop its
    triggers silently: this says so. Every record table the case page lists and placements
    move the last activity; cases, consultations and decisions the referrals' days."""
    from accommodation.models import Placement
    from eip.cases.page import RECORD_LISTS

    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            query = "SELECT c.relname, t.tgname FROM pg_trigger AS t JOIN pg_class AS c"
            query += " ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        else:
            query = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
        found = conn.execute(text(query)).all()
    kept = ("case_dash_levels", "case_activity", "case_timeliness", "timeliness_tallies")
    kept += ("outcome_tallies", "referral_tallies", "meeting_tallies")
    tables = {table for table, name in found if name.startswith(kept)}
    records = {model.__tablename__ for model in (*RECORD_LISTS.values(), Placement)}
    assert records | {"cases", "case_timeliness"} == tables
    assert sum(1 for _table, name in found if name.startswith(kept)) == (
        2 + 2 + 2 * len(records) + 2 + 2 + 2 * 2 + 3 + 4
        if db.engine.dialect.name == "postgresql"
        else 3 + 2 + 3 * len(records) + 2 + 3 + 3 * 2 + 4 + 6
    )


def test_the_migrations_fill_what_is_stored_and_their_downgrades_drop_it(app_context):
    case_id, other = _case(), _case()
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        with db.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            assert "case_dash_levels" not in tables
            assert "case_activity" not in tables
        _review(case_id, date(2026, 11, 1), "high")
        _review(case_id, date(2026, 10, 1), "medium")
        _note(other, datetime(2026, 12, 3, 9, tzinfo=UTC))
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    assert _levels(case_id)[:2] == ("medium", "high")
    assert _levels(other) is None
    assert _activity(case_id) == (True, EARLY)
    assert _activity(other) == (True, datetime(2026, 12, 3, 9, tzinfo=UTC))
    assert _tallies() == {}  # neither received
    _agree()
    _review(other, date(2026, 12, 3), "standard")  # and the triggers keep them from there
    db.session.commit()
    assert _levels(other)[:2] == ("standard", "standard")
    _agree()
