"""Every document is dated by the event it records (issue 20), on every page's header: the
plan by its consultation, minutes by their meeting, the closure summary by the closure, the
MARAC pack by the day it was prepared, Camden's statement by its period's end and the
monthly report by its month's end. Printed later, each says it is a copy and who printed
it. Before the fix every document was dated the day it was printed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

from pypdf import PdfReader

from accommodation import documents as accommodation_documents
from eip.extensions import db
from eip.reports import monthly_document
from tests import factories
from tests.integration.test_pdf_documents import AT, close, full_case, produce


def pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def assert_dated(content: bytes, dated: str, printed: str | None, by: str) -> None:
    for page in pages(content):
        assert f"Dated {dated}" in page
        if printed:
            assert f"Copy printed on {printed} by {by}" in page
        else:
            assert "Copy printed" not in page


def test_the_plan_is_dated_by_its_consultation_and_the_minutes_by_their_meeting(app_context):
    """Defect: the plan and the minutes were dated the day they were printed."""
    case, practitioner, meetings = full_case()
    plan = produce(case, practitioner, "plan").content  # printed on 2 March 2026
    assert_dated(plan, "12 January 2026", "2 March 2026", practitioner.name)
    minutes = produce(case, practitioner, "minutes", meetings[0]).content
    assert_dated(minutes, "2 February 2026", "2 March 2026", practitioner.name)


def test_the_meeting_pack_is_an_agenda_dated_the_day_it_is_printed(app_context):
    case, practitioner, _ = full_case()
    pack = produce(case, practitioner, "meeting_pack").content
    assert_dated(pack, "2 March 2026", None, practitioner.name)


def test_the_closure_summary_is_dated_the_day_the_case_closed(app_context):
    case, practitioner, _ = full_case()
    close(case)  # closed the day before AT
    summary = produce(case, practitioner, "closure_summary").content
    assert_dated(summary, "1 March 2026", "2 March 2026", practitioner.name)


def test_the_statement_is_dated_its_periods_end_and_the_report_its_months_end(app_context):
    finance = factories.user("finance", name="Grace Fictional")
    statement = accommodation_documents.produce_statement(
        db.session, finance, date(2026, 2, 1), date(2026, 2, 28), at=AT
    ).content
    assert_dated(statement, "28 February 2026", "2 March 2026", finance.name)
    manager = factories.user("manager", name="Morgan Managerial")
    report = monthly_document.produce(db.session, manager, date(2026, 1, 1), at=AT).content
    assert_dated(report, "31 January 2026", "2 March 2026", manager.name)


def test_a_report_for_the_month_not_yet_over_is_dated_today_and_is_no_copy(app_context):
    manager = factories.user("manager")
    at = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
    report = monthly_document.produce(db.session, manager, date(2026, 3, 1), at=at).content
    assert_dated(report, "16 March 2026", None, manager.name)
