"""The house page's frame (eip/pdf/page.py): the letterhead names the organisation, every
page is dated by the event the document records, a later print says it is a copy and who
printed it, and the footer names the one who printed it as such, never as a signatory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

from pypdf import PdfReader

from eip.pdf import styles
from eip.pdf.page import MARKING, DocumentInfo, Letterhead, build_pdf

LETTERHEAD = Letterhead(
    organisation="Fictional Organisation — Test Project (demo)",
    phone="020 7946 0000",
    email="eip@example.org",
    address="1 Example Street\nLondon N1 0AA",
)
# 11:05 UTC on 1 July 2026; 23:30 UTC on 1 July is already 2 July in London (BST).
NOON = datetime(2026, 7, 1, 11, 5, tzinfo=UTC)
LATE_EVENING = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)


def info(at: datetime = NOON, dated_on: date | None = None, by: str = "Fictional Printer"):
    return DocumentInfo(
        "Test document", "EIP-2026-0042", at, by, dated_on=dated_on, letterhead=LETTERHEAD
    )


def pages_of(document: DocumentInfo, paragraphs: int = 1) -> list[str]:
    story = [styles.para(f"Paragraph {n} " * 40) for n in range(paragraphs)]
    return [p.extract_text() for p in PdfReader(BytesIO(build_pdf(document, story))).pages]


def test_every_page_is_headed_by_the_organisation_not_the_software():
    found = pages_of(info(), paragraphs=40)
    assert len(found) > 1
    for page in found:
        assert LETTERHEAD.organisation in page
        assert "EIP Tracker" not in page.split("Printed from")[0]


def test_printed_on_the_day_of_its_event_a_document_is_the_original():
    (page,) = pages_of(info(dated_on=date(2026, 7, 1)))
    assert "Dated 1 July 2026" in page
    assert "Copy printed" not in page
    assert (
        "Printed from EIP Tracker on 1 July 2026, 12:05pm (London time) by Fictional Printer"
        in (page)
    )


def test_printed_after_its_event_every_page_says_it_is_a_copy_and_who_printed_it():
    found = pages_of(info(dated_on=date(2026, 6, 3)), paragraphs=40)
    for page in found:
        assert "Dated 3 June 2026" in page
        assert "Copy printed on 1 July 2026 by Fictional Printer" in page
        assert "Copy printed from EIP Tracker on 1 July 2026" in page


def test_the_day_printed_is_the_london_day():
    assert info(LATE_EVENING, dated_on=date(2026, 7, 1)).is_copy
    assert info(NOON, dated_on=date(2026, 7, 1)).is_copy is False


def test_a_document_with_no_event_is_dated_the_day_printed_and_is_never_a_copy():
    document = info(LATE_EVENING)
    assert document.date_line == "Dated 2 July 2026"
    assert document.copy_line is None


def test_whoever_printed_it_is_named_only_as_the_one_who_printed_it():
    (page,) = pages_of(info(dated_on=date(2026, 6, 3), by="Morgan Managerial"))
    naming = [line for line in page.splitlines() if "Morgan Managerial" in line]
    assert len(naming) == 2
    assert all(line.startswith(("Copy printed", "Printed")) for line in naming)


def test_a_very_long_name_or_organisation_is_cut_to_fit_not_run_over_the_page():
    long_name = "Aleksandra Wiśniewska-Kowalczyk-Brzęczyszczykiewicz " * 3
    long_org = Letterhead("Organisation " * 20, "020 7946 0000", "eip@example.org", "x")
    document = DocumentInfo(
        "Test document",
        "EIP-2026-0042",
        NOON,
        long_name,
        dated_on=date(2026, 6, 3),
        letterhead=long_org,
    )
    (page,) = pages_of(document)
    assert "Case EIP-2026-0042" in page
    assert "Copy printed on 1 July 2026 by Aleksandra" in page
    assert "…" in page


def test_the_address_keeps_one_line_per_line():
    assert LETTERHEAD.address_lines == ["1 Example Street", "London N1 0AA"]


def test_beside_a_statements_long_period_the_organisation_is_set_smaller_never_cut():
    """Seen on the demo's statement: "Cranstoun — Early Intervention…", the letterhead cut
    to make room for "Period 1 September 2026 to 30 November 2026"."""
    organisation = "Cranstoun — Early Intervention Project (demo)"
    statement = DocumentInfo(
        "Accommodation statement for Camden",
        "1 September 2026 to 30 November 2026",
        NOON,
        "Fictional Printer",
        reference_label="Period",
        letterhead=Letterhead(organisation, "020 7946 0000", "eip@example.org", "London"),
    )
    (page,) = pages_of(statement)
    assert organisation in page
    assert "Period 1 September 2026 to 30 November 2026" in page


def test_every_page_ends_with_its_number_then_the_marking_at_its_foot():
    # The marking at the foot is drawn once as a form each page shows (a statement runs to
    # some 170 pages): a reader following the text in order still meets the page number,
    # then the marking, on every page.
    pages = pages_of(info(), paragraphs=30)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) == 2  # top and foot
        assert text.rstrip().endswith(f"Page {number} of {len(pages)}\n{MARKING}")
