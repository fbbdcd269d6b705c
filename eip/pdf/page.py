"""The house page: A4, a header with the service name, the document's title and the
case reference, a footer with "Page X of Y" and who generated the document when, and
the OFFICIAL-SENSITIVE marking at the top and bottom of every page.

"Page X of Y" needs the page count before the first page is finished. Rather than lay
the story out twice, the canvas keeps each page's drawing state and draws the header
and footer on all of them once the story is done and the count is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from eip.formatting import SERVICE_NAME, london_datetime
from eip.pdf.flow import KeepWithFirst, keep_headings, settle_ending
from eip.pdf.fonts import BOLD, REGULAR
from eip.pdf.styles import BLUE, BORDER, SECONDARY, TEXT

MARKING = "OFFICIAL-SENSITIVE"
AUTHOR = SERVICE_NAME
PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE = 18 * mm
HEADER_SPACE = 30 * mm  # from the top edge to the first line of the story
FOOTER_SPACE = 24 * mm  # from the last line of the story to the bottom edge
CONTENT_WIDTH = PAGE_WIDTH - 2 * SIDE


@dataclass(frozen=True)
class DocumentInfo:
    """What the header and footer print. `generated_at` is aware (UTC); it is shown in
    London time. Only `title` and the reference go into the file's metadata: the
    generating user's name is on the page, never in the properties a file manager shows."""

    title: str
    reference: str
    generated_at: datetime
    generated_by: str
    # What the reference is: "Case" for a case's documents, "Period" for a statement, ""
    # when the reference says it alone (a month's report).
    reference_label: str = "Case"

    @property
    def heading(self) -> str:
        return f"{self.reference_label} {self.reference}".strip()

    @property
    def generated_line(self) -> str:
        when = london_datetime(self.generated_at)
        return f"Generated {when} (London time) by {self.generated_by}"


def _draw_header(canvas: Canvas, info: DocumentInfo) -> None:
    top = PAGE_HEIGHT - 9 * mm
    canvas.setFillColor(TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, top, MARKING)
    line = top - 7 * mm
    canvas.setFont(BOLD, 11)
    canvas.setFillColor(BLUE)
    canvas.drawString(SIDE, line, SERVICE_NAME)
    canvas.setFillColor(TEXT)
    canvas.setFont(BOLD, 10)
    canvas.drawRightString(PAGE_WIDTH - SIDE, line, info.heading)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(SIDE, line - 5 * mm, info.title)
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(1.5)
    rule = line - 8 * mm
    canvas.line(SIDE, rule, PAGE_WIDTH - SIDE, rule)


def _draw_footer(canvas: Canvas, info: DocumentInfo, number: int, total: int) -> None:
    rule = 18 * mm
    canvas.setStrokeColor(BORDER)
    canvas.setLineWidth(0.75)
    canvas.line(SIDE, rule, PAGE_WIDTH - SIDE, rule)
    canvas.setFillColor(SECONDARY)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(SIDE, rule - 5 * mm, info.generated_line)
    canvas.setFillColor(TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawRightString(PAGE_WIDTH - SIDE, rule - 5 * mm, f"Page {number} of {total}")
    canvas.drawCentredString(PAGE_WIDTH / 2, 7 * mm, MARKING)


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
                _draw_header(self, info)
                _draw_footer(self, info, number, total)
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
