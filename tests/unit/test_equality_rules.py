"""The age band rule: from the date of birth when it is known, on the day the referral was
received; otherwise as recorded; never a guess."""

from datetime import date

import pytest

from eip.cases import choices
from eip.cases.equality import age_band, band_for_age

RECEIVED = date(2026, 9, 7)


def test_a_known_date_of_birth_decides_the_band_whatever_was_recorded():
    assert age_band(date(1990, 3, 27), "65_plus", RECEIVED) == "35_44"


def test_without_a_date_of_birth_the_recorded_band_is_kept():
    assert age_band(None, "25_34", RECEIVED) == "25_34"
    assert age_band(None, "prefer_not_to_say", RECEIVED) == "prefer_not_to_say"


def test_with_neither_the_band_is_not_known():
    assert age_band(None, None, RECEIVED) == "not_known"
    assert age_band(None, "", RECEIVED) == "not_known"


def test_a_date_of_birth_after_the_day_is_no_evidence_and_the_recorded_band_stands():
    assert age_band(date(2027, 1, 1), "18_24", RECEIVED) == "18_24"


def test_the_band_moves_up_on_the_birthday_itself_not_the_day_before():
    born = date(2001, 9, 7)  # 25 on the day received
    assert age_band(born, None, date(2026, 9, 6)) == "18_24"
    assert age_band(born, None, date(2026, 9, 7)) == "25_34"


def test_a_29_february_birthday_moves_the_band_on_1_march_in_a_common_year():
    born = date(2008, 2, 29)  # 18 in 2026, which has no 29 February
    assert age_band(born, None, date(2026, 2, 28)) == "under_18"
    assert age_band(born, None, date(2026, 3, 1)) == "18_24"


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "under_18"),
        (16, "under_18"),
        (17, "under_18"),
        (18, "18_24"),
        (24, "18_24"),
        (25, "25_34"),
        (34, "25_34"),
        (35, "35_44"),
        (44, "35_44"),
        (45, "45_54"),
        (55, "55_64"),
        (64, "55_64"),
        (65, "65_plus"),
        (99, "65_plus"),
    ],
)
def test_each_age_falls_in_one_band_at_its_edges(age, band):
    assert band_for_age(age) == band


def test_every_band_the_rule_gives_is_in_the_list_the_forms_offer():
    offered = set(choices.values(choices.AGE_BAND))
    assert {band_for_age(age) for age in range(0, 110)} <= offered
