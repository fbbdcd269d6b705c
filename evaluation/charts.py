"""Horizontal bar charts of the programme figures, as inline SVG drawn in Python.

As with the DASH chart (`eip/cases/dash_chart.py`): no JavaScript and no `style`
attributes (the Content-Security-Policy forbids inline styles), GOV.UK colours, the chart
an image to assistive technology with a title and a description, and the same figures in
a table beside it. A hidden count draws no bar: its row says "<5" (or "[c]") in words,
so the chart never shows more than the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

TEXT = "#0b0c0c"
BAR = "#1d70b8"
GRID = "#b1b4b6"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

WIDTH = 640
LABEL_W = 250
VALUE_W = 60
ROW_H = 34
BAR_H = 20
TOP = 8


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def description(bars: Sequence[tuple[str, int | None, str]]) -> str:
    parts = [f"{label}: {shown}" for label, _value, shown in bars]
    return "; ".join(parts) + "."


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, int | None, str]]) -> Markup:
    """One bar per (label, count or None when hidden, the text shown for it)."""
    if not bars:
        return Markup("")
    height = TOP * 2 + ROW_H * len(bars)
    plot_w = WIDTH - LABEL_W - VALUE_W
    largest = max([value or 0 for _label, value, _shown in bars] + [1])
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" focusable="false" class="eip-figures-chart" font-family="{FONT}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description(bars))}</desc>',
        f'<line x1="{LABEL_W}" y1="{TOP}" x2="{LABEL_W}" y2="{height - TOP}" stroke="{GRID}" '
        'stroke-width="1"/>',
    ]
    for index, (label, value, shown) in enumerate(bars):
        y = TOP + ROW_H * index
        middle = _n(y + ROW_H / 2)
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{middle}" dy="5" text-anchor="end" font-size="15" '
            f'fill="{TEXT}">{escape(short)}</text>'
        )
        width = plot_w * (value or 0) / largest
        if value:
            parts.append(
                f'<rect x="{LABEL_W}" y="{_n(y + (ROW_H - BAR_H) / 2)}" width="{_n(width)}" '
                f'height="{BAR_H}" fill="{BAR}"/>'
            )
        parts.append(
            f'<text x="{_n(LABEL_W + width + 6)}" y="{middle}" dy="5" font-size="15" '
            f'font-weight="bold" fill="{TEXT}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    # Every piece above is a number, a fixed string or escaped text.
    return Markup("".join(parts))  # noqa: S704
