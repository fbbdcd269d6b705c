"""The retention rule, as pure functions: no Flask, no database.

A closed case is due for review `case_years` after the day it closed (London date). While
any child is on the case it is kept longer: until `child_extra_years` after the youngest
child turns 18, when that is later.

A child's age is what was recorded, on the day it was recorded (the child record's
`created_at`): `age_years`, or else the age band. The rule takes the **youngest** age the
record allows, because anonymising too early cannot be undone and keeping a little longer
can: a child recorded as 4 turns 18 at the latest 14 years after the recording day; a band
"Aged 1 to 4" is read as 1 (17 years); "Unborn" as born within the year (19 years). A child
whose age is not known, or whose record is flagged for review (`needs_review`, from the old
free-text ages), is never guessed: the case is listed once the closure rule has passed,
marked for a manager to check the children by hand.

Years are added to the calendar date; 29 February plus a year is 1 March.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

ADULT = 18
# The youngest age each band allows (eip.cases.choices.CHILD_AGE_BAND). Unborn: born
# within the year of the recording, so taken as -1.
BAND_YOUNGEST = {
    "unborn": -1,
    "under_1": 0,
    "1_to_4": 1,
    "5_to_10": 5,
    "11_to_15": 11,
    "16_to_17": 16,
}
CLOSURE, CHILDREN, REVIEW = "closure", "children", "review"
RULE_LABELS = {
    CLOSURE: "Years after closure",
    CHILDREN: "Youngest child 18, plus the years after",
    REVIEW: "A child's age is not known: check the children by hand",
}


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def sub_years(day: date, years: int) -> date:
    """The latest day whose `add_years(_, years)` is on or before `day` (the cut-off the
    due query compares recorded days with)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return date(day.year - years, 2, 28)


def youngest_age(age_years: int | None, age_band: str | None) -> int | None:
    """The youngest the child can have been when recorded, or None when not known."""
    if age_years is not None:
        return age_years
    return BAND_YOUNGEST.get(age_band or "")


def years_held_after_recording(youngest: int, child_extra_years: int) -> int:
    """Years from the recording day until the child is 18, plus the years after."""
    return max(0, ADULT - youngest) + child_extra_years


@dataclass(frozen=True)
class ChildAge:
    recorded_on: date
    age_years: int | None
    age_band: str | None
    needs_review: bool = False

    @property
    def known(self) -> int | None:
        return None if self.needs_review else youngest_age(self.age_years, self.age_band)


@dataclass(frozen=True)
class Due:
    on: date
    rule: str  # CLOSURE, CHILDREN or REVIEW

    @property
    def rule_label(self) -> str:
        return RULE_LABELS[self.rule]


def due(closed_on: date, children: list[ChildAge], case_years: int, child_extra_years: int) -> Due:
    """When a closed case becomes due for review, and which rule decides it."""
    result = Due(add_years(closed_on, case_years), CLOSURE)
    for child in children:
        youngest = child.known
        if youngest is None:
            continue
        held = add_years(child.recorded_on, years_held_after_recording(youngest, child_extra_years))
        if held > result.on:
            result = Due(held, CHILDREN)
    if any(child.known is None for child in children):
        result = Due(result.on, REVIEW)
    return result


def day_after(day: date) -> date:
    return day + timedelta(days=1)
