"""Issue 20, item 6: every document has an accessible web page with the same content as its
PDF (reportlab cannot tag the PDF). For every kind the audit labels know, and the subject
access pack: the page says every word the PDF says (less the running header and footer, a
chart's drawn labels and a list's numbers, which the page gives as an image of the same
chart and an `ol`) and nothing the PDF does not; its headings are real headings; each table
has column headings; viewing it is audited as a view of that kind of document.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.cases import documents
from eip.extensions import db
from eip.formatting import SERVICE_NAME
from eip.pdf.html import inline
from eip.pdf.page import MARKING
from eip.pdf.tables import CONTINUED
from tests import factories
from tests.integration.test_documents_leave_out_partner_support import (
    OTHER_DOCUMENTS,
    case_with_notes_and_partner_support,
    close,
    text_of,
)

WORD = re.compile(r"[^\W_]+")
PAGE_NUMBER = re.compile(r"Page \d+ of \d+")


class _Page(HTMLParser):
    """The page's text, its headings and tables, the words drawn in its charts and the
    numbers of its numbered lists."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.headings: list[str] = []
        self.tables: list[dict[str, int]] = []
        self.chart_text: list[str] = []
        self.list_numbers: list[str] = []
        self._open: list[str] = []
        self._list: list[int] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self.headings.append("")
        if tag == "table":
            self.tables.append({"th": 0, "caption": 0})
        if tag == "th":
            self.tables[-1]["th"] += 1
            assert attributes.get("scope") in ("col", "row")
        if tag == "caption":
            self.tables[-1]["caption"] += 1
        if tag == "ol":
            self._list.append(int(attributes.get("start") or 1))
        if tag == "li" and self._list:
            self.list_numbers.append(str(self._list[-1]))
            self._list[-1] += 1
        if tag == "img":
            assert attributes["alt"]
            svg = base64.b64decode(attributes["src"].split(",", 1)[1]).decode("utf-8")
            self.chart_text += re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag == "ol":
            self._list.pop()
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data):
        self.text.append(data)
        if self._open and self._open[-1] in ("h1", "h2", "h3") and self.headings:
            self.headings[-1] += data


def read(content: bytes) -> _Page:
    page = _Page()
    page.feed(content.decode("utf-8"))
    return page


def words(text: str) -> set[str]:
    return set(WORD.findall(text))


def pdf_words(document) -> set[str]:
    return words(PAGE_NUMBER.sub(" ", text_of(document.content)))


def running_words(document) -> set[str]:
    """The words of the PDF's running header and footer: on the web page once, at the top
    of the layout (templates/documents/page.html), not in the document's body. Also the
    "(continued)" of a table's header repeated on the next page: a web page has no pages."""
    info = document.info
    running = [info.generated_line, info.title, info.heading, MARKING, SERVICE_NAME, CONTINUED]
    running += [info.organisation, info.date_line, info.copy_line or ""]
    return words(" ".join(running))


def both(make) -> tuple:
    return make(web_page=False), make(web_page=True)


def every_kind(manager, case, placement, meeting) -> dict[str, tuple]:
    made = {}
    for kind in documents.KINDS:
        if kind == "closure_summary":
            continue
        made[kind] = both(
            lambda kind=kind, **page: documents.produce(
                db.session, manager, case, kind, meeting_id=meeting.id, **page
            )
        )
    for kind, produce in OTHER_DOCUMENTS.items():
        made[kind] = both(lambda produce=produce, **page: produce(manager, case, placement, **page))
    close(case, sensitive_notes=False)
    made["closure_summary"] = both(
        lambda **page: documents.produce(db.session, manager, case, "closure_summary", **page)
    )
    return made


@pytest.fixture
def made(app_context):
    case, placement, meeting = case_with_notes_and_partner_support()
    manager = factories.user("manager")
    return every_kind(manager, case, placement, meeting)


def test_every_kind_is_checked(made):
    from eip.audit.labels import DOCUMENT_LABELS

    assert set(made) == set(DOCUMENT_LABELS)


def test_each_web_page_says_what_its_pdf_says_and_nothing_else(made):
    for kind, (pdf, page) in made.items():
        assert page.web_page and page.kind == kind == pdf.kind
        html = read(page.content)
        on_page = words(" ".join(html.text))
        drawn = words(" ".join(html.chart_text)) | set(html.list_numbers)
        in_pdf = pdf_words(pdf)
        assert in_pdf - on_page - drawn - running_words(pdf) == set(), kind
        assert on_page - in_pdf == set(), kind


def test_each_web_page_has_real_headings_and_tables_with_column_headings(made):
    for kind, (_pdf, page) in made.items():
        html = read(page.content)
        assert page.content.count(b"<h1") == 1, kind
        assert len(html.headings) >= 2, kind
        assert all(h.strip() for h in html.headings), kind
        for table in html.tables:
            assert table["th"] >= 1, kind


def test_viewing_a_web_page_is_audited_as_that_kind_of_document(made):
    viewed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.viewed_as_page")
    ).all()
    assert sorted(e.details["document"] for e in viewed) == sorted(made)
    downloads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.downloaded")
    ).all()
    assert len(downloads) == len(made)  # the PDFs', each audited once, apart


def test_paragraph_markup_is_mapped_and_anything_else_escaped():
    assert inline("<b>Due:</b> 3 &amp; 4<br/>next") == "<strong>Due:</strong> 3 &amp; 4<br>next"
    assert inline("<font size=7.5>Kind</font> &lt;script&gt;") == "Kind &lt;script&gt;"
    assert inline("<i>withheld</i>") == "<em>withheld</em>"


def test_a_bulleted_list_prints_bullets_not_the_word_bullet():
    """Defect found by comparing the MARAC pack's PDF with its web page: each item of a
    bulleted list (`styles.bullets`: the MARAC criteria, the subject access pack's review
    list) printed the word "bullet" where the bullet should be."""
    from io import BytesIO

    from pypdf import PdfReader

    from eip.clock import now
    from eip.pdf.page import DocumentInfo, build_pdf
    from eip.pdf.styles import bullets

    content = build_pdf(DocumentInfo("Title", "REF", now(), "Someone"), [bullets(["One"])])
    text = PdfReader(BytesIO(content)).pages[0].extract_text()
    assert "bullet" not in text
    assert "• One" in " ".join(text.split()) or "•\nOne" in text
