"""Saving an addition once: a double-click, or the same form sent again, must not record a
session, meeting, incident, DASH review or action twice.

Additions check no version (they never conflict with anyone's change), so each addition
form carries instead a random one-time token, made when the page is drawn. The service
claims it (`claim`) in the transaction that writes the record: a token already used is
`AlreadySaved`, and two POSTs racing are told apart by the unique index on
`form_submissions.token` (`commit_or_conflict(..., duplicate=AlreadySaved())`). The view
answers either with the first POST's result: back to the case, "already saved".
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.domain import DomainError, RuleBroken
from eip.models import FormSubmission

TOKEN_BYTES = 24  # 32 characters of URL-safe base64
MAX_TOKEN = 64
EXPIRED = "The page had expired, so nothing was saved. Go back to the case and try again"


class AlreadySaved(DomainError):
    """This form was saved already (by the first of two clicks): nothing more is saved."""

    def __init__(self, message: str = "This was already saved") -> None:
        super().__init__(message)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def claim(session: Session, user: User, token: str | None, kind: str) -> None:
    """Mark the form's token used, in the caller's transaction (so it commits with the
    record, or not at all). A page without a usable token is refused, not saved twice."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN:
        raise RuleBroken(EXPIRED)
    if session.scalar(select(FormSubmission.id).where(FormSubmission.token == token)):
        raise AlreadySaved()
    session.add(FormSubmission(token=token, user_id=user.id, kind=kind))
