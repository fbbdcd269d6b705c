"""The demo's released evaluation extract, so that the evaluator sees figures on first
sign-in. Prepared and released by the demo's programme manager through the real services
(`evaluation.services`): the same pipeline, checks and audit trail as any release."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.domain import RuleBroken
from evaluation import services
from evaluation.models import EvaluationExtract


def seed(session: Session, manager: User, config: Mapping[str, Any]) -> EvaluationExtract | None:
    """Every referral to date, prepared and released; None (nothing written) when the
    services refuse it, e.g. no pseudonym key or too few cases for k."""
    start, end = services.default_period(session)
    try:
        item = services.prepare(session, manager, start=start, end=end, config=config)
        return services.release(session, manager, item.id, config=config)
    except RuleBroken:
        session.rollback()
        return None
