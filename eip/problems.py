"""Collecting field problems before anything is written, so that a form shows them all at
once. Plain Python: any service (cases, accommodation) uses it, and it knows no model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eip.clock import today
from eip.domain import RuleBroken
from eip.formatting import london_datetime, long_date
from eip.workdays import london_date


class Problems:
    """Field problems gathered before anything is written, raised together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, value: str | None, message: str) -> str:
        """The stripped text, or a problem when it is empty."""
        cleaned = (value or "").strip()
        if not cleaned:
            self.add(field, message)
        return cleaned

    def choice(self, field: str, value: str | None, allowed, message: str) -> None:
        if value not in {known for known, _ in allowed}:
            self.add(field, message)

    def date(
        self,
        field: str,
        value: date | None,
        label: str,
        *,
        required: str,
        case: Any = None,
        not_future: bool = True,
    ) -> None:
        """A date that must be given, not in the future, and not before the referral
        (`case` is anything with a `received_at`: a case)."""
        if value is None:
            self.add(field, required)
            return
        if not_future and value > today():
            self.add(field, f"{label} cannot be in the future")
        elif case is not None and case.received_at and value < london_date(case.received_at):
            received = long_date(london_date(case.received_at))
            self.add(field, f"{label} cannot be before the referral was received ({received})")

    def not_before_referral(self, field: str, value: datetime, label: str, case: Any) -> None:
        if case.received_at and value < case.received_at:
            received = london_datetime(case.received_at)
            self.add(field, f"{label} cannot be before the referral was received ({received})")

    def raise_any(self) -> None:
        if self.errors:
            raise RuleBroken(errors=self.errors)
