"""The DASH score over time as an inline SVG, drawn in Python.

No JavaScript and no `style` attributes: the Content-Security-Policy forbids inline
styles, so every colour, dash and size is an SVG presentation attribute. The chart is
an image to assistive technology (role="img" with a title and a description); the case
page puts a visually hidden table of the same figures beside it. Colours are GOV.UK's,
and colour is never the only signal: each point carries its score as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from eip.cases.dash import QUESTION_COUNT
from eip.formatting import long_date, short_date

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 20, 32, 48
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
GRID_STEPS = (0, 6, 12, 18, 24)
MAX_DATE_LABELS = 6

TEXT = "#0b0c0c"
GRID = "#b1b4b6"
LINE = "#1d70b8"
THRESHOLD = "#d4351c"
HIGH_RISK = "#f47738"
# The width of a character of the keys' text (15px), a little over, to place the keys.
KEY_CHAR = 8.2
LEVEL_FILL = {"high": "#d4351c", "medium": "#f47738", "standard": "#1d70b8"}

# The page's own font stack (assets/scss/eip.scss): inline SVG text does not inherit it.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

TITLE_ID = "dash-chart-title"
DESC_ID = "dash-chart-desc"


@dataclass(frozen=True)
class ChartPoint:
    on: date
    score: int
    level: str


def y_of(score: int) -> float:
    return TOP + PLOT_H * (1 - score / QUESTION_COUNT)


def x_of(index: int, count: int) -> float:
    """Reviews are spaced evenly in date order; one review sits in the middle."""
    return LEFT + PLOT_W * (index + 0.5) / count


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def grid_lines(steps, y_of, left: float, right: float) -> list[str]:
    """A chart's horizontal grid lines, each labelled with its value at the left."""
    parts = []
    for step in steps:
        y = _n(y_of(step))
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{y}" dy="4" text-anchor="end" font-size="15" '
            f'fill="{TEXT}">{step}</text>'
        )
    return parts


def _labelled(count: int) -> set[int]:
    """Which points get a date under the axis: all when few, else every k-th and the last."""
    if count <= MAX_DATE_LABELS:
        return set(range(count))
    step = -(-count // MAX_DATE_LABELS)
    shown = set(range(0, count, step))
    shown.discard(max(shown))  # make room for the last one
    return shown | {count - 1}


def description(points: Sequence[ChartPoint], threshold: int, high_risk: int | None = None) -> str:
    count = len(points)
    span = (
        f"on {long_date(points[0].on)}"
        if count == 1
        else f"from {long_date(points[0].on)} to {long_date(points[-1].on)}"
    )
    latest = points[-1]
    return (
        f"DASH score, 0 to {QUESTION_COUNT}, at {count} review{'s' if count != 1 else ''} {span}. "
        f"Latest score {latest.score} ({latest.level} risk). "
        f"The dashed line is the MARAC threshold of {threshold}."
        + (
            f" The dotted line is the high-risk threshold of {high_risk}."
            if high_risk is not None and high_risk != threshold
            else ""
        )
    )


def score_chart(
    points: Sequence[ChartPoint], threshold: int, *, high_risk: int | None = None
) -> Markup:
    """The SVG for `points` (oldest first), or an empty string when there are none: the
    MARAC threshold a dashed line, the high-risk threshold (when given, and not the same)
    a dotted one."""
    if not points:
        return Markup("")
    count = len(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" focusable="false" class="eip-dash-chart" font-family="{FONT}" '
        f'aria-labelledby="{TITLE_ID} {DESC_ID}">',
        f'<title id="{TITLE_ID}">DASH score over time</title>',
        f'<desc id="{DESC_ID}">{escape(description(points, threshold, high_risk))}</desc>',
        f'<text x="{LEFT}" y="{TOP - 14}" font-size="15" fill="{TEXT}">Score</text>',
    ]
    parts += grid_lines(GRID_STEPS, y_of, LEFT, WIDTH - RIGHT)
    lines = [(threshold, f"MARAC threshold ({threshold})", THRESHOLD, "8 5", "threshold")]
    if high_risk is not None and high_risk != threshold:
        lines.append(
            (high_risk, f"High-risk threshold ({high_risk})", HIGH_RISK, "3 4", "high-risk")
        )
    # Each threshold's key sits above the plot, where no point's label can cover it, the
    # MARAC key at the right and the high-risk key to its left.
    key_end = WIDTH - RIGHT
    key_y = TOP - 14
    for value, label, colour, dashes, name in lines:
        y = _n(y_of(value))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="{dashes}" class="eip-dash-chart__{name}"/>'
        )
        start = key_end - KEY_CHAR * len(label)
        parts.append(
            f'<line x1="{_n(start - 38)}" y1="{key_y - 5}" x2="{_n(start - 8)}" '
            f'y2="{key_y - 5}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dashes}"/>'
        )
        parts.append(
            f'<text x="{_n(key_end)}" y="{key_y}" text-anchor="end" font-size="15" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
        key_end = start - 56
    coords = [(x_of(i, count), y_of(p.score)) for i, p in enumerate(points)]
    if count > 1:
        line = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="3"/>')
    labelled = _labelled(count)
    baseline = _n(HEIGHT - BOTTOM + 24)
    for index, (point, (x, y)) in enumerate(zip(points, coords, strict=True)):
        fill = LEVEL_FILL.get(point.level, LINE)
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="6" fill="{fill}" stroke="#ffffff" '
            f'stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" dy="-11" text-anchor="middle" font-size="16" '
            f'font-weight="bold" fill="{TEXT}" class="eip-dash-chart__score">{point.score}</text>'
        )
        if index in labelled:
            parts.append(
                f'<text x="{_n(x)}" y="{baseline}" text-anchor="middle" font-size="14" '
                f'fill="{TEXT}">{escape(short_date(point.on))}</text>'
            )
    parts.append("</svg>")
    # Every piece above is a number, a fixed string or escaped text.
    return Markup("".join(parts))  # noqa: S704
