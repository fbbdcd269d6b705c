"""The outcome measures as plain data, per case and point: what the manager's dashboard, the
evaluation extract and the case page read (the extract bands them here, with the rules it
shares with nobody else). Plain values only: scale places, codes and dates, never text a
person typed (there is none)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.cases import outcomes
from eip.cases.records import OutcomeMeasure


@dataclass(frozen=True)
class MeasureData:
    """One point's measurement. Behaviours and the partner's frequency are places on the
    0-5 scale; None is not known (or, for the partner's answers, not asked: see
    `partner_source`)."""

    case_id: int
    point: str
    measured_on: date
    behaviours: dict[str, int | None]  # by behaviour name ("physical", ...)
    behaviour_score: int | None  # their sum, 0-40; None when any is not known
    partner_source: str
    partner_feels_safe: int | None
    partner_abuse_frequency: int | None
    partner_quality_of_life: int | None
    children_exposure: str
    children_exposure_score: int | None  # 0-3; None: no children, or not known


def measure_data(measure: OutcomeMeasure) -> MeasureData:
    answers = {column: getattr(measure, column) for column in outcomes.BEHAVIOUR_COLUMNS}
    return MeasureData(
        case_id=measure.case_id,
        point=measure.point,
        measured_on=measure.measured_on,
        behaviours={b.name: answers[b.column] for b in outcomes.behaviours()},
        behaviour_score=outcomes.behaviour_score(answers),
        partner_source=measure.partner_source,
        partner_feels_safe=measure.partner_feels_safe,
        partner_abuse_frequency=measure.partner_abuse_frequency,
        partner_quality_of_life=measure.partner_quality_of_life,
        children_exposure=measure.children_exposure,
        children_exposure_score=outcomes.exposure_score(measure.children_exposure),
    )


def by_point(measures: Iterable[OutcomeMeasure]) -> dict[str, MeasureData]:
    """One case's measurements keyed by point, in the points' order."""
    found = {m.point: measure_data(m) for m in measures}
    return {point: found[point] for point in outcomes.POINTS if point in found}


def outcomes_for_cases(
    session: Session, case_ids: Sequence[int]
) -> dict[int, dict[str, MeasureData]]:
    """Every given case's measurements by point (one query; a case with none maps to {})."""
    ids = sorted(set(case_ids))
    rows: dict[int, list[OutcomeMeasure]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        for measure in session.scalars(
            select(OutcomeMeasure).where(OutcomeMeasure.case_id.in_(ids[start : start + 500]))
        ):
            rows[measure.case_id].append(measure)
    return {case_id: by_point(rows.get(case_id, ())) for case_id in ids}


def change(first: int | None, last: int | None) -> int | None:
    """The change between two points' values (later minus earlier); None if either is not
    known. For behaviours a fall is better; for feeling safe and quality of life a rise."""
    if first is None or last is None:
        return None
    return last - first


# ---------------------------------------------------------------------------
# Bands for the evaluation extract: coarse enough that a figure cannot single a case out.

FREQUENCY_BANDS = {
    0: "none",
    1: "occasional",
    2: "occasional",
    3: "regular",
    4: "regular",
    5: "daily",
}
NOT_KNOWN = "not_known"
NOT_ASKED = "not_asked"


def frequency_band(value: int | None) -> str:
    """A 0-5 frequency as none / occasional (once, two or three times) / regular (monthly,
    weekly) / daily (most days)."""
    return NOT_KNOWN if value is None else FREQUENCY_BANDS[value]


def behaviour_score_band(score: int | None) -> str:
    """The 0-40 behaviour score as 0 / 1-5 / 6-10 / 11-20 / 21-40."""
    if score is None:
        return NOT_KNOWN
    for top, band in ((0, "0"), (5, "1-5"), (10, "6-10"), (20, "11-20")):
        if score <= top:
            return band
    return "21-40"


def feels_safe_band(value: int | None, source: str | None = None) -> str:
    """Feeling safe 0-10 as 0-3 / 4-6 / 7-10 (not asked when the partner was not asked)."""
    if source is not None and not outcomes.partner_asked(source):
        return NOT_ASKED
    if value is None:
        return NOT_KNOWN
    return "0-3" if value <= 3 else "4-6" if value <= 6 else "7-10"


def quality_band(value: int | None, source: str | None = None) -> str:
    """Quality of life 1-5 as poor (1-2) / neither (3) / good (4-5)."""
    if source is not None and not outcomes.partner_asked(source):
        return NOT_ASKED
    if value is None:
        return NOT_KNOWN
    return "poor" if value <= 2 else "neither" if value == 3 else "good"


def change_band(value: int | None) -> str:
    """A change between points as fell / no change / rose."""
    if value is None:
        return NOT_KNOWN
    return "fell" if value < 0 else "rose" if value > 0 else "no_change"


def banded(data: MeasureData) -> dict[str, str]:
    """One measurement in bands, by column name: what an extract row may hold."""
    row = {f"client_{name}": frequency_band(v) for name, v in data.behaviours.items()}
    row["behaviour_score"] = behaviour_score_band(data.behaviour_score)
    asked = outcomes.partner_asked(data.partner_source)
    row["partner_asked"] = "yes" if asked else data.partner_source
    row["partner_feels_safe"] = feels_safe_band(data.partner_feels_safe, data.partner_source)
    row["partner_abuse_frequency"] = (
        frequency_band(data.partner_abuse_frequency) if asked else NOT_ASKED
    )
    row["partner_quality_of_life"] = quality_band(data.partner_quality_of_life, data.partner_source)
    row["children_exposure"] = data.children_exposure
    return row
