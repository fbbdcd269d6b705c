"""IDVA and MARAC referral timeliness from a DASH review, in working days, and children's
age bands: the extract's risk and safety fields as pure rules (fixed calendar dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from evaluation import coarsen
from evaluation.referral_timeliness import NOT_DUE, Timeliness, by_review, first_due, of_action

FRIDAY = date(2026, 6, 12)
MONDAY, TUESDAY = date(2026, 6, 15), date(2026, 6, 16)


def action(kind="idva", due=MONDAY, made=None, resolution=None, source=1, number=1):
    completed = datetime(made.year, made.month, made.day, 11, tzinfo=UTC) if made else None
    return SimpleNamespace(
        id=number, kind=f"{kind}_referral", due_on=due, completed_at=completed,
        resolution=resolution, source_id=source,
    )  # fmt: skip


def review(number, on):
    return SimpleNamespace(id=number, completed_on=on)


@pytest.mark.parametrize(
    ("made", "resolution", "today", "expected"),
    [
        (FRIDAY, None, TUESDAY, Timeliness("met", 0)),  # the same day
        (MONDAY, None, TUESDAY, Timeliness("met", 1)),  # the next working day, over a weekend
        (TUESDAY, None, TUESDAY, Timeliness("missed", 2)),
        (None, None, MONDAY, Timeliness("pending")),  # due today, not made yet
        (None, None, TUESDAY, Timeliness("missed")),
        (MONDAY, "not_needed", TUESDAY, Timeliness("not_made")),  # closed before it was due
        (TUESDAY, "not_needed", TUESDAY, Timeliness("missed")),
    ],
)
def test_a_referral_is_met_missed_pending_or_not_made_by_its_due_date(
    made, resolution, today, expected
):
    found = of_action("idva", FRIDAY, action(made=made, resolution=resolution), today)
    assert found == expected


def test_a_bank_holiday_is_not_a_working_day_and_the_stored_due_date_decides():
    friday = date(2026, 8, 28)  # Monday 31 August 2026 is the summer bank holiday
    made = date(2026, 9, 1)
    assert of_action("marac", friday, action("marac", due=made, made=made), made) == Timeliness(
        "met", 1
    )
    # A due date set under a 1-day setting stays: a later setting does not re-judge it.
    tight = action("marac", due=date(2026, 8, 28), made=made)
    assert of_action("marac", friday, tight, made).state == "missed"


def test_extra_non_working_days_are_not_counted():
    found = of_action("idva", FRIDAY, action(made=TUESDAY, due=TUESDAY), TUESDAY, {MONDAY})
    assert found == Timeliness("met", 1)


def test_each_review_takes_the_action_it_raised_and_the_case_its_first_due_referral():
    reviews = [review(1, date(2026, 6, 1)), review(2, FRIDAY), review(3, TUESDAY)]
    actions = [
        action("idva", due=MONDAY, made=MONDAY, source=2, number=5),
        action("marac", due=date(2026, 6, 16), made=None, source=2, number=6),
        action("idva", due=date(2026, 6, 17), made=None, source=3, number=7),
        SimpleNamespace(
            id=8, kind="plan", due_on=None, completed_at=None, resolution=None, source_id=1
        ),
        action("idva", due=None, made=None, source=None, number=9),  # no review: not counted
    ]
    found = by_review(reviews, actions, TUESDAY)
    assert found[1] == {"idva": NOT_DUE, "marac": NOT_DUE}
    assert found[2] == {"idva": Timeliness("met", 1), "marac": Timeliness("pending")}
    assert found[3]["idva"] == Timeliness("pending")
    assert first_due(reviews, found) == {
        "idva": Timeliness("met", 1),
        "marac": Timeliness("pending"),
    }


@pytest.mark.parametrize(
    ("years", "band", "expected"),
    [
        (0, None, "under_1"), (3, None, "1_to_4"), (7, None, "5_to_10"),
        (15, "5_to_10", "11_to_15"),
        (17, None, "16_to_17"), (None, "unborn", "unborn"), (None, None, "not_known"),
        (None, "made_up", "not_known"), (30, None, "not_known"),
    ],
)  # fmt: skip
def test_a_child_is_placed_in_a_band_from_the_age_in_years_else_the_band_recorded(
    years, band, expected
):
    assert coarsen.child_age_band(years, band) == expected
