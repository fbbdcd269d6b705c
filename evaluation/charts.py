"""Horizontal bar charts of the programme figures, as inline SVG drawn in Python.

As with the DASH chart (`eip/cases/dash_chart.py`): no JavaScript and no `style`
attributes (the Content-Security-Policy forbids inline styles), GOV.UK colours, the chart
an image to assistive technology with a title and a description, and the same figures in
a table beside it. A hidden count draws no bar: its row says "<5" (or "[c]") in words,
so the chart never shows more than the table.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from markupsafe import Markup, escape

TEXT = "#0b0c0c"
BAR = "#1d70b8"
GRID = "#b1b4b6"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

WIDTH = 640
VALUE_W = 60  # room right of the longest bar for its figure ("[c]", "<5", "1,234")
LINE_H = 20  # one line of a label
LINE_CHARS = 70  # a 15px label line fits 640 units with room to spare at this length
BAR_H = 20
GAP = 14  # between one bar and the next label
TOP = 8


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def description(bars: Sequence[tuple[str, int | None, str]]) -> str:
    parts = [f"{label}: {shown}" for label, _value, shown in bars]
    return "; ".join(parts) + "."


def label_lines(label: str) -> list[str]:
    """A bar's label over as many lines as it needs, so none is cut off."""
    return textwrap.wrap(label, LINE_CHARS) or [""]


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, int | None, str]]) -> Markup:
    """One bar per (label, count or None when hidden, the text shown for it). Each label
    sits on its own line(s) above its bar, across the chart's whole width: beside the bar,
    a long label ran off the left edge and was clipped."""
    if not bars:
        return Markup("")
    rows = [(label_lines(label), value, shown) for label, value, shown in bars]
    height = TOP * 2 + sum(LINE_H * len(lines) + BAR_H + GAP for lines, _v, _s in rows)
    plot_w = WIDTH - VALUE_W
    largest = max([value or 0 for _label, value, _shown in bars] + [1])
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" focusable="false" class="eip-figures-chart" font-family="{FONT}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description(bars))}</desc>',
        f'<line x1="0" y1="{TOP}" x2="0" y2="{height - TOP}" stroke="{GRID}" stroke-width="1"/>',
    ]
    y = TOP
    for lines, value, shown in rows:
        for line in lines:
            y += LINE_H
            parts.append(
                f'<text x="6" y="{_n(y - 5)}" font-size="15" fill="{TEXT}">{escape(line)}</text>'
            )
        width = plot_w * (value or 0) / largest
        if value:
            parts.append(
                f'<rect x="0" y="{_n(y)}" width="{_n(width)}" height="{BAR_H}" fill="{BAR}"/>'
            )
        parts.append(
            f'<text x="{_n(width + 6)}" y="{_n(y + BAR_H / 2)}" dy="5" font-size="15" '
            f'font-weight="bold" fill="{TEXT}">{escape(shown)}</text>'
        )
        y += BAR_H + GAP
    parts.append("</svg>")
    # Every piece above is a number, a fixed string or escaped text.
    return Markup("".join(parts))  # noqa: S704
