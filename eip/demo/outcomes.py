"""Demo outcome measures: on the closed cases that had an intervention, intake, mid-point and
exit measures showing change (the abusive behaviour falling, the partner feeling safer), so
their case pages chart it and their 3- and 6-month follow-ups fall due after closure; and on
the longest-running active case, intake and mid-point with its exit still to come. The
partner was not asked on one of them (not safe), so the page shows that too."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.cases import outcomes
from eip.cases.models import Case
from eip.cases.records import OutcomeMeasure
from eip.workdays import london_date

# Per point: the behaviours' frequencies (in outcomes.BEHAVIOUR_COLUMNS' order), feeling
# safe, the partner's frequency, quality of life and the children's exposure.
STORY = {
    outcomes.INTAKE: ((3, 0, 4, 5, 2, 1, 3, 2), 3, 4, 2, "witnessed"),
    outcomes.MID: ((1, 0, 3, 3, 1, 0, 2, 1), 5, 3, 3, "aware"),
    outcomes.EXIT: ((0, 0, 1, 2, 0, 0, 1, 0), 7, 2, 4, "none"),
}


def _measure(case: Case, point: str, on: date, story, partner_source: str) -> OutcomeMeasure:
    behaviours, safe, frequency, quality, exposure = story
    asked = outcomes.partner_asked(partner_source)
    return OutcomeMeasure(
        case_id=case.id,
        recorded_by_id=case.allocated_practitioner_id,
        point=point,
        measured_on=on,
        **dict(zip(outcomes.BEHAVIOUR_COLUMNS, behaviours, strict=True)),
        partner_source=partner_source,
        partner_feels_safe=safe if asked else None,
        partner_abuse_frequency=frequency if asked else None,
        partner_quality_of_life=quality if asked else None,
        children_exposure=exposure,
    )


def seed(session: Session, today: date) -> list[Case]:
    """The cases given measures (closed ones first)."""
    closed = session.scalars(
        select(Case)
        .where(Case.status == "closed", Case.intervention_started_on.is_not(None))
        .order_by(Case.closed_at)
        .limit(3)
    ).all()
    active = session.scalars(
        select(Case)
        .where(
            Case.status == "active",
            Case.intervention_started_on <= today - timedelta(days=35),
        )
        .order_by(Case.intervention_started_on, Case.id)
        .limit(1)
    ).all()
    for n, case in enumerate(closed):
        start = case.intervention_started_on
        closed_on = london_date(case.closed_at)
        source = "not_safe" if n == 1 else ("practitioner", "support_worker")[n % 2]
        days = {
            outcomes.INTAKE: start + timedelta(days=2),
            outcomes.MID: min(start + timedelta(days=28), closed_on - timedelta(days=2)),
            outcomes.EXIT: closed_on,
        }
        for point, on in days.items():
            session.add(_measure(case, point, on, STORY[point], source))
    for case in active:
        start = case.intervention_started_on
        session.add(
            _measure(
                case,
                outcomes.INTAKE,
                start + timedelta(days=3),
                STORY[outcomes.INTAKE],
                "practitioner",
            )
        )
        session.add(
            _measure(
                case, outcomes.MID, start + timedelta(days=31), STORY[outcomes.MID], "practitioner"
            )
        )
    session.flush()
    return [*closed, *active]
