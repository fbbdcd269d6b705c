"""The statutory time limit for answering a data protection request (UK GDPR Art. 12(3)):
one calendar month from receipt, the same for subject access, rectification and erasure."""

from __future__ import annotations

import calendar
from datetime import date


def due_date(received: date) -> date:
    """One calendar month from receipt: the corresponding day of the next month, or that
    month's last day when it has none (31 January -> 28 or 29 February), as the ICO counts
    it."""
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))
