"""The dashboard's outcome measures (docs/outcomes.md): how the cases measured at intake and at
a later point changed, and how many cases were measured at each point. As in
eip.reports.dashboard_cases, each figure is one SQL condition, used both to count (grouped)
and to list the cases behind its link, so a number always matches its list.

- compared: a case with intake measures and at least one later point (mid-point, exit, a
  follow-up); its change is the latest of those points (in that order) minus intake;
- on each measure, improved / no change / worsened by the sign of that change (the
  behaviour score and the children's exposure improve when they fall, feeling safe when it
  rises), and "not known" when the measure is not known at either of the two points (a
  behaviour not known, the partner not asked, no children); the median is over the known;
- measured: cases with a point recorded; follow-ups due: cases with a stored due item
  (eip.cases.due_store) for that follow-up due on or before today, i.e. not yet recorded.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import add
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from eip.cases import outcomes
from eip.cases.models import Case, CaseDueItem
from eip.cases.records import OutcomeMeasure
from eip.reports import tagged_rows


@dataclass(frozen=True)
class Measure:
    label: str
    scale: str
    better: int  # the sign of a change for the better


MEASURES = {
    "behaviour": Measure("The client's abusive behaviour score", "0 to 40, lower is better", -1),
    "feels_safe": Measure("How safe the partner feels", "0 to 10, higher is better", 1),
    "exposure": Measure("The children's exposure to abuse", "0 to 3, lower is better", -1),
}
CHANGES = {
    "improved": "Improved",
    "same": "No change",
    "worsened": "Worsened",
    "not_known": "Not known",
}
LATER_POINTS = (outcomes.MID, outcomes.EXIT, *outcomes.FOLLOWUP_POINTS)
DUE_POINTS = outcomes.FOLLOWUP_POINTS


def _value(name: str, measure):
    """A measure's value at one point, as SQL (NULL when not known), as outcome_data reads it."""
    if name == "behaviour":
        # NULL when any kind is not known, as outcomes.behaviour_score.
        return reduce(add, (getattr(measure, column) for column in outcomes.BEHAVIOUR_COLUMNS))
    if name == "feels_safe":
        return sql_case(
            (measure.partner_source.in_(outcomes.ASKED_SOURCES), measure.partner_feels_safe)
        )
    scores = {
        c["value"]: c["score"]
        for c in outcomes.data()["children_exposure"]
        if c["score"] is not None
    }
    return sql_case(scores, value=measure.children_exposure)


def changes():
    """Each compared case: (case_id, and per measure its change from intake to the latest
    later point, NULL when not known at either)."""
    later = aliased(OutcomeMeasure)
    order = sql_case({p: i for i, p in enumerate(LATER_POINTS)}, value=later.point)
    ranked = (
        select(
            later.case_id,
            later.id,
            func.row_number().over(partition_by=later.case_id, order_by=order.desc()).label("j"),
        )
        .where(later.point.in_(LATER_POINTS))
        .subquery()
    )
    intake, latest = aliased(OutcomeMeasure), aliased(OutcomeMeasure)
    return (
        select(
            intake.case_id.label("case_id"),
            *((_value(n, latest) - _value(n, intake)).label(n) for n in MEASURES),
        )
        .join(ranked, (ranked.c.case_id == intake.case_id) & (ranked.c.j == 1))
        .join(latest, latest.id == ranked.c.id)
        .where(intake.point == outcomes.INTAKE)
    )


def direction(rows, name: str):
    """improved / same / worsened / not_known for the measure `name` of `changes()` rows."""
    signed = rows.c[name] * MEASURES[name].better
    return sql_case(
        (rows.c[name].is_(None), "not_known"),
        (signed > 0, "improved"),
        (signed < 0, "worsened"),
        else_="same",
    )


def changed(name: str | None, change: str | None):
    """The cases compared (with `name` and `change`: those whose measure changed so)."""
    rows = changes().subquery()
    query = select(rows.c.case_id)
    if name and change:
        query = query.where(direction(rows, name) == change)
    return Case.id.in_(query)


def measured(point: str):
    return exists().where(OutcomeMeasure.case_id == Case.id, OutcomeMeasure.point == point)


def _due_item(point: str, today: date):
    return (CaseDueItem.kind == outcomes.DUE_KINDS[point]) & (CaseDueItem.due_on <= today)


def followup_due(point: str, today: date):
    return exists().where(CaseDueItem.case_id == Case.id, _due_item(point, today))


@dataclass(frozen=True)
class MeasureChange:
    counts: dict[str, int]  # by CHANGES key
    median: float | None

    @property
    def median_text(self) -> str:
        """The median change signed ("-6", "+2", "-0.5", "0"); empty when none is known."""
        if self.median is None:
            return ""
        return f"{self.median:+g}" if self.median else "0"


def parts(today: date) -> list:
    """What the figures read, as tagged_rows parts: the changes grouped by each measure's
    direction and value; the cases recorded at each point (one measurement per point per
    case); the cases with each follow-up due."""
    rows = changes().subquery()
    directions = [direction(rows, name) for name in MEASURES]
    values = [rows.c[name] for name in MEASURES]
    changed_part = tagged_rows.part(
        "outcome_changes", texts=directions, ints=[*values, func.count()]
    ).group_by(*directions, *values)
    recorded = tagged_rows.part(
        "outcome_measured", texts=[OutcomeMeasure.point], ints=[func.count()]
    ).group_by(OutcomeMeasure.point)
    kind = sql_case({outcomes.DUE_KINDS[p]: p for p in DUE_POINTS}, value=CaseDueItem.kind)
    due = (
        tagged_rows.part(
            "outcome_due", texts=[kind], ints=[func.count(func.distinct(CaseDueItem.case_id))]
        )
        .where(or_(*(_due_item(point, today) for point in DUE_POINTS)))
        .group_by(kind)
    )
    return [changed_part, recorded, due]


def _change_figures(rows) -> tuple[int, dict[str, MeasureChange]]:
    counts = {name: Counter({change: 0 for change in CHANGES}) for name in MEASURES}
    known: dict[str, list[int]] = {name: [] for name in MEASURES}
    compared = 0
    size = len(MEASURES)
    for row in rows:
        found, values, n = row[:size], row[size : 2 * size], row[2 * size]
        compared += n
        for i, name in enumerate(MEASURES):
            counts[name][found[i]] += n
            if values[i] is not None:
                known[name].extend([values[i]] * n)
    return compared, {
        name: MeasureChange(
            dict(counts[name]), statistics.median(known[name]) if known[name] else None
        )
        for name in MEASURES
    }


def from_rows(found: dict[str, list[tuple]]) -> dict[str, Any]:
    """The outcome measures' figures from the rows their `parts` read."""
    compared, by_measure = _change_figures(found["outcome_changes"])
    recorded = dict(found["outcome_measured"])
    due = dict(found["outcome_due"])
    return {
        "compared": compared,
        "changes": by_measure,
        "recorded": {point: recorded.get(point, 0) for point in outcomes.POINTS},
        "followups_due": {point: due.get(point, 0) for point in DUE_POINTS},
        "measures": MEASURES,
        "change_labels": CHANGES,
        "point_labels": {p: outcomes.point_label(p) for p in outcomes.POINTS},
    }


def figures(session: Session, today: date) -> dict[str, Any]:
    """The outcome measures' figures, read alone (one statement whatever the number of cases;
    the dashboard sends these parts with its other counts)."""
    return from_rows(tagged_rows.read(session, parts(today)))
