"""The managers' retention review: legal holds, and confirming a batch of cases past
retention, each anonymised in place (eip.privacy.anonymise) in one transaction per batch."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.admin.changes import atomic
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.policy import can
from eip.privacy import retention
from eip.privacy.retention_models import RetentionDisposal, RetentionHold

REASON_MAX = 500
BATCH_MAX = retention.PAGE_SIZE
ANONYMISE_REASON = "Past retention: confirmed at the retention review"


def _reason(raw: str | None, what: str) -> str:
    reason = " ".join((raw or "").split())
    if not reason:
        raise RuleBroken(f"Enter {what}", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleBroken(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    return reason


def _check(actor: User) -> None:
    if not can(actor, "retention.review"):
        raise NotAllowed("Only programme managers review retention")


def active_hold(session: Session, case_id: int) -> RetentionHold | None:
    return session.scalar(
        select(RetentionHold).where(
            RetentionHold.case_id == case_id, RetentionHold.removed_at.is_(None)
        )
    )


def holds(session: Session) -> list[tuple[RetentionHold, str]]:
    """Every hold in force, with its case's reference, newest first."""
    query = (
        select(RetentionHold, Case.reference)
        .join(Case, Case.id == RetentionHold.case_id)
        .where(RetentionHold.removed_at.is_(None))
        .order_by(RetentionHold.placed_at.desc(), RetentionHold.id.desc())
    )
    return [(hold, reference) for hold, reference in session.execute(query)]


def _case_by_reference(session: Session, reference: str) -> Case:
    case = session.scalar(
        select(Case)
        .where(Case.reference == (reference or "").strip().upper())
        .with_for_update(of=Case)
    )
    if case is None:
        raise RuleBroken("Enter the reference of a case, like EIP-2026-0001", field="reference")
    return case


@atomic
def place_hold(session: Session, actor: User, *, reference: str, reason: str) -> RetentionHold:
    _check(actor)
    reason = _reason(reason, "why the case is held")
    case = _case_by_reference(session, reference)
    if case.anonymised_at is not None:
        raise RuleBroken(f"{case.reference} has already been anonymised", field="reference")
    if active_hold(session, case.id) is not None:
        raise RuleBroken(f"{case.reference} is already under a legal hold", field="reference")
    hold = RetentionHold(case_id=case.id, reason=reason, placed_by_id=actor.id)
    session.add(hold)
    session.flush()
    record(
        session,
        "retention.hold_placed",
        actor=actor,
        object_type="retention_hold",
        object_id=hold.id,
        case_reference=case.reference,
        reason=reason,
    )
    session.commit()
    return hold


@atomic
def remove_hold(session: Session, actor: User, hold_id: int, *, reason: str) -> str:
    _check(actor)
    reason = _reason(reason, "why the hold is removed")
    hold = session.get(RetentionHold, hold_id, with_for_update=True, populate_existing=True)
    if hold is None:
        raise NotFound("No such legal hold")
    if hold.removed_at is not None:
        raise Conflict("That legal hold was already removed: nothing was changed")
    hold.removed_at, hold.removed_by_id, hold.removal_reason = datetime.now(UTC), actor.id, reason
    reference = session.scalar(select(Case.reference).where(Case.id == hold.case_id))
    record(
        session,
        "retention.hold_removed",
        actor=actor,
        object_type="retention_hold",
        object_id=hold.id,
        case_reference=reference,
        reason=reason,
    )
    session.commit()
    return reference or ""


def _anonymise(session: Session, actor: User, case: Case, *, reason: str) -> None:
    """eip.privacy.anonymise.anonymise_case: flushes, never commits."""
    from eip.privacy.anonymise import anonymise_case

    anonymise_case(session, actor, case, reason=reason)


@atomic
def confirm_batch(session: Session, actor: User, case_ids: list[int], day: date) -> list[str]:
    """Anonymise every confirmed case, all or nothing: each must still be due on `day`
    (not held, not already done). Returns the references anonymised."""
    _check(actor)
    ids = sorted(set(case_ids))
    if not ids:
        raise RuleBroken("Select the cases to anonymise", field="case_ids")
    if len(ids) > BATCH_MAX:
        raise RuleBroken(f"Select {BATCH_MAX} cases or fewer at a time", field="case_ids")
    # Lock the cases first (in id order, as every batch does), then ask again what is due.
    cases = {
        case.id: case
        for case in session.scalars(
            select(Case).where(Case.id.in_(ids)).order_by(Case.id).with_for_update(of=Case)
        )
    }
    still_due, _more = retention.due_cases(session, day, ids=ids)
    due_ids = {item.id for item in still_due}
    gone = [cases[i].reference if i in cases else str(i) for i in ids if i not in due_ids]
    if gone:
        raise Conflict(
            f"{', '.join(gone)} {'is' if len(gone) == 1 else 'are'} no longer due (held, "
            "already anonymised or changed): nothing was anonymised. Check the list again"
        )
    try:
        for item in still_due:
            case = cases[item.id]
            # Recorded first: once anonymised, nothing new may be written about the case
            # (eip.privacy.anonymise refuses it at flush).
            session.add(
                RetentionDisposal(
                    case_id=case.id, due_on=item.due.on, rule=item.due.rule,
                    confirmed_by_id=actor.id,
                )
            )  # fmt: skip
            record(
                session,
                "retention.case_anonymised",
                actor=actor,
                object_type="case",
                object_id=case.id,
                case_reference=item.reference,
                details={"rule": item.due.rule, "due_on": item.due.on.isoformat()},
            )
            _anonymise(session, actor, case, reason=ANONYMISE_REASON)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return [item.reference for item in still_due]
