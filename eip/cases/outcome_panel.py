"""What the case page's "Outcome measures" section shows, from the case page's own records
(`page.read_records`: nothing read again) and its due items: each point with its state,
the change charts and a table of the same figures with the change between points."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from eip.cases import outcomes
from eip.cases.models import Case
from eip.cases.outcome_chart import ChartValue, point_chart
from eip.cases.outcome_data import MeasureData, by_point, change


@dataclass(frozen=True)
class PointState:
    point: str
    label: str
    measure: MeasureData | None
    due: Any | None  # its DueItem, as "What is due" lists it
    may_record: bool  # the case takes this point now
    note: str | None = None


@dataclass(frozen=True)
class Cell:
    text: str
    change: int | None  # from the previous point shown, when both are known


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    overall: int | None  # first point shown to the latest


@dataclass(frozen=True)
class OutcomePanel:
    points: tuple[PointState, ...]
    columns: tuple[str, ...]  # the labels of the points measured, in order
    rows: tuple[Row, ...]
    behaviour_chart: Markup
    safe_chart: Markup


def _row(
    label: str,
    measured: list[MeasureData],
    value: Callable[[MeasureData], int | None],
    text: Callable[[MeasureData], str],
) -> Row:
    cells, previous = [], None
    for data in measured:
        current = value(data)
        cells.append(Cell(text(data), change(previous, current) if cells else None))
        previous = current
    values = [value(d) for d in measured]
    return Row(label, tuple(cells), change(values[0], values[-1]) if len(values) > 1 else None)


def _number(value: int | None) -> str:
    return outcomes.data()["not_known"] if value is None else str(value)


def _rows(measured: list[MeasureData]) -> tuple[Row, ...]:
    if not measured:
        return ()
    rows = [
        _row(
            b.label,
            measured,
            lambda d, name=b.name: d.behaviours[name],
            lambda d, name=b.name: outcomes.frequency_label(d.behaviours[name]),
        )
        for b in outcomes.behaviours()
    ]
    rows.append(
        _row(
            "Behaviour score (0 to 40, lower is better)",
            measured,
            lambda d: d.behaviour_score,
            lambda d: _number(d.behaviour_score),
        )
    )

    def partner(value: Callable[[MeasureData], int | None], text: Callable[[int], str]):
        def shown(d: MeasureData) -> str:
            if not outcomes.partner_asked(d.partner_source):
                return outcomes.source_label(d.partner_source)
            return text(value(d))  # type: ignore[arg-type]

        return shown

    rows += [
        _row(
            "Partner feels safe (0 to 10, higher is better)",
            measured,
            lambda d: d.partner_feels_safe,
            partner(lambda d: d.partner_feels_safe, _number),
        ),
        _row(
            "Abuse in the partner's report",
            measured,
            lambda d: d.partner_abuse_frequency,
            partner(lambda d: d.partner_abuse_frequency, outcomes.frequency_label),
        ),
        _row(
            "Partner's quality of life (1 to 5, higher is better)",
            measured,
            lambda d: d.partner_quality_of_life,
            partner(lambda d: d.partner_quality_of_life, outcomes.quality_label),
        ),
        _row(
            "Children's exposure (0 to 3, lower is better)",
            measured,
            lambda d: d.children_exposure_score,
            lambda d: outcomes.exposure_label(d.children_exposure),
        ),
    ]
    return tuple(rows)


def _short(point: str) -> str:
    return next(p["short"] for p in outcomes.data()["points"] if p["value"] == point)


def panel(case: Case, records: dict[str, list], due: Iterable) -> OutcomePanel:
    measures = by_point(records["outcome_measures"])
    allowed = outcomes.points_allowed(case.status, case.intervention_started_on is not None)
    dues = {item.kind: item for item in due}
    points = []
    for point in outcomes.POINTS:
        note = None
        if point == outcomes.EXIT and point not in measures and point in allowed:
            note = "Record before the case is closed"
        points.append(
            PointState(
                point,
                outcomes.point_label(point),
                measures.get(point),
                dues.get(outcomes.DUE_KINDS.get(point, "")),
                point in allowed,
                note,
            )
        )
    measured = list(measures.values())
    return OutcomePanel(
        points=tuple(points),
        columns=tuple(outcomes.point_label(d.point) for d in measured),
        rows=_rows(measured),
        behaviour_chart=point_chart(
            "outcome-behaviour-chart",
            "The client's abusive behaviour score",
            [ChartValue(_short(d.point), d.behaviour_score) for d in measured],
            top=40,
            steps=(0, 10, 20, 30, 40),
        ),
        safe_chart=point_chart(
            "outcome-safe-chart",
            "How safe the partner feels",
            [ChartValue(_short(d.point), d.partner_feels_safe) for d in measured],
            top=10,
            steps=(0, 5, 10),
        ),
    )
