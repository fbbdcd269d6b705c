"""Creating accounts on the server (`create-user`), outside the invitation flow."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.auth.passwords import hash_password, password_problems
from eip.models import Borough
from eip.roles import Role


class AccountRefused(ValueError):
    pass


def create_account(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    borough_name: str | None = None,
    actor_label: str = "cli",
    check_password: bool = True,
) -> User:
    """The bootstrap path for the first manager and admin: run by an operator on the
    server, so it needs no manager's approval, and the audit trail says so."""
    email = email.strip().lower()
    try:
        role_value = Role(role).value
    except ValueError:
        raise AccountRefused(f"unknown role {role!r}; one of: {', '.join(Role)}") from None
    if "@" not in email or len(email) > 254:
        raise AccountRefused("give a valid e-mail address")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountRefused("an account with that e-mail address already exists")
    borough = None
    if role_value == Role.SPOC:
        if not borough_name:
            raise AccountRefused("a SPOC needs --borough")
        borough = session.scalar(select(Borough).where(Borough.name == borough_name))
        if borough is None:
            raise AccountRefused(f"no borough named {borough_name!r}")
    elif borough_name:
        raise AccountRefused("only a SPOC belongs to a borough")
    if check_password:
        problems = password_problems(password, [email, name])
        if problems:
            raise AccountRefused(problems[0])
    user = User(
        email=email,
        name=name.strip() or email,
        role=role_value,
        borough_id=borough.id if borough else None,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record(
        session,
        "account.bootstrap",
        actor_label=actor_label,
        object_type="user",
        object_id=user.id,
        details={"role": role_value},
    )
    session.commit()
    return user
