"""Tables in the house style: a shaded header row that repeats on every page the table
runs onto, marked "(continued)" there, light rules between rows, every cell a wrapping
paragraph.

A table shorter than a quarter of a page is never split. A row is never cut in two by a
page break: a table that reaches the foot of a page
stops after its last whole row, or moves on to the next page when not even its first
row fits. Only a row taller than a whole page is split (at the top of a page, so it
takes as little room on the next one as it can), so one very long note in a cell can
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
from functools import lru_cache
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from eip.pdf.fonts import BOLD, REGULAR
from eip.pdf.page import CONTENT_WIDTH, FOOTER_SPACE, HEADER_SPACE, PAGE_HEIGHT
from eip.pdf.styles import BORDER, CELL, CELL_HEAD, LIGHT, TEXT, para

Cell = str | Flowable | None
FRAME_HEIGHT = PAGE_HEIGHT - HEADER_SPACE - FOOTER_SPACE  # the room for the story on a page
SHORT_TABLE = FRAME_HEIGHT / 4  # a table this short is never split
CONTINUED = "(continued)"


def continued(title: str) -> str:
    """A repeated header's first cell: the reader sees the table goes on, not a new one."""
    return f"{title} {CONTINUED}"


class _Table(Table):
    """reportlab's table, split between whole rows only, with "(continued)" in the
    first header cell of every part after the first."""

    continued_head: Flowable | None = None  # the repeated header's first cell, marked

    def split(self, availWidth, availHeight):
        self._calc(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
        at_top = frame is not None and getattr(frame, "_atTop", False)
        if self._height <= SHORT_TABLE and not at_top:
            return []  # a short table (the pot's five lines) is read whole, on one page
        parts = self._splitRows(availHeight, doInRowSplit=0)
        if not parts:
            if not at_top:
                return []  # the frame moves on: the row is laid out whole on the next page
            # At the top of a page and still no whole row fits: that row is taller than
            # a page, the one case where it must be split.
            parts = self._splitRows(availHeight, doInRowSplit=1)
        if len(parts) == 2 and self.repeatRows and self.continued_head is not None:
            rest = parts[1]
            head = rest._cellvalues[0]  # shared with the first part: replaced, not changed
            rest._cellvalues[0] = [self.continued_head, *head[1:]]
            rest._argH[0] = None  # "(continued)" may wrap: measure the header again
            rest.continued_head = self.continued_head
        return parts


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
    """A table with a header row repeated across pages ("(continued)" in its first cell
    there), or `empty` as a paragraph."""
    if not rows:
        return para(empty)
    data = [[_cell(c.title, CELL_HEAD) for c in columns]]
    data += [[_cell(value) for value in row] for row in rows]
    table = _Table(
        data,
        colWidths=[width * c.share for c in columns],
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
    )
    table.continued_head = _cell(continued(columns[0].title), CELL_HEAD)
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
    table = _Table(
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
CellLines = Sequence[str]  # a cell wrapped to its column


@lru_cache(maxsize=65536)
def _width(line: str, font: str) -> float:
    """A line's width in a cell. Dates, amounts, boroughs and fixed words repeat across a
    statement's thousands of rows (and across statements): each is measured once."""
    return getFont(font).stringWidth(line, CELL.fontSize)


def _wrapped(value: Lines, width: float, font: str) -> tuple[str, ...]:
    """Each line of the cell broken to the column's width (no word is ever cut off)."""
    return _wrapped_lines((value,) if isinstance(value, str) else tuple(value), width, font)


@lru_cache(maxsize=65536)  # a cell's text repeats too (a borough, "Placement approved")
def _wrapped_lines(lines: tuple[str, ...], width: float, font: str) -> tuple[str, ...]:
    out: list[str] = []
    for line in lines:
        if _width(line, font) <= width:
            out.append(line)  # most lines fit: one measure, no split
        else:
            out += simpleSplit(line, font, CELL.fontSize, width) or [""]
    return tuple(out)


class _Encoding:
    """One document's lines as PDF strings of its embedded font subsets. A TrueType font
    is embedded as subsets of 256 glyphs each, its codes given out as characters are first
    used (reportlab's `TTFont.splitString`, which adds them to the subset). A line is
    mapped once per document; a line whose characters all have a code in the first subset
    (every line of a statement, after its first few) is translated in one step."""

    def __init__(self) -> None:
        # Per font: each line's [(subset, the operator that shows its characters)].
        self.lines: dict[str, dict[str, list[tuple[int, str]]]] = {}
        # Per font: the characters with a code in subset 0, and their codes.
        self.known: dict[str, tuple[set[str], dict[int, int]]] = {}
        # Each coordinate as the PDF writes it (`fp_str`): a statement's rows stand at
        # the same few hundred heights on every page, its columns at the same offsets.
        self.numbers: dict[float, str] = {}

    def parts(self, font: str, line: str, doc) -> list[tuple[int, str]]:
        """[(subset, the operator that shows its characters)] that show `line` in `font`."""
        lines = self.lines.setdefault(font, {})
        found = lines.get(line)
        if found is None:
            found = lines[line] = self._map(font, line, doc)
        return found

    def _map(self, font: str, line: str, doc) -> list[tuple[int, str]]:
        if not line:
            return []
        chars, codes = self.known.setdefault(font, (set(), {}))
        if chars.issuperset(line):
            return [(0, f"({escapePDF(line.translate(codes).encode('latin-1'))}) Tj")]
        ttf = getFont(font)
        parts = [(subset, f"({escapePDF(text)}) Tj") for subset, text in ttf.splitString(line, doc)]
        assigned = ttf.state[doc].assignments  # filled by splitString: code of a character
        for char in set(line) - {"\xa0"}:  # (a no-break space is drawn as a space)
            code = assigned.get(ord(char))
            if code is not None and code < 256:
                chars.add(char)
                codes[ord(char)] = code
        return parts


_ENCODINGS: WeakKeyDictionary[object, _Encoding] = WeakKeyDictionary()  # per document


class _Text:
    """The PDF operators that show lines of text in a cell's font: what reportlab's text
    object writes for `setTextOrigin` and `textOut`, without its per-call work (measuring
    the line again to move a cursor nobody reads, and mapping each character to the
    document's font subset again). A statement of 1,000 placements draws some 20,000
    lines, of which fewer than 5,000 differ."""

    def __init__(self, canvas) -> None:
        self.canvas, self.doc, self.ops = canvas, canvas._doc, ["BT"]
        self.encoding = _ENCODINGS.setdefault(self.doc, _Encoding())
        self.numbers = self.encoding.numbers
        self.font = ""
        self.lines: dict[str, list[tuple[int, str]]] = {}
        self.subset = -1

    def set_font(self, font: str) -> None:
        if font != self.font:
            self.font, self.subset = font, -1
            self.lines = self.encoding.lines.setdefault(font, {})

    def number(self, value: float) -> str:
        found = self.numbers.get(value)
        if found is None:
            found = self.numbers[value] = fp_str(value)
        return found

    def show_cell(self, cell: CellLines, x: float, width: float, right: bool, y: float) -> None:
        """A cell's lines from `y` down, left-aligned after the cell's padding or, in a
        column of amounts, right-aligned before it. One call per cell, not per line: a
        statement shows some 20,000 lines."""
        ops, numbers, lines, font = self.ops, self.numbers, self.lines, self.font
        left = x + _PAD_X
        below = False  # a left-aligned cell's next line starts one leading below ("T*")
        for line in cell:
            if below:
                ops.append("T*")
            else:
                if right:
                    left = x + width - _PAD_X - _width(line, font)
                ops.append(
                    f"1 0 0 1 {numbers.get(left) or self.number(left)} "
                    f"{numbers.get(y) or self.number(y)} Tm"
                )
                below = not right
            parts = lines.get(line)
            if parts is None:
                parts = self.encoding.parts(font, line, self.doc)
            for subset, shown in parts:
                if subset != self.subset:
                    name = getFont(font).getSubsetInternalName(subset, self.doc)
                    ops.append(f"{name} {fp_str(CELL.fontSize)} Tf {fp_str(CELL.leading)} TL")
                    self.subset = subset
                ops.append(shown)
            if not below:
                y -= CELL.leading

    def draw(self) -> None:
        self.ops.append("ET")
        self.canvas.addLiteral(" ".join(self.ops))


class _LinesTable(Flowable):
    """Rows `start` to `stop` of a `lines_table`, each of known height, drawn straight onto
    the page: a page break cuts the range where the rows stop fitting, and a part that
    does not open the table repeats the header, marked "(continued)", so no row is
    measured twice and none is cut in two."""

    def __init__(self, table: _Rows, start: int, stop: int) -> None:
        super().__init__()
        self.rows, self.start, self.stop = table, start, stop
        self.hAlign = "LEFT"

    def _head_height(self) -> float:
        return self.rows.heights[0] if self.start == 0 else self.rows.continued_height

    def wrap(self, availWidth, availHeight):
        t = self.rows
        self.width = sum(t.widths)
        self.height = self._head_height() + sum(t.heights[self.start + 1 : self.stop + 1])
        return self.width, self.height

    def split(self, availWidth, availHeight):
        t, used, cut = self.rows, self._head_height(), self.start
        while cut < self.stop and used + t.heights[cut + 1] <= availHeight:
            used += t.heights[cut + 1]
            cut += 1
        if cut == self.start:
            return []  # not even one row fits: the frame moves on to the next page
        return [_LinesTable(t, self.start, cut), _LinesTable(t, cut, self.stop)]

    def draw(self) -> None:
        t, canvas = self.rows, self.canv
        top = self.height
        head_height = self._head_height()
        canvas.saveState()
        canvas.setFillColor(LIGHT)
        canvas.rect(0, top - head_height, self.width, head_height, stroke=0, fill=1)
        canvas.setFillColor(TEXT)
        text = _Text(canvas)
        rules = []
        first_line = _PAD_TOP + CELL.fontSize
        for index in [-1, *range(self.start, self.stop)]:
            if index < 0:
                cells = t.head if self.start == 0 else t.continued_head
                height = head_height
            else:
                cells, height = t.body[index], t.heights[index + 1]
            bold = index < 0 or (t.bold_last and index == len(t.body) - 1)
            font = BOLD if bold else REGULAR
            text.set_font(font)
            x = 0.0
            y = top - first_line
            for cell, width, right in zip(cells, t.widths, t.right, strict=True):
                text.show_cell(cell, x, width, right, y)
                x += width
            if bold and index >= 0:
                rules.append((top, 1))  # a total: ruled above
            top -= height
            rules.append((top, 1 if index < 0 else 0.5))
        text.draw()
        # The light rules first: a total's heavy rule above it lies over the light one.
        for weight, colour in ((0.5, BORDER), (1, TEXT)):
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(weight)
            canvas.lines([(0, y, self.width, y) for y, w in rules if w == weight])
        canvas.restoreState()


@dataclass(frozen=True)
class _Rows:
    head: list[CellLines]
    body: list[list[CellLines]]
    heights: list[float]  # the header's, then each row's
    widths: list[float]
    right: list[bool]
    bold_last: bool
    continued_head: list[CellLines]  # the header on the pages after the first
    continued_height: float


def _height(cells: Sequence[Sequence[str]]) -> float:
    return max(map(len, cells)) * CELL.leading + _PAD_TOP + _PAD_BOTTOM


def _page_sized(cells: list[CellLines], most_lines: int) -> list[list[CellLines]]:
    """A row taller than a page as several rows of at most `most_lines` lines, the only
    row ever carried over a page break (its cells' lines stay in order)."""
    count = max(map(len, cells))
    if count <= most_lines:
        return [cells]  # every row but a very long note's
    return [[c[i : i + most_lines] for c in cells] for i in range(0, count, most_lines)]


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
    titles = [continued(columns[0].title), *(c.title for c in columns[1:])]
    again = [_wrapped(title, r, BOLD) for title, r in zip(titles, room, strict=True)]
    header = max(_height(head), _height(again))
    most_lines = int((FRAME_HEIGHT - header - _PAD_TOP - _PAD_BOTTOM) // CELL.leading)
    body = []
    for index, row in enumerate(rows):
        font = BOLD if bold_last and index == len(rows) - 1 else REGULAR
        body += _page_sized(
            [_wrapped(v, r, font) for v, r in zip(row, room, strict=True)], most_lines
        )
    heights = [_height(row) for row in [head, *body]]
    table = _Rows(
        head, body, heights, widths, [c.right for c in columns], bold_last, again, _height(again)
    )
    flowable = _LinesTable(table, 0, len(body))
    flowable.html_source = Source("data", tuple(columns), tuple(map(tuple, rows)), bold_last)
    return flowable
