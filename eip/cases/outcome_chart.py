"""A figure across the outcome measurement points as an inline SVG, drawn in Python the way
eip/cases/dash_chart.py draws the DASH score (its colours, font and number format): no
JavaScript, no `style` attributes (the Content-Security-Policy forbids them), an image to
assistive technology with a title and a description, and each point's value written beside
it so that colour is never the only signal. The case page puts a table of the same figures
(with the change between points) under it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from eip.cases.dash_chart import FONT, LINE, TEXT, _n, grid_lines

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 20, 32, 48
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class ChartValue:
    point: str  # the point's label: "Intake", "3-month follow-up"
    value: int | None  # None: not known at that point (a gap in the line)


def description(title: str, values: Sequence[ChartValue], top: int) -> str:
    known = [v for v in values if v.value is not None]
    parts = [f"{title}, 0 to {top}, at {len(values)} measurement point(s)."]
    parts += [f"{v.point}: {v.value}." for v in known]
    if len(known) >= 2:
        change = known[-1].value - known[0].value  # type: ignore[operator]
        parts.append(f"Change from {known[0].point} to {known[-1].point}: {change:+d}.")
    return " ".join(parts)


def point_chart(
    chart_id: str, title: str, values: Sequence[ChartValue], *, top: int, steps: Sequence[int]
) -> Markup:
    """The SVG for `values` in point order, or an empty string when none is known."""
    if not any(v.value is not None for v in values):
        return Markup("")
    count = len(values)

    def x_of(index: int) -> float:
        return LEFT + PLOT_W * (index + 0.5) / count

    def y_of(value: int) -> float:
        return TOP + PLOT_H * (1 - value / top)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" focusable="false" class="eip-outcome-chart" '
        f'font-family="{FONT}" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description(title, values, top))}</desc>',
    ]
    parts += grid_lines(steps, y_of, LEFT, WIDTH - RIGHT)
    # The line joins consecutive known values only: a point not known is a gap, not a fall.
    run: list[str] = []
    for index, item in enumerate([*values, ChartValue("", None)]):
        if item.value is None:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" '
                    f'stroke-width="3"/>'
                )
            run = []
        else:
            run.append(f"{_n(x_of(index))},{_n(y_of(item.value))}")
    baseline = _n(HEIGHT - BOTTOM + 24)
    for index, item in enumerate(values):
        x = _n(x_of(index))
        if item.value is not None:
            y = _n(y_of(item.value))
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="6" fill="{LINE}" stroke="#ffffff" stroke-width="2"/>'
            )
            parts.append(
                f'<text x="{x}" y="{y}" dy="-11" text-anchor="middle" font-size="16" '
                f'font-weight="bold" fill="{TEXT}" class="eip-outcome-chart__value">'
                f"{item.value}</text>"
            )
        parts.append(
            f'<text x="{x}" y="{baseline}" text-anchor="middle" font-size="14" '
            f'fill="{TEXT}">{escape(item.point)}</text>'
        )
    parts.append("</svg>")
    # Every piece above is a number, a fixed string or escaped text.
    return Markup("".join(parts))  # noqa: S704
