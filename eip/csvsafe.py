"""The one way the app writes CSV: every cell made safe to open in a spreadsheet.

A cell that begins with = + - @ (or their full-width forms), a tab or a carriage return, or
with one of those after leading whitespace (spreadsheets trim it), runs as a formula when the
file is opened: a provider name typed as `=HYPERLINK(...)` would become a link or a command in
the spreadsheet that finance, managers or SCIE's evaluators open. Such a cell gets a leading
apostrophe, which spreadsheets read as "this is text". A plain number (`-12.50`) is left
alone: it cannot execute, and a negative amount must stay a number.

The escape is reversible: a cell that already begins with an apostrophe is escaped too, so
`read_cell` gives back exactly what was written (the app reads its own extracts back).
Nothing outside this module calls `csv.writer` or `csv.DictWriter`
(tests/unit/test_csv_safety.py checks).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
# What makes a spreadsheet read a cell as a formula (OWASP's list, with full-width forms).
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
ESCAPE = "'"


def is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def safe_cell(value: object) -> str:
    """The text of `value` as a cell a spreadsheet will not run."""
    text = "" if value is None else str(value)
    if not text:
        return text
    lead = text[0]
    # Most cells: nothing that could start a formula, and no whitespace before one.
    if lead not in FORMULA_START and lead != ESCAPE and not lead.isspace():
        return text
    if is_number(text):
        return text
    first = text.lstrip()[:1]
    if text[0] in FORMULA_START or first in FORMULA_START or text[0] == ESCAPE:
        return ESCAPE + text
    return text


def read_cell(cell: str) -> str:
    """What was written into a cell that `safe_cell` made (its inverse)."""
    return cell[1:] if cell.startswith(ESCAPE) else cell


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell` (RFC 4180 line endings)."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])


class SafeDictWriter:
    """`csv.DictWriter` (header first, unknown keys refused), every cell made safe."""

    def __init__(self, stream: IO[str], fieldnames: Sequence[str]) -> None:
        self.fieldnames = list(fieldnames)
        self._known = frozenset(self.fieldnames)
        self._writer = SafeWriter(stream)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, object]) -> None:
        if not self._known.issuperset(row):
            unknown = set(row) - self._known
            raise ValueError(f"dict contains fields not in fieldnames: {sorted(unknown)}")
        self._writer.writerow(row.get(name, "") for name in self.fieldnames)


def to_csv(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text, every cell made safe."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def read_dicts(stream: IO[str]) -> Iterator[dict[str, str]]:
    """Rows of a CSV this module wrote, as dicts of the values that were written."""
    for row in csv.DictReader(stream):
        yield {
            read_cell(key): read_cell(value or "") for key, value in row.items() if key is not None
        }
