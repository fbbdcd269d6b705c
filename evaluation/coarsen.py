"""Coarsening: the first step of the anonymisation pipeline. Pure functions, no Flask.

Every value that leaves in an extract passes through one of these. The referral date
becomes its month; every other date becomes whole days since the referral (so no
calendar date but the month ever leaves); a date of birth becomes an age band at
referral; an ethnicity becomes its ONS high-level group; money becomes a band; counts
that could single someone out are top-coded. Free text has no function here because it
never leaves at all.
"""

from __future__ import annotations

from datetime import date

from eip.cases.choices import ETHNICITY_GROUP

NOT_KNOWN = "not_known"

# Ten-year bands from 25, as the ONS publishes them; clients are adults.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 17, "under_18"),
    (18, 24, "18_24"),
    (25, 34, "25_34"),
    (35, 44, "35_44"),
    (45, 54, "45_54"),
    (55, 64, "55_64"),
    (65, None, "65_plus"),
)
AGE_BAND_VALUES = tuple(band for _lo, _hi, band in AGE_BANDS)

# Recorded genders folded so that no rare category stands alone before disclosure control.
GENDER_GROUP = {
    "woman": "woman",
    "man": "man",
    "non_binary": "another_gender",
    "other": "another_gender",
    "not_known": NOT_KNOWN,
    "prefer_not_to_say": NOT_KNOWN,
}
GENDER_VALUES = ("woman", "man", "another_gender", NOT_KNOWN)

ETHNIC_GROUP_VALUES = ("asian", "black", "mixed", "white", "other", NOT_KNOWN)

COST_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "none"),
    (1, 49_999, "under_500"),
    (50_000, 99_999, "500_to_999"),
    (100_000, 199_999, "1000_to_1999"),
    (200_000, None, "2000_or_more"),
)
COST_BAND_VALUES = tuple(band for _lo, _hi, band in COST_BANDS)

# Police call-outs above this are reported as this ("5 or more"): a family with many
# call-outs is rare and memorable.
CALLOUT_TOP = 5


def referral_month(referred_on: date) -> str:
    """2026-09: the only calendar date an extract carries."""
    return f"{referred_on.year:04d}-{referred_on.month:02d}"


def days_since(referred_on: date, day: date | None) -> int | None:
    """Whole days from the referral to `day` (0 the same day), or None when there is none."""
    if day is None:
        return None
    return (day - referred_on).days


def age_on(born: date, on: date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def age_band(born: date | None, on: date) -> str:
    """The band of the age on the referral date; `not_known` without a date of birth."""
    if born is None or born > on:
        return NOT_KNOWN
    age = age_on(born, on)
    for lo, hi, band in AGE_BANDS:
        if age >= lo and (hi is None or age <= hi):
            return band
    raise AssertionError("the bands cover every age")  # pragma: no cover


def gender_group(gender: str | None) -> str:
    return GENDER_GROUP.get(gender or NOT_KNOWN, NOT_KNOWN)


def ethnic_group(ethnicity: str | None) -> str:
    """The ONS 2021 high-level group of a recorded ethnicity (prefer not to say: not known)."""
    group = ETHNICITY_GROUP.get(ethnicity or NOT_KNOWN, NOT_KNOWN)
    return group if group in ETHNIC_GROUP_VALUES else NOT_KNOWN


def cost_band(pence: int) -> str:
    """What a case's accommodation cost the pot, in bands of pounds (VAT included)."""
    pence = max(0, pence)
    for lo, hi, band in COST_BANDS:
        if pence >= lo and (hi is None or pence <= hi):
            return band
    raise AssertionError("the bands cover every amount")  # pragma: no cover


def top_coded(count: int | None, top: int = CALLOUT_TOP) -> int | None:
    if count is None:
        return None
    return min(max(count, 0), top)


def yes_no(flag: bool | None) -> str:
    if flag is None:
        return ""
    return "yes" if flag else "no"


# A child's age as the tracker records it (choices.CHILD_AGE_BAND): from the age in years
# when it is known, else the band recorded. Exact ages never leave.
CHILD_AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "under_1"),
    (1, 4, "1_to_4"),
    (5, 10, "5_to_10"),
    (11, 15, "11_to_15"),
    (16, 17, "16_to_17"),
)
CHILD_AGE_BAND_VALUES = ("unborn", *(band for _lo, _hi, band in CHILD_AGE_BANDS), NOT_KNOWN)
# Children of one family in one band above this are reported as this ("3 or more").
CHILDREN_TOP = 3


def child_age_band(age_years: int | None, recorded: str | None) -> str:
    if age_years is not None:
        for lo, hi, band in CHILD_AGE_BANDS:
            if lo <= age_years <= hi:
                return band
        return NOT_KNOWN  # not a child's age: counted, but not placed in a band
    return recorded if recorded in CHILD_AGE_BAND_VALUES else NOT_KNOWN


# Working days from a DASH review to the referral it called for, above this reported as
# this ("5 or more"): the targets are 1 and 2, and a long delay is rare and memorable.
WORKING_DAYS_TOP = 5


# When an outcome measurement was taken: whole weeks since the referral, in bands, so that
# no measurement's day can be put beside the events' days to find it.
WEEK_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 4, "0_to_4"),
    (5, 12, "5_to_12"),
    (13, 26, "13_to_26"),
    (27, 52, "27_to_52"),
    (53, None, "53_plus"),
)
WEEK_BAND_VALUES = (*(band for _lo, _hi, band in WEEK_BANDS), NOT_KNOWN)


def weeks_band(referred_on: date, day: date | None) -> str:
    """Whole weeks from the referral to `day`, in bands (before the referral: not known)."""
    days = days_since(referred_on, day)
    if days is None or days < 0:
        return NOT_KNOWN
    weeks = days // 7
    for lo, hi, band in WEEK_BANDS:
        if weeks >= lo and (hi is None or weeks <= hi):
            return band
    raise AssertionError("the bands cover every week")  # pragma: no cover
