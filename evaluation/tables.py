"""Disclosure control for aggregate tables: small counts hidden, and anything that would
reveal them hidden too. Pure.

Primary suppression hides every count from 1 to k - 1 (shown as "<5" when k is 5).
Secondary suppression follows, because a table with its totals is a set of sums: a row
with one hidden cell and a shown total gives the cell away by subtraction. So every sum
(row, column, grand total) with exactly one hidden entry gets a second one hidden (the
smallest other count, shown as "[c]"), until no sum has exactly one. Then two audits: the
table's sums are solved exactly (rational Gaussian elimination), and bounds are
propagated through them ("<5" is 1 to 4, "[c]" at least 5: three "<5" cells in a row
whose hidden part is 3 must each be 1). If any "<5" entry could still be worked out, more
is hidden. Zeros are shown: "none" discloses nothing about a person. Medians and rates
over fewer than k cases are hidden, and so is a share whose count, or whose complement,
is a small count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

SECONDARY = "[c]"
Position = tuple  # ("cell", i, j) | ("row", i) | ("col", j) | ("all",)
Mark = Literal["primary", "secondary"]


def small(value: int, k: int) -> bool:
    return 0 < value < k


def hidden_count(k: int) -> str:
    return f"<{k}"


@dataclass(frozen=True)
class Protected:
    """A table of counts with what may be shown of each entry."""

    counts: tuple[tuple[int, ...], ...]
    k: int
    row_totals: bool
    marks: dict[Position, Mark]
    # True when no pattern of hiding would protect the small counts (a total of 6 with a
    # "<5" and a "[c]" says the small one is 1): then every entry is shown as "[c]".
    withheld: bool = False

    def value(self, pos: Position) -> int:
        kind = pos[0]
        if kind == "cell":
            return self.counts[pos[1]][pos[2]]
        if kind == "row":
            return sum(self.counts[pos[1]])
        if kind == "col":
            return sum(row[pos[1]] for row in self.counts)
        return sum(sum(row) for row in self.counts)

    def shown(self, pos: Position) -> str:
        mark = self.marks.get(pos)
        if self.withheld:
            return SECONDARY
        if mark == "primary":
            return hidden_count(self.k)
        if mark == "secondary":
            return SECONDARY
        return str(self.value(pos))

    def is_hidden(self, pos: Position) -> bool:
        return pos in self.marks

    def positions(self) -> list[Position]:
        found: list[Position] = []
        for i, row in enumerate(self.counts):
            found.extend(("cell", i, j) for j in range(len(row)))
            if self.row_totals:
                found.append(("row", i))
        found.extend(("col", j) for j in range(self.width))
        if self.row_totals:
            found.append(("all",))
        return found

    @property
    def width(self) -> int:
        return len(self.counts[0]) if self.counts else 0


def equations(rows: int, cols: int, row_totals: bool) -> list[tuple[list[Position], Position]]:
    """Each published sum: (the entries added, the total they make)."""
    found: list[tuple[list[Position], Position]] = []
    if row_totals:
        found.extend(([("cell", i, j) for j in range(cols)], ("row", i)) for i in range(rows))
    found.extend(([("cell", i, j) for i in range(rows)], ("col", j)) for j in range(cols))
    if row_totals and rows and cols:
        found.append(([("row", i) for i in range(rows)], ("all",)))
        found.append(([("col", j) for j in range(cols)], ("all",)))
    return found


def determined(table: Protected) -> set[Position]:
    """The hidden entries that the shown ones and the sums pin down exactly.

    Each sum is a linear equation; hidden entries are the unknowns. An unknown is
    determined when its unit vector lies in the row space of the system, which in
    reduced row echelon form means its pivot row has no other non-zero entry.
    """
    unknowns = [pos for pos in table.positions() if table.is_hidden(pos)]
    index = {pos: n for n, pos in enumerate(unknowns)}
    matrix: list[list[Fraction]] = []
    for parts, total in equations(len(table.counts), table.width, table.row_totals):
        row = [Fraction(0)] * len(unknowns)
        for pos, sign in [*((p, 1) for p in parts), (total, -1)]:
            if pos in index:
                row[index[pos]] += sign
        if any(row):
            matrix.append(row)
    pivots = _rref(matrix, len(unknowns))
    found = set()
    for r, c in pivots:
        if all(value == 0 for j, value in enumerate(matrix[r]) if j != c):
            found.add(unknowns[c])
    return found


def _rref(matrix: list[list[Fraction]], width: int) -> list[tuple[int, int]]:
    """Reduce in place; returns the (row, column) of each pivot."""
    pivots: list[tuple[int, int]] = []
    r = 0
    for c in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [value / lead for value in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                factor = matrix[i][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append((r, c))
        r += 1
    return pivots


def _second_choice(table: Protected, parts: list[Position], total: Position) -> Position | None:
    """Which entry of a sum to hide next: the smallest non-zero count, else the total.
    Zeros stay shown, so a hidden entry is always known to be 1 to k - 1 ("<5") or at
    least k ("[c]"), and the bounds audit below reasons with exactly that."""
    non_zero = sorted(
        (table.value(p), p) for p in parts if not table.is_hidden(p) and table.value(p) > 0
    )
    if non_zero:
        return non_zero[0][1]
    if not table.is_hidden(total) and table.value(total) > 0:
        return total
    return None


def pinned(table: Protected) -> set[Position]:
    """The "<k" entries whose exact value follows from what is shown and what "<k" and
    "[c]" say (1 to k - 1, and k or more). Bounds are tightened sum by sum until nothing
    changes; the grand total is taken as known, as it usually is from elsewhere."""
    if table.withheld:
        return set()
    big = table.value(("all",) if table.row_totals else ("col", 0))
    lo: dict[Position, int] = {}
    hi: dict[Position, int] = {}
    for pos, mark in table.marks.items():
        lo[pos], hi[pos] = (1, table.k - 1) if mark == "primary" else (table.k, big)
    sums = [
        [*((p, 1) for p in parts), (total, -1)]
        for parts, total in equations(len(table.counts), table.width, table.row_totals)
    ]
    changed, rounds = True, 0
    while changed and rounds < 100:
        changed, rounds = False, rounds + 1
        for terms in sums:
            for pos, sign in terms:
                if pos not in lo:
                    continue
                low = high = 0  # the other terms' sum, as a range
                for other, c in terms:
                    if other == pos:
                        continue
                    if other in lo:
                        a, b = c * lo[other], c * hi[other]
                        low, high = low + min(a, b), high + max(a, b)
                    else:
                        low, high = low + c * table.value(other), high + c * table.value(other)
                # sign * x + others = 0
                new_lo, new_hi = (-high, -low) if sign == 1 else (low, high)
                if new_lo > lo[pos] or new_hi < hi[pos]:
                    lo[pos], hi[pos] = max(lo[pos], new_lo), min(hi[pos], new_hi)
                    changed = True
    return {pos for pos, mark in table.marks.items() if mark == "primary" and lo[pos] >= hi[pos]}


def protect(counts: Sequence[Sequence[int]], k: int, *, row_totals: bool) -> Protected:
    """Primary and secondary suppression of a table of counts (rows x columns) with its
    column totals, and row totals and a grand total when `row_totals`."""
    table = Protected(tuple(tuple(int(v) for v in row) for row in counts), k, row_totals, {})
    for pos in table.positions():
        if small(table.value(pos), k):
            table.marks[pos] = "primary"
    sums = equations(len(table.counts), table.width, row_totals)
    while True:
        changed = False
        for parts, total in sums:
            entries = [*parts, total]
            if sum(table.is_hidden(p) for p in entries) == 1:
                choice = _second_choice(table, parts, total)
                if choice is not None:
                    table.marks[choice] = "secondary"
                    changed = True
        if changed:
            continue
        leaks = determined(table) | pinned(table)
        if not leaks:
            return table
        # The sums together still give an entry away: hide one more entry of a sum that
        # holds it (its smallest shown count, else its total), and check again.
        for parts, total in sums:
            if leaks & {*parts, total}:
                choice = _second_choice(table, parts, total)
                if choice is not None:
                    table.marks[choice] = "secondary"
                    break
        else:
            # Nothing left to hide in those sums, and what "<k" and "[c]" say still gives a
            # count away: hide the whole table, every entry alike.
            withheld = Protected(table.counts, k, row_totals, {}, withheld=True)
            withheld.marks.update(dict.fromkeys(withheld.positions(), "secondary"))
            return withheld


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def statistic_shown(value: float | None, cases: int, k: int) -> bool:
    """A median or rate is shown only when it rests on at least k cases."""
    return value is not None and cases >= k


def share_shown(count: int, cases: int, k: int) -> bool:
    """A share like 34 of 36 also tells its complement (2): both must be safe counts."""
    return cases >= k and not small(count, k) and not small(cases - count, k)
