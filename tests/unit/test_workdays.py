"""England working days: weekends, bank holidays (substitute days included), extra days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eip.workdays import (
    add_working_days,
    bank_holidays,
    is_working_day,
    london_date,
    next_working_day,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")


def received(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


# ---------------------------------------------------------------------------
# Ordinary weeks (2026-06-08 is a Monday with no holiday near it)


def test_received_monday_is_due_thursday():
    assert add_working_days(date(2026, 6, 8), 3) == date(2026, 6, 11)


def test_received_friday_is_due_wednesday():
    assert add_working_days(date(2026, 6, 12), 3) == date(2026, 6, 17)


@pytest.mark.parametrize("weekend_day", [date(2026, 6, 13), date(2026, 6, 14)])
def test_received_on_a_weekend_is_treated_as_monday_and_due_thursday(weekend_day):
    assert add_working_days(weekend_day, 3) == date(2026, 6, 18)


def test_zero_working_days_from_a_working_day_is_that_day():
    assert add_working_days(date(2026, 6, 10), 0) == date(2026, 6, 10)


def test_zero_working_days_from_a_weekend_is_the_next_working_day():
    assert add_working_days(date(2026, 6, 13), 0) == date(2026, 6, 15)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 6, 8), -1)


def test_next_working_day_is_the_day_itself_when_it_is_a_working_day():
    assert next_working_day(date(2026, 6, 10)) == date(2026, 6, 10)


def test_next_working_day_after_a_bank_holiday_weekend_is_tuesday():
    # Saturday 23 May 2026, then Sunday, then the spring bank holiday.
    assert next_working_day(date(2026, 5, 23)) == date(2026, 5, 26)


# ---------------------------------------------------------------------------
# Bank holidays in England


@pytest.mark.parametrize(
    ("received_on", "due"),
    [
        # 2026: Christmas on a Friday, Boxing Day on Saturday -> substitute Monday 28th.
        (date(2026, 12, 23), date(2026, 12, 30)),
        (date(2026, 12, 24), date(2026, 12, 31)),
        (date(2026, 12, 25), date(2027, 1, 4)),  # treated as received Tue 29th
        (date(2026, 12, 30), date(2027, 1, 5)),  # New Year's Day 2027 is a Friday
        # 2021: Christmas and Boxing Day on the weekend -> Mon 27th and Tue 28th.
        (date(2021, 12, 24), date(2021, 12, 31)),
        (date(2021, 12, 23), date(2021, 12, 30)),
        # 2022: New Year's Day on a Saturday -> Monday 3 January 2022.
        (date(2021, 12, 30), date(2022, 1, 5)),
        # 2022: Christmas on a Sunday -> Boxing Day Monday, substitute Tuesday 27th.
        (date(2022, 12, 23), date(2022, 12, 30)),
        # 2020: Boxing Day on a Saturday -> substitute Monday 28th.
        (date(2020, 12, 24), date(2020, 12, 31)),
        # 2025: Christmas Thursday, Boxing Day Friday, New Year's Day Thursday.
        (date(2025, 12, 24), date(2025, 12, 31)),
        (date(2025, 12, 29), date(2026, 1, 2)),
    ],
)
def test_christmas_boxing_day_and_new_year_including_substitute_days(received_on, due):
    assert add_working_days(received_on, 3) == due


@pytest.mark.parametrize(
    "substitute_day",
    [
        date(2020, 12, 28),
        date(2021, 12, 27),
        date(2021, 12, 28),
        date(2022, 1, 3),
        date(2022, 12, 26),
        date(2022, 12, 27),
        date(2023, 1, 2),
        date(2026, 12, 28),
        date(2027, 12, 27),
        date(2027, 12, 28),
    ],
)
def test_substitute_bank_holidays_are_not_working_days(substitute_day):
    assert not is_working_day(substitute_day)


def test_easter_good_friday_and_easter_monday_do_not_count():
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))
    # Received Thursday 2 April 2026: Tue 7, Wed 8, Thu 9.
    assert add_working_days(date(2026, 4, 2), 3) == date(2026, 4, 9)
    assert add_working_days(date(2026, 4, 3), 3) == date(2026, 4, 10)


@pytest.mark.parametrize(
    ("holiday", "received_on", "due"),
    [
        (date(2026, 5, 4), date(2026, 5, 1), date(2026, 5, 7)),  # early May
        (date(2026, 5, 25), date(2026, 5, 22), date(2026, 5, 28)),  # spring
        (date(2026, 8, 31), date(2026, 8, 28), date(2026, 9, 3)),  # summer
        (date(2020, 5, 8), date(2020, 5, 7), date(2020, 5, 13)),  # VE Day move in 2020
    ],
)
def test_may_spring_and_summer_bank_holidays_push_the_due_date(holiday, received_on, due):
    assert not is_working_day(holiday)
    assert add_working_days(received_on, 3) == due


@pytest.mark.parametrize(
    "one_off",
    [
        date(2022, 6, 2),  # spring bank holiday moved for the Platinum Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
    ],
)
def test_one_off_bank_holidays_are_not_working_days(one_off):
    assert not is_working_day(one_off)


def test_the_queens_funeral_pushes_a_due_date():
    assert add_working_days(date(2022, 9, 16), 3) == date(2022, 9, 22)


def test_england_not_scotland():
    assert is_working_day(date(2026, 1, 2))  # 2 January: Scotland only
    assert is_working_day(date(2026, 11, 30))  # St Andrew's Day: Scotland only
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer bank holiday
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day: Northern Ireland only


def test_the_calendar_lists_weekend_holidays_but_they_never_made_a_weekday_a_holiday():
    assert date(2021, 12, 25) in bank_holidays(2021)  # a Saturday
    assert is_working_day(date(2021, 12, 29))


def test_the_calendar_is_built_once_per_year():
    bank_holidays.cache_clear()
    for _ in range(50):
        add_working_days(date(2026, 12, 20), 10)
    info = bank_holidays.cache_info()
    assert info.misses == 2  # 2026 and 2027
    assert info.hits > 0


# ---------------------------------------------------------------------------
# The managers' extra non-working days


def test_an_extra_non_working_day_pushes_the_due_date():
    extra = frozenset({date(2026, 6, 10)})
    assert not is_working_day(date(2026, 6, 10), extra)
    assert add_working_days(date(2026, 6, 8), 3, extra) == date(2026, 6, 12)
    assert add_working_days(date(2026, 6, 8), 3) == date(2026, 6, 11)  # no global state


def test_extra_days_may_be_any_iterable_even_a_generator():
    extra = (d for d in [date(2026, 6, 9), date(2026, 6, 10)])
    assert add_working_days(date(2026, 6, 8), 3, extra) == date(2026, 6, 15)


def test_an_extra_day_received_on_is_treated_as_the_next_working_day():
    assert add_working_days(date(2026, 6, 8), 3, [date(2026, 6, 8)]) == date(2026, 6, 12)


def test_a_datetime_is_refused_where_a_date_is_expected():
    with pytest.raises(TypeError, match="london_date"):
        is_working_day(datetime(2026, 12, 25, 9, tzinfo=UTC))


# ---------------------------------------------------------------------------
# Counting working days between two dates


def test_working_days_between_counts_after_the_start_up_to_and_including_the_end():
    assert working_days_between(date(2026, 6, 8), date(2026, 6, 11)) == 3
    assert working_days_between(date(2026, 6, 12), date(2026, 6, 15)) == 1  # Fri -> Mon


def test_working_days_between_is_zero_for_the_same_day_and_negative_backwards():
    assert working_days_between(date(2026, 6, 8), date(2026, 6, 8)) == 0
    assert working_days_between(date(2026, 6, 11), date(2026, 6, 8)) == -3
    assert working_days_between(date(2026, 6, 15), date(2026, 6, 12)) == -1


def test_working_days_between_a_weekend_and_its_sunday_is_zero():
    assert working_days_between(date(2026, 6, 13), date(2026, 6, 14)) == 0


def test_working_days_between_skips_extra_days():
    assert working_days_between(date(2026, 6, 8), date(2026, 6, 12), [date(2026, 6, 10)]) == 3


def test_working_days_between_from_a_non_working_day_counts_the_next_working_day_too():
    due = add_working_days(date(2026, 6, 13), 3)
    assert working_days_between(date(2026, 6, 13), due) == 4


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 7, 12, 30])
def test_working_days_between_is_the_inverse_of_add_working_days(n):
    extra = frozenset({date(2025, 7, 14), date(2026, 2, 3), date(2026, 12, 29)})
    start, stop = date(2020, 11, 1), date(2027, 2, 1)
    day = start
    checked = 0
    while day < stop:
        if is_working_day(day, extra):
            due = add_working_days(day, n, extra)
            assert working_days_between(day, due, extra) == n, (day, n)
            assert working_days_between(due, day, extra) == -n, (day, n)
            assert is_working_day(due, extra)
            checked += 1
        day += timedelta(days=3 if n > 7 else 1)
    assert checked > 300


def test_add_working_days_always_lands_on_a_working_day_after_the_received_day():
    day = date(2021, 12, 1)
    while day < date(2022, 2, 1):
        for n in (1, 3, 5):
            due = add_working_days(day, n)
            assert due > day
            assert is_working_day(due)
        day += timedelta(days=1)


# ---------------------------------------------------------------------------
# London dates


def test_half_past_midnight_bst_is_that_london_day():
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 July
    assert london_date(moment) == date(2026, 7, 1)
    assert london_date(datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)) == date(2026, 7, 1)


def test_late_evening_gmt_in_winter_is_the_same_day():
    assert london_date(datetime(2026, 12, 24, 23, 30, tzinfo=UTC)) == date(2026, 12, 24)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        london_date(datetime(2026, 7, 1, 0, 30))


# ---------------------------------------------------------------------------
# The arithmetic agrees with counting day by day


def _working_by_hand(day: date, extra: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in extra


def _between_by_hand(a: date, b: date, extra: frozenset[date]) -> int:
    if b < a:
        return -_between_by_hand(b, a, extra)
    count, current = 0, a
    while current < b:
        current += timedelta(days=1)
        count += _working_by_hand(current, extra)
    return count


def _add_by_hand(day: date, n: int, extra: frozenset[date]) -> date:
    while not _working_by_hand(day, extra):
        day += timedelta(days=1)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        counted += _working_by_hand(day, extra)
    return day


# From well before the first year the holidays package knows to past its last (2100).
_dates = st.dates(min_value=date(1865, 1, 1), max_value=date(2110, 12, 31))
_extra_days = st.frozensets(st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 3, 1)))


@settings(max_examples=300, deadline=None)
@given(start=_dates, length=st.integers(-1200, 1200), extra=_extra_days)
def test_working_days_between_matches_counting_day_by_day(start, length, extra):
    end = start + timedelta(days=length)
    assert working_days_between(start, end, extra) == _between_by_hand(start, end, extra)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 3, 31)),
    length=st.integers(0, 60),
    extra=_extra_days,
)
def test_working_days_between_matches_near_the_extra_days(start, length, extra):
    end = start + timedelta(days=length)
    assert working_days_between(start, end, extra) == _between_by_hand(start, end, extra)


@settings(max_examples=300, deadline=None)
@given(start=_dates, n=st.integers(0, 900), extra=_extra_days)
def test_add_working_days_matches_counting_day_by_day(start, n, extra):
    assert add_working_days(start, n, extra) == _add_by_hand(start, n, extra)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 3, 1)),
    n=st.integers(0, 40),
    extra=_extra_days,
)
def test_add_working_days_matches_near_the_extra_days(start, n, extra):
    assert add_working_days(start, n, extra) == _add_by_hand(start, n, extra)


def test_a_date_thousands_of_years_away_is_counted_and_the_count_inverts():
    # Speed is measured by `make bench`, never asserted here; this checks the arithmetic
    # over a range the day-by-day count could not cover in a test.
    late = working_days_between(date(2026, 11, 2), date(9999, 12, 31))
    assert working_days_between(date(9999, 12, 31), date(2026, 11, 2)) == -late
    assert add_working_days(date(2026, 11, 2), late) == date(9999, 12, 31)


def test_counting_past_the_last_date_there_is_overflows_as_date_arithmetic_does():
    with pytest.raises(OverflowError):
        add_working_days(date(9999, 12, 30), 5)
