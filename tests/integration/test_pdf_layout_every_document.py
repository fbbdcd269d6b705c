"""Issue 20, item 7: every PDF kind laid out for a busy case (30 actions, long free text,
accented names, many meetings, incidents, DASH reviews, stays and invoices) and for a
minimal one, read back with pypdf: no page holds only a heading or only a table's header
row, a table's header repeated on a later page says "(continued)", the metadata is set,
and the statement's and report's figures are the ledger's and the report data's.

The kinds come from `DOCUMENT_LABELS` (through the partner-support test's list of how to
make each), plus the subject-access pack, so a new kind fails here until it is laid out.
Set LAYOUT_PDF_DIR to keep the files for a look.
"""

from __future__ import annotations

import os
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from accommodation.models import Invoice, LedgerEntry
from eip.audit.labels import DOCUMENT_LABELS
from eip.cases import documents
from eip.cases.records import ProfessionalsMeeting
from eip.clock import now, today
from eip.domain import RuleBroken
from eip.extensions import db
from eip.formatting import format_pence
from eip.pdf.page import AUTHOR, MARKING
from eip.privacy import subject_access_pack
from eip.reports.monthly import monthly_data
from eip.workdays import london_date
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_busy_case as busy
from tests import factories_pathway_activity as activity
from tests import factories_subject_access as fs
from tests.integration.test_documents_leave_out_partner_support import (
    OTHER_DOCUMENTS,
    close,
)

SUBJECT_ACCESS = "subject_access_pack"
# At least this many lines of the story on a page: never a lone heading or header row.
FEWEST_LINES = 3


def body_lines(page) -> list[str]:
    """The page's story, without the house page's header and footer (drawn after the story,
    so their text follows it, from the first protective marking on)."""
    lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    return lines[: lines.index(MARKING)] if MARKING in lines else lines


def every_pdf(user, made: busy.BusyCase) -> dict[str, bytes]:
    case, placement = made.case, made.placements[-1]
    pdfs = {}
    for kind in documents.KINDS:
        try:
            pdf = documents.produce(db.session, user, case, kind, meeting_id=made.meeting.id)
        except RuleBroken:  # the closure summary, while the case is open
            db.session.rollback()
            continue
        pdfs[kind] = pdf.content
    for kind, produce in OTHER_DOCUMENTS.items():
        pdfs[kind] = produce(user, case, placement).content
    _name, pack = subject_access_pack.produce(db.session, user, fs.request(case, "client").id)
    pdfs[SUBJECT_ACCESS] = zipfile.ZipFile(BytesIO(pack)).read("subject-access.pdf")
    return pdfs


def all_kinds(user, made: busy.BusyCase) -> dict[str, bytes]:
    open_ones = every_pdf(user, made)
    close(made.case, sensitive_notes=False)
    pdfs = {**open_ones, "closure_summary": every_pdf(user, made)["closure_summary"]}
    assert set(pdfs) == set(DOCUMENT_LABELS) | {SUBJECT_ACCESS}
    if folder := os.environ.get("LAYOUT_PDF_DIR"):
        for kind, content in pdfs.items():
            Path(folder, f"{made.case.reference}-{kind}.pdf").write_bytes(content)
    return pdfs


def check_layout(kind: str, content: bytes) -> PdfReader:
    reader = PdfReader(BytesIO(content))
    meta = reader.metadata
    assert meta.title and meta.title[:1].isupper(), kind
    assert meta.author == AUTHOR, kind
    assert meta.subject, kind
    assert reader.trailer["/Root"]["/Lang"] == "en-GB", kind
    for number, page in enumerate(reader.pages, start=1):
        lines = body_lines(page)
        assert len(lines) >= FEWEST_LINES, (kind, number, lines)
    return reader


@pytest.fixture
def manager(app_context):
    return factories.user("manager")


def test_every_kind_of_a_busy_case_is_laid_out_without_stranded_headings(manager):
    made = busy.busy_case()
    pdfs = all_kinds(manager, made)
    for kind, content in pdfs.items():
        reader = check_layout(kind, content)
        if kind in ("plan", "meeting_pack", SUBJECT_ACCESS, "finance_statement"):
            assert len(reader.pages) > 1, kind  # busy enough to test the page breaks
    plan = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdfs["plan"])).pages)
    assert busy.CLIENT_NAME in plan or busy.PRACTITIONER_NAME in plan


def test_a_table_running_onto_another_page_says_continued(manager):
    """Defect: with more actions the header prints again mid-table, without saying so."""
    made = busy.busy_case()
    pdfs = all_kinds(manager, made)
    continued = 0
    for content in pdfs.values():
        for page in PdfReader(BytesIO(content)).pages[1:]:
            continued += "(continued)" in page.extract_text()
    assert continued, "no table ran onto a second page"


def test_the_statement_and_report_show_the_ledger_and_the_report_data(manager):
    made = busy.busy_case()
    pdfs = all_kinds(manager, made)
    statement = " ".join(
        p.extract_text() for p in PdfReader(BytesIO(pdfs["finance_statement"])).pages
    )
    invoiced = db.session.scalar(select(func.sum(Invoice.amount_pence)))
    assert format_pence(invoiced) in statement
    for entry in db.session.scalars(select(LedgerEntry)):
        assert format_pence(abs(entry.amount_pence)) in statement, entry.kind

    report = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdfs["programme_report"])).pages)
    month = today().replace(day=1)
    data = monthly_data(db.session, manager, month, london_date(now()))
    s = data.spend
    for pence in (s.committed, s.invoiced, s.paid, s.closing.available, s.closing.pot):
        assert format_pence(pence) in report
    assert f"{data.meetings.held} held" in report
    # The spend chart's axis: pounds with thousands separators, no pence.
    assert "£" in report


def test_every_kind_of_a_minimal_case_renders(manager):
    """The least each document is made from: one meeting, one DASH review (at the MARAC
    threshold, for the MARAC pack), one approved stay."""
    practitioner = factories.user("practitioner", name="Ann Fictional")
    case = fa.accommodation_case(practitioner, scenario_plan=False)
    placement = fa.placement(case, "approved")
    activity.dash_review(case, today(), 14, "high")
    meeting = ProfessionalsMeeting(
        case_id=case.id, held_on=today() - timedelta(days=1), attendees="Ann Fictional"
    )
    db.session.add(meeting)
    db.session.commit()
    made = busy.BusyCase(practitioner, case, meeting, [placement])
    for kind, content in all_kinds(manager, made).items():
        reader = check_layout(kind, content)
        assert len(reader.pages) >= 1
