"""Closing a case, and a manager reopening it.

Closure records the outcome, the risk at closure, living arrangements, the
children's-services status and police call-outs since the referral, and keeps the
status the case had so that reopening returns it there. Reopening keeps the closure
details as they were (the case page says it was closed and reopened; the audit trail
has when and why); closing again records the new ones.

Closing while the risk is high (the latest DASH review is high risk, or its score reaches
today's high-risk threshold) or while an IDVA or MARAC referral action is open needs a
reason of its own (`risk_reason_needed`): it is stored, audited and on the closure summary.

A case with a sensitive case note asks whether to put the sensitive notes on the closure
summary: the only document a sensitive note may ever reach, and only when chosen.

An action still open when the case is closed is never dropped silently: the closure page
lists each one and the practitioner says what became of it (done, or no longer needed);
closing marks each so, on the action and in the audit trail. Nothing is carried over: a
closed case is on nobody's work list, so an action left open would be watched by no one.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases import choices, hooks, rules
from eip.cases.common import audit_change, commit, lock_case
from eip.cases.dash_services import REFERRAL_KINDS
from eip.cases.models import Case
from eip.cases.records import CaseAction, CaseNote, DashReview
from eip.cases.step_checks import require, require_step
from eip.clock import now
from eip.domain import RuleBroken
from eip.problems import Problems
from eip.programme import current_settings

MAX_CALLOUTS = 999
# What becomes of an action open at closure (CaseAction.resolution), as the page words it.
ACTION_OUTCOMES = {
    "done": "Done",
    "not_needed": "No longer needed",
}
CLOSURE_FIELDS = (
    "status",
    "status_before_closure",
    "closed_at",
    "closed_by_id",
    "closure_outcome",
    "closure_risk_level",
    "closure_living_arrangements",
    "closure_childrens_services_status",
    "closure_police_callouts",
    "closure_reason",
    "closure_sensitive_notes",
)
RISK_REASON_MISSING = "Say why the case is closed while the risk is high or a referral is open"


def risk_reason_needed(session: Session, case: Case, actions: list[CaseAction]) -> str | None:
    """Why closing this case needs a risk reason (the page says it above the field), or
    None. `actions` are the case's open actions."""
    latest = session.scalars(
        select(DashReview)
        .where(DashReview.case_id == case.id)
        .order_by(DashReview.completed_on.desc(), DashReview.id.desc())
        .limit(1)
    ).first()
    high_from = current_settings(session).high_risk_threshold_yes
    if latest is not None and (latest.risk_level == "high" or latest.score >= high_from):
        return f"The latest DASH review (score {latest.score}) is high risk."
    referrals = [a for a in actions if a.kind in REFERRAL_KINDS]
    if referrals:
        return "An IDVA or MARAC referral action is still open."
    return None


def has_sensitive_notes(session: Session, case: Case) -> bool:
    """Whether the closure page asks about the sensitive notes (the case has one)."""
    found = select(CaseNote.id).where(CaseNote.case_id == case.id, CaseNote.sensitive)
    return session.scalar(found.limit(1)) is not None


def open_actions(session: Session, case: Case) -> list[CaseAction]:
    """The case's actions not yet done, soonest due first (those without a date last)."""
    actions = session.scalars(
        select(CaseAction)
        .where(CaseAction.case_id == case.id, CaseAction.completed_at.is_(None))
        .order_by(CaseAction.id)
    ).all()
    return sorted(actions, key=lambda a: (a.due_on is None, a.due_on, a.id))


def action_field(action: CaseAction) -> str:
    """The name of the closure page's choice for this action."""
    return f"action-{action.id}"


def check_actions(
    problems: Problems, actions: list[CaseAction], outcomes: Mapping[str, str | None]
) -> None:
    """Every open action needs what became of it; `outcomes` maps `action_field` names to
    the choice sent. One the page did not show (added since) is refused the same way, so a
    POST without the page still closes nothing silently."""
    for action in actions:
        if outcomes.get(action_field(action)) not in ACTION_OUTCOMES:
            problems.add(
                action_field(action),
                f"Select what happens to the open action: {action.description[:80]}",
            )


def check_closure(
    session: Session,
    case: Case,
    *,
    action_outcomes: Mapping[str, str | None],
    risk_reason: str | None = None,
) -> None:
    """The closure's rules on open actions and the risk reason, for a form that failed its
    own checks (eip/steps.validate): nothing is written."""
    problems = Problems()
    actions = open_actions(session, case)
    check_actions(problems, actions, action_outcomes)
    if risk_reason_needed(session, case, actions):
        problems.text("risk_reason", risk_reason, RISK_REASON_MISSING)
    problems.raise_any()


def close_case(
    session: Session,
    user: User,
    case: Case,
    *,
    outcome: str | None,
    risk_level: str | None,
    living_arrangements: str | None,
    childrens_services_status: str | None,
    police_callouts: int | None,
    reason: str | None,
    action_outcomes: Mapping[str, str | None] | None = None,
    risk_reason: str | None = None,
    sensitive_notes: bool = False,
) -> None:
    """Close the case. No version: a change to any record of the case meanwhile does not
    refuse it, but the state machine is checked on the case as it is now, under its row lock,
    so of two people closing at once the second is told the case is already closed.
    `action_outcomes` says what became of each open action (`action_field` -> a key of
    ACTION_OUTCOMES); the actions are read under the lock, so one added meanwhile refuses.
    `risk_reason` is required when `risk_reason_needed`, and kept only then.
    `sensitive_notes`: the practitioner chose to put the sensitive case notes on the closure
    summary (the only document they may reach); kept only if the case has one."""
    require(user, "case.edit", case)
    lock_case(session, case)
    require_step(case, "close")
    if refusal := hooks.closure_refusal(session, case):
        raise RuleBroken(refusal)
    problems = Problems()
    actions = open_actions(session, case)
    check_actions(problems, actions, action_outcomes or {})
    problems.choice("outcome", outcome, rules.CLOSURE_OUTCOMES, "Select the outcome of the case")
    problems.choice(
        "risk_level", risk_level, choices.RISK_LEVEL, "Select the level of risk at closure"
    )
    problems.choice(
        "living_arrangements",
        living_arrangements,
        choices.LIVING_ARRANGEMENTS_AT_CLOSURE,
        "Select the living arrangements at closure",
    )
    problems.choice(
        "childrens_services_status",
        childrens_services_status,
        choices.CHILDRENS_SERVICES_STATUS,
        "Select the children's services status at closure",
    )
    if police_callouts is None:
        problems.add("police_callouts", "Enter the number of police call-outs since the referral")
    elif not 0 <= police_callouts <= MAX_CALLOUTS:
        problems.add(
            "police_callouts", f"The number of police call-outs must be 0 to {MAX_CALLOUTS}"
        )
    why = problems.text("reason", reason, "Enter the reason the case is closed")
    risky = risk_reason_needed(session, case, actions) is not None
    risk_why = problems.text("risk_reason", risk_reason, RISK_REASON_MISSING) if risky else None
    problems.raise_any()

    before = case.status
    case.status = rules.next_status(before, "close", rules.CaseFacts(closure_outcome=outcome))
    case.status_before_closure = before
    case.closed_at = now()
    case.closed_by_id = user.id
    case.closure_outcome = outcome
    case.closure_risk_level = risk_level
    case.closure_living_arrangements = living_arrangements
    case.closure_childrens_services_status = childrens_services_status
    case.closure_police_callouts = police_callouts
    case.closure_reason = why
    case.closure_risk_reason = risk_why
    case.closure_sensitive_notes = bool(sensitive_notes) and has_sensitive_notes(session, case)
    outcomes = action_outcomes or {}
    for action in actions:
        _resolve(session, user, case, action, outcomes[action_field(action)])
    audit_change(
        session,
        user,
        case,
        "case.closed",
        fields=[*CLOSURE_FIELDS, *(["closure_risk_reason"] if risky else [])],
        **({"open_actions_resolved": len(actions)} if actions else {}),
    )
    commit(session)


def _resolve(session: Session, user: User, case: Case, action: CaseAction, choice: str) -> None:
    """Mark one open action as the practitioner decided at closure, with its own audit
    event (which action, what became of it)."""
    action.completed_at = now()
    action.completed_by_id = user.id
    action.resolution = choice
    audit_change(
        session,
        user,
        case,
        "case.action_completed" if choice == "done" else "case.action_not_needed",
        fields=["completed_at", "completed_by_id", "resolution"],
        action_id=action.id,
        at_closure=True,
    )


def reopen_case(session: Session, user: User, case: Case, *, reason: str | None) -> str:
    """A manager reopens a closed case, with a reason; it returns to its status before
    closure. The reason goes in the audit event's reason, for managers to read. Like
    closing, no version: the state machine, checked under the row lock, refuses a second."""
    require(user, "case.reopen", case)
    lock_case(session, case)
    require_step(case, "reopen")
    problems = Problems()
    why = problems.text("reason", reason, "Enter the reason the case is reopened")
    problems.raise_any()
    case.status = rules.next_status(
        case.status,
        "reopen",
        rules.CaseFacts(status_before_closure=case.status_before_closure),
    )
    record(
        session,
        "case.reopened",
        actor=user,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        reason=why,
        details={"fields": ["status"]},
    )
    commit(session)
    return case.status
