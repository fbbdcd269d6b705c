"""A case's children as records: how documents name them, and reading the old free-text ages.

Documents name a child by position and age only ("Child 2, aged 7"): no name is kept.
`read_ages` and `rows_from_count_and_ages` are the one way the free text ("3 and 7",
"2yrs & 10 months") becomes records: the migration and the CSV importer both use them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from eip.cases import choices
from eip.cases.records import Child

# The oldest age a child record takes in years (a person of 18 is an adult).
MAX_AGE_YEARS = 17

# How each age band reads after "Child 1, ".
_BAND_PHRASES = {
    "unborn": "unborn",
    "under_1": "aged under 1",
    "1_to_4": "age 1 to 4",
    "5_to_10": "age 5 to 10",
    "11_to_15": "age 11 to 15",
    "16_to_17": "age 16 to 17",
    "not_known": "age not known",
}


def age_phrase(age_years: int | None, age_band: str | None) -> str:
    """ "aged 7", "age 1 to 4", "unborn", "age not known"."""
    if age_years is not None:
        return "aged under 1" if age_years == 0 else f"aged {age_years}"
    if age_band in _BAND_PHRASES:
        return _BAND_PHRASES[age_band]
    if age_band:
        return "age " + choices.label(choices.CHILD_AGE_BAND, age_band).lower()
    return _BAND_PHRASES["not_known"]


def describe(child: Child) -> str:
    """ "Child 2, aged 7" / "Child 1, age 1 to 4" / "Child 3, age not known"."""
    return f"Child {child.position}, {age_phrase(child.age_years, child.age_band)}"


def ages_line(children: Sequence[Child]) -> str:
    """One line for documents: "2 children: Child 1, aged 3; Child 2, aged 7"."""
    if not children:
        return "No children recorded"
    count = len(children)
    noun = "child" if count == 1 else "children"
    return f"{count} {noun}: " + "; ".join(describe(child) for child in children)


def for_case(session, case_id: int) -> list[Child]:
    """The case's children in position order."""
    statement = select(Child).where(Child.case_id == case_id).order_by(Child.position, Child.id)
    return list(session.scalars(statement))


# ---- Reading the free-text ages ---------------------------------------------------------


@dataclass(frozen=True)
class Age:
    """One age read from the free text: years when known, else a band (CHILD_AGE_BAND)."""

    years: int | None = None
    band: str | None = None


@dataclass(frozen=True)
class ReadAges:
    ages: tuple[Age, ...]
    # True when some of the text could not be read as an age.
    unreadable: bool


@dataclass(frozen=True)
class ChildRow:
    """What one Child record takes from the count and the free-text ages."""

    position: int
    age_years: int | None
    age_band: str | None
    needs_review: bool


_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            "seventeen",
        ]
    )
}
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_YEARS_UNIT = r"(?:y|yo|yr|yrs|year|years)"
_MONTHS_UNIT = r"(?:m|mo|mos|mth|mths|month|months)"
_WEEKS_UNIT = r"(?:w|wk|wks|week|weeks)"
_YEARS = re.compile(rf"^{_NUMBER}\s*{_YEARS_UNIT}?(?:\s*(?:and\s*)?\d{{1,2}}\s*{_MONTHS_UNIT})?$")
_MONTHS = re.compile(rf"^{_NUMBER}\s*{_MONTHS_UNIT}$")
_WEEKS = re.compile(rf"^{_NUMBER}\s*{_WEEKS_UNIT}$")
_UNBORN = re.compile(r"^(unborn|pregnant|pregnancy|expecting|due\b.*|\d+\s*weeks? pregnant)$")
_BABY = re.compile(r"^(baby|newborn|new born|infant)$")
_TWINS = re.compile(r"^(?:twins?\s*(?:aged\s*)?(.+)|(.+?)\s*\(?twins\)?)$")
# Text that says no ages were given.
_NOTHING = re.compile(r"^(|-+|n/?a|none|nil|no children|not known|unknown|n/?k|not recorded)$")
_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|&|\band\b|\n)\s*")
_NOISE = re.compile(r"\b(?:aged|age|ages|old|approx\.?|approximately|about|c\.)\b|[.()~]")


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _read_one(piece: str) -> list[Age] | None:
    """The ages one piece of text names, or None when it is not an age."""
    twins = _TWINS.match(piece)
    if twins and "twin" in piece:
        one = _read_one((twins.group(1) or twins.group(2) or "").strip())
        return one * 2 if one and len(one) == 1 else None
    if _UNBORN.match(piece):
        return [Age(band="unborn")]
    if _BABY.match(piece):
        return [Age(band="under_1")]
    piece = _NOISE.sub(" ", piece).strip()
    piece = re.sub(r"\s+", " ", piece)
    if not piece:
        return None
    if match := _MONTHS.match(piece):
        months = _number(match.group(1))
        return [Age(band="under_1") if months < 12 else Age(years=months // 12)]
    if match := _WEEKS.match(piece):
        weeks = _number(match.group(1))
        return [Age(band="under_1")] if weeks < 52 else None
    if match := _YEARS.match(piece):
        years = _number(match.group(1))
        if years > MAX_AGE_YEARS:
            return None
        return [Age(band="under_1") if years == 0 else Age(years=years)]
    return None


def read_ages(text: str | None) -> ReadAges:
    """Read free-text ages such as "3 and 7", "3, 7", "2yrs & 10 months" into ages.

    Ages keep the order they were written in. "2 years 6 months" is one age, but "2 years
    and 6 months" is two (the field lists children; the count settles any doubt, since a
    mismatch is flagged for review). Anything that is not an age (a range, a question mark,
    "not sure") makes `unreadable` true, so the children get reviewed.
    """
    lowered = (text or "").strip().lower()
    if _NOTHING.match(lowered):
        return ReadAges((), False)
    lowered = lowered.replace("y/o", "yo")
    ages: list[Age] = []
    unreadable = False
    for piece in _SEPARATORS.split(lowered):
        piece = piece.strip()
        if not piece:
            continue
        read = _read_one(piece)
        if read is None:
            unreadable = True
        else:
            ages.extend(read)
    return ReadAges(tuple(ages), unreadable)


def rows_from_count_and_ages(count: int | None, ages_text: str | None) -> list[ChildRow]:
    """The child records a count and free-text ages become.

    The ages fill the records in order. Every record is flagged for review unless the
    text was read in full and gave exactly `count` ages: a count larger than the ages
    read, ages that could not be read, ages with no count, or more ages than the count.
    With no count the ages read set how many records there are; a count of 0 gives none.
    """
    read = read_ages(ages_text)
    total = count
    if total is None:
        total = len(read.ages) or (1 if read.unreadable else 0)
    clean = count is not None and not read.unreadable and len(read.ages) == count
    rows = []
    for index in range(total):
        age = read.ages[index] if index < len(read.ages) else Age(band="not_known")
        rows.append(
            ChildRow(
                position=index + 1,
                age_years=age.years,
                age_band=age.band,
                needs_review=not clean,
            )
        )
    return rows
