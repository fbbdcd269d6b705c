"""Adding, changing and removing a case's children, and keeping the case's count equal to them.

Each function takes the session, the acting user, the case and plain values; checks the
child's own version where it changes one (an addition checks none); audits by field name,
never a value; and commits once. `cases.children_count` is kept equal to the number of
child records: the evaluation extract still reads the count.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices
from eip.cases.children import MAX_AGE_YEARS, ChildRow, for_case
from eip.cases.common import audit_change, check_version, commit, commit_addition, lock_case
from eip.cases.models import Case
from eip.cases.records import Child, SafetyPlan
from eip.cases.step_checks import require, require_open
from eip.domain import NotFound, RuleBroken
from eip.problems import Problems

EDIT = "case.edit"
# The fields a child's form sets, in the order the audit lists them.
FIELDS = ("age_years", "age_band", "lives_with", "childrens_services_status", "school_known")


def child(session: Session, case: Case, child_id: int) -> Child:
    found = session.get(Child, child_id)
    if found is None or found.case_id != case.id:
        raise NotFound("This case has no such child")
    return found


def check_child(
    age_years: int | None,
    age_band: str | None,
    lives_with: str | None,
    childrens_services_status: str | None,
    school_known: str | None,
) -> dict:
    """The values to store, or every problem at once (RuleBroken). An age in years wins over
    a band. Writes nothing: the pages also run it on a form that failed its own checks."""
    problems = Problems()
    if age_years is not None:
        if not 0 <= age_years <= MAX_AGE_YEARS:
            problems.add(
                "age_years", f"The child's age must be between 0 and {MAX_AGE_YEARS} years"
            )
        age_band = None
    else:
        problems.choice(
            "age_band",
            age_band,
            choices.CHILD_AGE_BAND,
            "Enter the child's age in years, or choose an age band",
        )
    problems.choice(
        "lives_with", lives_with, choices.CHILD_LIVES_WITH, "Select who the child lives with"
    )
    problems.choice(
        "childrens_services_status",
        childrens_services_status,
        choices.CHILDRENS_SERVICES_STATUS,
        "Select the child's children's services status",
    )
    problems.choice(
        "school_known",
        school_known,
        choices.CHILD_SCHOOL_KNOWN,
        "Select whether a school or nursery is known",
    )
    problems.raise_any()
    return {
        "age_years": age_years,
        "age_band": age_band,
        "lives_with": lives_with,
        "childrens_services_status": childrens_services_status,
        "school_known": school_known,
    }


def _count_children(session: Session, case: Case) -> int:
    return session.scalar(select(func.count(Child.id)).where(Child.case_id == case.id)) or 0


def add_child(
    session: Session,
    user: User,
    case: Case,
    *,
    age_years: int | None,
    age_band: str | None,
    lives_with: str | None,
    childrens_services_status: str | None,
    school_known: str | None,
    submission: str | None = None,
) -> Child:
    """A child, numbered after the case's others. An addition: no version; the form's
    one-time token saves it once."""
    require(user, EDIT, case)
    require_open(case)
    values = check_child(age_years, age_band, lives_with, childrens_services_status, school_known)
    # The case's row first: two children added at once must not take the same number.
    lock_case(session, case)
    last = session.scalar(select(func.max(Child.position)).where(Child.case_id == case.id))
    added = Child(case_id=case.id, position=(last or 0) + 1, recorded_by_id=user.id, **values)
    session.add(added)
    session.flush()
    case.children_count = _count_children(session, case)
    audit_change(
        session,
        user,
        case,
        "case.child_added",
        fields=[name for name in FIELDS if values[name] is not None],
        record=added.id,
    )
    commit_addition(session, user, submission, "child")
    return added


def update_child(
    session: Session,
    user: User,
    case: Case,
    child_id: int,
    *,
    version: int | str | None,
    age_years: int | None,
    age_band: str | None,
    lives_with: str | None,
    childrens_services_status: str | None,
    school_known: str | None,
) -> bool:
    """Change a child's details as the page saw them (`version` is the child's own). Saving
    clears the flag for review: the practitioner has now checked them. False: no change."""
    require(user, EDIT, case)
    record = child(session, case, child_id)
    check_version(record, version)
    require_open(case)
    values = check_child(age_years, age_band, lives_with, childrens_services_status, school_known)
    changed = [name for name in FIELDS if getattr(record, name) != values[name]]
    if not changed and not record.needs_review:
        session.rollback()
        return False
    for name in FIELDS:
        setattr(record, name, values[name])
    if record.needs_review:
        record.needs_review = False
        changed.append("needs_review")
    audit_change(session, user, case, "case.child_updated", fields=changed, record=record.id)
    commit(session, record)
    return True


def remove_child(
    session: Session, user: User, case: Case, child_id: int, *, version: int | str | None
) -> None:
    """Remove a child recorded in error (or no longer in the family); the others are
    numbered again from 1, so documents never skip a number."""
    require(user, EDIT, case)
    record = child(session, case, child_id)
    check_version(record, version)
    require_open(case)
    lock_case(session, case)
    if session.scalar(select(SafetyPlan.id).where(SafetyPlan.child_id == record.id).limit(1)):
        # The plan and its reviews are the case's history: they are kept, so the child is.
        raise RuleBroken(
            "This child has a safety plan, so the record stays: change its details instead"
        )
    session.delete(record)
    session.flush()
    for position, other in enumerate(for_case(session, case.id), start=1):
        if other.position != position:
            other.position = position
    case.children_count = _count_children(session, case)
    audit_change(session, user, case, "case.child_removed", record=child_id)
    commit(session, record)


# ---------------------------------------------------------------------------
# The referral's count, the importer's count and ages


def add_rows(
    session: Session, case: Case, rows: Sequence[ChildRow], *, recorded_by_id: int | None = None
) -> None:
    """Child records from a count (and an import's ages): each takes the family's
    children's-services status. The caller sets the case's count to match."""
    for row in rows:
        session.add(
            Child(
                case_id=case.id,
                position=row.position,
                age_years=row.age_years,
                age_band=row.age_band,
                lives_with="not_known",
                childrens_services_status=case.childrens_services_status or "not_known",
                school_known="not_known",
                needs_review=row.needs_review,
                recorded_by_id=recorded_by_id,
            )
        )


def placeholders(count: int | None, start: int = 1) -> list[ChildRow]:
    """Children the referral counted but did not describe: the case page asks for each."""
    return [
        ChildRow(position=position, age_years=None, age_band="not_known", needs_review=True)
        for position in range(start, start + (count or 0))
    ]


FEWER_CHILDREN = (
    "This case has {recorded} child records. To record fewer children, remove a child in "
    "the Children section of the case page"
)


def match_count(session: Session, case: Case, count: int | None, *, recorded_by_id: int) -> None:
    """A changed count on the referral: more children are added for the case page to
    describe; fewer is refused, since only the practitioner knows which child to remove."""
    recorded = _count_children(session, case)
    wanted = count or 0
    if wanted < recorded:
        raise RuleBroken(FEWER_CHILDREN.format(recorded=recorded), field="children_count")
    add_rows(
        session, case, placeholders(wanted - recorded, recorded + 1), recorded_by_id=recorded_by_id
    )
