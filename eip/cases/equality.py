"""Equality data for the client and the partner, as pure rules: no Flask, no database.

The age band is the one equality answer that can be worked out rather than asked: from
the date of birth when it is known, on the day the referral was received (so a case's
band does not drift as the years pass), else as recorded. `age_band` is the only place
that decides which, so the referral form, the edit, the importer, the migration's
backfill and the demo data all agree.
"""

from __future__ import annotations

from datetime import date

from eip.cases.referral_rules import age_on

NOT_KNOWN = "not_known"

# (lowest age in the band, its value), youngest first; the first band takes everyone
# younger than the second (a client is 16 or older, a partner may be any age).
_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under_18"),
    (18, "18_24"),
    (25, "25_34"),
    (35, "35_44"),
    (45, "45_54"),
    (55, "55_64"),
    (65, "65_plus"),
)


def band_for_age(age: int) -> str:
    found = NOT_KNOWN
    for lowest, value in _BANDS:
        if age >= lowest:
            found = value
    return found


def age_band(born: date | None, recorded: str | None, on: date) -> str:
    """The band to store: from the date of birth when it is known (and not after `on`),
    whatever was recorded; otherwise the band as recorded, or "not known"."""
    if born is not None and born <= on:
        return band_for_age(age_on(born, on))
    return recorded or NOT_KNOWN
