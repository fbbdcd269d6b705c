"""No CSV the app writes can carry a formula into a spreadsheet (issue 14, item 6).

Every writer is tried with any text at all, and with text built to look like a formula
(= + - @, tab, carriage return, full-width forms, after any leading whitespace): what a
spreadsheet reads back is never a formula, numbers stay numbers, and the app reading its own
extract gets back exactly what it wrote.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from accommodation.budget import exports as budget_csv
from eip import csvsafe
from evaluation import package
from evaluation.columns import FILES, names
from evaluation.figures import Figures

ROOT = Path(__file__).resolve().parents[2]
# What a spreadsheet runs as a formula (OWASP), independent of the code under test.
RUNS = set("=+-@\t\r") | set("\uff1d\uff0b\uff0d\uff20")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
REPORT = {
    "label": "Extract 1",
    "period_start": "2026-08-19",
    "period_end": "2026-11-24",
    "prepared_on": "2026-11-24",
    "k": 5,
    "smallest_group": 6,
    "groups": 3,
    "generalisation": {},
    "suppressed": 0,
    "left_out": {},
}

any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
whitespace = st.text(alphabet=st.sampled_from(" \t\r\n\x0b\x0c\u00a0\u2003\u3000"), max_size=3)
formula_like = st.builds(
    lambda lead, start, rest: lead + start + rest,
    whitespace,
    st.sampled_from(sorted(RUNS)),
    any_text,
)
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.builds(lambda p: f"{p // 100}.{p % 100:02d}", st.integers(-(10**9), 10**9)),
)
cells = st.one_of(any_text, formula_like, numbers, st.sampled_from(["'", "'=1+1", "''"]))


def would_run(cell: str) -> bool:
    """Whether a spreadsheet would read this cell (as parsed from the file) as a formula."""
    if NUMBER.fullmatch(cell):
        return False
    return bool(cell) and (cell[0] in RUNS or cell.lstrip()[:1] in RUNS)


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=4))
def test_the_budget_and_figures_csv_never_carry_a_formula(rows):
    """accommodation.budget.views and evaluation.views (figures.csv) write through this."""
    read = parsed(budget_csv.to_csv(rows))
    assert len(read) == len(rows)
    for written, back in zip(rows, read, strict=True):
        for value, cell in zip(written, back, strict=True):
            assert not would_run(cell), (value, cell)
            if NUMBER.fullmatch(value):
                assert cell == value  # a number stays a number


@settings(max_examples=100, deadline=None)
@given(st.lists(cells, min_size=1, max_size=6))
def test_the_figures_rows_written_as_csv_never_carry_a_formula(labels):
    figures = Figures(k=5, cases=labels[0])
    text = csvsafe.to_csv(
        [*figures.csv_rows(), *(["statistics", label, "x", label] for label in labels)]
    )
    assert not any(would_run(cell) for row in parsed(text) for cell in row)


def _extract(value_for) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    streams = {
        name: [{column: value_for(column, n) for column in names(columns)} for n in range(2)]
        for name, _about, columns in FILES
    }
    package.write(
        buffer,
        cases=streams["cases.csv"],
        events=streams["events.csv"],
        dash_reviews=streams["dash_reviews.csv"],
        outcomes=streams["outcomes.csv"],
        report=REPORT,
        when=WHEN,
    )
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


@settings(max_examples=100, deadline=None)
@given(st.lists(cells, min_size=1, max_size=8))
def test_the_evaluation_extract_never_carries_a_formula_and_reads_back_as_written(values):
    def value_for(column: str, n: int) -> str:
        return values[(len(column) + n) % len(values)]

    archive = _extract(value_for)
    for name, _about, columns in FILES:
        text = archive.read(name).decode("utf-8")
        rows = parsed(text)
        assert rows[0] == names(columns)
        for row in rows[1:]:
            for cell in row:
                assert not would_run(cell), (name, cell)
        back = list(csvsafe.read_dicts(io.StringIO(text, newline="")))
        expected = [{c: value_for(c, n) for c in names(columns)} for n in range(2)]
        assert back == expected


def test_a_negative_amount_stays_a_number_and_a_dangerous_name_becomes_text():
    text = budget_csv.to_csv([['  =HYPERLINK("http://x")', "-12.50", "\uff1dcmd", "'x"]])
    assert parsed(text)[0] == ['\'  =HYPERLINK("http://x")', "-12.50", "'\uff1dcmd", "''x"]


def test_nothing_but_eip_csvsafe_writes_csv():
    """The one writer: any other csv.writer or DictWriter would skip the escaping."""
    offenders = []
    for folder in ("eip", "accommodation", "evaluation", "forms"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "eip" / "csvsafe.py":
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"csv\.(writer|DictWriter)\b|from csv import", source):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _safe_cell_before_the_fast_path(value: object) -> str:
    """safe_cell as it was before it returned early for a cell that cannot start a formula."""
    text = "" if value is None else str(value)
    if not text or csvsafe.is_number(text):
        return text
    first = text.lstrip()[:1]
    if text[0] in csvsafe.FORMULA_START or first in csvsafe.FORMULA_START or text[0] == "'":
        return "'" + text
    return text


@settings(max_examples=500)
@given(st.one_of(cells, st.text(), st.integers(), st.none()))
def test_the_fast_path_escapes_exactly_what_the_full_check_escaped(value):
    assert csvsafe.safe_cell(value) == _safe_cell_before_the_fast_path(value)


@settings(max_examples=500)
@given(st.lists(st.one_of(cells, st.text(), st.integers(), st.none()), max_size=6))
def test_a_row_is_made_safe_exactly_as_its_cells_are_one_by_one(row):
    """safe_row's one search of the joined row (the fast path) changes nothing."""
    assert list(csvsafe.safe_row(row)) == [csvsafe.safe_cell(cell) for cell in row]
    assert list(csvsafe.safe_row(tuple(row))) == [csvsafe.safe_cell(cell) for cell in row]


_ROW = st.lists(st.one_of(cells, st.just(""), st.text()), min_size=1, max_size=4)
_ROWS = st.lists(_ROW, max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ROWS, _ROWS, _ROWS), min_size=1, max_size=5))
def test_a_case_s_rows_of_several_files_are_the_text_each_file_s_rows_would_be(cases):
    """FilesText (one buffer per file, one check for a case's rows of every file) gives
    each file exactly the text writing its rows alone gives, escapes and all, and where
    each case's text ends in it, in bytes (a cell may be outside ASCII)."""
    texts = csvsafe.FilesText(3)
    for case in cases:
        texts.add(case)
    taken = texts.take()
    for number, (data, ends) in enumerate(taken):
        one_by_one = [csvsafe.RowText().text(case[number]).encode("utf-8") for case in cases]
        assert data == b"".join(one_by_one)
        starts = [0, *ends[:-1]]
        assert [data[a:b] for a, b in zip(starts, ends, strict=True)] == one_by_one
    assert all(data == b"" and ends == [] for data, ends in texts.take())
