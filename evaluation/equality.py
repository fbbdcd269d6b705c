"""The managers' equality figures: who is referred, clients and partners side by side.

Counted in the database, in one query whatever the number of cases: a GROUP BY per
characteristic and party, joined by UNION ALL, gives at most a few dozen rows. The live
programme figures' small-number rule applies (`evaluation.tables.protect`, k the
programme setting): a count from 1 to k - 1 is shown as "<k", any count that would give
it away as "[c]", and a percentage only beside a count that is shown. Zeros are shown.
"Not known" (not asked or not recorded) and "Prefer not to say" (asked, declined) are
kept apart. Ethnicity is counted by its ONS census group, as the evaluation reports it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import String, func, literal_column, null, select, union_all
from sqlalchemy.orm import Session, aliased

from eip.cases import choices
from eip.cases.models import Case, Person
from evaluation.tables import Protected, protect

PARTIES = (("client", "Clients"), ("partner", "Partners"))
# (key, caption, the column on the person record, its list).
PERSON_CHARACTERISTICS: tuple[tuple[str, str, str, choices.Choices], ...] = (
    ("gender", "Gender", "gender", choices.GENDER),
    ("ethnic_group", "Ethnic group", "ethnicity", choices.ETHNIC_GROUP),
    ("disability", "Disability", "disability", choices.DISABILITY),
    ("age_band", "Age band", "age_band", choices.AGE_BAND),
    ("sexual_orientation", "Sexual orientation", "sexual_orientation", choices.SEXUAL_ORIENTATION),
)
RELATIONSHIP = ("relationship", "The partner's relationship to the client")
NOT_KNOWN = "not_known"


@dataclass(frozen=True)
class EqualityTable:
    """One characteristic: a row per category, a column per party (or one for the case)."""

    key: str
    caption: str
    rows: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    protected: Protected

    def count(self, i: int, j: int) -> str:
        return self.protected.shown(("cell", i, j))

    def share(self, i: int, j: int) -> str:
        """The count's share of its column, or "" when the count is hidden or the column empty."""
        total = self.protected.value(("col", j))
        if self.protected.is_hidden(("cell", i, j)) or self.protected.withheld or not total:
            return ""
        return f"{100 * self.protected.value(('cell', i, j)) / total:.1f}%"

    def total(self, j: int) -> str:
        return self.protected.shown(("col", j))

    def bars(self, j: int) -> list[tuple[str, int | None, str]]:
        """(label, count or None when hidden, shown text) per row of column j, for a chart."""
        found = []
        for i, (_code, label) in enumerate(self.rows):
            hidden = self.protected.is_hidden(("cell", i, j)) or self.protected.withheld
            found.append(
                (label, None if hidden else self.protected.value(("cell", i, j)), self.count(i, j))
            )
        return found


def _constant(text: str):
    # A fixed code word of ours, never input: a typed constant both engines accept in a UNION.
    return literal_column(f"'{text}'", String)


def _counts_query():
    """(party, gender, ethnicity, disability, age band, sexual orientation, cases): per
    party, one join and one GROUP BY over all five (a join per characteristic scanned the
    cases ten times: three times slower at 100,000 cases); the relationship is on the case.
    The rows are the combinations that occur, bounded by the lists' sizes, not the cases."""
    parts = []
    for party, _label in PARTIES:
        person = aliased(Person, name=f"{party}_person")
        columns = [getattr(person, column) for _k, _c, column, _p in PERSON_CHARACTERISTICS]
        parts.append(
            select(_constant(party), *columns, func.count())
            .select_from(Case)
            .join(person, getattr(Case, f"{party}_id") == person.id)
            .group_by(*columns)
        )
    relationship = Case.partner_relationship
    blanks = [null()] * (len(PERSON_CHARACTERISTICS) - 1)
    parts.append(
        select(_constant("case"), relationship, *blanks, func.count())
        .select_from(Case)
        .group_by(relationship)
    )
    return union_all(*parts)


def counted(session: Session) -> Counter[tuple[str, str, str]]:
    """Cases by (party, characteristic, value), ethnicities folded into their groups and
    blank values counted as "not known"."""
    found: Counter[tuple[str, str, str]] = Counter()
    for party, *values, cases in session.execute(_counts_query()):
        if party == "case":
            found[(party, RELATIONSHIP[0], values[0] or NOT_KNOWN)] += cases
            continue
        for (key, _caption, _column, _pairs), value in zip(
            PERSON_CHARACTERISTICS, values, strict=True
        ):
            value = value or NOT_KNOWN
            if key == "ethnic_group":
                value = choices.ETHNICITY_GROUP.get(value, NOT_KNOWN)
            found[(party, key, value)] += cases
    return found


def _listed_then_others(pairs: choices.Choices, seen: set[str]) -> tuple[tuple[str, str], ...]:
    """The list's categories in its order, then any value stored that it no longer lists."""
    known = {value for value, _ in pairs}
    extra = tuple((v, choices.label(pairs, v)) for v in sorted(seen - known))
    return (*pairs, *extra)


def tables(session: Session, k: int) -> list[EqualityTable]:
    """Every characteristic's table, protected."""
    found = counted(session)
    built = []
    for key, caption, _column, pairs in PERSON_CHARACTERISTICS:
        seen = {value for (_p, c, value) in found if c == key}
        rows = _listed_then_others(pairs, seen)
        counts = [[found[(party, key, code)] for party, _l in PARTIES] for code, _label in rows]
        built.append(
            EqualityTable(key, caption, rows, PARTIES, protect(counts, k, row_totals=False))
        )
    key, caption = RELATIONSHIP
    seen = {value for (_p, c, value) in found if c == key}
    rows = _listed_then_others(choices.RELATIONSHIP_TO_CLIENT, seen)
    counts = [[found[("case", key, code)]] for code, _label in rows]
    built.append(
        EqualityTable(
            key, caption, rows, (("case", "Cases"),), protect(counts, k, row_totals=False)
        )
    )
    return built


def csv_rows(tables: list[EqualityTable]) -> list[list[str]]:
    """The tables as the figures CSV's (section, row, column, value) rows, hidden counts and
    shares as the page shows them."""
    out = []
    for t in tables:
        section = f"Equality: {t.caption}"
        for i, (_code, label) in enumerate(t.rows):
            for j, (_c, heading) in enumerate(t.columns):
                out.append([section, label, heading, t.count(i, j)])
                out.append([section, label, f"% of {heading.lower()}", t.share(i, j)])
        for j, (_c, heading) in enumerate(t.columns):
            out.append([section, "Total", heading, t.total(j)])
    return out
