"""The current time, and a time of day as people type it: plain functions, no Flask.

Every service asks `now()` and `today()` here (never `datetime.now` itself), so that "today"
is always the London date and tests can move the clock in one place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from eip.workdays import london_date

# Hours, then minutes after ':' or '.', then am/pm: `14:30`, `09.05`, `2:30pm`, `9am`.
# ASCII digits only: other scripts' digits, which `int` would accept, are not a time.
_TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?(am|pm)?", re.ASCII)


def now() -> datetime:
    """The current moment, timezone-aware UTC (how times are stored)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's London date."""
    return london_date(now())


def parse_time(text: str | None) -> time | None:
    """A time of day as people write it: `14:30`, `09.05`, `2:30pm`, `2.30 PM`, `9am`,
    `12pm` (noon), `12:15am`; None when it is not clearly a time. Hours alone on the
    24-hour clock (`14`) are refused as unclear, and so is `1430`."""
    match = _TIME.fullmatch((text or "").strip().lower().replace(" ", ""))
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
