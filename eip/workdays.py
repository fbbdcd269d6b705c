"""England working days, as pure functions: no Flask, no database, no global state.

Deadlines such as "acknowledge within 3 working days" are counted in working days:
Saturdays, Sundays, bank holidays in England (substitute days included, from the
`holidays` package) and the extra non-working days the managers add do not count.
The managers' days are always a parameter, so a service passes what it loaded and a
new day recomputes every due date (DOMAIN.md, "Deadlines and their units").

Dates are London dates: a referral received at 00:30 BST is that London day.

Counting is arithmetic on whole weeks, then the bank holidays and extra days in the range
are taken off: a due date years away costs a few holiday lookups, not a loop over every
day (each page and each reminder run counts working days for every open case).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in `year`, substitute days included.

    Built once per year (the cache keeps 256 years): the package's calendar is slow to
    build and does not change while the process runs. It may list a holiday that falls
    on a weekend (Christmas on a Saturday) as well as its substitute Monday; weekends
    are excluded separately.
    """
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year, observed=True)
    return frozenset(day for day in calendar if day.year == year)


def _days(extra: Iterable[date]) -> frozenset[date] | set[date]:
    """The managers' extra days as a set, read once (a generator is consumed only once)."""
    if isinstance(extra, frozenset | set):
        return extra
    return frozenset(extra)


def _check_date(day: date) -> None:
    # A datetime is a date too, but never equals one: a holiday lookup would silently fail.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("Pass a date; turn a datetime into its London date with london_date()")


def _working(day: date, extra: frozenset[date] | set[date]) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in extra


def is_working_day(day: date, extra: Iterable[date] = ()) -> bool:
    """Whether `day` counts: a weekday that is neither a bank holiday nor an extra day."""
    _check_date(day)
    return _working(day, _days(extra))


def next_working_day(day: date, extra: Iterable[date] = ()) -> date:
    """`day` itself if it is a working day, else the first working day after it.

    A referral received on a weekend or bank holiday is treated as received then.
    """
    _check_date(day)
    days = _days(extra)
    while not _working(day, days):
        day += timedelta(days=1)
    return day


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to `day`, inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def _add_weekdays(day: date, n: int) -> date:
    """The `n`th Monday-to-Friday after `day` (n >= 1), by arithmetic on whole weeks."""
    target = _weekdays_up_to(day) + n - 1
    weeks, rest = divmod(target, 5)
    try:
        return date.fromordinal(7 * weeks + rest + 1)
    except ValueError as exc:  # past 31 December 9999, as `date + timedelta` would say
        raise OverflowError("date value out of range") from exc


@lru_cache(maxsize=1)
def _years_with_holidays() -> tuple[int, int]:
    """The years the holidays package knows England's bank holidays for: any other year
    has none, so a range reaching year 9999 looks up a few hundred years at most."""
    calendar = holidays.country_holidays("GB", subdiv="ENG")
    return getattr(calendar, "start_year", date.min.year), getattr(
        calendar, "end_year", date.max.year
    )


def _closed_weekdays(a: date, b: date, extra: frozenset[date] | set[date]) -> int:
    """Mondays to Fridays d with a < d <= b that are bank holidays or extra days."""
    closed = {d for d in extra if a < d <= b and d.weekday() < 5}
    first, last = _years_with_holidays()
    for year in range(max(a.year, first), min(b.year, last) + 1):
        closed.update(d for d in bank_holidays(year) if a < d <= b and d.weekday() < 5)
    return len(closed)


def add_working_days(day: date, n: int, extra: Iterable[date] = ()) -> date:
    """The date `n` working days after `day`: the due date of an `n`-working-day deadline.

    A start on a non-working day counts from the next working day (received Saturday
    is treated as received Monday), so received Monday + 3 and Saturday + 3 are both
    Thursday. `n == 0` gives `next_working_day(day)`. Deadlines only run forward, so a
    negative `n` is refused.
    """
    if n < 0:
        raise ValueError("The number of working days must be zero or more")
    days = _days(extra)
    return _add_working_days(day, n, days if isinstance(days, frozenset) else frozenset(days))


# The evaluation extract and the monthly report ask the same few hundred due dates
# thousands of times; the answer depends on nothing but the arguments.
@lru_cache(maxsize=8192)
def _add_working_days(day: date, n: int, days: frozenset[date]) -> date:
    current = next_working_day(day, days)
    # Step over `remaining` weekdays at once; each holiday or extra day met on the way
    # is a working day still owed, so step again over those until none is met.
    remaining = n
    while remaining:
        target = _add_weekdays(current, remaining)
        remaining = _closed_weekdays(current, target, days)
        current = target
    return current


def working_days_between(a: date, b: date, extra: Iterable[date] = ()) -> int:
    """The number of working days d with a < d <= b; negative when b is before a.

    `working_days_between(a, add_working_days(a, n)) == n` for a working day `a`.
    For `b < a` the answer is `-working_days_between(b, a)`, and 0 when `a == b`, so
    "working days late" can be read straight off the sign. Because `a` itself never
    counts, a start on a non-working day gives one more than `n` (the next working
    day, which the deadline treats as the day of receipt, is counted).
    """
    _check_date(a)
    _check_date(b)
    if b < a:
        return -working_days_between(b, a, extra)
    days = _days(extra)
    return _weekdays_up_to(b) - _weekdays_up_to(a) - _closed_weekdays(a, b, days)


def london_day_start(day: date) -> datetime:
    """The first moment of a London calendar day (the inverse of `london_date`): the
    bound for "on or after this day" in queries over stored UTC times."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def london_date(moment: datetime) -> date:
    """The Europe/London calendar date of an aware datetime.

    Times are stored in UTC; 23:30 UTC on 30 June is 00:30 BST on 1 July, which is
    the day the referral was received. A naive datetime is refused: its zone is a guess.
    """
    if not isinstance(moment, datetime):
        raise TypeError("Pass a timezone-aware datetime")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("The time has no time zone, so its London date is not known")
    return moment.astimezone(LONDON).date()
