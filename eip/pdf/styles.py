"""Colours, paragraph styles and the helpers that turn plain text into flowables.

Every piece of text typed by a user passes through `escape_text`: reportlab's
paragraphs read a small markup language, so an unescaped "<" or "&" in a note
would break the document or change its look. Colours are GOV.UK's, as on the web
pages; black text on white keeps the contrast well above WCAG AA.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, ListFlowable, ListItem, Paragraph, Spacer

from eip.pdf.fonts import BOLD, REGULAR, register

TEXT = colors.HexColor("#0b0c0c")
SECONDARY = colors.HexColor("#484949")  # darker than GOV.UK's grey: small print needs it
BLUE = colors.HexColor("#1d70b8")
BORDER = colors.HexColor("#b1b4b6")
LIGHT = colors.HexColor("#f3f2f1")
RED = colors.HexColor("#d4351c")
ORANGE = colors.HexColor("#f47738")
WHITE = colors.white

register()


def _style(name: str, **kw) -> ParagraphStyle:
    base = {
        "fontName": REGULAR,
        "fontSize": 10,
        "leading": 14,
        "textColor": TEXT,
        "alignment": TA_LEFT,
        "spaceAfter": 6,
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


# Titles and headings are kept with what follows them (`eip.pdf.flow.KeepWithFirst`):
# never alone at the foot of a page.
TITLE = _style("title", fontName=BOLD, fontSize=20, leading=25, spaceAfter=4, keepWithNext=1)
SUBTITLE = _style("subtitle", fontSize=11, leading=15, textColor=SECONDARY, spaceAfter=14)
H2 = _style("h2", fontName=BOLD, fontSize=13, leading=17, spaceBefore=12, keepWithNext=1)
H3 = _style("h3", fontName=BOLD, fontSize=11, leading=15, spaceBefore=6, keepWithNext=1)
BODY = _style("body")
CELL = _style("cell", fontSize=9, leading=12, spaceAfter=0)
CELL_HEAD = _style("cell_head", fontName=BOLD, fontSize=9, leading=12, spaceAfter=0)
SMALL = _style("small", fontSize=8, leading=10, textColor=SECONDARY, spaceAfter=4)
NOTICE = _style(
    "notice",
    fontName=BOLD,
    backColor=LIGHT,
    borderColor=BLUE,
    borderWidth=0,
    borderPadding=(6, 6, 6, 8),
    spaceBefore=6,
    spaceAfter=12,
)

NONE_RECORDED = "None recorded"
HEADING_ROOM = 25 * mm  # a heading needs this much room below it, or it starts a new page


def escape_text(value: object) -> str:
    """Plain text made safe for a paragraph; each typed line break kept."""
    return escape(str(value)).replace("\n", "<br/>")


def para(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape_text(text), style)


def markup(trusted: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of markup this code wrote itself (user text already escaped)."""
    return Paragraph(trusted, style)


def labelled(label: str, value: object, style: ParagraphStyle = BODY) -> Paragraph:
    """`Label: value` with the label in bold."""
    return Paragraph(f"<b>{escape_text(label)}:</b> {escape_text(value)}", style)


def free_text(text: str | None, style: ParagraphStyle = BODY, empty: str = NONE_RECORDED):
    """What a user typed, one paragraph per non-empty line, or `empty`."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return [para(empty, style)]
    return [para(line, style) for line in lines]


def heading(text: str, level: int = 2) -> list[Flowable]:
    """A heading that never sits alone at the foot of a page: its style keeps it with
    the first part of what follows (`eip.pdf.flow.KeepWithFirst`: the first rows of a
    long table, not the whole of it), and it starts a new page when less than
    `HEADING_ROOM` is left, so a section never opens with a line at a page's foot."""
    return [CondPageBreak(HEADING_ROOM), para(text, H2 if level == 2 else H3)]


def bullets(items: Iterable[str], style: ParagraphStyle = BODY) -> ListFlowable:
    return ListFlowable(
        [ListItem(para(item, style), leftIndent=14) for item in items],
        bulletType="bullet",
        start="•",
        leftIndent=14,
        bulletFontName=REGULAR,
    )


def numbered(items: Iterable[Flowable | str], style: ParagraphStyle = BODY) -> ListFlowable:
    flowables = [item if isinstance(item, Flowable) else para(item, style) for item in items]
    return ListFlowable(
        [ListItem(item, leftIndent=18) for item in flowables],
        bulletType="1",
        leftIndent=18,
        bulletFontName=BOLD,
        bulletFontSize=10,
    )


def gap(points: float = 6) -> Spacer:
    return Spacer(1, points)
