"""Display formats (eip.formatting): money in pounds from whole pence, dates and times in
London."""

from datetime import UTC, date, datetime

import pytest

from eip.formatting import (
    format_pence,
    london_date_text,
    london_datetime,
    long_date,
    plain_pounds,
    short_date,
    weekday_date,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "£0.00"), (5, "£0.05"), (1_400_000, "£14,000.00"), (-2550, "-£25.50"), (None, "")],
)
def test_pence_are_shown_as_pounds(value, shown):
    assert format_pence(value) == shown


def test_a_summer_time_is_shown_in_british_summer_time():
    assert london_datetime(datetime(2026, 7, 1, 13, 5, tzinfo=UTC)) == "1 July 2026, 2:05pm"


def test_a_winter_time_is_shown_in_greenwich_mean_time():
    assert london_datetime(datetime(2026, 11, 24, 0, 30, tzinfo=UTC)) == "24 November 2026, 12:30am"


def test_long_dates_have_no_leading_zero():
    assert long_date(date(2026, 3, 1)) == "1 March 2026"


def test_short_dates_and_weekdays():
    assert short_date(date(2026, 4, 6)) == "6 Apr 2026"
    assert weekday_date(date(2026, 9, 10)) == "Thursday 10 September 2026"


def test_the_london_date_of_a_moment_is_written_out():
    assert london_date_text(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"
    assert london_date_text(None) == ""


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0.00"), (5, "0.05"), (123_450, "1234.50"), (-2550, "-25.50")]
)
def test_plain_pounds_read_back_as_numbers(value, shown):
    assert plain_pounds(value) == shown
