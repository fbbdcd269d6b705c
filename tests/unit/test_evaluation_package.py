"""The package: CSVs streamed into a zip, a data dictionary that describes every column,
a disclosure report that states k and the personal-data notice, a SHA-256 manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest

from eip.domain import RuleBroken
from evaluation import package
from evaluation.columns import (
    CASE_COLUMNS,
    DASH_COLUMNS,
    EVENT_COLUMNS,
    FILES,
    OUTCOME_COLUMNS,
    names,
)
from evaluation.disclosure import QUASI_IDENTIFIERS

WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
REPORT = {
    "label": "Extract 7",
    "period_start": "2026-08-19",
    "period_end": "2026-11-24",
    "prepared_on": "2026-11-24",
    "k": 5,
    "smallest_group": 6,
    "groups": 3,
    "generalisation": {"age_band": "10-year age bands", "borough": "not shown"},
    "suppressed": 2,
    "left_out": {"evaluation_consent_declined": 2, "evaluation_consent_withdrawn": 7},
}


def _rows(columns, count):
    for n in range(count):
        yield {name: f"{name}-{n}" for name in names(columns)}


def build(cases=3) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    package.write(
        buffer,
        cases=_rows(CASE_COLUMNS, cases),
        events=_rows(EVENT_COLUMNS, 4),
        dash_reviews=_rows(DASH_COLUMNS, 2),
        outcomes=_rows(OUTCOME_COLUMNS, 3),
        report=REPORT,
        when=WHEN,
    )
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def test_the_zip_holds_the_four_csv_files_the_dictionary_the_report_and_the_manifest():
    archive = build()
    assert archive.namelist() == [
        "cases.csv", "events.csv", "dash_reviews.csv", "outcomes.csv", package.DICTIONARY,
        package.REPORT, package.MANIFEST,
    ]  # fmt: skip
    assert archive.testzip() is None


def test_every_csv_has_exactly_its_documented_header_and_every_streamed_row():
    archive = build(cases=250)
    counts = {}
    for name, _about, columns in FILES:
        reader = csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8"))
        counts[name] = len(list(reader))
        assert reader.fieldnames == names(columns)
    assert counts == {
        "cases.csv": 250, "events.csv": 4, "dash_reviews.csv": 2, "outcomes.csv": 3,
    }  # fmt: skip


def test_the_manifest_gives_the_sha256_of_every_other_file():
    archive = build()
    lines = archive.read(package.MANIFEST).decode().splitlines()
    digests = dict(reversed(line.split("  ")) for line in lines)
    assert set(digests) == set(archive.namelist()) - {package.MANIFEST}
    for name, digest in digests.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_the_data_dictionary_describes_every_column_of_every_file():
    text = build().read(package.DICTIONARY).decode()
    for name, _about, columns in FILES:
        assert f"## {name}" in text
        for column in columns:
            line = next(line for line in text.splitlines() if line.startswith(f"| {column.name} |"))
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            assert len(cells) == 4 and all(cells), line  # meaning, type, allowed values
    assert "still personal data under UK GDPR" in text


def test_the_disclosure_report_states_k_and_what_was_generalised_and_left_out():
    text = build().read(package.REPORT).decode()
    assert "k = 5" in text
    assert "the smallest group has 6 cases" in text
    assert "| borough | not shown |" in text
    assert "still personal data under UK GDPR" in text
    assert "Cases with every quasi-identifier suppressed: 2" in text
    # Left out: 2 declined is a small count, hidden; 7 withdrawn would then give it away
    # through the total, so one more is hidden.
    assert "| the client or the partner declined the use of their anonymised data | <5 |" in text
    assert "[c]" in text
    assert "| 2 |" not in text


def test_the_written_file_is_refused_when_a_group_of_quasi_identifiers_is_below_k(tmp_path):
    def rows(count):
        for n in range(count):
            row = {name: f"{name}-{n}" for name in names(CASE_COLUMNS)}
            # Five rows share one combination (written escaped: "=" leads).
            yield row | {qi: "=same" for qi in QUASI_IDENTIFIERS} if n < 5 else row

    path = tmp_path / "extract.zip"
    with path.open("wb") as target:
        package.write(
            target, cases=rows(5), events=iter(()), dash_reviews=iter(()), report=REPORT,
            when=WHEN,
        )  # fmt: skip
    package.check_written(path, 5)
    with path.open("wb") as target:
        package.write(
            target, cases=rows(6), events=iter(()), dash_reviews=iter(()), report=REPORT,
            when=WHEN,
        )  # fmt: skip
    with pytest.raises(RuleBroken, match="a group of 1 is below k"):
        package.check_written(path, 5)
