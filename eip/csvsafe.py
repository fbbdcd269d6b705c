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
from itertools import accumulate, chain
from operator import itemgetter
from typing import IO

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
# What makes a spreadsheet read a cell as a formula (OWASP's list, with full-width forms).
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
ESCAPE = "'"
# A row's cells, each after a NUL: a cell that safe_cell might change follows a NUL with a
# formula character, the apostrophe or whitespace (a literal first lets the search skip
# from NUL to NUL). One search of the
# joined row clears most rows at once; a match (even a false one, from a NUL inside a
# cell) sends the row through safe_cell cell by cell, so the fast path escapes nothing
# differently.
_JOIN = "\x00"
_MAYBE_UNSAFE = re.compile(r"\x00[=+\-@'\s\uff1d\uff0b\uff0d\uff20]")
_TEXT = {str}


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


def safe_row(row: Sequence[object]) -> Sequence[object]:
    """The row's cells made safe: the row itself when every cell is plain text that
    `safe_cell` would leave alone (most rows of an extract), else each cell through it."""
    # Exactly str (not a subclass, whose str() may differ from its text) joins safely.
    if set(map(type, row)) <= _TEXT and _MAYBE_UNSAFE.search(_JOIN + _JOIN.join(row)) is None:  # type: ignore[arg-type]
        return row
    return [safe_cell(cell) for cell in row]


def read_cell(cell: str) -> str:
    """What was written into a cell that `safe_cell` made (its inverse)."""
    return cell[1:] if cell.startswith(ESCAPE) else cell


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell` (RFC 4180 line endings)."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")
        # For callers in this module that have checked the cells with `all_plain`.
        self.raw = self._writer

    @staticmethod
    def all_plain(cells: Iterable[object]) -> bool:
        """Whether every cell is plain text that `safe_cell` would leave alone."""
        cells = list(cells)
        return (
            set(map(type, cells)) <= _TEXT
            and _MAYBE_UNSAFE.search(_JOIN + _JOIN.join(cells)) is None  # type: ignore[arg-type]
        )

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(safe_row(row if isinstance(row, list | tuple) else list(row)))

    def writerows(self, rows: Sequence[Sequence[object]]) -> None:
        """`writerow` of each row; rows that are all plain text cleared by one search (the
        extract writes a case's rows at once), else row by row."""
        if self.all_plain(chain.from_iterable(rows)):
            self._writer.writerows(rows)
            return
        for row in rows:
            self.writerow(row)


class RowText:
    """Rows as CSV text, a few at a time, for text kept now and written into a file later
    (the same text `SafeWriter` would write)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = SafeWriter(self._buffer)

    def text(self, rows: Sequence[Sequence[object]]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerows(rows)
        return buffer.getvalue()


class FilesText:
    """Rows of several CSV files, a group at a time (the extract: a case's rows of each of
    its files), kept as each file's text until taken (the same text `SafeWriter` would
    write), with where each group ends in it.

    One check of every cell of a group clears it for all files; the text is taken many
    groups at a time, so a group costs a write per file and no string of its own.
    """

    def __init__(self, files: int) -> None:
        self._buffers = [io.StringIO() for _ in range(files)]
        self._writers = [SafeWriter(buffer) for buffer in self._buffers]
        # Per file, where each group added since the last `take` ends (in characters).
        self._ends: list[list[int]] = [[] for _ in range(files)]

    def add(self, groups: Sequence[Sequence[Sequence[object]]]) -> None:
        """A group: its rows for each file, in the files' order."""
        kept = zip(groups, self._writers, self._buffers, self._ends, strict=True)
        if SafeWriter.all_plain(chain.from_iterable(chain.from_iterable(groups))):
            for rows, writer, buffer, ends in kept:
                writer.raw.writerows(rows)
                ends.append(buffer.tell())
        else:
            for rows, writer, buffer, ends in kept:
                for row in rows:
                    writer.writerow(row)
                ends.append(buffer.tell())

    def take(self) -> list[tuple[bytes, list[int]]]:
        """Each file's text since the last `take`, as UTF-8, with where each group's text
        ends in it (in bytes), in the order they were added; the buffers are emptied."""
        found = []
        for buffer, ends in zip(self._buffers, self._ends, strict=True):
            text = buffer.getvalue()
            data = text.encode("utf-8")
            if len(data) == len(text):  # ASCII (coded values): a character is a byte
                found.append((data, list(ends)))
            else:
                starts = [0, *ends[:-1]]
                sizes = (len(text[a:b].encode("utf-8")) for a, b in zip(starts, ends, strict=True))
                found.append((data, list(accumulate(sizes))))
            buffer.seek(0)
            buffer.truncate()
            ends.clear()
        return found


class SafeDictWriter:
    """`csv.DictWriter` (header first, unknown keys refused), every cell made safe."""

    def __init__(self, stream: IO[str], fieldnames: Sequence[str]) -> None:
        self.fieldnames = list(fieldnames)
        self._known = frozenset(self.fieldnames)
        # A row with every field (the usual case) is read in one call.
        self._values = itemgetter(*self.fieldnames) if len(self.fieldnames) > 1 else None
        self._writer = SafeWriter(stream)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, object]) -> None:
        if not self._known.issuperset(row):
            unknown = set(row) - self._known
            raise ValueError(f"dict contains fields not in fieldnames: {sorted(unknown)}")
        if self._values is not None and len(row) == len(self.fieldnames):
            self._writer.writerow(self._values(row))
        else:
            self._writer.writerow([row.get(name, "") for name in self.fieldnames])


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
