"""The house page: A4, a header with the organisation's letterhead, the document's title,
the case reference and the date of what the document records, a footer with "Page X of Y"
and who printed the document when, and the OFFICIAL-SENSITIVE marking at the top and bottom
of every page.

A document is dated by the event it records (`DocumentInfo.dated_on`: acknowledged on,
signed on, held on, the period's end). Printed on a later day it is a copy, and every page
says so: "Copy printed on … by …". The footer names whoever printed it as the one who
printed it, never beside a signature, so a manager's reprint of a practitioner's letter
cannot read as signed by the manager.

"Page X of Y" needs the page count before the first page is finished. Rather than lay
the story out twice, the canvas keeps each page's drawing state and draws the header
and footer on all of them once the story is done and the count is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from eip.formatting import SERVICE_NAME, london_datetime, long_date
from eip.pdf.flow import KeepWithFirst, keep_headings, settle_ending
from eip.pdf.fonts import BOLD, REGULAR
from eip.pdf.styles import BLUE, BORDER, SECONDARY, TEXT
from eip.workdays import london_date

MARKING = "OFFICIAL-SENSITIVE"
AUTHOR = SERVICE_NAME
PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE = 18 * mm
HEADER_SPACE = 30 * mm  # from the top edge to the first line of the story
FOOTER_SPACE = 24 * mm  # from the last line of the story to the bottom edge
CONTENT_WIDTH = PAGE_WIDTH - 2 * SIDE
# Page streams compressed and left binary, as PDFs usually are. reportlab's default also
# writes them out again as ASCII85 text, a quarter larger, which was a tenth of the time a
# 170-page statement took to lay out. Read when a document is saved.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Letterhead:
    """Who the documents come from and how to reach them: the programme settings
    (`eip.pdf.delivery.letterhead`). `address` holds one line per line of the address."""

    organisation: str
    phone: str
    email: str
    address: str

    @property
    def address_lines(self) -> list[str]:
        return [line for line in self.address.splitlines() if line.strip()]


@dataclass(frozen=True)
class DocumentInfo:
    """What the header and footer print. `generated_at` is aware (UTC); it is shown in
    London time. Only `title` and the reference go into the file's metadata: the
    generating user's name is on the page, never in the properties a file manager shows.

    `dated_on` is the day of the event the document records (None: the day it is printed,
    like an agenda for the next meeting). `letterhead` is filled from the programme
    settings by `eip.pdf.delivery.deliver` when left out."""

    title: str
    reference: str
    generated_at: datetime
    generated_by: str
    # What the reference is: "Case" for a case's documents, "Period" for a statement, ""
    # when the reference says it alone (a month's report).
    reference_label: str = "Case"
    dated_on: date | None = None
    letterhead: Letterhead | None = None

    @property
    def heading(self) -> str:
        return f"{self.reference_label} {self.reference}".strip()

    @property
    def printed_on(self) -> date:
        return london_date(self.generated_at)

    @property
    def is_copy(self) -> bool:
        """Printed after the day of the event it records: a reprint."""
        return self.dated_on is not None and self.printed_on > self.dated_on

    @property
    def date_line(self) -> str:
        return f"Dated {long_date(self.dated_on or self.printed_on)}"

    @property
    def copy_line(self) -> str | None:
        if not self.is_copy:
            return None
        return f"Copy printed on {long_date(self.printed_on)} by {self.generated_by}"

    @property
    def generated_line(self) -> str:
        """Who printed it and when, in words that cannot be taken for a signature."""
        when = london_datetime(self.generated_at)
        printed = "Copy printed" if self.is_copy else "Printed"
        return f"{printed} from {SERVICE_NAME} on {when} (London time) by {self.generated_by}"

    @property
    def organisation(self) -> str:
        return self.letterhead.organisation if self.letterhead else SERVICE_NAME


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis to fit `width` (a very long name must not run over)."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_header(canvas: Canvas, info: DocumentInfo) -> None:
    top = PAGE_HEIGHT - 9 * mm
    canvas.setFillColor(TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, top, MARKING)
    line = top - 7 * mm
    right = PAGE_WIDTH - SIDE
    # Beside a long reference (a statement's period) the organisation and the reference are
    # set smaller before the organisation is ever cut: the letterhead is who it is from.
    size = 11.0
    while size > 8.5 and (
        canvas.stringWidth(info.organisation, BOLD, size)
        + canvas.stringWidth(info.heading, BOLD, size - 1)
        + 6 * mm
        > CONTENT_WIDTH
    ):
        size -= 0.5
    canvas.setFont(BOLD, size - 1)
    heading_width = canvas.stringWidth(info.heading, BOLD, size - 1)
    canvas.drawRightString(right, line, info.heading)
    canvas.setFillColor(BLUE)
    canvas.setFont(BOLD, size)
    room = CONTENT_WIDTH - heading_width - 6 * mm
    canvas.drawString(SIDE, line, _fit(canvas, info.organisation, BOLD, size, room))
    canvas.setFillColor(TEXT)
    canvas.setFont(REGULAR, 9)
    second = line - 4.5 * mm
    canvas.drawString(SIDE, second, info.title)
    canvas.drawRightString(right, second, info.date_line)
    if copy := info.copy_line:
        canvas.setFont(BOLD, 9)
        canvas.drawRightString(right, second - 4 * mm, _fit(canvas, copy, BOLD, 9, CONTENT_WIDTH))
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(1.5)
    rule = line - 10.5 * mm
    canvas.line(SIDE, rule, PAGE_WIDTH - SIDE, rule)


def _draw_footer_line(canvas: Canvas, info: DocumentInfo) -> None:
    """The footer's rule and who printed the document when: the same on every page."""
    rule = FOOTER_RULE
    canvas.setStrokeColor(BORDER)
    canvas.setLineWidth(0.75)
    canvas.line(SIDE, rule, PAGE_WIDTH - SIDE, rule)
    canvas.setFillColor(SECONDARY)
    canvas.setFont(REGULAR, 8)
    room = CONTENT_WIDTH - 30 * mm
    canvas.drawString(SIDE, rule - 5 * mm, _fit(canvas, info.generated_line, REGULAR, 8, room))


def _draw_page_number(canvas: Canvas, number: int, total: int) -> None:
    canvas.setFillColor(TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawRightString(PAGE_WIDTH - SIDE, FOOTER_RULE - 5 * mm, f"Page {number} of {total}")


def _draw_bottom_marking(canvas: Canvas, _info: DocumentInfo) -> None:
    canvas.setFillColor(TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, 7 * mm, MARKING)


FOOTER_RULE = 18 * mm
# What is the same on every page is drawn once, as a PDF form each page shows: a
# statement runs to some 170 pages, and drawing the header's text on each was a sixth of
# its time.
# The marking at the foot is a form of its own, shown after the page number: a reader that
# follows the page's text in order meets them in the same order as before.
HEADER_FORM, FOOTER_FORM, MARKING_FORM = "eip_header", "eip_footer", "eip_marking"


def _canvas_class(info: DocumentInfo) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # reportlab's name for it
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                if number == 1:
                    for name, draw in (
                        (HEADER_FORM, _draw_header),
                        (FOOTER_FORM, _draw_footer_line),
                        (MARKING_FORM, _draw_bottom_marking),
                    ):
                        self.beginForm(name)
                        draw(self, info)
                        self.endForm()
                self.doForm(HEADER_FORM)
                self.doForm(FOOTER_FORM)
                _draw_page_number(self, number, total)
                self.doForm(MARKING_FORM)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def metadata_title(info: DocumentInfo) -> str:
    """The title a viewer shows: the document's, then what it is about ("case EIP-…",
    "period …"); a bare reference (a month) keeps its capital."""
    if info.reference_label:
        return f"{info.title}, {info.reference_label.lower()} {info.reference}"
    return f"{info.title}, {info.reference}"


def build_pdf(info: DocumentInfo, story: Sequence[Flowable]) -> bytes:
    """Lay `story` out on the house page and return the PDF's bytes."""
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=HEADER_SPACE,
        bottomMargin=FOOTER_SPACE,
        title=metadata_title(info),
        author=AUTHOR,
        creator=AUTHOR,
        producer=AUTHOR,
        subject=f"{info.title}: {MARKING}",
        lang="en-GB",
        displayDocTitle=True,
        keepTogetherClass=KeepWithFirst,
    )
    frame = Frame(
        SIDE,
        FOOTER_SPACE,
        CONTENT_WIDTH,
        PAGE_HEIGHT - HEADER_SPACE - FOOTER_SPACE,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = settle_ending(
        keep_headings(story), CONTENT_WIDTH, PAGE_HEIGHT - HEADER_SPACE - FOOTER_SPACE
    )
    document.build(story, canvasmaker=_canvas_class(info))
    return buffer.getvalue()
