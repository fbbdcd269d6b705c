"""Accounts: listing, inviting, changing, disabling, and the admin's account actions.

Each function checks the rules, writes, audits and commits once. A grant of a
role that sees personal data, an e-mail change of any account, and re-enabling
an account with a personal-data or evaluator role wait in an ApprovalRequest
for a manager (see approval_services): the administrator alone cannot take an
account over. Mail goes
only after the commit, so that nobody gets a link or a notice for a change that
did not happen; a failure to send is reported back, not undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from eip.admin import rules
from eip.admin.changes import (
    EMAIL_TAKEN,
    Addressee,
    Outbox,
    ask_approval,
    atomic,
    commit,
    email_taken,
    locked_user,
    now_or,
    pending_request,
    stop_links,
    withdraw,
)
from eip.admin.models import ApprovalRequest
from eip.audit import record
from eip.auth import enrolment, throttle, tokens
from eip.auth.models import RecoveryCode, SignInThrottle, User
from eip.auth.sessions import end_all_sessions
from eip.cases import assignment
from eip.domain import NotFound, RuleBroken
from eip.models import Borough
from eip.notifications import events
from eip.roles import Role

# ---------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class UserRow:
    user: User
    status: str
    pending_role: ApprovalRequest | None = None
    pending_email: ApprovalRequest | None = None
    pending_enable: ApprovalRequest | None = None

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def enable_waits(self) -> bool:
        """Enabling this (disabled) account would wait for a manager's approval."""
        return rules.enable_needs_approval(self.user.role)

    @property
    def borough_text(self) -> str:
        """The account's borough, or the one a role waiting for approval ties it to: an
        invited SPOC shows "Lambeth (waiting for approval)", not "Not tied to a borough".
        Empty for an account with no borough, now or waiting."""
        current = self.user.borough.name if self.user.borough else ""
        wanted = self.pending_role.requested_borough if self.pending_role else None
        if wanted is None or wanted.id == self.user.borough_id:
            return current
        waiting = f"{wanted.name} (waiting for approval)"
        return f"{current}; {waiting}" if current else waiting

    @property
    def role_text(self) -> str:
        if self.user.role is None and self.pending_role is not None:
            return f"Waiting for approval of {Role(self.pending_role.requested_role).label}"
        return self.user.role_label


def _locked_emails(session: Session, users: list[User], now: datetime) -> set[str]:
    keys = {throttle.throttle_key("email", user.email): user.email for user in users}
    if not keys:
        return set()
    locked = session.scalars(
        select(SignInThrottle.key).where(
            SignInThrottle.key.in_(keys), SignInThrottle.locked_until > now
        )
    )
    return {keys[key] for key in locked}


def _rows(session: Session, users: list[User], now: datetime) -> list[UserRow]:
    locked = _locked_emails(session, users, now)
    pending: dict[tuple[int, str], ApprovalRequest] = {}
    if users:
        requests = session.scalars(
            select(ApprovalRequest).where(
                ApprovalRequest.user_id.in_([user.id for user in users]),
                ApprovalRequest.status == "pending",
            )
        )
        pending = {(request.user_id, request.kind): request for request in requests}
    return [
        UserRow(
            user=user,
            status=rules.account_status(
                active=user.active,
                has_password=user.password_hash is not None,
                locked=user.email in locked,
            ),
            pending_role=pending.get((user.id, "role")),
            pending_email=pending.get((user.id, "email")),
            pending_enable=pending.get((user.id, "enable")),
        )
        for user in users
    ]


def list_users(
    session: Session, *, role: str = "", status: str = "", now: datetime | None = None
) -> list[UserRow]:
    """Every account, by name; role "none" means waiting for a first role."""
    query = select(User).order_by(func.lower(User.name), User.id)
    if role == "none":
        query = query.where(User.role.is_(None))
    elif role in {r.value for r in Role}:
        query = query.where(User.role == role)
    rows = _rows(session, list(session.scalars(query)), now_or(now))
    if status in rules.STATUS_LABELS:
        rows = [row for row in rows if row.status == status]
    return rows


def user_row(session: Session, user_id: int, now: datetime | None = None) -> UserRow:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    return _rows(session, [user], now_or(now))[0]


def borough_choices(session: Session) -> list[tuple[int, str]]:
    boroughs = session.scalars(select(Borough).order_by(Borough.name))
    return [(b.id, b.name if b.active else f"{b.name} (not taking part)") for b in boroughs]


# ---------------------------------------------------------------------------
# Inviting and changing accounts


def _check_role(session: Session, role: str, borough_id: int | None) -> str:
    role = Role(role).value
    problem = rules.role_borough_problem(role, borough_id)
    if problem:
        raise RuleBroken(problem, field="borough")
    if borough_id is not None and session.get(Borough, borough_id) is None:
        raise RuleBroken("Select a borough from the list", field="borough")
    return role


@dataclass(frozen=True)
class InviteOutcome:
    user_id: int
    approval_needed: bool
    mail_sent: bool


@atomic
def invite_user(
    session: Session,
    actor: User,
    *,
    name: str,
    email: str,
    role: str,
    borough_id: int | None,
    now: datetime | None = None,
) -> InviteOutcome:
    """The invitation goes at once; a personal-data role waits for a manager's approval."""
    now = now_or(now)
    email, name = rules.normalise_email(email), name.strip()
    role = _check_role(session, role, borough_id)
    if email_taken(session, email):
        raise RuleBroken(EMAIL_TAKEN, field="email")
    approval_needed = rules.grant_needs_approval(role)
    user = User(
        email=email,
        name=name,
        role=None if approval_needed else role,
        borough_id=None if approval_needed else borough_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    details = {"role": role, "approval_needed": approval_needed}
    _audit(session, "account.invited", actor, user, **details)
    if approval_needed:
        wanted = {"requested_role": role, "requested_borough_id": borough_id}
        ask_approval(session, actor, user, "role", now, **wanted)
    outbox = Outbox()
    outbox.add_invitation(email, tokens.issue(session, user, "invite", now))
    user_id = user.id
    commit(session)
    return InviteOutcome(user_id, approval_needed, outbox.deliver())


@dataclass
class UpdateOutcome:
    applied: list[str]
    requested: list[str]
    withdrawn: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.applied or self.requested or self.withdrawn)


def _change_role(session, actor, user, wanted, now, outcome: UpdateOutcome) -> None:
    """The edit form shows a pending role as the value: sending it back unchanged leaves
    the request alone, and choosing the current role withdraws it."""
    request = pending_request(session, user.id, "role")
    current = (user.role, user.borough_id)
    shown = (request.requested_role, request.requested_borough_id) if request else current
    if wanted == shown:
        return
    if user.id == actor.id:
        raise RuleBroken("You cannot change your own role", field="role")
    role, borough_id = wanted
    if wanted == current:
        withdraw(session, actor, request, "Role set back to the current one", now)
        outcome.withdrawn.append("role")
    elif rules.grant_needs_approval(role):
        ask_approval(
            session, actor, user, "role", now, requested_role=role, requested_borough_id=borough_id
        )
        outcome.requested.append("role")
    else:
        withdraw(session, actor, request, "Replaced by a role that needs no approval", now)
        outcome.applied.extend(["role", "borough"] if user.borough_id != borough_id else ["role"])
        user.role, user.borough_id = role, borough_id


def _change_email(session, actor, user, email, now, outcome) -> None:
    """As for the role: the form shows a pending address as the value. A new address
    always waits for a manager (rules: an address change is how an account is taken over)."""
    request = pending_request(session, user.id, "email")
    shown = request.requested_email if request else user.email
    if email == shown:
        return
    if email == user.email:
        withdraw(session, actor, request, "Email address set back to the current one", now)
        outcome.withdrawn.append("email")
        return
    if email_taken(session, email, user.id):
        raise RuleBroken(EMAIL_TAKEN, field="email")
    ask_approval(session, actor, user, "email", now, requested_email=email)
    outcome.requested.append("email")


@atomic
def update_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    name: str,
    email: str,
    role: str,
    borough_id: int | None,
    now: datetime | None = None,
) -> UpdateOutcome:
    """The name and a role without personal data change at once; a personal-data role and
    any new e-mail address wait for a manager."""
    now = now_or(now)
    user = locked_user(session, user_id)
    email, name = rules.normalise_email(email), name.strip()
    role = _check_role(session, role, borough_id)
    outcome, role_before = UpdateOutcome([], [], []), user.role
    if name != user.name:
        user.name = name
        outcome.applied.append("name")
    _change_role(session, actor, user, (role, borough_id), now, outcome)
    _change_email(session, actor, user, email, now, outcome)
    if not outcome.changed:
        session.rollback()
        return outcome
    if outcome.applied:
        details: dict = {"fields": outcome.applied}
        if "role" in outcome.applied:
            details.update(role=user.role, previous_role=role_before)
        _audit(session, "account.updated", actor, user, **details)
    commit(session)
    return outcome


# ---------------------------------------------------------------------------
# Account actions


def _audit(session: Session, action: str, actor: User, user: User, **details) -> None:
    record(
        session, action, actor=actor, object_type="user", object_id=user.id, details=details or None
    )


@atomic
def disable_user(session: Session, actor: User, user_id: int, now: datetime | None = None) -> None:
    """Never a deletion: the account stays for the audit trail. Every session ends now."""
    now = now_or(now)
    user = locked_user(session, user_id)
    if user.id == actor.id:
        raise RuleBroken("You cannot disable your own account")
    if not user.active:
        raise RuleBroken("This account is already disabled")
    user.active, user.disabled_at = False, now
    ended = end_all_sessions(session, user.id, "disabled", now)
    # Invitation and reset links and two-factor set-up codes stop working.
    stop_links(session, user.id, now)
    if not user.two_factor_enabled:
        user.totp_secret = None  # a key never confirmed (kept on the account before Dec 2026)
    for kind in ("role", "email", "enable"):
        withdraw(session, actor, pending_request(session, user.id, kind), "Account disabled", now)
    held = open_cases_held(session, user)
    counts = {"open_cases": held} if user.role == Role.PRACTITIONER.value else {}
    _audit(session, "account.disabled", actor, user, sessions_ended=ended, **counts)
    if held:
        # Every manager, so the cases are reassigned: a count and a link to the list of
        # cases with no active practitioner, never a reference (the admin acted here).
        events.tell(
            session,
            "practitioner_disabled",
            events.managers(session),
            actor_id=actor.id,
            topic="practitioner_disabled",
            subject=f"user:{user.id}",
            event_key=f"user:{user.id}|{now.isoformat()}",
            now=now,
        )
    commit(session)


def open_cases_held(session: Session, user: User) -> int:
    """How many open cases a practitioner looks after (0 for any other role): a number only."""
    if user.role != Role.PRACTITIONER.value:
        return 0
    return assignment.open_case_count(session, user.id)


@atomic
def enable_user(session: Session, actor: User, user_id: int, now: datetime | None = None) -> bool:
    """True if the account is enabled now; False if it waits for a manager's approval
    (it holds a role that sees personal data, or the evaluator role)."""
    now = now_or(now)
    user = locked_user(session, user_id)
    if user.active:
        raise RuleBroken("This account is already active")
    if rules.enable_needs_approval(user.role):
        if pending_request(session, user.id, "enable") is not None:
            raise RuleBroken("Enabling this account is already waiting for a manager's approval")
        ask_approval(session, actor, user, "enable", now)
        commit(session)
        return False
    withdraw(session, actor, pending_request(session, user.id, "enable"), "Enabled", now)
    user.active, user.disabled_at = True, None
    _audit(session, "account.enabled", actor, user)
    commit(session)
    return True


@atomic
def reset_two_factor(
    session: Session, actor: User, user_id: int, now: datetime | None = None
) -> bool:
    """For a lost device: they sign in with their password and set up a new app, with the
    set-up code e-mailed to them now (eip/auth/enrolment.py). True if the e-mail went."""
    now = now_or(now)
    user = locked_user(session, user_id)
    if user.totp_secret is None and user.totp_enabled_at is None:
        raise RuleBroken("Two-factor sign-in is not set up for this account")
    user.totp_secret = user.totp_enabled_at = user.totp_last_counter = None
    session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    end_all_sessions(session, user.id, "two_factor_reset", now)
    _audit(session, "account.two_factor_reset", actor, user)
    outbox = Outbox()
    if user.active:
        _add_two_factor_code(session, actor, user, outbox, now)
    commit(session)
    return outbox.deliver()


@atomic
def send_two_factor_code(
    session: Session, actor: User, user_id: int, now: datetime | None = None
) -> bool:
    """A single-use set-up code to the user's own address, for a first two-factor enrolment
    outside the invitation's browser; True if the e-mail went."""
    now = now_or(now)
    user = locked_user(session, user_id)
    if not user.active:
        raise RuleBroken("This account is disabled. Enable it first")
    if user.password_hash is None:
        raise RuleBroken("They have not accepted the invitation yet. Send the invitation again")
    if user.two_factor_enabled:
        raise RuleBroken("Two-factor sign-in is already on. Reset it first")
    outbox = Outbox()
    _add_two_factor_code(session, actor, user, outbox, now)
    commit(session)
    return outbox.deliver()


def _add_two_factor_code(
    session: Session, actor: User, user: User, outbox: Outbox, now: datetime
) -> None:
    to, code = Addressee(user.email), enrolment.issue_code(session, user, now)
    outbox.add(lambda: enrolment.send_code(to, code))  # type: ignore[arg-type]
    _audit(session, "account.two_factor_code_sent", actor, user)


@atomic
def unlock_sign_in(
    session: Session, actor: User, user_id: int, now: datetime | None = None
) -> None:
    user = locked_user(session, user_id)
    if throttle.locked_until(session, user.email, now_or(now)) is None:
        raise RuleBroken("Sign-in is not locked for this account")
    throttle.clear_failures(session, user.email)
    _audit(session, "account.unlocked", actor, user)
    commit(session)


@atomic
def resend_invitation(
    session: Session, actor: User, user_id: int, now: datetime | None = None
) -> bool:
    """A new invitation link to the user's own address; True if the e-mail went."""
    user = locked_user(session, user_id)
    if not user.active:
        raise RuleBroken("This account is disabled. Enable it first")
    if user.password_hash is not None:
        raise RuleBroken("They have already accepted the invitation. Send a password reset instead")
    outbox = Outbox()
    outbox.add_invitation(user.email, tokens.issue(session, user, "invite", now_or(now)))
    _audit(session, "account.invitation_resent", actor, user)
    commit(session)
    return outbox.deliver()


@atomic
def send_password_reset(
    session: Session, actor: User, user_id: int, now: datetime | None = None
) -> bool:
    """A reset link to the user's own address, never shown here; True if the e-mail went."""
    user = locked_user(session, user_id)
    if not user.active:
        raise RuleBroken("This account is disabled. Enable it first")
    if user.password_hash is None:
        raise RuleBroken("They have not accepted the invitation yet. Send the invitation again")
    outbox = Outbox()
    outbox.add_reset(user.email, tokens.issue(session, user, "reset", now_or(now)))
    _audit(session, "account.reset_sent", actor, user)
    commit(session)
    return outbox.deliver()
