"""The retention rule (eip.privacy.rules): N years after closure, longer while a child on the
case is under 18 plus M years, the youngest age a child's record allows, and a child of
unknown age sent to a manager rather than guessed."""

from __future__ import annotations

from datetime import date

import pytest

from eip.privacy.rules import (
    CHILDREN,
    CLOSURE,
    REVIEW,
    ChildAge,
    add_years,
    due,
    sub_years,
    youngest_age,
)

CLOSED = date(2026, 12, 6)


def test_a_year_after_29_february_is_1_march_and_the_cutoff_agrees():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert sub_years(date(2025, 2, 28), 1) == date(2024, 2, 28)  # 29 Feb 2024 + 1 is not yet
    assert sub_years(date(2025, 3, 1), 1) == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("age_years", "band", "youngest"),
    [
        (4, None, 4),
        (0, "16_to_17", 0),  # the age in years wins over the band
        (None, "unborn", -1),
        (None, "under_1", 0),
        (None, "1_to_4", 1),
        (None, "5_to_10", 5),
        (None, "11_to_15", 11),
        (None, "16_to_17", 16),
        (None, "not_known", None),
        (None, None, None),
    ],
)
def test_a_childs_age_is_the_youngest_its_record_allows(age_years, band, youngest):
    assert youngest_age(age_years, band) == youngest


def test_a_case_with_no_children_is_due_the_closure_years_after_it_closed():
    result = due(CLOSED, [], 6, 7)
    assert (result.on, result.rule) == (date(2032, 12, 6), CLOSURE)


def test_a_young_child_keeps_the_case_until_they_are_18_plus_the_extra_years():
    # Recorded aged 4 on 1 March 2026: 18 by 1 March 2040 at the latest, plus 7 years.
    child = ChildAge(date(2026, 3, 1), 4, None)
    result = due(CLOSED, [child], 6, 7)
    assert (result.on, result.rule) == (date(2047, 3, 1), CHILDREN)


def test_an_age_band_is_read_as_its_youngest_age():
    child = ChildAge(date(2026, 3, 1), None, "1_to_4")  # taken as 1: 17 years to 18
    assert due(CLOSED, [child], 6, 0).on == date(2043, 3, 1)


def test_a_child_who_is_18_before_the_closure_rule_passes_changes_nothing():
    child = ChildAge(date(2026, 3, 1), 17, None)  # 18 by 2027, plus 2 years: 2029
    result = due(CLOSED, [child], 6, 2)
    assert (result.on, result.rule) == (date(2032, 12, 6), CLOSURE)


@pytest.mark.parametrize(
    "child",
    [
        ChildAge(date(2026, 3, 1), None, "not_known"),
        ChildAge(date(2026, 3, 1), None, None),
        ChildAge(date(2026, 3, 1), 17, None, needs_review=True),
    ],
)
def test_a_child_of_unknown_or_flagged_age_sends_the_case_to_a_manager(child):
    result = due(CLOSED, [child], 6, 7)
    assert (result.on, result.rule) == (date(2032, 12, 6), REVIEW)


def test_the_oldest_rule_decides_among_several_children():
    older, younger = ChildAge(date(2026, 3, 1), 15, None), ChildAge(date(2026, 3, 1), 2, None)
    assert due(CLOSED, [older, younger], 6, 7).on == date(2049, 3, 1)
