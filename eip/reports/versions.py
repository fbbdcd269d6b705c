"""The monthly report's two versions: the managers' own (every figure as it is: the
managers are inside the programme) and the funder's, whose counts are hidden by the same
small-number rules as the evaluation's figures (`evaluation.tables`: a count from 1 to k - 1
shown as "<k", the totals of a table protected against subtraction with "[c]", a median or a
share over fewer than k cases hidden), with k the programme's setting. Money is shown in both:
it is the programme's spend, not a count of people. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evaluation import tables

INTERNAL, FUNDER = "internal", "funder"
VERSIONS = (INTERNAL, FUNDER)
LABELS = {
    INTERNAL: "Internal: not suppressed, not for sharing outside the programme",
    FUNDER: "For the funder: small numbers suppressed",
}


@dataclass(frozen=True)
class Version:
    """How a version shows counts. `k` is None for the internal version (nothing hidden)."""

    name: str
    k: int | None

    @property
    def suppressed(self) -> bool:
        return self.k is not None

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def count(self, n: int) -> str:
        """A count on its own (not part of a table with totals)."""
        if self.k is not None and tables.small(n, self.k):
            return tables.hidden_count(self.k)
        return str(n)

    def shown_median(self, value: float | None, cases: int) -> bool:
        return self.k is None or tables.statistic_shown(value, cases, self.k)

    def shown_share(self, part: int, whole: int) -> bool:
        return self.k is None or tables.share_shown(part, whole, self.k)

    def table(self, counts: Sequence[Sequence[int]], *, row_totals: bool) -> Table:
        """A table of counts and its totals, protected in the funder's version."""
        if self.k is None:
            return Table(counts, None)
        return Table(counts, tables.protect(counts, self.k, row_totals=row_totals))


@dataclass(frozen=True)
class Table:
    counts: Sequence[Sequence[int]]
    protected: tables.Protected | None

    def _shown(self, position: tuple, value: int) -> str:
        return str(value) if self.protected is None else self.protected.shown(position)

    def cell(self, i: int, j: int = 0) -> str:
        return self._shown(("cell", i, j), self.counts[i][j])

    def row_total(self, i: int) -> str:
        return self._shown(("row", i), sum(self.counts[i]))

    def column_total(self, j: int = 0) -> str:
        return self._shown(("col", j), sum(row[j] for row in self.counts))

    def total(self) -> str:
        return self._shown(("all",), sum(sum(row) for row in self.counts))


def version(name: str, k: int) -> Version:
    if name not in VERSIONS:
        raise ValueError(name)
    return Version(name, k if name == FUNDER else None)
