"""Charts drawn with reportlab's own graphics: vector shapes and real text, no images.

A chart is never the only place its figures appear: each document puts a sentence and
a table of the same figures beside it, for readers who cannot see the drawing, and
every point or bar carries its value as text, so colour is never the only signal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from eip.pdf.fonts import BOLD, REGULAR
from eip.pdf.page import CONTENT_WIDTH
from eip.pdf.styles import BLUE, BORDER, ORANGE, RED, SMALL, TEXT, para

SERIES_COLOURS = (BLUE, ORANGE, colors.HexColor("#00703c"), colors.HexColor("#4c2c92"))
MAX_CATEGORY_LABELS = 8
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 30  # room for axis labels, titles and the key


@dataclass(frozen=True)
class Point:
    label: str  # under the axis, such as a date
    value: float


def _thinned(labels: Sequence[str]) -> list[str]:
    """Every label when few; else every k-th and the last, so none overlap."""
    count = len(labels)
    if count <= MAX_CATEGORY_LABELS:
        return list(labels)
    step = math.ceil(count / MAX_CATEGORY_LABELS)
    keep = set(range(0, count, step))
    keep.discard(max(keep))
    keep.add(count - 1)
    return [label if index in keep else "" for index, label in enumerate(labels)]


def nice_maximum(largest: float, steps: int = 4) -> tuple[float, float]:
    """An axis top at or above `largest` that divides into `steps` round steps."""
    if largest <= 0:
        return float(steps), 1.0
    raw = largest / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    if step >= 1:
        step = math.ceil(step)
    return step * steps, step


def _style_axes(chart, y_max: float, y_step: float) -> None:
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = y_max
    chart.valueAxis.valueStep = y_step
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = BORDER
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.valueAxis.strokeColor = TEXT
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labels.fillColor = TEXT
    chart.categoryAxis.strokeColor = TEXT
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.fillColor = TEXT
    chart.categoryAxis.labels.dy = -4


def _axis_title(drawing: Drawing, text: str, height: float) -> None:
    drawing.add(String(LEFT, height - 12, text, fontName=BOLD, fontSize=9, fillColor=TEXT))


@dataclass(frozen=True)
class Threshold:
    """A horizontal line across the plot, told apart by its dash pattern (not colour
    alone), with its key above the plot."""

    value: float
    label: str
    dashes: tuple[float, ...] = (6, 4)


def line_chart(
    points: Sequence[Point],
    *,
    y_max: float,
    y_step: float,
    y_title: str,
    thresholds: Sequence[Threshold] = (),
    width: float = CONTENT_WIDTH,
    height: float = 70 * mm,
) -> Drawing:
    """One series over evenly spaced categories (oldest first), each point labelled with
    its value, and threshold lines, their keys side by side above the plot (right first)."""
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = LEFT, BOTTOM
    chart.width, chart.height = width - LEFT - RIGHT, height - BOTTOM - TOP
    chart.data = [[p.value for p in points]] if points else [[0]]
    chart.categoryAxis.categoryNames = _thinned([p.label for p in points]) or [""]
    _style_axes(chart, y_max, y_step)
    chart.lines[0].strokeColor = BLUE
    chart.lines[0].strokeWidth = 2
    chart.lines[0].symbol = makeMarker("FilledCircle", size=6, fillColor=BLUE)
    chart.lineLabelFormat = "%d"
    chart.lineLabels.fontName = BOLD
    chart.lineLabels.fontSize = 9
    chart.lineLabels.fillColor = TEXT
    chart.lineLabels.dy = 7
    if not points:
        chart.lines[0].strokeColor = colors.transparent
        chart.lineLabelFormat = None
    drawing.add(chart)
    _axis_title(drawing, y_title, height)
    key = {"fontName": REGULAR, "fontSize": 9, "fillColor": TEXT, "textAnchor": "end"}
    key_y, right = height - 12, width - RIGHT
    for line in thresholds:
        y = chart.y + chart.height * line.value / y_max
        style = {"strokeColor": RED, "strokeWidth": 1.5, "strokeDashArray": list(line.dashes)}
        drawing.add(Line(chart.x, y, chart.x + chart.width, y, **style))
        drawing.add(String(right, key_y, line.label, **key))
        start = right - stringWidth(line.label, REGULAR, 9) - 30
        drawing.add(Line(start, key_y + 3, start + 24, key_y + 3, **style))
        right = start - 16
    return drawing


def pounds(value: float) -> str:
    """A currency axis's or bar's label: "£1,400", "£0"."""
    return f"£{value:,.0f}"


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    y_title: str,
    value_format: str = "%d",
    money: bool = False,
    empty: str | None = None,
    width: float = CONTENT_WIDTH,
    height: float = 70 * mm,
) -> Flowable:
    """Bars for one or more named series over `categories`, each bar labelled with its
    value; a key names the series when there is more than one. `money`: values in whole
    pounds, the axis and the bars labelled "£1,400".

    A series that is zero throughout is left out (its zeros are in the table beside the
    chart); when every series is, there is no chart but the sentence `empty`."""
    series = [(name, values) for name, values in series if any(values)]
    if not series:
        return para(empty or f"No {y_title.lower()} in this period.", SMALL)
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = LEFT, BOTTOM
    chart.width, chart.height = width - LEFT - RIGHT, height - BOTTOM - TOP
    chart.data = [list(values) for _, values in series] or [[0]]
    chart.categoryAxis.categoryNames = _thinned(list(categories)) or [""]
    largest = max((v for _, values in series for v in values), default=0)
    y_max, y_step = nice_maximum(largest)
    _style_axes(chart, y_max, y_step)
    chart.barSpacing = 2
    chart.groupSpacing = 8
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = pounds if money else value_format
    if money:
        chart.valueAxis.labelTextFormat = pounds
    chart.barLabels.fontName = BOLD
    chart.barLabels.fontSize = 8
    chart.barLabels.fillColor = TEXT
    chart.barLabels.nudge = 6
    drawing.add(chart)
    _axis_title(drawing, y_title, height)
    if len(series) > 1:
        legend = Legend()
        legend.fontName = REGULAR
        legend.fontSize = 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.boxAnchor = "ne"
        legend.x, legend.y = width - RIGHT, height - 4
        legend.deltax = 0
        legend.dxTextSpace = 4
        legend.dx = legend.dy = 7
        legend.colorNamePairs = [
            (SERIES_COLOURS[i % len(SERIES_COLOURS)], name) for i, (name, _) in enumerate(series)
        ]
        drawing.add(legend)
    return drawing
