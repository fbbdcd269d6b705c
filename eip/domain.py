"""The small errors services raise and views turn into pages.

Plain Python: no Flask, no database. A view maps them to HTTP: NotFound to 404,
NotAllowed to 403, Conflict to 409 and RuleBroken to 400 with the message
beside its field (or at the top of the form when it has none).
"""

from __future__ import annotations


class DomainError(Exception):
    """Something a user did that the service refuses, with a message fit to show them."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """No such record."""


class NotAllowed(DomainError):
    """This user may not do this to this record."""


class Conflict(DomainError):
    """Someone else changed the record first (or it was already decided)."""


class RuleBroken(DomainError):
    """The input breaks a rule. `errors` maps form field names to messages;
    a message with no field goes at the top of the form."""

    def __init__(self, message: str = "", *, field: str | None = None, errors=None) -> None:
        errors = dict(errors or {})
        if field is not None:
            errors[field] = message
        super().__init__(message or next(iter(errors.values()), ""))
        self.field = field
        self.errors: dict[str, str] = errors
