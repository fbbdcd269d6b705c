"""The extract as a zip: CSV files streamed in, a data dictionary, a disclosure report and
a manifest of SHA-256 digests. No Flask, no database: it writes what it is given.

Rows are written one at a time straight into the zip member, hashed on the way, so a
large extract never sits in memory. `CaseStore` takes each case's row, events, DASH
reviews and outcome measurements together (one read of the case, before disclosure
control has chosen the cases), keeps them as CSV text in temporary files and copies the
chosen ones into the zip. `manifest.sha256` is in the format `sha256sum -c` reads, so an
evaluator can check the files with standard tools.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
import zipfile
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from eip.csvsafe import FilesText, RowText, SafeDictWriter, read_cell
from eip.domain import RuleBroken
from evaluation import disclosure
from evaluation.columns import FILES, PERSONAL_DATA_NOTICE, Column, names
from evaluation.disclosure import QUASI_IDENTIFIERS
from evaluation.tables import protect

MANIFEST = "manifest.sha256"
DICTIONARY = "data_dictionary.md"
REPORT = "disclosure_report.md"
CHUNK = 64 * 1024
# Cases whose rows CaseStore keeps as text in memory before writing them to its files.
SPILL = 500

LEFT_OUT_REASONS = {
    "evaluation_consent_declined": (
        "the client or the partner declined the use of their anonymised data"
    ),
    "evaluation_consent_withdrawn": (
        "the client or the partner withdrew consent to the use of their anonymised data"
    ),
    "withheld": (
        "disclosure control: even with every value suppressed, the case could have been "
        "singled out (too few people like it, or too few new since the last release)"
    ),
}


class _Hashing(io.RawIOBase):
    """Passes bytes to the zip member and counts and hashes them on the way."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


@dataclass(frozen=True)
class Written:
    name: str
    sha256: str
    size: int
    rows: int | None = None


def _info(name: str, when: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_csv(
    archive: zipfile.ZipFile, name: str, header: list[str], rows: Iterable[Mapping[str, str]],
    when: datetime,
) -> Written:  # fmt: skip
    with archive.open(_info(name, when), "w") as member:
        hashing = _Hashing(member)
        # Buffered (flushed before it is detached): a write per row costs more than the row.
        text = io.TextIOWrapper(hashing, encoding="utf-8", newline="")
        writer = SafeDictWriter(text, header)
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
    return Written(name, hashing.digest.hexdigest(), hashing.size, count)


def _write_text(archive: zipfile.ZipFile, name: str, body: str, when: datetime) -> Written:
    data = body.encode("utf-8")
    archive.writestr(_info(name, when), data)
    return Written(name, hashlib.sha256(data).hexdigest(), len(data))


def _finish(
    archive: zipfile.ZipFile, written: list[Written], report: Mapping[str, Any], when: datetime
) -> list[Written]:
    """The dictionary, the report and the manifest, after the CSV files."""
    written.append(_write_text(archive, DICTIONARY, data_dictionary(), when))
    rows = {w.name: w.rows for w in written}
    written.append(_write_text(archive, REPORT, disclosure_report(report, rows), when))
    manifest = "".join(f"{w.sha256}  {w.name}\n" for w in written)
    archive.writestr(_info(MANIFEST, when), manifest.encode("ascii"))
    return written


def write(
    target: IO[bytes],
    *,
    cases: Iterable[Mapping[str, str]],
    events: Iterable[Mapping[str, str]],
    dash_reviews: Iterable[Mapping[str, str]],
    outcomes: Iterable[Mapping[str, str]] = (),
    report: Mapping[str, Any],
    when: datetime,
) -> list[Written]:
    """Write the whole package to `target` (a file opened for binary writing)."""
    streams = {
        "cases.csv": cases,
        "events.csv": events,
        "dash_reviews.csv": dash_reviews,
        "outcomes.csv": outcomes,
    }
    written: list[Written] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, _about, columns in FILES:
            written.append(_write_csv(archive, name, names(columns), streams[name], when))
        return _finish(archive, written, report, when)


# A case row's first cells: its ID and quasi-identifiers, known only after disclosure control.
HEAD = 1 + len(QUASI_IDENTIFIERS)
assert names(FILES[0][2])[:HEAD] == ["case_id", *QUASI_IDENTIFIERS]


class CaseStore:
    """Each candidate's rows as CSV text in temporary files, in the order the cases are
    read, until disclosure control has chosen the cases that go in and their
    quasi-identifiers; `write` then copies them into the package in the order it is given.

    So every case is read once, while it is at hand, and a large extract never sits in
    memory: what is kept per case is where its text starts in each file.
    """

    def __init__(self) -> None:
        # cases.csv (each row after its HEAD cells), events.csv, dash_reviews.csv, outcomes.csv
        self._files = [tempfile.TemporaryFile() for _ in FILES]  # noqa: SIM115 (close())
        self._ends = [array("Q", [0]) for _ in FILES]
        self._rows = [array("Q", [0]) for _ in FILES]
        self._at: dict[str, int] = {}
        self._text = RowText()
        # The rows of the cases added since the last spill, as text in memory.
        self._pending = FilesText(len(FILES))
        self._count = 0

    def add(
        self,
        case_id: str,
        case_cells: Sequence[str],
        event_cells: Sequence[Sequence[str]],
        dash_cells: Sequence[Sequence[str]],
        outcome_cells: Sequence[Sequence[str]] = (),
    ) -> None:
        """Keep a case's rows, each as cells in its file's columns' order (rows.case_cells,
        rows.event_cells and the like)."""
        self._at[case_id] = len(self._at)
        found = ([case_cells[HEAD:]], event_cells, dash_cells, outcome_cells)
        self._pending.add(found)
        for rows, counts in zip(found, self._rows, strict=True):
            counts.append(counts[-1] + len(rows))
        self._count += 1
        if self._count == SPILL:
            self._spill()

    def _spill(self) -> None:
        """The pending cases' text into the files, and where each case's text ends."""
        taken = self._pending.take()
        for (data, ends), file, kept in zip(taken, self._files, self._ends, strict=True):
            file.write(data)
            start = kept[-1]
            kept.extend([start + end for end in ends])
        self._count = 0

    def write(
        self,
        target: IO[bytes],
        *,
        order: Sequence[tuple[str, Sequence[str]]],
        report: Mapping[str, Any],
        when: datetime,
    ) -> list[Written]:
        """The package of the cases in `order` (each case's ID and released quasi-identifier
        values), written to `target` as `write` would write their rows."""
        if self._count:
            self._spill()
        at = [self._at[case_id] for case_id, _quasi in order]
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            written = []
            for number, (name, _about, columns) in enumerate(FILES):
                heads = self._heads(order) if number == 0 else None
                written.append(self._copy(archive, number, name, names(columns), at, heads, when))
            return _finish(archive, written, report, when)

    def _heads(self, order: Sequence[tuple[str, Sequence[str]]]) -> Iterator[bytes]:
        """Each case's ID and quasi-identifiers, the start of its row in cases.csv (CSV cells
        are written one by one, so the joined text is the whole row's). The quasi-identifiers'
        text is made once per combination: there are far fewer than cases."""
        known: dict[tuple[str, ...], bytes] = {}
        for case_id, quasi in order:
            key = tuple(quasi)
            text = known.get(key)
            if text is None:
                text = known[key] = self._line(key) + b","
            if case_id.isascii() and case_id.isalnum():  # a pseudonymous ID: written as it is
                yield case_id.encode("ascii") + b"," + text
            else:
                yield self._line((case_id, *key)) + b","

    def _line(self, cells: Sequence[str]) -> bytes:
        return self._text.text([cells]).removesuffix("\r\n").encode("utf-8")

    def _copy(
        self, archive: zipfile.ZipFile, number: int, name: str, header: list[str],
        at: Sequence[int], heads: Iterator[bytes] | None, when: datetime,
    ) -> Written:  # fmt: skip
        """One file of the package: each case's text, in the order of `at` (where each case
        was added), after its head from `heads` (cases.csv only)."""
        source, ends, counts = self._files[number], self._ends[number], self._rows[number]
        source.flush()
        descriptor = source.fileno()
        with archive.open(_info(name, when), "w") as member:
            hashing = _Hashing(member)
            out = io.BufferedWriter(hashing, CHUNK)
            write = out.write
            write(self._text.text([header]).encode("utf-8"))
            for case, head in zip(at, heads or repeat(None), strict=False):
                if head is not None:
                    write(head)
                start = ends[case]
                # pread: one read at an offset, no buffer that a seek would throw away.
                write(os.pread(descriptor, ends[case + 1] - start, start))
            out.flush()
            out.detach()
        rows = sum(counts[case + 1] - counts[case] for case in at)
        return Written(name, hashing.digest.hexdigest(), hashing.size, rows)

    def close(self) -> None:
        for file in self._files:
            file.close()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(str(v)) for v in row) + " |" for row in rows]
    return lines


def _columns(columns: Sequence[Column]) -> list[str]:
    return _table(
        ("column", "type", "meaning", "allowed values"),
        ((c.name, c.type, c.meaning, c.allowed_text()) for c in columns),
    )


def data_dictionary() -> str:
    lines = [
        "# Data dictionary: EIP evaluation extract",
        "",
        f"**{PERSONAL_DATA_NOTICE}**",
        "",
        "Names, contact details, addresses, dates of birth, code words, case references and "
        "every free-text field are never included. The referral date is given as a month at "
        "most; every other date is whole days since the referral. The quasi-identifiers "
        f"({', '.join(QUASI_IDENTIFIERS)}) are generalised and suppressed as the disclosure "
        "report says. An empty cell means what the column's allowed values say it means.",
        "",
    ]
    for name, about, columns in FILES:
        lines += [f"## {name}", "", about, "", *_columns(columns), ""]
    lines += [
        "## Other files",
        "",
        f"- `{DICTIONARY}`: this file.",
        f"- `{REPORT}`: k, what was generalised or suppressed, and the cases left out.",
        f"- `{MANIFEST}`: the SHA-256 of every other file (check with `sha256sum -c {MANIFEST}`).",
        "",
    ]
    return "\n".join(lines)


def left_out_lines(left_out: Mapping[str, int], k: int) -> list[tuple[str, str]]:
    """Cases left out by reason, with counts under k hidden (and whatever would reveal
    them), as in every aggregate table."""
    reasons = list(LEFT_OUT_REASONS)
    table = protect([[left_out.get(r, 0)] for r in reasons], k, row_totals=False)
    shown = [(LEFT_OUT_REASONS[r], table.shown(("cell", i, 0))) for i, r in enumerate(reasons)]
    return [*shown, ("all reasons", table.shown(("col", 0)))]


def disclosure_report(report: Mapping[str, Any], rows: Mapping[str, int | None]) -> str:
    """The report as it goes in the zip; `report` is `services.report_data`'s mapping."""
    k = report["k"]
    lines = [
        "# Disclosure report: EIP evaluation extract",
        "",
        f"**{PERSONAL_DATA_NOTICE}**",
        "",
        f"- Extract: {report['label']}",
        f"- Cases referred from {report['period_start']} to {report['period_end']}",
        f"- Prepared: {report['prepared_on']}",
        f"- Rows: cases.csv {rows.get('cases.csv')}, events.csv {rows.get('events.csv')}, "
        f"dash_reviews.csv {rows.get('dash_reviews.csv')}, "
        f"outcomes.csv {rows.get('outcomes.csv')}",
        "",
        "## k-anonymity",
        "",
        f"k = {k}: every combination of the quasi-identifiers ({', '.join(QUASI_IDENTIFIERS)}) "
        f"in cases.csv is shared by at least {k} people. Reached: the smallest group has "
        f"{report['smallest_group']} cases ({report['groups']} groups).",
        "",
        "## What was generalised",
        "",
        *_table(("quasi-identifier", "shown as"), report["generalisation"].items()),
        "",
        "The same generalisation, or a coarser one, is used by every later release, so that "
        "comparing two releases reveals nothing more than either does. A group in a later "
        f"release holds either none or at least {k} of the people not released before.",
        "",
        "## What was suppressed",
        "",
        f"- Cases with every quasi-identifier suppressed: {report['suppressed']}",
        "",
        "## Cases left out, and why",
        "",
        *_table(("reason", "cases"), left_out_lines(report["left_out"], k)),
        "",
        f"Counts from 1 to {k - 1} are shown as <{k}; [c] marks a count hidden so that a "
        "total cannot reveal a small one.",
        "",
        "## Dropped for everyone",
        "",
        "Names, contact details, addresses, dates of birth, code words, case references and "
        "every free-text field (referral reasons, notes, plans, advice, minutes, incident "
        "descriptions) are never extracted.",
        "",
    ]
    return "\n".join(lines)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def check_written(path: Path, k: int) -> None:
    """Read back what was written and check k on it: the extract is refused, not released,
    if anything between the plan and the file went wrong."""
    with zipfile.ZipFile(path) as archive, archive.open("cases.csv") as raw:
        # Only the quasi-identifiers' cells are read back, as written: a cell is read back
        # (read_cell) as one value only, and no other cell reads back as the same, so the
        # rows group as they would read back.
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        header = [read_cell(cell) for cell in next(reader, [])]
        cells = itemgetter(*(header.index(qi) for qi in disclosure.QUASI_IDENTIFIERS))
        smallest = disclosure.smallest_group(map(cells, reader))
    if smallest < k:
        raise RuleBroken(f"The extract failed its own check: a group of {smallest} is below k")
