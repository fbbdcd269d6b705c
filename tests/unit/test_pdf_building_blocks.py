"""The shared PDF building blocks (eip/pdf): the house page, styles, tables and charts.

Each PDF is read back with pypdf, so the tests check what a reader finds in the file:
real text, numbered pages, the marking on every page, and metadata free of names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, Line

from eip.pdf import styles
from eip.pdf.charts import Point, Threshold, _thinned, bar_chart, line_chart, nice_maximum
from eip.pdf.fonts import register
from eip.pdf.page import MARKING, DocumentInfo, build_pdf
from eip.pdf.tables import Column, data_table, summary_table

REFERENCE = "EIP-2026-0042"
AUTHOR_NAME = "Fictional Practitioner"
SUMMER_NOON_UTC = datetime(2026, 7, 1, 11, 5, tzinfo=UTC)


def info(title: str = "Test document") -> DocumentInfo:
    return DocumentInfo(title, REFERENCE, SUMMER_NOON_UTC, AUTHOR_NAME)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def long_table(rows: int = 90):
    return data_table(
        [Column("Number", 0.3), Column("Words", 0.7)],
        [[f"Row {n}", "Some words to fill the row."] for n in range(rows)],
    )


def test_every_page_carries_the_marking_the_reference_the_title_and_its_number():
    pages = pages_of(build_pdf(info("Professionals meeting pack"), [long_table()]))
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) == 2  # top and bottom
        assert f"Case {REFERENCE}" in text
        assert "EIP Tracker" in text
        assert "Professionals meeting pack" in text
        assert f"Page {number} of {len(pages)}" in text


def test_the_footer_says_when_in_london_time_and_by_whom():
    (text,) = pages_of(build_pdf(info(), [styles.para("Hello")]))
    # 11:05 UTC on 1 July is 12:05pm in London (BST).
    printed = f"Printed from EIP Tracker on 1 July 2026, 12:05pm (London time) by {AUTHOR_NAME}"
    assert printed in text


def test_metadata_names_the_service_and_the_document_but_no_person():
    reader = PdfReader(BytesIO(build_pdf(info("Case closure summary"), [styles.para("x")])))
    meta = reader.metadata
    assert meta.author == "EIP Tracker"
    assert meta.title == f"Case closure summary, case {REFERENCE}"
    assert meta.creator == "EIP Tracker"
    assert all(AUTHOR_NAME not in str(value) for value in meta.values())


def test_a_table_repeats_its_header_row_on_every_page_it_runs_onto():
    pages = pages_of(build_pdf(info(), [long_table(120)]))
    assert len(pages) >= 3
    for text in pages:
        assert "Number" in text and "Words" in text
    assert "Row 0" in pages[0] and "Row 119" in pages[-1]


def test_a_table_without_rows_says_so_instead():
    (text,) = pages_of(build_pdf(info(), [data_table([Column("A", 1.0)], [], empty="No actions.")]))
    assert "No actions." in text


def test_a_cell_longer_than_a_page_splits_rather_than_breaking_the_document():
    huge = "\n".join(f"Line {n} of a very long note." for n in range(150))
    pages = pages_of(build_pdf(info(), [summary_table([("Note", huge)])]))
    assert len(pages) >= 2
    assert "Line 0 of" in pages[0] and "Line 149 of" in pages[-1]


def test_typed_markup_characters_print_as_text_and_change_nothing():
    typed = 'Client said <b>"no"</b> & left </para>'
    (text,) = pages_of(build_pdf(info(), [styles.para(typed), *styles.free_text(typed)]))
    assert text.count(typed) == 2


def test_free_text_is_one_paragraph_per_typed_line_or_none_recorded():
    assert [p.getPlainText() for p in styles.free_text("a\n\n b \n")] == ["a", "b"]
    assert [p.getPlainText() for p in styles.free_text("  ")] == ["None recorded"]
    assert [p.getPlainText() for p in styles.free_text(None, empty="Nothing")] == ["Nothing"]


def test_names_with_letters_beyond_latin_1_are_kept_in_the_text():
    register()
    name = "Łucja Zielińska, Ayşe Yılmaz, Ștefan Ionescu"  # noqa: RUF001 (a real Turkish letter)
    (text,) = pages_of(build_pdf(info(), [styles.para(name)]))
    assert name in text


def test_headings_bullets_and_numbered_lists_render_as_text():
    story = [
        *styles.heading("Agenda"),
        styles.numbered(["Risk update", "Progress"]),
        styles.bullets(["First point", "Second point"]),
        styles.labelled("Date", "1 July 2026"),
    ]
    (text,) = pages_of(build_pdf(info(), story))
    for words in ("Agenda", "Risk update", "Progress", "First point", "Date: 1 July 2026"):
        assert words in text


def test_the_line_chart_labels_each_point_and_draws_the_threshold_with_its_key():
    chart = line_chart(
        [Point("5 Jan 2026", 7), Point("2 Feb 2026", 15)],
        y_max=24,
        y_step=6,
        y_title="DASH score",
        thresholds=[
            Threshold(14, "MARAC threshold (14)"),
            Threshold(10, "High-risk threshold (10)", (2, 3)),
        ],
    )
    assert isinstance(chart, Drawing)
    dashed = [s for s in chart.contents if isinstance(s, Line) and s.strokeDashArray]
    assert len(dashed) == 4  # each threshold and its key
    assert {tuple(s.strokeDashArray) for s in dashed} == {(6, 4), (2, 3)}
    (text,) = pages_of(build_pdf(info(), [chart]))
    for words in (
        "DASH score",
        "MARAC threshold (14)",
        "High-risk threshold (10)",
        "5 Jan 2026",
        "2 Feb 2026",
        "15",
    ):
        assert words in text


def test_the_threshold_line_sits_at_its_value_on_the_axis():
    chart = line_chart(
        [Point("a", 1)], y_max=24, y_step=6, y_title="t", thresholds=[Threshold(12, "Twelve")]
    )
    plot = chart.contents[0]
    (line, _key) = [s for s in chart.contents if isinstance(s, Line) and s.strokeDashArray]
    assert line.y1 == pytest.approx(plot.y + plot.height / 2)


def test_a_line_chart_with_no_points_still_draws():
    pages = pages_of(build_pdf(info(), [line_chart([], y_max=24, y_step=6, y_title="Empty")]))
    assert "Empty" in pages[0]


def test_the_bar_chart_labels_its_bars_and_names_its_series():
    chart = bar_chart(
        ["Jan", "Feb", "Mar"],
        [("Referrals", [3, 5, 2]), ("Accepted", [2, 4, 1])],
        y_title="Cases",
    )
    (text,) = pages_of(build_pdf(info(), [chart]))
    for words in ("Cases", "Referrals", "Accepted", "Jan", "Feb", "Mar"):
        assert words in text


def test_a_single_series_bar_chart_has_no_key():
    chart = bar_chart(["Camden"], [("Placements", [4])], y_title="Placements")
    (text,) = pages_of(build_pdf(info(), [chart]))
    assert text.count("Placements") == 1  # the axis title only


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [(0, 4, 1), (3, 4, 1), (7, 8, 2), (14, 20, 5), (24, 40, 10), (1350, 2000, 500)],
)
def test_the_bar_axis_rounds_up_to_round_steps(largest, top, step):
    assert nice_maximum(largest) == (top, step)


def test_many_category_labels_are_thinned_but_the_last_is_always_shown():
    labels = [f"d{n}" for n in range(20)]
    shown = _thinned(labels)
    assert len(shown) == 20
    assert shown[-1] == "d19" and shown[0] == "d0"
    assert sum(1 for label in shown if label) <= 8
    assert _thinned(["a", "b"]) == ["a", "b"]
