"""Issue 20, item 6: the layout rules every PDF shares (eip/pdf), each read back with pypdf.

The tests named after a defect of the issue's "Why" fail on the commit before it: the
header printed again mid-table, a row split across pages, a heading ("Spend", "Invoices")
stranded at the foot of a page, an all-zero chart, a spend axis without £ or separators,
the monthly report's title in lower case, and a last page holding one short paragraph.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from accommodation.finance.statement_document import STATEMENT_TITLE
from accommodation.stay.agreement import AGREEMENT_TITLE
from eip.cases.documents_letters import ACKNOWLEDGEMENT_TITLE, CLOSURE_TITLE
from eip.cases.documents_meetings import MINUTES_TITLE, PACK_TITLE, PLAN_TITLE
from eip.cases.marac_pack import TITLE as MARAC_TITLE
from eip.pdf import styles
from eip.pdf.charts import bar_chart
from eip.pdf.page import FOOTER_SPACE, HEADER_SPACE, MARKING, PAGE_HEIGHT, DocumentInfo, build_pdf
from eip.pdf.tables import Column, data_table, lines_table
from eip.privacy.subject_access_layout import TITLE as SUBJECT_ACCESS_TITLE
from eip.reports.monthly_document import REPORT_TITLE

FRAME = PAGE_HEIGHT - HEADER_SPACE - FOOTER_SPACE
AT = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def info(reference: str = "EIP-2026-0042", label: str = "Case") -> DocumentInfo:
    return DocumentInfo("Test document", reference, AT, "Fictional Manager", label)


def pages(story: list[Flowable], **kw) -> list[list[str]]:
    """Each page's story lines (the header and footer, drawn after it, left off)."""
    reader = PdfReader(BytesIO(build_pdf(info(**kw), story)))
    out = []
    for page in reader.pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        out.append(lines[: lines.index(MARKING)] if MARKING in lines else lines)
    return out


def page_of(found: list[list[str]], text: str) -> int:
    (number,) = {n for n, lines in enumerate(found) if any(text in line for line in lines)}
    return number


def leaving(room: float) -> Spacer:
    """A block that fills the first page but `room` points of it."""
    return Spacer(1, FRAME - room)


def test_a_header_repeated_on_the_next_page_says_continued():
    """Defect (plan, "Why"): with more actions the table header prints again mid-table."""
    table = data_table(
        [Column("Action", 0.6), Column("Owner", 0.4)],
        [[f"Action {n}", "Practitioner"] for n in range(80)],
    )
    found = pages([table])
    assert len(found) > 1
    assert "Action" in found[0][0] and "continued" not in found[0][0]
    for lines in found[1:]:
        assert lines[0].startswith("Action (continued)")


def test_a_long_plain_table_says_continued_too():
    table = lines_table(
        [Column("Date", 0.3), Column("Amount", 0.7, right=True)],
        [[f"{n} Nov 2026", "£70.00"] for n in range(120)],
    )
    found = pages([table])
    assert len(found) > 1
    assert all(lines[0].startswith("Date (continued)") for lines in found[1:])


def tall_rows(count: int, lines: int) -> Flowable:
    text = "\n".join(f"row{{n}} line {k}" for k in range(lines))
    return data_table(
        [Column("Action", 0.6), Column("Owner", 0.4)],
        [[text.format(n=n), "Practitioner"] for n in range(count)],
    )


def test_no_row_is_split_across_pages():
    """Defect (plan, "Why"): with more actions a row splits across pages."""
    found = pages([leaving(80), tall_rows(6, 12)])
    for n in range(6):
        assert page_of(found, f"row{n} line 0") == page_of(found, f"row{n} line 11"), n


def test_a_row_taller_than_a_page_is_carried_over_whole_pages_without_failing():
    found = pages([styles.para("Before"), tall_rows(1, 90)])
    text = [line for lines in found for line in lines]
    assert all(any(f"row0 line {k}" in line for line in text) for k in range(90))
    plain = lines_table([Column("Note", 1.0)], [[[f"note line {k}" for k in range(90)]]])
    text = [line for lines in pages([plain]) for line in lines]
    assert all(f"note line {k}" in text for k in range(90))


def chart_block(label: str) -> Flowable:
    drawing = Drawing(170 * mm, 70 * mm)
    drawing.add(String(10, 10, label))
    return KeepTogether([drawing, styles.para("The figures, in whole pounds.", styles.SMALL)])


def test_a_heading_is_never_left_at_the_foot_of_a_page_above_a_chart():
    """Defect (monthly report, "Why"): the "Spend" heading stranded above its chart."""
    found = pages([leaving(40 * mm), *styles.heading("Spend"), chart_block("SPENDCHART")])
    assert page_of(found, "Spend") == page_of(found, "SPENDCHART")


def test_a_heading_and_its_note_are_never_left_at_the_foot_of_a_page_above_a_chart():
    """Seen on the demo's October report: "Pathway outcomes" and its one-line note alone at
    the foot of page 2, the chart they introduce on page 3."""
    note = styles.para("The outcome of each case consultation held in the month.", styles.SMALL)
    rest = styles.para("The report goes on. " * 100)  # so the last-page rule plays no part
    found = pages(
        [leaving(45 * mm), *styles.heading("Pathway outcomes"), note, chart_block("OUTCOMES"), rest]
    )
    assert page_of(found, "Pathway outcomes") == page_of(found, "OUTCOMES")


def test_a_heading_is_never_left_at_the_foot_of_a_page_above_a_table():
    """Defect (statement, "Why"): "Invoices" heading alone at the foot of a page."""
    rows = [[[f"25 Oct 2026 line {k}" for k in range(5)], "£560.00"] for _ in range(30)]
    table = lines_table([Column("Date", 0.7), Column("Amount", 0.3, right=True)], rows)
    found = pages([leaving(30 * mm), *styles.heading("Invoices"), table])
    invoices = page_of(found, "Invoices")
    assert any("25 Oct 2026 line 0" in line for line in found[invoices])


def test_a_heading_above_a_long_table_keeps_only_its_first_rows_with_it():
    """No gap either: the table starts under its heading and runs on."""
    table = data_table([Column("Action", 1.0)], [[f"Action {n}"] for n in range(60)])
    found = pages([leaving(80 * mm), *styles.heading("Open actions"), table])
    assert "Open actions" in found[0] and "Action 0" in found[0]


@pytest.mark.parametrize("fillers", range(28, 44))
def test_the_last_page_is_never_one_short_paragraph(fillers):
    """Defect (every document, "Why"): a last page with a lone line above the footer."""
    story = [styles.para(f"Paragraph {n} of the story.") for n in range(fillers)]
    found = pages([*story, styles.para("Closing line."), styles.gap(18)])
    if len(found) > 1:
        assert len(found[-1]) >= 4, found[-1]


def test_a_chart_of_zeros_is_a_sentence_instead():
    """Defect (monthly report, "Why"): an all-zero chart."""
    chart = bar_chart(
        ["Oct 2026", "Nov 2026"],
        [("Paid", [0, 0]), ("Invoiced", [0, 0])],
        y_title="Pounds",
        empty="Nothing was paid or invoiced in these months.",
    )
    assert not isinstance(chart, Drawing)
    assert pages([chart]) == [["Nothing was paid or invoiced in these months."]]


def test_a_series_of_zeros_is_left_out_of_the_chart():
    chart = bar_chart(
        ["Oct 2026", "Nov 2026"],
        [("Committed", [1400, 2800]), ("Paid", [0, 0])],
        y_title="Pounds",
    )
    text = " ".join(pages([chart])[0])
    assert "Committed" not in text  # one series left: no key
    assert "Paid" not in text


def test_a_currency_axis_reads_in_pounds_with_thousands_separators():
    """Defect (monthly report, "Why"): the spend axis without £ or separators."""
    chart = bar_chart(
        ["Oct 2026", "Nov 2026"],
        [("Committed", [1400, 12500]), ("Paid", [700, 0])],
        y_title="Pounds, VAT included",
        money=True,
    )
    text = " ".join(pages([chart])[0])
    for label in ("£0", "£5,000", "£10,000", "£15,000", "£12,500", "£1,400", "£700"):
        assert label in text
    assert not re.search(r"£?\b(1400|12500|5000|10000|15000)\b", text)  # no bare figures


def test_a_month_keeps_its_capital_in_the_pdf_title():
    """Defect (monthly report, "Why"): title lower case ("…, october 2026")."""
    reader = PdfReader(BytesIO(build_pdf(info("October 2026", ""), [styles.para("x")])))
    assert reader.metadata.title == "Test document, October 2026"
    reader = PdfReader(BytesIO(build_pdf(info(), [styles.para("x")])))
    assert reader.metadata.title == "Test document, case EIP-2026-0042"


def test_the_metadata_has_title_author_subject_and_language():
    reader = PdfReader(BytesIO(build_pdf(info(), [styles.para("x")])))
    meta = reader.metadata
    assert meta.author == "EIP Tracker"
    assert meta.subject == f"Test document: {MARKING}"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


# Words a sentence-case title may capitalise: acronyms, proper names, and the name of the
# programme's own form (DOMAIN.md), printed as staff know it.
PROPER = {"MARAC", "Camden", "Risk Management and Intervention Plan"}


@pytest.mark.parametrize(
    "title",
    [
        ACKNOWLEDGEMENT_TITLE,
        CLOSURE_TITLE,
        PLAN_TITLE,
        PACK_TITLE,
        MINUTES_TITLE,
        MARAC_TITLE,
        AGREEMENT_TITLE,
        STATEMENT_TITLE,
        REPORT_TITLE,
        SUBJECT_ACCESS_TITLE,
    ],
)
def test_every_document_title_is_in_sentence_case(title):
    rest = title
    for name in PROPER:
        rest = rest.replace(name, "")
    words = rest.split()
    assert title[:1].isupper()
    assert all(not word[:1].isupper() for word in words[1:]), title


def test_a_short_table_is_never_split():
    """Defect (monthly report, demo): the pot's five lines split over the last two pages."""
    table = data_table([Column("Figure", 0.5), Column("Amount", 0.5)], [["Pot", "£14,000.00"]] * 5)
    found = pages([leaving(45), table])
    assert page_of(found, "Figure") == 1


def test_a_long_table_at_the_end_is_laid_out_without_copying_the_page_frame(monkeypatch):
    """The end of a story (`KeepEnding`) and a heading's group (`KeepWithFirst`) are
    measured on every page a long last table runs over. reportlab's own measure copies the
    page's frame each time (a deepcopy per page of a 170-page statement); ours never does,
    and lays the table out the same: its heading with its first rows, every row once, and
    the last page not near empty."""
    import reportlab.platypus.flowables as flowables

    copies = []
    real = flowables.deepcopy
    monkeypatch.setattr(flowables, "deepcopy", lambda x, *a: copies.append(x) or real(x, *a))
    rows = [[f"{n} Nov 2026", f"P-{n:04d}", "£70.00"] for n in range(400)]
    table = lines_table(
        [Column("Date", 0.3), Column("Placement", 0.4), Column("Amount", 0.3, right=True)],
        [*rows, ["", "Total", "£28,000.00"]],
        bold_last=True,
    )
    story = [styles.para("Opening."), *styles.heading("Placements"), table]
    found = pages(story)
    assert not [c for c in copies if c.__class__.__name__ == "Frame"]
    assert len(found) > 5
    assert "Placements" in found[0] and "P-0000" in " ".join(found[0])
    text = "\n".join(line for page in found for line in page)
    assert all(text.count(f"P-{n:04d}") == 1 for n in range(400))
    assert "Total" in " ".join(found[-1]) and len(found[-1]) >= 4
