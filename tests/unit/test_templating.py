"""Display formats: money in pounds from whole pence, times in London."""

from datetime import UTC, date, datetime

import pytest

from eip.templating import london_datetime, long_date, pence


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "£0.00"), (5, "£0.05"), (1_400_000, "£14,000.00"), (-2550, "-£25.50"), (None, "")],
)
def test_pence_are_shown_as_pounds(value, shown):
    assert pence(value) == shown


def test_a_summer_time_is_shown_in_british_summer_time():
    assert london_datetime(datetime(2026, 7, 1, 13, 5, tzinfo=UTC)) == "1 July 2026, 2:05pm"


def test_a_winter_time_is_shown_in_greenwich_mean_time():
    assert london_datetime(datetime(2026, 11, 24, 0, 30, tzinfo=UTC)) == "24 November 2026, 12:30am"


def test_long_dates_have_no_leading_zero():
    assert long_date(date(2026, 3, 1)) == "1 March 2026"
