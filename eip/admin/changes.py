"""Steps that account and approval services share: approval requests, e-mail
changes, mail after commit, and rolling back a refused change.

Nothing here commits; the service that calls it does, once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eip.admin.models import ApprovalRequest
from eip.audit import record
from eip.auth import throttle, tokens
from eip.auth.models import AccountToken, User
from eip.auth.sessions import end_all_sessions
from eip.domain import DomainError, NotFound, RuleBroken
from eip.mail import Mail, MailNotSent, send
from eip.notifications import events

EMAIL_TAKEN = "An account already uses this email address"
F = TypeVar("F", bound=Callable[..., Any])


def atomic(function: F) -> F:
    """A refused change leaves nothing behind in the session."""

    @functools.wraps(function)
    def wrapped(session: Session, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(session, *args, **kwargs)
        except DomainError:
            session.rollback()
            raise

    return wrapped  # type: ignore[return-value]


def now_or(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:
        # Two admins saving the same address at once: the unique index decides.
        session.rollback()
        raise RuleBroken(EMAIL_TAKEN, field="email") from None


def locked_user(session: Session, user_id: int) -> User:
    """The account, locked for this transaction (PostgreSQL; SQLite locks at BEGIN)."""
    # OF users: the borough is joined in, and PostgreSQL cannot lock an outer join's side.
    user = session.get(User, user_id, with_for_update={"of": User})
    if user is None:
        raise NotFound("No such user")
    return user


# ---------------------------------------------------------------------------
# Mail after commit


@dataclass(frozen=True)
class Addressee:
    """Who a message goes to, captured before the commit expires the User
    (the token mails read only `.email`)."""

    email: str


@dataclass
class Outbox:
    """Messages to send once the transaction has committed."""

    messages: list[Callable[[], object]] = field(default_factory=list)

    def add(self, send_one: Callable[[], object]) -> None:
        self.messages.append(send_one)

    def add_invitation(self, email: str, raw_token: str) -> None:
        to = Addressee(email)
        self.add(lambda: tokens.send_invitation(to, raw_token))  # type: ignore[arg-type]

    def add_reset(self, email: str, raw_token: str) -> None:
        to = Addressee(email)
        self.add(lambda: tokens.send_reset(to, raw_token))  # type: ignore[arg-type]

    def deliver(self) -> bool:
        """Send everything; False if any message could not be sent."""
        all_sent = True
        for send_one in self.messages:
            try:
                send_one()
            except MailNotSent:
                all_sent = False
        return all_sent


# ---------------------------------------------------------------------------
# Approval requests


def email_taken(session: Session, email: str, except_user_id: int | None = None) -> bool:
    """Used by another account, or waiting for approval as another account's new address."""
    other_user = select(User.id).where(func.lower(User.email) == email)
    other_request = select(ApprovalRequest.id).where(
        ApprovalRequest.kind == "email",
        ApprovalRequest.status == "pending",
        func.lower(ApprovalRequest.requested_email) == email,
    )
    if except_user_id is not None:
        other_user = other_user.where(User.id != except_user_id)
        other_request = other_request.where(ApprovalRequest.user_id != except_user_id)
    return (
        session.scalar(other_user.limit(1)) is not None
        or session.scalar(other_request.limit(1)) is not None
    )


def pending_request(session: Session, user_id: int, kind: str) -> ApprovalRequest | None:
    return session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.user_id == user_id,
            ApprovalRequest.kind == kind,
            ApprovalRequest.status == "pending",
        )
    )


def withdraw(
    session: Session,
    actor: User | None,
    request: ApprovalRequest | None,
    why: str,
    now: datetime,
) -> None:
    if request is None:
        return
    request.status, request.decided_at, request.decision_note = "cancelled", now, why
    approval_decided(session, request, now)
    record(
        session,
        "account.approval_cancelled",
        actor=actor,
        object_type="user",
        object_id=request.user_id,
        details={"request_id": request.id, "kind": request.kind},
        reason=why,
    )


APPROVAL_TOPIC = "approval"


def approval_decided(session: Session, request: ApprovalRequest, now: datetime) -> None:
    """The managers' "waiting for your approval" notices close: it has been dealt with."""
    events.close_waiting(session, APPROVAL_TOPIC, f"approval:{request.id}", now)


def ask_approval(
    session: Session, actor: User, user: User, kind: str, now: datetime, **wanted: Any
) -> None:
    """A new request for a manager; it replaces any pending one of the same kind."""
    older = pending_request(session, user.id, kind)
    withdraw(session, actor, older, "Replaced by a newer request", now)
    request = ApprovalRequest(
        user_id=user.id, kind=kind, requested_by_id=actor.id, requested_at=now, **wanted
    )
    session.add(request)
    session.flush()
    details = {"request_id": request.id, "kind": kind}
    if kind == "role":
        details["role"] = wanted["requested_role"]
    # The managers who may decide it (never the account's owner or the one who asked).
    events.tell(
        session,
        "approval_waiting",
        [m for m in events.managers(session) if m.id != user.id],
        actor_id=actor.id,
        topic=APPROVAL_TOPIC,
        subject=f"approval:{request.id}",
        event_key=f"approval:{request.id}",
        now=now,
    )
    record(
        session,
        "account.approval_requested",
        actor=actor,
        object_type="user",
        object_id=user.id,
        details=details,
    )


# ---------------------------------------------------------------------------
# Changing the sign-in address


def stop_links(session: Session, user_id: int, now: datetime) -> None:
    """Unused invitation and reset links stop working."""
    session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user_id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )


def old_address_notice(old_email: str) -> Mail:
    contact = current_app.config["EIP_SUPPORT_CONTACT"]
    return Mail(
        to=old_email,
        subject="Your EIP Tracker sign-in email address was changed",
        kind="email_changed",
        body=(
            "The email address you use to sign in to EIP Tracker has been changed, so this "
            "address can no longer be used to sign in.\n\n"
            f"If this was not expected, contact {contact} at once.\n"
        ),
    )


def apply_email_change(
    session: Session, user: User, new_email: str, now: datetime, outbox: Outbox
) -> None:
    """Change the address now: sessions end, links sent to the old address stop working,
    and the old address is told (with nothing else about the account)."""
    old_email = user.email
    user.email = new_email
    end_all_sessions(session, user.id, "email_changed", now)
    stop_links(session, user.id, now)
    throttle.clear_failures(session, old_email)
    notice = old_address_notice(old_email)
    outbox.add(lambda: send(notice))
    if user.password_hash is None and user.active:
        # Not yet accepted: the invitation goes again, to the new address.
        outbox.add_invitation(new_email, tokens.issue(session, user, "invite", now))
