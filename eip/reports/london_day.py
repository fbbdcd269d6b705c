"""The Europe/London calendar date of a stored instant, in SQL on both engines (what
`eip.workdays.london_date` is in Python), so that a report can group rows by day in the
database and read a few rows per day instead of one per case.

PostgreSQL converts with its own time zone data. SQLite has none, so the offset is the UK's
summer-time rule (since 1996: from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
last Sunday of October, one hour ahead), written with SQLite's date functions; the last
Sunday of a month of 31 days is the first Sunday on or after its 25th. SQLite stores instants
as naive UTC text ("2026-03-29 01:00:00.000000"), which compares with "2026-03-29 01:00:00"
as the instants do. Its date functions keep milliseconds, rounding: 23:59:59.999999 would be
the next day, so the date is taken from the whole seconds (the text's first 19 characters).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class london_day(GenericFunction):
    """london_day(instant): its London date (NULL for NULL)."""

    type = Date()
    inherit_cache = True


@compiles(london_day, "postgresql")
def _postgresql(element, compiler, **kw):
    return f"CAST(timezone('Europe/London', {compiler.process(element.clauses, **kw)}) AS DATE)"


def _summer_change(instant: str, month: str) -> str:
    return f"datetime(date(strftime('%Y', {instant}) || '-{month}-25', 'weekday 0'), '+1 hours')"


def _last_sunday_one_am(year: int, month: int) -> str:
    day = date(year, month, 31)
    return f"{day - timedelta(days=(day.weekday() + 1) % 7)} 01:00:00"


# The rule's date functions cost a few microseconds an instant (seconds at 100,000 cases), so
# the summers of these years are written out as text to compare with; the rule answers for
# any instant outside them.
WRITTEN_YEARS = range(2015, 2041)


@compiles(london_day, "sqlite")
def _sqlite(element, compiler, **kw):
    instant = compiler.process(element.clauses, **kw)
    year = f"substr({instant}, 1, 4)"
    rule = (
        f"{instant} >= {_summer_change(instant, '03')} "
        f"AND {instant} < {_summer_change(instant, '10')}"
    )
    written = " ".join(
        f"WHEN '{y}' THEN {instant} >= '{_last_sunday_one_am(y, 3)}' "
        f"AND {instant} < '{_last_sunday_one_am(y, 10)}'"
        for y in WRITTEN_YEARS
    )
    summer = f"CASE {year} {written} ELSE {rule} END"
    seconds = f"substr({instant}, 1, 19)"
    return f"date({seconds}, CASE WHEN {summer} THEN '+1 hours' ELSE '+0 hours' END)"
