"""Approvals waiting in the demo (`make run`), so that a programme manager sees the kinds
that protect accounts from the administrator alone: a finance user's new sign-in address,
and a disabled evaluator account the administrator asked to enable again. Made through the
real services, so the audit trail holds their requests. Every person here is made up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from eip.accounts import create_account
from eip.admin import user_accounts
from eip.auth.models import User

FINANCE_NEW_EMAIL = "grace.lin@camden-finance.example"
RETURNING_EVALUATOR = ("priya.shah@scie.example", "Priya Shah")


def seed(session: Session, *, admin: User, finance: User, password: str, now: datetime) -> None:
    user_accounts.update_user(
        session,
        admin,
        finance.id,
        name=finance.name,
        email=FINANCE_NEW_EMAIL,
        role=finance.role or "finance",
        borough_id=finance.borough_id,
        now=now,
    )
    email, name = RETURNING_EVALUATOR
    evaluator = create_account(
        session,
        email=email,
        name=name,
        role="evaluator",
        password=password,
        actor_label="seed-demo",
    )
    user_accounts.disable_user(session, admin, evaluator.id, now=now)
    user_accounts.enable_user(session, admin, evaluator.id, now=now)
