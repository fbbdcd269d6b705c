"""Coarsening: months, day offsets, age bands, ONS groups, cost bands, top-coding."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eip.cases import choices
from evaluation import coarsen


def test_the_referral_date_becomes_its_month_only():
    assert coarsen.referral_month(date(2026, 9, 7)) == "2026-09"


def test_other_dates_become_whole_days_since_the_referral():
    referred = date(2026, 9, 7)
    assert coarsen.days_since(referred, date(2026, 9, 7)) == 0
    assert coarsen.days_since(referred, date(2026, 10, 7)) == 30
    assert coarsen.days_since(referred, date(2026, 9, 1)) == -6
    assert coarsen.days_since(referred, None) is None


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2000, 9, 8), "25_34"),  # 26 on the referral date
        (date(2002, 9, 7), "18_24"),  # 24th birthday that day
        (date(2001, 9, 8), "18_24"),  # 24 until tomorrow
        (date(1991, 9, 7), "35_44"),
        (date(1960, 1, 1), "65_plus"),
        (date(2010, 1, 1), "under_18"),
    ],
)
def test_ages_fall_into_ten_year_bands_on_the_referral_date(born, band):
    assert coarsen.age_band(born, date(2026, 9, 7)) == band


def test_no_date_of_birth_or_one_after_the_referral_is_not_known():
    assert coarsen.age_band(None, date(2026, 9, 7)) == "not_known"
    assert coarsen.age_band(date(2027, 1, 1), date(2026, 9, 7)) == "not_known"


@given(st.dates(date(1920, 1, 1), date(2026, 1, 1)), st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_every_date_of_birth_lands_in_exactly_one_band(born, on):
    assert coarsen.age_band(born, on) in coarsen.AGE_BAND_VALUES


@pytest.mark.parametrize("ethnicity", choices.values(choices.ETHNICITY))
def test_every_recorded_ethnicity_maps_to_an_ons_high_level_group(ethnicity):
    group = coarsen.ethnic_group(ethnicity)
    assert group in coarsen.ETHNIC_GROUP_VALUES
    if ethnicity not in ("not_known", "prefer_not_to_say"):
        assert ethnicity.startswith(group)


def test_prefer_not_to_say_and_unknown_codes_are_not_known():
    assert coarsen.ethnic_group("prefer_not_to_say") == "not_known"
    assert coarsen.ethnic_group("martian") == "not_known"
    assert coarsen.gender_group("prefer_not_to_say") == "not_known"
    assert coarsen.gender_group("non_binary") == "another_gender"


@pytest.mark.parametrize(
    ("pence", "band"),
    [(0, "none"), (1, "under_500"), (49_999, "under_500"), (50_000, "500_to_999"),
     (182_000, "1000_to_1999"), (200_000, "2000_or_more")],
)  # fmt: skip
def test_money_leaves_only_as_a_band(pence, band):
    assert coarsen.cost_band(pence) == band


def test_police_call_outs_are_top_coded_so_a_rare_family_does_not_stand_out():
    assert coarsen.top_coded(2) == 2
    assert coarsen.top_coded(9) == coarsen.CALLOUT_TOP
    assert coarsen.top_coded(None) is None
