"""The accommodation pot over time as an inline SVG, drawn in Python (like the DASH chart).

Two lines over the same pounds axis, 0 to the pot: the *available* money (the pot less
every placement's exposure, stepping down at each approval and up at each release), and the
money *not yet spent* on nights stayed (the pot less the cost of nights occupied), actual up
to today and then, dashed, the forecast as the committed stays run to their planned
move-outs. The lines meet at the end: what is not committed is what will be left.

No JavaScript and no `style` attributes (the Content-Security-Policy forbids inline styles);
colours are GOV.UK's and the forecast differs by its dash, not only its colour. The SVG is an
image with a title and a description; the page puts the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from accommodation.budget.summary import BurnPoint, SpendPoint
from eip.formatting import format_pence, long_date, short_date

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 84, 24, 56, 48
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
# Dates under the axis: few enough that the longest ("30 Sep 2026") never overlap.
MAX_DATE_LABELS = 4

TEXT = "#0b0c0c"
GRID = "#b1b4b6"
UNCOMMITTED = "#1d70b8"
NOT_SPENT = "#00703c"
TODAY_LINE = "#505a5f"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

TITLE_ID = "budget-chart-title"
DESC_ID = "budget-chart-desc"


@dataclass(frozen=True)
class TableRow:
    on: date
    available: int
    spent: int | None
    forecast: bool


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _whole_pounds(pence: int) -> str:
    return format_pence(pence).removesuffix(".00")


# The chart never reaches further than this from today: a date mistyped years out (an
# invoice dated 0001) must not squeeze the real months into a pixel or overflow a date.
REACH = timedelta(days=3 * 366)


def _span(burn: Sequence[BurnPoint], spend: Sequence[SpendPoint], today: date) -> tuple[date, date]:
    days = [today, *(p.on for p in burn), *(p.on for p in spend)]
    floor = today - REACH if today - date.min > REACH else date.min
    ceiling = today + REACH if date.max - today > REACH else date.max
    first, last = max(min(days), floor), min(max(days), ceiling)
    if burn and burn[0].on == first and first > floor:
        first -= timedelta(days=1)  # so the first step down is visible
    return first, last


def _available_at(burn: Sequence[BurnPoint], day: date, pot: int) -> int:
    value = pot
    for point in burn:
        if point.on > day:
            break
        value = point.available
    return value


def table_rows(
    burn: Sequence[BurnPoint], spend: Sequence[SpendPoint], pot: int, today: date
) -> list[TableRow]:
    """The chart's figures for the table beside it: each day the ledger moved, today, every
    week of the forecast, and its last day."""
    first, end = _span(burn, spend, today)
    days = {p.on for p in burn if first <= p.on <= end} | {today}
    if spend:
        last = min(spend[-1].on, end)
        days |= {d for d in (today + timedelta(weeks=w) for w in range(1, 60)) if d < last}
        days.add(last)
    return [
        TableRow(day, _available_at(burn, day, pot), _spent_at(spend, day), day > today)
        for day in sorted(days)
    ]


def _spent_at(spend: Sequence[SpendPoint], day: date) -> int | None:
    """Spent by `day`: nothing before the first stay, the total after the last move-out."""
    if not spend:
        return None
    if day < spend[0].on:
        return 0
    if day > spend[-1].on:
        return spend[-1].spent
    return spend[(day - spend[0].on).days].spent


def description(
    burn: Sequence[BurnPoint], spend: Sequence[SpendPoint], pot: int, today: date
) -> str:
    first, last = _span(burn, spend, today)
    parts = [
        f"The accommodation pot of {format_pence(pot)} from {long_date(first)} "
        f"to {long_date(last)}.",
        f"Available today: {format_pence(_available_at(burn, today, pot))}.",
    ]
    now = next((p for p in spend if p.on == today), None)
    if now is not None:
        parts.append(f"Spent on nights stayed so far: {format_pence(now.spent)}.")
    if spend and spend[-1].on > today:
        end = spend[-1]
        parts.append(
            f"Forecast (dashed): by {long_date(end.on)}, the last planned move-out, "
            f"{format_pence(end.spent)} will have been spent, "
            f"leaving {format_pence(end.remaining)}."
        )
    return " ".join(parts)


def pot_chart(
    burn: Sequence[BurnPoint], spend: Sequence[SpendPoint], pot: int, today: date
) -> Markup:
    """The SVG, or an empty string when the ledger is empty (nothing to draw)."""
    if not burn and not spend:
        return Markup("")
    first, last = _span(burn, spend, today)
    days = max((last - first).days, 1)
    top_value = max(pot, 1)

    def x(day: date) -> float:
        return LEFT + PLOT_W * (day - first).days / days

    def y(pence: int) -> float:
        clamped = min(max(pence, 0), top_value)
        return TOP + PLOT_H * (1 - clamped / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" focusable="false" class="eip-budget-chart" '
        f'font-family="{FONT}" aria-labelledby="{TITLE_ID} {DESC_ID}">',
        f'<title id="{TITLE_ID}">The accommodation pot over time</title>',
        f'<desc id="{DESC_ID}">{escape(description(burn, spend, pot, today))}</desc>',
    ]
    for quarter in range(5):
        value = top_value * quarter // 4
        gy = _n(y(value))
        parts.append(
            f'<line x1="{LEFT}" y1="{gy}" x2="{WIDTH - RIGHT}" y2="{gy}" stroke="{GRID}" '
            f'stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{gy}" dy="4" text-anchor="end" font-size="14" '
            f'fill="{TEXT}">{escape(_whole_pounds(value))}</text>'
        )
    parts.extend(_legend())
    # Today, so that the reader sees where the actual ends and the forecast begins.
    tx = _n(x(today))
    parts.append(
        f'<line x1="{tx}" y1="{TOP}" x2="{tx}" y2="{HEIGHT - BOTTOM}" stroke="{TODAY_LINE}" '
        f'stroke-width="2" stroke-dasharray="2 4"/>'
        f'<text x="{tx}" y="{TOP - 6}" text-anchor="middle" font-size="14" '
        f'fill="{TEXT}">Today</text>'
    )
    # Entries dated before the chart's start are already in its starting value.
    steps = [(first, _available_at(burn, first, pot))]
    for point in burn:
        if first < point.on <= last:
            steps += [(point.on, steps[-1][1]), (point.on, point.available)]
    steps.append((max(today, steps[-1][0]), steps[-1][1]))
    parts.append(
        _polyline([(x(d), y(v)) for d, v in steps], UNCOMMITTED, "eip-budget-chart__uncommitted")
    )
    shown = [p for p in spend if first <= p.on <= last]
    actual = [(x(p.on), y(p.remaining)) for p in shown if not p.forecast]
    ahead = [(x(p.on), y(p.remaining)) for p in shown if p.forecast]
    if actual:
        parts.append(_polyline(actual, NOT_SPENT, "eip-budget-chart__spent"))
    if ahead:
        joined = actual[-1:] + ahead
        parts.append(_polyline(joined, NOT_SPENT, "eip-budget-chart__forecast", dash="10 6"))
    parts.extend(_date_labels(first, last, x))
    parts.append("</svg>")
    # Every piece above is a number, a fixed string or escaped text.
    return Markup("".join(parts))  # noqa: S704


def _polyline(points: list[tuple[float, float]], colour: str, name: str, dash: str = "") -> str:
    line = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="3"{dashed} '
        f'class="{name}"/>'
    )


def _legend() -> list[str]:
    key_y = 20
    items = [
        (UNCOMMITTED, "", "Available"),
        (NOT_SPENT, "", "Not yet spent"),
        (NOT_SPENT, "10 6", "Forecast"),
    ]
    parts, left = [], LEFT
    for colour, dash, label in items:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{left}" y1="{key_y}" x2="{left + 30}" y2="{key_y}" stroke="{colour}" '
            f'stroke-width="3"{dashed}/>'
            f'<text x="{left + 38}" y="{key_y + 5}" font-size="14" fill="{TEXT}">{label}</text>'
        )
        left += 60 + 8 * len(label)
    return parts


def _date_labels(first: date, last: date, x) -> list[str]:
    days = (last - first).days
    count = min(MAX_DATE_LABELS, days + 1)
    baseline = _n(HEIGHT - BOTTOM + 24)
    labels = []
    for index in range(count):
        day = first + timedelta(days=round(days * index / max(count - 1, 1)))
        anchor = "start" if index == 0 else "end" if index == count - 1 else "middle"
        labels.append(
            f'<text x="{_n(x(day))}" y="{baseline}" text-anchor="{anchor}" font-size="14" '
            f'fill="{TEXT}">{escape(short_date(day))}</text>'
        )
    return labels
