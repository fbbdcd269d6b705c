"""Tables in the house style: a shaded header row that repeats on every page the table
runs onto, light rules between rows, every cell a wrapping paragraph.

Rows may split across a page break (`splitInRow`), so one long note in a cell can
never make a document fail to build.

A long table of figures (Camden's statement: a row per ledger entry and per placement)
is `lines_table` instead: plain lines of text wrapped here once, fixed row heights and
chunks of rows, in the same look. Paragraph cells are measured again at every page break
and `Table.split` copies the rest of the table each time, which made a 1,000-placement
statement take seconds; plain strings in rows of known height are laid out by arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from eip.pdf.fonts import BOLD, REGULAR
from eip.pdf.page import CONTENT_WIDTH
from eip.pdf.styles import BORDER, CELL, CELL_HEAD, LIGHT, TEXT, para

Cell = str | Flowable | None


@dataclass(frozen=True)
class Source:
    """What a table was made from, kept on it (`table.html_source`) so that the document's
    HTML version (eip/pdf/html.py) renders the same rows as real table markup, whatever the
    layout does to the flowable. `kind` is "data" (a header row of `columns`) or "summary"
    (label and value pairs)."""

    kind: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    bold_last: bool = False


@dataclass(frozen=True)
class Column:
    title: str
    share: float  # of the table's width; a table's shares add up to 1
    right: bool = False  # amounts: right-aligned, heading too (`lines_table`)


def _cell(value: Cell, style=CELL) -> Flowable:
    if value is None:
        return para("", style)
    if isinstance(value, Flowable):
        return value
    return para(value, style)


_BASE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 4),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ("LINEBELOW", (0, 0), (-1, -1), 0.5, BORDER),
    ("TEXTCOLOR", (0, 0), (-1, -1), TEXT),
]


def data_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    width: float = CONTENT_WIDTH,
    empty: str = "None recorded",
) -> Flowable:
    """A table with a header row repeated across pages, or `empty` as a paragraph."""
    if not rows:
        return para(empty)
    data = [[_cell(c.title, CELL_HEAD) for c in columns]]
    data += [[_cell(value) for value in row] for row in rows]
    table = Table(
        data,
        colWidths=[width * c.share for c in columns],
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                *_BASE,
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 1, TEXT),
            ]
        )
    )
    table.html_source = Source("data", tuple(columns), tuple(map(tuple, rows)))
    return table


def summary_table(
    rows: Sequence[tuple[str, Cell]], *, width: float = CONTENT_WIDTH, label_share: float = 0.34
) -> Table:
    """Label and value pairs, like the web pages' summary lists."""
    data = [[_cell(label, CELL_HEAD), _cell(value)] for label, value in rows]
    table = Table(
        data,
        colWidths=[width * label_share, width * (1 - label_share)],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(_BASE))
    table.html_source = Source("summary", (), tuple(map(tuple, rows)))
    return table


def text_cell(value: object) -> Paragraph:
    return para("" if value is None else value, CELL)


# A `lines_table` cell: one string, or several lines (a reference above its borough).
Lines = str | Sequence[str]
_PAD_X, _PAD_TOP, _PAD_BOTTOM = 4, 4, 5


def _wrapped(value: Lines, width: float, font: str) -> list[str]:
    """Each line of the cell broken to the column's width (no word is ever cut off)."""
    lines = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    measure = getFont(font).stringWidth
    for line in lines:
        if measure(line, CELL.fontSize) <= width:
            out.append(line)  # most lines fit: one measure, no split
        else:
            out += simpleSplit(line, font, CELL.fontSize, width) or [""]
    return out


class _LinesTable(Flowable):
    """Rows `start` to `stop` of a `lines_table`, each of known height, drawn straight onto
    the page: a page break cuts the range where the rows stop fitting, and a part that
    does not open the table repeats the header, so no row is measured twice."""

    def __init__(self, table: _Rows, start: int, stop: int) -> None:
        super().__init__()
        self.rows, self.start, self.stop = table, start, stop
        self.hAlign = "LEFT"

    def wrap(self, availWidth, availHeight):
        t = self.rows
        self.width = sum(t.widths)
        self.height = t.heights[0] + sum(t.heights[self.start + 1 : self.stop + 1])
        return self.width, self.height

    def split(self, availWidth, availHeight):
        t, used, cut = self.rows, self.rows.heights[0], self.start
        while cut < self.stop and used + t.heights[cut + 1] <= availHeight:
            used += t.heights[cut + 1]
            cut += 1
        if cut == self.start:
            return []  # not even one row fits: the frame moves on to the next page
        return [_LinesTable(t, self.start, cut), _LinesTable(t, cut, self.stop)]

    def draw(self) -> None:
        t, canvas = self.rows, self.canv
        size, leading = CELL.fontSize, CELL.leading
        top = self.height
        canvas.saveState()
        canvas.setFillColor(LIGHT)
        canvas.rect(0, top - t.heights[0], self.width, t.heights[0], stroke=0, fill=1)
        text = canvas.beginText()
        text.setFillColor(TEXT)
        rules = []
        for index in [-1, *range(self.start, self.stop)]:
            cells, height = t.head if index < 0 else t.body[index], t.heights[index + 1]
            bold = index < 0 or (t.bold_last and index == len(t.body) - 1)
            font = BOLD if bold else REGULAR
            text.setFont(font, size, leading)
            measure = getFont(font).stringWidth
            x = 0.0
            for cell, width, right in zip(cells, t.widths, t.right, strict=True):
                y = top - _PAD_TOP - size
                for line in cell:
                    left = x + width - _PAD_X - measure(line, size) if right else x + _PAD_X
                    text.setTextOrigin(left, y)
                    text.textOut(line)
                    y -= leading
                x += width
            if bold and index >= 0:
                rules.append((top, 1))  # a total: ruled above
            top -= height
            rules.append((top, 1 if index < 0 else 0.5))
        canvas.drawText(text)
        for y, weight in rules:
            canvas.setStrokeColor(TEXT if weight == 1 else BORDER)
            canvas.setLineWidth(weight)
            canvas.line(0, y, self.width, y)
        canvas.restoreState()


@dataclass(frozen=True)
class _Rows:
    head: list[list[str]]
    body: list[list[list[str]]]
    heights: list[float]  # the header's, then each row's
    widths: list[float]
    right: list[bool]
    bold_last: bool


def lines_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Lines]],
    *,
    bold_last: bool = False,
    width: float = CONTENT_WIDTH,
) -> Flowable:
    """A long table of plain text that looks as `data_table` does: the header row on every
    page, rules between rows, amounts right-aligned (`Column.right`), the last row bold and
    ruled above when it is a total (`bold_last`). Each cell is wrapped to its column once,
    here, so its row's height is known before the layout starts."""
    widths = [width * c.share for c in columns]
    room = [w - 2 * _PAD_X for w in widths]
    head = [_wrapped(c.title, r, BOLD) for c, r in zip(columns, room, strict=True)]
    body = []
    for index, row in enumerate(rows):
        font = BOLD if bold_last and index == len(rows) - 1 else REGULAR
        body.append([_wrapped(v, r, font) for v, r in zip(row, room, strict=True)])
    heights = [
        max(len(c) for c in row) * CELL.leading + _PAD_TOP + _PAD_BOTTOM for row in [head, *body]
    ]
    table = _Rows(head, body, heights, widths, [c.right for c in columns], bold_last)
    flowable = _LinesTable(table, 0, len(body))
    flowable.html_source = Source("data", tuple(columns), tuple(map(tuple, rows)), bold_last)
    return flowable
