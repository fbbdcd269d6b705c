"""`disclosure.anonymise` chooses, for the same candidates, k and earlier release, exactly
what it chose before it searched the generalisations in order of coarseness.

`tests/fixtures/anonymise_outcomes.json` was written by the commit before that change:
one digest of the whole outcome per seeded random population (uneven, with re-referrals,
rows suppressed and IDs released by an earlier release, and small groups that must be
withheld). Regenerate it only when the choice is meant to change, with
EIP_WRITE_EXTRACT_FIXTURE=1.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

from evaluation import coarsen, disclosure
from evaluation.disclosure import Candidate

FIXTURE = Path(__file__).parent.parent / "fixtures" / "anonymise_outcomes.json"
BOROUGHS = ("Camden", "Camden", "Camden", "Hackney", "Hackney", "Islington", "Barnet", "Brent")
MONTHS = ("2025-03", "2025-04", "2025-05", "2025-08", "2025-11", "2026-01", "2026-04")


def population(seed: int, size: int) -> list[Candidate]:
    rng = random.Random(seed)
    people: list[str] = []
    found = []
    for i in range(size):
        person = rng.choice(people) if people and rng.random() < 0.06 else f"p{seed}-{i}"
        people.append(person)
        skew = rng.random() < 0.7
        values = {
            "age_band": rng.choice(("25_34", "35_44") if skew else coarsen.AGE_BAND_VALUES),
            "gender": "man" if skew else rng.choice(coarsen.GENDER_VALUES),
            "ethnic_group": rng.choice(("white", "black") if skew else coarsen.ETHNIC_GROUP_VALUES),
            "borough": rng.choice(BOROUGHS) if rng.random() < 0.97 else coarsen.NOT_KNOWN,
            "referral_period": rng.choice(MONTHS[:3] if skew else MONTHS),
        }
        found.append(Candidate(f"id{seed}-{i:04d}", person, values))
    return found


def describe(outcome: disclosure.Outcome) -> str:
    """The outcome's digest. These populations have no partner data (as before the
    partner's fields joined the key, issue 19): their partner values must say nothing, and
    the rest must be what was chosen before."""
    kinds = len(disclosure.KINDS)
    for v in outcome.values.values():
        assert set(v[kinds:]) <= {coarsen.NOT_KNOWN, disclosure.ANY, disclosure.SUPPRESSED}
    text = json.dumps(
        {
            "generalisation": outcome.generalisation.to_json(),
            "values": sorted((cid, list(v)[:kinds]) for cid, v in outcome.values.items()),
            "suppressed": sorted(outcome.suppressed),
            "withheld": sorted(outcome.withheld),
            "smallest_group": outcome.smallest_group,
            "groups": outcome.groups,
            "loss": repr(outcome.loss),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def outcomes() -> dict[str, str]:
    found = {}
    for seed, size, k in (
        (1, 12, 5), (2, 40, 2), (3, 40, 5), (4, 90, 3), (5, 90, 5), (6, 150, 4),
        (7, 150, 8), (8, 220, 5), (9, 220, 10), (10, 300, 5), (11, 300, 3), (12, 60, 6),
    ):  # fmt: skip
        candidates = population(seed, size)
        first = disclosure.anonymise(candidates, k)
        found[f"{seed}-{size}-k{k}"] = describe(first)
        # A later release over more cases, starting from the first: new people, sticky
        # suppression, named boroughs that may only drop out.
        more = candidates + population(seed + 100, size // 2)
        later = disclosure.anonymise(more, k, first.generalisation)
        found[f"{seed}-{size}-k{k}-later"] = describe(later)
        # The same, with the earlier release's levels at their finest but its IDs kept.
        prior = disclosure.Generalisation(
            suppressed_ids=first.generalisation.suppressed_ids,
            released_ids=frozenset(list(first.values)[: size // 3]),
        )
        found[f"{seed}-{size}-k{k}-partial"] = describe(disclosure.anonymise(more, k, prior))
    return found


def test_anonymise_chooses_exactly_what_it_chose_before():
    found = outcomes()
    if os.environ.get("EIP_WRITE_EXTRACT_FIXTURE") == "1":
        FIXTURE.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    assert found == json.loads(FIXTURE.read_text())
