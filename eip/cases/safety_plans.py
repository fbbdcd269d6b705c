"""Safety plans: one per person at risk (the partner, or one child), written and changed on
the case page and reviewed at each professionals meeting.

In this programme the client is the person who harms, so a plan is the partner's or a
child's, never the client's. Who may see a plan is the case page's business (practitioners
and managers, every view audited); what a document may print is `document_lines` here:
never the safe contact arrangements, and only with the information-sharing consent of the
person at risk. A child cannot consent for themselves here, and the client is the person
they are at risk from, so a child's plan goes by the partner's consent (as the child's
parent at risk alongside them).

Services take the session, the acting user, the case and plain values; check; write;
audit field names only; commit once. Adding a plan is an addition (saved once per form);
changing one checks the version the page showed (eip/versioning.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases.children import describe
from eip.cases.common import audit_change, commit, commit_addition, lock_case
from eip.cases.consent_state import ConsentState
from eip.cases.models import Case
from eip.cases.records import Child, ProfessionalsMeeting, SafetyPlan, SafetyPlanReview
from eip.cases.step_checks import closed_refusal, require
from eip.domain import NotFound, RuleBroken
from eip.problems import Problems
from eip.versioning import check_version
from eip.workdays import london_date

EDIT = "case.edit"
PARTNER = "partner"
CHILD = "child"
STEP_ROWS = 4  # who-does-what rows the form takes at once (no JavaScript needed)
TEXT_MAX = 5000
FIELDS = ("risks", "protective_steps", "steps", "agencies", "safe_contact")


@dataclass(frozen=True)
class StepInput:
    """One step as typed: what is done, by whom, by when. `number` is its row on the form."""

    number: int
    action: str | None
    by_whom: str | None
    by_when: date | None

    @property
    def empty(self) -> bool:
        return not (_clean(self.action) or _clean(self.by_whom) or self.by_when)


@dataclass(frozen=True)
class ReviewInput:
    """A plan as ticked (or not) on the meeting form, with the change agreed."""

    plan_id: int
    reviewed: bool
    change: str | None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def short_name(child: Child | None) -> str:
    """Whose plan a due item names, "the partner" or "Child 2": without the age, so that a
    stored item's label does not change on a birthday."""
    return "the partner" if child is None else f"Child {child.position}"


def review_label(who: str) -> str:
    return f"Review the safety plan for {who}"


def who(plan: SafetyPlan, children: dict[int, Child]) -> str:
    """The person at risk the plan is for, as pages and documents name them: "the
    partner" or "Child 2, aged 7" (no child's name is kept)."""
    if plan.person == CHILD and plan.child_id in children:
        return describe(children[plan.child_id])
    return "the partner"


def person_value(plan: SafetyPlan) -> str:
    """The form's value for the plan's person: `partner` or `child:<id>`."""
    return PARTNER if plan.person == PARTNER else f"{CHILD}:{plan.child_id}"


def person_choices(
    children: Sequence[Child], plans: Sequence[SafetyPlan], keep: SafetyPlan | None = None
) -> list[tuple[str, str]]:
    """The people at risk who have no plan yet (and `keep`'s own, when changing it)."""
    taken = {person_value(p) for p in plans if p is not keep}
    everyone = [(PARTNER, "The partner")] + [
        (f"{CHILD}:{child.id}", describe(child)) for child in children
    ]
    return [(value, text) for value, text in everyone if value not in taken]


def plans_of(session: Session, case: Case) -> list[SafetyPlan]:
    return list(
        session.scalars(
            select(SafetyPlan).where(SafetyPlan.case_id == case.id).order_by(SafetyPlan.id)
        )
    )


def plan_of(session: Session, case: Case, plan_id: int) -> SafetyPlan:
    plan = session.get(SafetyPlan, plan_id) if 0 < plan_id < 2**31 else None
    if plan is None or plan.case_id != case.id:
        raise NotFound("This case has no such safety plan")
    return plan


def refusal(case: Case) -> str | None:
    """Why no plan can be written or changed now (None when it can)."""
    return closed_refusal(case)


# ---------------------------------------------------------------------------
# Writing and changing a plan


def _steps(rows: Iterable[StepInput], problems: Problems) -> list[dict[str, str]]:
    steps = []
    for row in rows:
        if row.empty:
            continue
        prefix = f"step{row.number}_"
        action, by_whom = _clean(row.action), _clean(row.by_whom)
        if not action:
            problems.add(prefix + "action", f"Enter what step {row.number} is")
        if not by_whom:
            problems.add(prefix + "by_whom", f"Enter who does step {row.number}")
        if row.by_when is None:
            problems.add(prefix + "by_when", f"Enter when step {row.number} is done by")
        if action and by_whom and row.by_when:
            steps.append({"action": action, "by_whom": by_whom, "by_when": row.by_when.isoformat()})
    return steps


def _person(
    session: Session, case: Case, value: str | None, problems: Problems
) -> tuple[str, int | None] | None:
    value = (value or "").strip()
    if value == PARTNER:
        return PARTNER, None
    kind, _, child_id = value.partition(":")
    if kind == CHILD and child_id.isdigit():
        child = session.get(Child, int(child_id)) if int(child_id) < 2**31 else None
        if child is not None and child.case_id == case.id:
            return CHILD, child.id
    problems.add("person", "Select who the safety plan is for")
    return None


def check_plan(
    session: Session,
    case: Case,
    *,
    person: str | None = None,
    risks: str | None,
    steps: Iterable[StepInput] = (),
    keep: SafetyPlan | None = None,
    **_: object,
) -> None:
    """The plan's rules, all at once; writes nothing (`steps.validate` runs it too)."""
    problems = Problems()
    if keep is None:
        chosen = _person(session, case, person, problems)
        if chosen is not None:
            taken = {(p.person, p.child_id) for p in plans_of(session, case)}
            if chosen in taken:
                problems.add(
                    "person", "This person already has a safety plan: change that plan instead"
                )
    if not _clean(risks):
        problems.add("risks", "Enter the risks to this person")
    _steps(steps, problems)
    problems.raise_any()


def _write(plan: SafetyPlan, values: dict) -> list[str]:
    """Put the typed values on the plan; the names of the fields that changed."""
    problems = Problems()
    new = {
        "risks": _clean(values.get("risks")),
        "protective_steps": _clean(values.get("protective_steps")),
        "steps": _steps(values.get("steps", ()), problems),
        "agencies": _clean(values.get("agencies")),
        "safe_contact": _clean(values.get("safe_contact")),
    }
    changed = [name for name in FIELDS if getattr(plan, name) != new[name]]
    for name in changed:
        setattr(plan, name, new[name])
    return changed


def add_plan(
    session: Session,
    user: User,
    case: Case,
    *,
    person: str | None,
    submission: str | None = None,
    **values,
) -> SafetyPlan:
    """A new safety plan for the partner or a child who has none yet."""
    require(user, EDIT, case)
    lock_case(session, case)
    reason = refusal(case)
    if reason:
        raise RuleBroken(reason)
    check_plan(session, case, person=person, **values)
    kind, child_id = _person(session, case, person, Problems())  # checked above
    plan = SafetyPlan(
        case_id=case.id, recorded_by_id=user.id, person=kind, child_id=child_id, steps=[]
    )
    fields = _write(plan, values)
    session.add(plan)
    session.flush()  # the plan's id, for the audit event
    audit_change(session, user, case, "case.safety_plan_recorded", fields=fields, record=plan.id)
    commit_addition(session, user, submission, "safety plan")
    return plan


def update_plan(
    session: Session,
    user: User,
    case: Case,
    plan_id: int,
    *,
    version: int | str | None,
    **values,
) -> bool:
    """Change a plan as the page showed it (refused if someone changed it since). False
    when nothing was changed."""
    require(user, EDIT, case)
    plan = plan_of(session, case, plan_id)
    check_version(plan, version)
    reason = refusal(case)
    if reason:
        raise RuleBroken(reason)
    check_plan(session, case, keep=plan, **values)
    fields = _write(plan, values)
    if not fields:
        return False
    audit_change(session, user, case, "case.safety_plan_updated", fields=fields, record=plan.id)
    commit(session, plan)
    return True


# ---------------------------------------------------------------------------
# Reviewing plans at a professionals meeting


def check_reviews(
    session: Session, case: Case, reviews: Iterable[ReviewInput], held_on: date | None
) -> None:
    """A change is recorded only against a plan ticked as reviewed; only this case's plans;
    a meeting cannot review a plan written after it."""
    problems = Problems()
    own = {plan.id: plan for plan in plans_of(session, case)}
    for review in reviews:
        field = f"plan{review.plan_id}_reviewed"
        plan = own.get(review.plan_id)
        if plan is None:
            problems.add("plans", "A safety plan on the form is not one of this case's plans")
        elif _clean(review.change) and not review.reviewed:
            problems.add(field, "Tick that the safety plan was reviewed, or clear what changed")
        elif review.reviewed and held_on and held_on < london_date(plan.created_at):
            problems.add(
                field,
                "A meeting cannot review a safety plan written after it: untick the plan, "
                "or check the date of the meeting",
            )
    problems.raise_any()


def review_at_meeting(
    session: Session,
    user: User,
    case: Case,
    meeting: ProfessionalsMeeting,
    reviews: Iterable[ReviewInput],
) -> int:
    """Record the plans ticked as reviewed at this meeting (in the meeting's transaction,
    which commits): each becomes last reviewed on the meeting's date. How many."""
    check_reviews(session, case, reviews, meeting.held_on)
    plans = {plan.id: plan for plan in plans_of(session, case)}
    count = 0
    for review in reviews:
        if not review.reviewed:
            continue
        plan = plans[review.plan_id]
        session.add(
            SafetyPlanReview(
                case_id=case.id,
                recorded_by_id=user.id,
                plan_id=plan.id,
                meeting_id=meeting.id,
                reviewed_on=meeting.held_on,
                change=_clean(review.change),
            )
        )
        if plan.last_reviewed_on is None or meeting.held_on >= plan.last_reviewed_on:
            plan.last_reviewed_on = meeting.held_on
            plan.last_reviewed_meeting_id = meeting.id
        count += 1
        audit_change(
            session,
            user,
            case,
            "case.safety_plan_reviewed",
            fields=["change"] if _clean(review.change) else [],
            record=plan.id,
        )
    return count


# ---------------------------------------------------------------------------
# What documents may print


@dataclass(frozen=True)
class StepLine:
    action: str
    by_whom: str
    by_when: date


@dataclass(frozen=True)
class SafetyPlanLine:
    """A plan as a document may show it. There is no safe-contact field: the arrangements
    never reach a renderer. When `shared` is false every detail is None (the person's
    information-sharing consent is not in force)."""

    who: str
    shared: bool
    risks: str | None = None
    protective_steps: str | None = None
    steps: tuple[StepLine, ...] = ()
    agencies: str | None = None
    last_reviewed_on: date | None = None
    change: str | None = None


def consent_for(plan: SafetyPlan, consents: dict[tuple[str, str], ConsentState]) -> bool:
    """Whether the plan may be printed: the partner's information-sharing consent, for the
    partner's plan and (as the child's parent at risk alongside them) a child's."""
    return consents[(PARTNER, "information_sharing")].in_force


def document_line(
    plan: SafetyPlan,
    children: dict[int, Child],
    consents: dict[tuple[str, str], ConsentState],
    change: str | None = None,
) -> SafetyPlanLine:
    name = who(plan, children)
    if not consent_for(plan, consents):
        return SafetyPlanLine(name, shared=False)
    return SafetyPlanLine(
        who=name,
        shared=True,
        risks=plan.risks,
        protective_steps=plan.protective_steps,
        steps=_step_lines(plan),
        agencies=plan.agencies,
        last_reviewed_on=plan.last_reviewed_on,
        change=change,
    )


# ---------------------------------------------------------------------------
# The case page's section


@dataclass(frozen=True)
class PlanItem:
    plan: SafetyPlan
    who: str
    steps: tuple[StepLine, ...]
    reviews: tuple[SafetyPlanReview, ...]
    due: object | None  # the plan's review, as "What is due" lists it


@dataclass(frozen=True)
class SafetyPanel:
    plans: list[PlanItem]
    can_add: bool


def _step_lines(plan: SafetyPlan) -> tuple[StepLine, ...]:
    return tuple(
        StepLine(s["action"], s["by_whom"], date.fromisoformat(s["by_when"]))
        for s in plan.steps or ()
    )


def panel(records: dict[str, list], due: Iterable) -> SafetyPanel:
    """The section from the case page's records (`page.read_records`: nothing read again)
    and its due items."""
    children = {child.id: child for child in records["children"]}
    reviews: dict[int, list[SafetyPlanReview]] = {}
    for review in records["safety_plan_reviews"]:
        reviews.setdefault(review.plan_id, []).append(review)
    dues = {item.label: item for item in due if item.kind == "safety_plan_review"}
    short = {plan.id: short_name(children.get(plan.child_id)) for plan in records["safety_plans"]}
    items = []
    for plan in sorted(records["safety_plans"], key=lambda plan: plan.id):
        name = who(plan, children)
        items.append(
            PlanItem(
                plan=plan,
                who=name,
                steps=_step_lines(plan),
                reviews=tuple(reversed(reviews.get(plan.id, []))),
                due=dues.get(review_label(short[plan.id])),
            )
        )
    return SafetyPanel(
        items, bool(person_choices(list(children.values()), records["safety_plans"]))
    )
