"""Outcome measures through their services and a real database: one measurement per point,
corrected by editing (versioned, audited by field name); open cases take intake, mid-point
and exit, a closed case its follow-ups only; the due items are stored for the work list
(a closed case's follow-ups among them); the follow-up reminder is raised and closed by
recording it; the plain data other features read. Dates are relative to today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases import outcome_data, outcome_services, outcomes
from eip.cases.models import CaseDueItem
from eip.cases.records import OutcomeMeasure
from eip.clock import now, today
from eip.domain import Conflict, RuleBroken
from eip.extensions import db
from eip.notifications.centre import Notification, record_due_reminders
from eip.workdays import add_working_days
from tests import factories
from tests import factories_pathway_activity as fa


def answers(level: int = 3, **overrides) -> dict:
    values = {column: str(level) for column in outcomes.BEHAVIOUR_COLUMNS}
    values.update(
        partner_source="practitioner",
        partner_feels_safe="4",
        partner_abuse_frequency=str(level),
        partner_quality_of_life="2",
        children_exposure="aware",
    )
    values.update(overrides)
    return values


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(OutcomeMeasure))


@pytest.fixture
def practitioner(app_context):
    return factories.user("practitioner")


@pytest.fixture
def active(practitioner):
    """Active, the intervention started 30 days ago."""
    received = today() - timedelta(days=44)
    return fa.case(
        practitioner=practitioner, received_on=received, started_on=received + timedelta(days=14)
    )


def closed(practitioner, days_ago: int):
    """Closed `days_ago` days ago, after an intervention."""
    received = today() - timedelta(days=days_ago + 60)
    return fa.case(
        "closed",
        practitioner=practitioner,
        received_on=received,
        started_on=received + timedelta(days=14),
    )


def add(user, case, point, day=None, **values):
    return outcome_services.add_measure(
        db.session, user, case, point=point, measured_on=day or today(), **answers(**values)
    )


def stored_items(case) -> dict[str, object]:
    db.session.expire_all()
    return {
        row.kind: row.due_on
        for row in db.session.scalars(select(CaseDueItem).where(CaseDueItem.case_id == case.id))
    }


def test_a_point_is_recorded_once_and_corrected_by_editing_it(practitioner, active):
    measure = add(practitioner, active, "intake", level=4)
    assert (measure.point, measure.client_physical, measure.partner_feels_safe) == ("intake", 4, 4)
    with pytest.raises(RuleBroken, match="already recorded: change them instead"):
        add(practitioner, active, "intake")
    assert count() == 1
    changed = outcome_services.update_measure(
        db.session,
        practitioner,
        active,
        "intake",
        version=measure.version,
        measured_on=measure.measured_on,
        **answers(level=4, client_physical="2"),
    )
    assert changed is True
    db.session.expire_all()
    assert db.session.get(OutcomeMeasure, measure.id).client_physical == 2
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("case.outcome_%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["case.outcome_recorded", "case.outcome_updated"]
    assert events[1].details["fields"] == ["client_physical"]  # names, never values
    with pytest.raises(Conflict):  # a page showing the first version
        outcome_services.update_measure(
            db.session,
            practitioner,
            active,
            "intake",
            version=1,
            measured_on=today(),
            **answers(level=0),
        )
    db.session.rollback()
    assert db.session.get(OutcomeMeasure, measure.id).client_physical == 2


def test_an_open_case_takes_no_follow_up_and_a_closed_case_only_its_follow_ups(
    practitioner, active
):
    with pytest.raises(RuleBroken, match="after the case is closed"):
        add(practitioner, active, "followup_3")
    case = closed(practitioner, days_ago=100)
    for point in ("intake", "mid", "exit"):
        with pytest.raises(RuleBroken, match="only its follow-up measures"):
            add(practitioner, case, point)
    add(practitioner, case, "followup_3")
    add(practitioner, case, "followup_6")
    assert count() == 2


def test_no_measure_before_the_intervention_starts(practitioner):
    case = fa.case("awaiting_consent", practitioner=practitioner)
    with pytest.raises(RuleBroken, match="start with the intervention"):
        add(practitioner, case, "intake")


def test_bad_answers_are_all_refused_and_nothing_is_written(practitioner, active):
    with pytest.raises(RuleBroken) as refused:
        outcome_services.add_measure(
            db.session,
            practitioner,
            active,
            point="intake",
            measured_on=today() + timedelta(days=1),
            **answers(
                client_sexual="6",
                client_economic=None,
                partner_feels_safe="11",
                partner_quality_of_life=None,
                children_exposure="sometimes",
            ),
        )
    assert set(refused.value.errors) == {
        "measured_on",
        "client_sexual",
        "client_economic",
        "partner_feels_safe",
        "partner_quality_of_life",
        "children_exposure",
    }
    db.session.rollback()
    assert count() == 0


def test_a_follow_up_cannot_be_dated_before_the_closure(practitioner):
    case = closed(practitioner, days_ago=100)
    with pytest.raises(RuleBroken, match="after the case closed"):
        add(practitioner, case, "followup_3", day=today() - timedelta(days=101))


def test_the_partners_answers_are_kept_only_when_they_were_asked(practitioner, active):
    measure = add(practitioner, active, "intake", partner_source="not_safe", partner_feels_safe="9")
    assert (measure.partner_feels_safe, measure.partner_abuse_frequency) == (None, None)
    data = outcome_data.measure_data(measure)
    assert outcome_data.banded(data)["partner_feels_safe"] == "not_asked"


def test_not_known_behaviours_leave_the_score_unknown(practitioner, active):
    measure = add(practitioner, active, "intake", client_sexual="not_known")
    assert measure.client_sexual is None
    assert outcome_data.measure_data(measure).behaviour_score is None


def test_the_due_items_follow_the_points_and_the_mid_point_setting(practitioner, active):
    started = active.intervention_started_on
    active.status = "active"
    db.session.commit()
    items = stored_items(active)
    assert items["outcome_intake"] == add_working_days(started, outcomes.INTAKE_WORKING_DAYS)
    assert items["outcome_mid"] == started + timedelta(weeks=4)
    intake_on = today() - timedelta(days=3)
    add(practitioner, active, "intake", day=intake_on)
    items = stored_items(active)
    assert "outcome_intake" not in items
    assert items["outcome_mid"] == intake_on + timedelta(weeks=4)
    from eip.programme import current_settings

    current_settings(db.session).outcome_mid_point_weeks = 6
    db.session.commit()
    assert stored_items(active)["outcome_mid"] == intake_on + timedelta(weeks=6)
    assert "outcome_followup_3" not in stored_items(active)


def test_a_closed_case_keeps_its_follow_ups_on_the_work_list(practitioner):
    from eip.cases.due_store import refresh_all

    case = closed(practitioner, days_ago=100)
    refresh_all(db.session)
    db.session.commit()
    closed_on = case.closed_at.date()
    items = stored_items(case)
    assert items == {
        "outcome_followup_3": outcomes.months_after(closed_on, 3),
        "outcome_followup_6": outcomes.months_after(closed_on, 6),
    }
    row = db.session.scalars(select(CaseDueItem).where(CaseDueItem.case_id == case.id)).first()
    assert row.practitioner_id == practitioner.id
    add(practitioner, case, "followup_3")
    assert set(stored_items(case)) == {"outcome_followup_6"}


def test_the_follow_up_reminder_is_raised_and_recording_it_closes_it(practitioner):
    case = closed(practitioner, days_ago=120)
    from eip.cases.due_store import refresh_all

    refresh_all(db.session)
    db.session.commit()
    record_due_reminders(db.session, now())

    def followups():
        db.session.expire_all()
        return db.session.scalars(
            select(Notification).where(
                Notification.user_id == practitioner.id,
                Notification.topic == "outcome_followup_3",
            )
        ).all()

    (reminder,) = followups()
    assert reminder.kind == "outcome_followup_overdue" and reminder.closed_at is None
    assert reminder.case_id == case.id
    add(practitioner, case, "followup_3")
    (reminder,) = followups()
    assert reminder.closed_at is not None
    record_due_reminders(db.session, now())
    assert all(n.closed_at is not None for n in followups())


def test_outcomes_for_cases_gives_each_cases_points_in_order(practitioner, active):
    other = fa.case(practitioner=practitioner)
    add(practitioner, active, "mid", level=2)
    add(practitioner, active, "intake", day=today() - timedelta(days=20), level=4)
    found = outcome_data.outcomes_for_cases(db.session, [active.id, other.id])
    assert found[other.id] == {}
    assert list(found[active.id]) == ["intake", "mid"]
    intake, mid = found[active.id].values()
    assert (intake.behaviour_score, mid.behaviour_score) == (32, 16)
    assert outcome_data.change(intake.behaviour_score, mid.behaviour_score) == -16
    assert intake.behaviours["physical"] == 4 and intake.children_exposure_score == 1
