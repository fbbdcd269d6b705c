"""How dates, times and money are written for people: plain functions, no Flask.

Pages (as template filters, registered by `eip.templating`), PDFs, CSVs, e-mails and the
services' messages all use these, so a date or an amount reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from eip import paging
from eip.workdays import LONDON, london_date

SERVICE_NAME = "EIP Tracker"


@lru_cache(maxsize=4096)
def long_date(value: date | None) -> str:
    """`1 March 2026` (no leading zero); nothing for no date. (Remembered, as `short_date`:
    a statement names each of its placements by its move-in date.)"""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


@lru_cache(maxsize=4096)
def short_date(value: date) -> str:
    """`1 Mar 2026`, for tables and chart labels. (Remembered: a statement writes thousands
    of dates, a few hundred different ones, and `strftime` is slow.)"""
    return f"{value.day} {value:%b %Y}"


def month_year(value: date) -> str:
    """`October 2026`, a month in a table's heading."""
    return f"{value:%B %Y}"


def weekday_date(value: date) -> str:
    """`Thursday 10 September 2026`, where the day of the week helps (a deadline)."""
    return f"{value:%A} {long_date(value)}"


def london_date_text(moment: datetime | None) -> str:
    """The London calendar date of a moment, written out: `24 November 2026`. (The date
    itself, for arithmetic, is `eip.workdays.london_date`.)"""
    if moment is None:
        return ""
    return long_date(london_date(moment))


def count_text(count: int) -> str:
    """A count read no further than `paging.COUNT_CAP` rows (eip.paging.capped): `1,000 or
    more` at the cap, the exact number below it."""
    return f"{paging.COUNT_CAP:,} or more" if count >= paging.COUNT_CAP else str(count)


def total_text(counts) -> str:
    """The sum of counts each read no further than the cap: exact while none reached it,
    `1,000 or more` once one did (the sum is then at least that)."""
    counts = list(counts)
    if any(count >= paging.COUNT_CAP for count in counts):
        return f"{max(sum(counts), paging.COUNT_CAP):,} or more"
    return str(sum(counts))


def more_text(count: int, shown: int) -> str:
    """How many of a capped `count` are not among the `shown`: `at least 980` at the cap."""
    rest = count - shown
    return f"at least {rest:,}" if count >= paging.COUNT_CAP else str(rest)


def london_datetime(moment: datetime | None) -> str:
    """`24 November 2026, 2:05pm` in London time."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0") or "12"
    half = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{half}"


def _signed_pounds(pence: int) -> tuple[str, int, int]:
    """The sign, whole pounds and pence of an amount; anything but whole pence (a float, a
    bool, text) is refused, since money is never rounded on the way out."""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"Amounts are whole pence (int), not {type(pence).__name__}")
    pounds, rest = divmod(abs(pence), 100)
    return ("-" if pence < 0 else ""), pounds, rest


def format_pence(pence: int | None) -> str:
    """Pounds for people: `£1,234.50`, and `-£5.00` for a negative figure; nothing for no
    figure (a request's rate not yet set).

    Negative figures appear only in reports (a reversal's effect, an overspend that must never
    happen); the minus goes before the pound sign, as finance statements write it.
    """
    if pence is None:
        return ""
    sign, pounds, rest = _signed_pounds(pence)
    return f"{sign}£{pounds:,}.{rest:02d}"


@lru_cache(maxsize=8192, typed=True)  # typed: True is refused, never taken for 1 penny
def accounts_pence(pence: int | None) -> str:
    """Pounds as a printed account writes them: `£1,234.50`, and `(£5.00)` for a negative
    figure, so a minus sign cannot be lost in a column or read as a dash. For documents
    (the statement, the monthly report); pages and forms keep `format_pence`. (Remembered:
    a statement writes some 5,000 amounts, the rates and totals over and over.)"""
    if pence is None:
        return ""
    sign, pounds, rest = _signed_pounds(pence)
    text = f"£{pounds:,}.{rest:02d}"
    return f"({text})" if sign else text


def plain_pounds(pence: int) -> str:
    """Pence as a plain number of pounds, for a spreadsheet or a form's box: 123450 ->
    `1234.50` (no pound sign, no commas, so it reads back as a number)."""
    sign, pounds, rest = _signed_pounds(pence)
    return f"{sign}{pounds}.{rest:02d}"
