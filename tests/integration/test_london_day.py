"""`london_day` in SQL gives the London calendar date `eip.workdays.london_date` gives, on
both engines: the dashboard groups referrals and meetings by it, so an hour out around a
clock change would move a referral to the wrong day (and its deadline with it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import literal, select

from eip.db import UTCDateTime
from eip.extensions import db
from eip.reports.london_day import london_day
from eip.workdays import london_date


def _instants() -> list[datetime]:
    """Every hour's first and last microsecond around each clock change from 2024 to 2031
    (the changes fall on the last Sundays of March and October, 01:00 UTC), and instants
    spread over those years at odd minutes."""
    found = []
    for year in range(2024, 2032):
        for month in (3, 10):
            for day in range(24, 32):
                for hour in (0, 1, 22, 23):
                    at = datetime(year, month, day, hour, tzinfo=UTC)
                    found += [at - timedelta(microseconds=1), at, at + timedelta(minutes=59)]
    at = datetime(2024, 1, 1, tzinfo=UTC)
    while at.year < 2032:
        found.append(at)
        at += timedelta(hours=61, minutes=37)
    return found


def test_london_day_in_sql_is_the_london_date_of_every_instant(app_context):
    instants = _instants()
    got = []
    for start in range(0, len(instants), 500):  # a row of at most 500 columns
        chunk = instants[start : start + 500]
        query = select(*(london_day(literal(at, UTCDateTime())) for at in chunk))
        got += list(db.session.execute(query).one())
    assert got == [london_date(at) for at in instants]


def test_london_day_of_no_instant_is_none(app_context):
    assert db.session.scalar(select(london_day(literal(None, UTCDateTime())))) is None
