"""Tables in the house style: a shaded header row that repeats on every page the table
runs onto, light rules between rows, every cell a wrapping paragraph.

Rows may split across a page break (`splitInRow`), so one long note in a cell can
never make a document fail to build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from eip.pdf.page import CONTENT_WIDTH
from eip.pdf.styles import BORDER, CELL, CELL_HEAD, LIGHT, TEXT, para

Cell = str | Flowable | None


@dataclass(frozen=True)
class Column:
    title: str
    share: float  # of the table's width; a table's shares add up to 1


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
    return table


def text_cell(value: object) -> Paragraph:
    return para("" if value is None else value, CELL)
