"""A realistic, fictional mix of equality answers for the demo and the benchmark data.

Its own `random.Random` is passed in, so adding these answers does not move the random
sequence the rest of the demo is built from. The weights are made up to look like a
London caseload, with "not known" (not asked) and "prefer not to say" (asked, declined)
both present, so the figures show the two apart.
"""

from __future__ import annotations

import random

from eip.cases.equality import age_band

ETHNICITY_WEIGHTS = {
    "white_british": 30,
    "white_other": 10,
    "white_irish": 3,
    "black_african": 9,
    "black_caribbean": 6,
    "asian_bangladeshi": 5,
    "asian_indian": 5,
    "asian_pakistani": 3,
    "mixed_white_black_caribbean": 3,
    "other_arab": 2,
    "other_any": 2,
    "not_known": 12,
    "prefer_not_to_say": 4,
}
SEXUAL_ORIENTATION_WEIGHTS = {
    "straight": 62,
    "gay_or_lesbian": 4,
    "bisexual": 3,
    "other": 1,
    "not_known": 20,
    "prefer_not_to_say": 10,
}
DISABILITY_WEIGHTS = {"no": 55, "yes": 15, "not_known": 22, "prefer_not_to_say": 8}
RECORDED_BAND_WEIGHTS = {
    "18_24": 10,
    "25_34": 30,
    "35_44": 25,
    "45_54": 10,
    "not_known": 20,
    "prefer_not_to_say": 5,
}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def answers(rng: random.Random, *, born=None, on=None, ethnicity: str | None = None) -> dict:
    """Person columns: disability, sexual orientation, the age band (from `born` on `on`
    when known, else a recorded one) and, unless given, an ethnicity."""
    recorded = None if born is not None else _pick(rng, RECORDED_BAND_WEIGHTS)
    found = {
        "disability": _pick(rng, DISABILITY_WEIGHTS),
        "sexual_orientation": _pick(rng, SEXUAL_ORIENTATION_WEIGHTS),
        "ethnicity": ethnicity or _pick(rng, ETHNICITY_WEIGHTS),
    }
    if on is not None:
        found["age_band"] = age_band(born, recorded, on)
    else:
        found["age_band"] = recorded or "not_known"
    return found
