"""The disclosure control of the commit before the generalisations were searched in order
of coarseness (evaluation/disclosure.py at c6a43a6), kept as the reference the faster search
must agree with on every population. Tests only. Since the partner's age band, gender and
ethnic group joined the key (issue 19) it tries the same lattice of the five kinds, each
key column at its kind's level."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence

from evaluation.disclosure import (
    ANY,
    FINEST,
    KIND_OF,
    KINDS,
    MAX_LEVEL,
    NOT_KNOWN,
    QUASI_IDENTIFIERS,
    SUPPRESSED,
    SUPPRESSION_WEIGHT,
    WITHHOLDING_WEIGHT,
    Candidate,
    Generalisation,
    Outcome,
    _named_boroughs,
    generalise,
    violates,
)


def _try(
    candidates: Sequence[Candidate],
    columns: Sequence[Sequence[str]],
    tops: Sequence[bool],
    k: int,
    prior: Generalisation,
) -> tuple[dict[str, tuple[str, ...]], set[str], set[str]]:
    """Released values, suppressed IDs and withheld IDs for one generalisation (`tops`
    says which quasi-identifiers it shows as "any")."""
    any_released = bool(prior.released_ids)
    values = {c.id: tuple(col[i] for col in columns) for i, c in enumerate(candidates)}
    person = {c.id: c.person for c in candidates}
    suppressed_key = tuple(ANY if top else SUPPRESSED for top in tops)
    suppressed = {c.id for c in candidates if values[c.id] == suppressed_key}
    withheld: set[str] = set()

    def group_ids() -> dict[tuple[str, ...], list[str]]:
        groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for cid, key in values.items():
            if cid not in withheld:
                groups[key].append(cid)
        return groups

    changed = True
    while changed:
        changed = False
        for key, ids in group_ids().items():
            people = {person[i] for i in ids}
            new = {person[i] for i in ids if i not in prior.released_ids}
            if not violates(people, new, k, any_released):
                continue
            changed = True
            # Too few people: all of them go; too few new people: only the new ones go.
            movers = ids if len(people) < k else [i for i in ids if i not in prior.released_ids]
            if key == suppressed_key:
                withheld.update(movers)
            else:
                for i in movers:
                    values[i] = suppressed_key
                    suppressed.add(i)
    suppressed -= withheld
    return {i: v for i, v in values.items() if i not in withheld}, suppressed, withheld


def reference_anonymise(
    candidates: Sequence[Candidate], k: int, prior: Generalisation = FINEST
) -> Outcome:
    """The least-lossy generalisation (no finer than `prior`) and the suppression it needs.

    Ties go to the node with the lower levels, then to coarsening the earlier
    quasi-identifiers first, so the same data always gives the same extract.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    candidates = list(candidates)
    named = _named_boroughs(candidates, k, prior)
    sticky = [SUPPRESSED if c.id in prior.suppressed_ids else None for c in candidates]
    columns: dict[tuple[str, int], list[str]] = {}
    for qi in QUASI_IDENTIFIERS:
        for level in range(prior.levels[KIND_OF[qi]], MAX_LEVEL[KIND_OF[qi]] + 1):
            columns[(qi, level)] = [
                generalise(qi, s or c.values.get(qi, NOT_KNOWN), level, named)
                for c, s in zip(candidates, sticky, strict=True)
            ]
    total = max(1, len(candidates))
    best: tuple[tuple[float, int, tuple[int, ...]], Outcome] | None = None
    ranges = [range(prior.levels[kind], MAX_LEVEL[kind] + 1) for kind in KINDS]
    for node in itertools.product(*ranges):
        level_of = dict(zip(KINDS, node, strict=True))
        cols = [columns[(qi, level_of[KIND_OF[qi]])] for qi in QUASI_IDENTIFIERS]
        tops = [level_of[KIND_OF[qi]] == MAX_LEVEL[KIND_OF[qi]] for qi in QUASI_IDENTIFIERS]
        values, suppressed, withheld = _try(candidates, cols, tops, k, prior)
        generalisation_loss = sum(
            level / MAX_LEVEL[kind] for kind, level in zip(KINDS, node, strict=True)
        )
        loss = (
            generalisation_loss
            + SUPPRESSION_WEIGHT * len(suppressed) / total
            + WITHHOLDING_WEIGHT * len(withheld) / total
        )
        rank = (round(loss, 9), sum(node), tuple(-level for level in node))
        if best is not None and rank >= best[0]:
            continue
        sizes = Counter(values.values())
        levels = dict(zip(KINDS, node, strict=True))
        best = (
            rank,
            Outcome(
                generalisation=Generalisation(
                    levels=levels,
                    named_boroughs=named if levels["borough"] == 1 else prior.named_boroughs,
                    suppressed_ids=prior.suppressed_ids | frozenset(suppressed),
                    released_ids=prior.released_ids | frozenset(values),
                ),
                values=values,
                suppressed=frozenset(suppressed),
                withheld=frozenset(withheld),
                smallest_group=min(sizes.values(), default=0),
                groups=len(sizes),
                loss=loss,
            ),
        )
    assert best is not None  # the lattice always has at least its top node
    return best[1]
