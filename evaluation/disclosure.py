"""Disclosure control for the case rows: k-anonymity over the quasi-identifiers. Pure.

Somebody who knows a family (the client's and the partner's age, gender and ethnicity,
the borough and roughly when they were referred) must not be able to find their row. So
every combination of those eight values that an extract shows must be shared by at least k
different people (a programme setting, default 5). It is reached in two moves:

1. **Generalisation**, the same for every row: each kind of quasi-identifier has levels,
   from the finest (10-year age band, ONS group, borough, month) to "any"; the partner's
   age band, gender and ethnic group always take the client's level of their kind, so the
   lattice keeps its five dimensions. Every combination of levels is tried (a few hundred
   at most); the one that keeps the most detail while suppressing the fewest rows wins.
2. **Suppression**, row by row: a row still in a group smaller than k has all its values
   replaced by `suppressed`; if the suppressed rows are themselves fewer than k people,
   they are withheld from the extract altogether (and counted in the disclosure report).

Releases are compared, so the generalisation is recorded with each extract and reused:
a later release starts from the coarsest generalisation of every earlier release and may
only coarsen it (levels only rise, named boroughs only drop out, a row suppressed once
stays suppressed). IDs are stable across releases, so SCIE can tell which rows are new;
a group must therefore hold either none or at least k of the people not released before,
or the new ones could be picked out by comparing two releases.
"""

from __future__ import annotations

import itertools
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

# The kinds of quasi-identifier: one generalisation level each (the lattice's dimensions).
KINDS = ("age_band", "gender", "ethnic_group", "borough", "referral_period")
# The partner's age band, gender and ethnic group are quasi-identifiers too (somebody who
# knows the family knows both adults), shown at the same level as the client's of that kind.
PARTNER_QUASI_IDENTIFIERS = ("partner_age_band", "partner_gender", "partner_ethnic_group")
# The key of a case row, in cases.csv's order: every combination must be shared by k people.
QUASI_IDENTIFIERS = (*KINDS, *PARTNER_QUASI_IDENTIFIERS)
KIND_OF = {
    **{kind: kind for kind in KINDS},
    **{f: f.removeprefix("partner_") for f in PARTNER_QUASI_IDENTIFIERS},
}
SUPPRESSED = "suppressed"
ANY = "any"
OTHER_BOROUGH = "other London borough"
MAX_LEVEL = {"age_band": 2, "gender": 1, "ethnic_group": 2, "borough": 2, "referral_period": 3}
NOT_KNOWN = "not_known"

# Weights of the choice between generalisations: a whole quasi-identifier turned to "any"
# costs 1; suppressing 10% of rows costs the same; withholding rows (the evaluation loses
# them entirely) costs six times that, so it is the last resort.
SUPPRESSION_WEIGHT = 10
WITHHOLDING_WEIGHT = 60

_AGE_WIDER = {
    "under_18": "under_35",
    "18_24": "under_35",
    "25_34": "under_35",
    "35_44": "35_54",
    "45_54": "35_54",
    "55_64": "55_plus",
    "65_plus": "55_plus",
}
_ETHNIC_WIDER = {
    "white": "white",
    "asian": "asian_black_mixed_or_other",
    "black": "asian_black_mixed_or_other",
    "mixed": "asian_black_mixed_or_other",
    "other": "asian_black_mixed_or_other",
}

LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "age_band": (
        "10-year age bands",
        "wider age bands (under 35, 35 to 54, 55 and over)",
        "not shown",
    ),
    "gender": ("gender (woman, man, another gender)", "not shown"),
    "ethnic_group": (
        "ONS high-level ethnic group",
        "White, or Asian, Black, Mixed or Other",
        "not shown",
    ),
    "borough": (
        "every borough named",
        "boroughs named only where k or more people were referred",
        "not shown",
    ),
    "referral_period": ("month", "quarter", "financial year (April to March)", "not shown"),
}


def quarter(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def financial_year(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    start = year if number >= 4 else year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def generalise(qi: str, value: str, level: int, named: frozenset[str] | None = None) -> str:
    """One value at one level of its quasi-identifier's hierarchy (a partner's field
    generalises as the client's field of its kind)."""
    qi = KIND_OF[qi]
    if level >= MAX_LEVEL[qi]:
        return ANY  # at the top nothing is shown, so a suppressed value is no different
    if value == SUPPRESSED or level == 0:
        return value
    if value == "not_known":
        return value
    if qi == "age_band":
        return _AGE_WIDER.get(value, value)
    if qi == "ethnic_group":
        return _ETHNIC_WIDER.get(value, value)
    if qi == "borough":
        return value if named is not None and value in named else OTHER_BOROUGH
    if qi == "referral_period":
        return quarter(value) if level == 1 else financial_year(value)
    raise ValueError(f"{qi} has no level {level}")


@dataclass(frozen=True)
class Generalisation:
    """What a release did, recorded so that later releases can only coarsen it."""

    levels: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # At borough level 1, the boroughs still named; None when no release has limited them.
    named_boroughs: frozenset[str] | None = None
    suppressed_ids: frozenset[str] = frozenset()
    released_ids: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {
            "levels": {qi: self.levels[qi] for qi in KINDS},
            "named_boroughs": None if self.named_boroughs is None else sorted(self.named_boroughs),
            "suppressed_ids": sorted(self.suppressed_ids),
            "released_ids": sorted(self.released_ids),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Generalisation:
        if not data:
            return FINEST
        named = data.get("named_boroughs")
        return cls(
            levels={qi: int(data["levels"].get(qi, 0)) for qi in KINDS},
            named_boroughs=None if named is None else frozenset(named),
            suppressed_ids=frozenset(data.get("suppressed_ids", ())),
            released_ids=frozenset(data.get("released_ids", ())),
        )

    def describe(self, k: int) -> dict[str, str]:
        """Each quasi-identifier's level in words, for the disclosure report."""
        words = {qi: LEVEL_WORDS[qi][self.levels[qi]] for qi in KINDS}
        if self.levels["borough"] == 1:
            named = ", ".join(sorted(self.named_boroughs or ())) or "none"
            words["borough"] = (
                f"boroughs named only where {k} or more people were referred ({named}); "
                f"the rest shown as “{OTHER_BOROUGH}”"
            )
        for partner_field in PARTNER_QUASI_IDENTIFIERS:
            words[partner_field] = f"as the client's: {words[KIND_OF[partner_field]]}"
        return words


FINEST = Generalisation()


def coarsest(records: Iterable[Generalisation]) -> Generalisation:
    """The generalisation every new release must start from: the coarsest of the earlier
    releases, with every row any of them suppressed and every ID any of them released."""
    merged = FINEST
    for g in records:
        named = merged.named_boroughs
        if g.levels["borough"] >= 1 and g.named_boroughs is not None:
            named = g.named_boroughs if named is None else named & g.named_boroughs
        merged = Generalisation(
            levels={qi: max(merged.levels[qi], g.levels[qi]) for qi in KINDS},
            named_boroughs=named,
            suppressed_ids=merged.suppressed_ids | g.suppressed_ids,
            released_ids=merged.released_ids | g.released_ids,
        )
    return merged


def is_coarsening(new: Generalisation, old: Generalisation) -> bool:
    """Whether `new` shows nothing `old` did not: the rule between two releases."""
    if any(new.levels[qi] < old.levels[qi] for qi in KINDS):
        return False
    if (
        new.levels["borough"] == 1
        and old.named_boroughs is not None
        and (new.named_boroughs is None or not new.named_boroughs <= old.named_boroughs)
    ):
        return False
    return new.suppressed_ids >= old.suppressed_ids


@dataclass(frozen=True, slots=True)
class Candidate:
    """A case that may go in the extract: its ID, the person it is about (so that a
    re-referred client counts once in a group) and its finest quasi-identifier values."""

    id: str
    person: str
    values: Mapping[str, str]


_POSITION = {qi: i for i, qi in enumerate(QUASI_IDENTIFIERS)}


class QuasiValues(Mapping[str, str]):
    """A case's quasi-identifier values by name, kept as one tuple of interned strings.

    Disclosure control holds every candidate's values at once: a dict each (some 360
    bytes) is twice this at 100,000 cases, and the same few hundred strings (a borough,
    a month) were otherwise stored apart in every one."""

    __slots__ = ("cells",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self.cells = tuple(map(sys.intern, map(values.__getitem__, QUASI_IDENTIFIERS)))

    @classmethod
    def of_cells(cls, cells: Sequence[str]) -> QuasiValues:
        """The values given in QUASI_IDENTIFIERS' order (no mapping made for them)."""
        if len(cells) != len(QUASI_IDENTIFIERS):
            raise ValueError("one value per quasi-identifier")
        found = cls.__new__(cls)
        found.cells = tuple(map(sys.intern, cells))
        return found

    def __getitem__(self, name: str) -> str:
        return self.cells[_POSITION[name]]

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        at = _POSITION.get(name)
        return default if at is None else self.cells[at]

    def __iter__(self):
        return iter(QUASI_IDENTIFIERS)

    def __len__(self) -> int:
        return len(QUASI_IDENTIFIERS)


@dataclass(frozen=True)
class Outcome:
    generalisation: Generalisation
    values: dict[str, tuple[str, ...]]  # id -> the released quasi-identifier values
    suppressed: frozenset[str]
    withheld: frozenset[str]
    smallest_group: int
    groups: int
    loss: float


def violates(people: set[str], new_people: set[str], k: int, any_released: bool) -> bool:
    """A group that is too small, or that holds so few people not released before that
    comparing this release with the last would single them out."""
    if len(people) < k:
        return True
    return any_released and 0 < len(new_people) < k


def _settle(
    keys: list[tuple[str, ...]],
    persons: Sequence[str],
    released: Sequence[bool],
    involved: list[int],
    suppressed_key: tuple[str, ...],
    k: int,
    any_released: bool,
) -> tuple[dict[int, tuple[str, ...]], set[int], set[int]]:
    """Suppression for one generalisation, on the rows `involved` (by index): every row of
    a group that is too small, and of the suppressed group. The other groups are big
    enough and nothing ever joins them, so they never change.

    Rounds as the extract has always had them: each round looks at the groups as they
    were at its start; a group too small (or with too few new people) goes to the
    suppressed group (all of it, or only its new people); the suppressed group itself,
    when too small, is withheld. Returns the rows' new keys, the rows suppressed (withheld
    ones included) and the rows withheld.
    """
    current = {i: keys[i] for i in involved}
    suppressed = {i for i in involved if keys[i] == suppressed_key}
    withheld: set[int] = set()
    changed = True
    while changed:
        changed = False
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, key in current.items():
            if i not in withheld:
                groups[key].append(i)
        for key, rows in groups.items():
            people = {persons[i] for i in rows}
            new = {persons[i] for i in rows if not released[i]}
            if not violates(people, new, k, any_released):
                continue
            changed = True
            # Too few people: all of them go; too few new people: only the new ones go.
            movers = rows if len(people) < k else [i for i in rows if not released[i]]
            if key == suppressed_key:
                withheld.update(movers)
            else:
                for i in movers:
                    current[i] = suppressed_key
                    suppressed.add(i)
    return current, suppressed, withheld


def _too_small(
    cells: Sequence[Sequence[str]],
    persons: Sequence[str],
    released: Sequence[bool],
    shared: Sequence[int],
    k: int,
    any_released: bool,
    suppressed_key: tuple[str, ...],
) -> tuple[set[tuple[str, ...]], int]:
    """The keys of the groups that break k before any suppression (and the suppressed
    group's), counted with Counters over the keys (`cells`: each quasi-identifier's
    column, zipped into keys only as they are counted); `shared` are the rows of people with
    more than one case, the only rows whose people can be counted twice. With them, how
    many rows at least end up suppressed: the suppressed group's, every row of a group of
    fewer than k people, and a row per new person of a group with too few new people."""
    rows = Counter(zip(*cells, strict=True))
    people = rows.copy()
    new = None
    if any_released:
        new = Counter(itertools.compress(zip(*cells, strict=True), [not r for r in released]))
    seen: set[tuple[tuple[str, ...], str]] = set()
    seen_new: set[tuple[tuple[str, ...], str]] = set()
    # The shared rows' keys, picked from each column at once (no call per row and column).
    picked: list[Sequence[str]] = [() for _ in cells]
    if len(shared) == 1:
        picked = [(column[shared[0]],) for column in cells]
    elif shared:
        pick = itemgetter(*shared)
        picked = [pick(column) for column in cells]
    for i, key in zip(shared, zip(*picked, strict=True), strict=True):
        pair = (key, persons[i])
        if pair in seen:
            people[key] -= 1
        seen.add(pair)
        if new is not None and not released[i]:
            if pair in seen_new:
                new[key] -= 1
            seen_new.add(pair)
    bad = {key for key, count in people.items() if count < k}
    bad.add(suppressed_key)
    moving = sum(rows[key] for key in bad)
    if new is not None:
        for key, count in new.items():
            if 0 < count < k and key not in bad:
                bad.add(key)
                moving += count
    return bad, moving


def _named_boroughs(
    candidates: Sequence[Candidate], k: int, prior: Generalisation
) -> frozenset[str]:
    people: dict[str, set[str]] = defaultdict(set)
    for c in candidates:
        people[c.values["borough"]].add(c.person)
    named = frozenset(b for b, who in people.items() if len(who) >= k and b != "not_known")
    if prior.levels["borough"] >= 1 and prior.named_boroughs is not None:
        named &= prior.named_boroughs
    return named


def anonymise(candidates: Sequence[Candidate], k: int, prior: Generalisation = FINEST) -> Outcome:
    """The least-lossy generalisation (no finer than `prior`) and the suppression it needs.

    Ties go to the node with the lower levels, then to coarsening the earlier
    quasi-identifiers first, so the same data always gives the same extract.

    The generalisations are tried in order of coarseness (what they give up before any
    suppression), and the search stops at the first whose coarseness alone costs more than
    the best found: the loss only adds suppression to it, so no coarser one can win. That
    is also why a generalisation that needs no suppression ends the search for everything
    coarser. Each one is scored by counting its groups (Counters over the rows' keys);
    only the rows of groups that break k are looked at one by one.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    candidates = list(candidates)
    named = _named_boroughs(candidates, k, prior)
    any_released = bool(prior.released_ids)
    persons = [c.person for c in candidates]
    released = [c.id in prior.released_ids for c in candidates]
    cases_of = Counter(persons)
    shared = [i for i, p in enumerate(persons) if cases_of[p] > 1]
    columns: dict[tuple[str, int], list[str]] = {}
    # Each candidate's finest values in QUASI_IDENTIFIERS' order (the tuple it holds).
    finest_rows = [
        c.values.cells
        if type(c.values) is QuasiValues
        else tuple(c.values.get(qi, NOT_KNOWN) for qi in QUASI_IDENTIFIERS)
        for c in candidates
    ]
    if prior.suppressed_ids:
        suppressed_row = (SUPPRESSED,) * len(QUASI_IDENTIFIERS)
        finest_rows = [
            suppressed_row if c.id in prior.suppressed_ids else row
            for c, row in zip(candidates, finest_rows, strict=True)
        ]
    for position, qi in enumerate(QUASI_IDENTIFIERS):
        # One column at a time: 100,000 cases' columns at once would be in the peak.
        finest = list(map(itemgetter(position), finest_rows))
        kind = KIND_OF[qi]
        for level in range(prior.levels[kind], MAX_LEVEL[kind] + 1):
            if level == 0:  # the finest level generalises nothing: the column itself
                columns[(qi, level)] = finest
                continue
            wider = {value: generalise(qi, value, level, named) for value in set(finest)}
            columns[(qi, level)] = list(map(wider.__getitem__, finest))
    del finest_rows
    total = max(1, len(candidates))
    ranges = [range(prior.levels[kind], MAX_LEVEL[kind] + 1) for kind in KINDS]
    nodes = []
    for node in itertools.product(*ranges):
        generalisation_loss = sum(
            level / MAX_LEVEL[kind] for kind, level in zip(KINDS, node, strict=True)
        )
        nodes.append((round(generalisation_loss, 9), generalisation_loss, node))
    nodes.sort(key=lambda entry: (entry[0], sum(entry[2]), tuple(-level for level in entry[2])))

    def cells_at(node: tuple[int, ...]) -> list[list[str]]:
        """Each quasi-identifier's column at `node`."""
        level_of = dict(zip(KINDS, node, strict=True))
        return [columns[(qi, level_of[KIND_OF[qi]])] for qi in QUASI_IDENTIFIERS]

    def keys_at(node: tuple[int, ...]) -> list[tuple[str, ...]]:
        """Every row's key at `node`, one tuple per distinct key (a list of 100,000 tuples
        of eight was most of the search's memory; most rows share their key)."""
        one: dict[tuple[str, ...], tuple[str, ...]] = {}
        return [one.setdefault(key, key) for key in zip(*cells_at(node), strict=True)]

    best: tuple[tuple[float, int, tuple[int, ...]], tuple] | None = None
    for bound, generalisation_loss, node in nodes:
        if best is not None and bound > best[0][0]:
            break  # the loss is never below the generalisation's own: nothing left can win
        level_of = dict(zip(KINDS, node, strict=True))
        suppressed_key = tuple(
            ANY if level_of[KIND_OF[qi]] == MAX_LEVEL[KIND_OF[qi]] else SUPPRESSED
            for qi in QUASI_IDENTIFIERS
        )
        bad, moving = _too_small(
            cells_at(node), persons, released, shared, k, any_released, suppressed_key
        )
        # Each of those rows costs at least a suppression (withholding costs more), so a
        # node whose bound already loses to the best needs its suppression not worked out.
        least = generalisation_loss + SUPPRESSION_WEIGHT * moving / total
        if best is not None and round(least, 9) > best[0][0]:
            continue
        keys = keys_at(node)
        involved = [i for i, key in enumerate(keys) if key in bad]
        settled = _settle(keys, persons, released, involved, suppressed_key, k, any_released)
        _current, suppressed, withheld = settled
        loss = (
            generalisation_loss
            + SUPPRESSION_WEIGHT * len(suppressed - withheld) / total
            + WITHHOLDING_WEIGHT * len(withheld) / total
        )
        rank = (round(loss, 9), sum(node), tuple(-level for level in node))
        if best is None or rank < best[0]:
            best = (rank, (node, settled, loss))
        del keys  # not kept with the best: made again for the winner alone
    assert best is not None  # the lattice always has at least its top node
    node, (current, suppressed, withheld), loss = best[1]
    keys = keys_at(node)
    values = {c.id: current.get(i, keys[i]) for i, c in enumerate(candidates) if i not in withheld}
    suppressed_ids = frozenset(candidates[i].id for i in suppressed - withheld)
    sizes = Counter(values.values())
    levels = dict(zip(KINDS, node, strict=True))
    return Outcome(
        generalisation=Generalisation(
            levels=levels,
            named_boroughs=named if levels["borough"] == 1 else prior.named_boroughs,
            suppressed_ids=prior.suppressed_ids | suppressed_ids,
            released_ids=prior.released_ids | frozenset(values),
        ),
        values=values,
        suppressed=suppressed_ids,
        withheld=frozenset(candidates[i].id for i in withheld),
        smallest_group=min(sizes.values(), default=0),
        groups=len(sizes),
        loss=loss,
    )


def smallest_group(rows: Iterable[Sequence[str]]) -> int:
    """The size of the smallest group of rows sharing one combination (0 for no rows):
    the k an extract actually reached, checked again on what is written."""
    sizes = Counter(map(tuple, rows))
    return min(sizes.values(), default=0)


# ---------------------------------------------------------------------------
# The period of a release must not be finer than its referral periods


_UNIT_WORDS = ("whole months", "whole quarters", "whole financial years (April to March)")


def _unit_start(day: date, level: int) -> date:
    if level == 0:
        return day.replace(day=1)
    if level == 1:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _unit_end(day: date, level: int) -> date:
    """The last day of the unit `day` falls in."""
    months = (1, 3, 12)[min(level, 2)]
    first = _unit_start(day, level)
    year, month = divmod(first.month - 1 + months, 12)
    return date(first.year + year, month + 1, 1) - timedelta(days=1)


def period_refusal(
    start: date, end: date, level: int, *, first_referral: date | None, today: date
) -> str | None:
    """Why a release of the cases referred from `start` to `end` would say more than its
    referral periods show, or None.

    IDs are stable, so comparing two releases tells which IDs were referred between their
    bounds: with bounds finer than the released referral period (a single week, when the
    extract shows financial years), that undoes the generalisation. So each bound must fall
    on the edge of a unit at the released level, or be open: a start on or before the first
    referral ever, an end on or after today. When the period is not shown at all, only the
    whole programme to date may be released.
    """
    open_start = first_referral is None or start <= first_referral
    open_end = end >= today
    if level >= MAX_LEVEL["referral_period"]:
        if open_start and open_end:
            return None
        return (
            "This extract cannot show when cases were referred, so it must cover every "
            "referral to date: start on or before the first referral and end today"
        )
    start_ok = open_start or start == _unit_start(start, level)
    end_ok = open_end or end == _unit_end(end, level)
    if start_ok and end_ok:
        return None
    return (
        f"This extract shows the referral period as {LEVEL_WORDS['referral_period'][level]}, "
        f"so the period must cover {_UNIT_WORDS[level]}: a shorter or offset period, compared "
        "with another release, would tell which cases were referred when. Start on the first "
        "day of one and end on the last day of one (or start at the programme's first "
        "referral, or end today)"
    )
