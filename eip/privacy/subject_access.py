"""Subject access requests (UK GDPR Art. 15): the record of one, its statutory due date,
recording and completing it, and the reminders to the managers as the date comes.

A request is about a *person* (a client or a partner, who may be on several cases); it is
found through a case reference and the person's role there, never by a name. The pack
itself (what is disclosed and what is withheld) is `subject_access_pack`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from eip import submissions
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case, Person
from eip.db import UTCDateTime, utcnow
from eip.domain import NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from eip.policy import can
from eip.privacy.statutory import due_date
from eip.versioning import commit_or_conflict

RULE = "privacy.subject_access"
RECEIVED, COMPLETED = "received", "completed"
STATUS_LABELS = {RECEIVED: "Received", COMPLETED: "Completed"}
ROLES = (("client", "The client"), ("partner", "The partner"))
# Managers hear of a request this many calendar days before its due date.
NOTICE_DAYS = 7
REQUESTER_MAX = 120
TOPIC = "subject_access"


class SubjectAccessRequest(db.Model):
    __tablename__ = "subject_access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # The case and role the person was found by (the pack covers every case of theirs).
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # client / partner
    # Who made the request: the person, or someone on their behalf ("their solicitor").
    requested_by: Mapped[str] = mapped_column(String(REQUESTER_MAX))
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=RECEIVED, index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def reminder_subject(self) -> str:
        """What its reminders are about (`eip.notifications.reminders`): the id, never a name."""
        return f"{TOPIC}:{self.id}"


def _require(user: User) -> None:
    if not can(user, RULE):
        raise NotAllowed("Only managers handle subject access requests")


def find_person(session: Session, reference: str, role: str) -> tuple[Case, Person]:
    """The person a request is about, by case reference and role."""
    if role not in dict(ROLES):
        raise RuleBroken(
            "Select whether the request is from the client or the partner", field="role"
        )
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if case is None:
        raise RuleBroken("There is no case with that reference", field="reference")
    person_id = case.client_id if role == "client" else case.partner_id
    if person_id is None:
        raise RuleBroken(f"Case {case.reference} has no {role} recorded", field="role")
    person = session.get(Person, person_id)
    assert person is not None  # a foreign key
    return case, person


def check_request(
    session: Session,
    *,
    reference: str,
    role: str,
    requested_by: str,
    received_on: date | None,
    today: date,
) -> tuple[Case, Person]:
    errors: dict[str, str] = {}
    found = None
    try:
        found = find_person(session, reference or "", role or "")
    except RuleBroken as error:
        errors.update(error.errors)
    if not (requested_by or "").strip():
        errors["requested_by"] = "Enter who made the request"
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif received_on > today:
        errors["received_on"] = "The date received cannot be in the future"
    if errors:
        raise RuleBroken(errors=errors)
    assert found is not None
    return found


def record_request(
    session: Session,
    user: User,
    *,
    reference: str,
    role: str,
    requested_by: str,
    received_on: date | None,
    today: date,
    submission: str | None = None,
) -> SubjectAccessRequest:
    """Record a request received, with its statutory due date; audited and committed. From
    a form, `submission` is its one-time token: the same page sent twice is `AlreadySaved`
    (eip/submissions.py), never a second request."""
    _require(user)
    case, person = check_request(
        session,
        reference=reference,
        role=role,
        requested_by=requested_by,
        received_on=received_on,
        today=today,
    )
    assert received_on is not None  # check_request refused a missing date
    request = SubjectAccessRequest(
        person_id=person.id,
        case_id=case.id,
        role=role,
        requested_by=requested_by.strip(),
        received_on=received_on,
        due_on=due_date(received_on),
        recorded_by_id=user.id,
    )
    session.add(request)
    session.flush()
    _audit(session, user, "subject_access.recorded", request, case)
    if submission is not None:
        submissions.claim(session, user, submission, "subject_access_request")
    commit_or_conflict(session, SubjectAccessRequest, duplicate=submissions.AlreadySaved())
    return request


def get_request(session: Session, request_id: int) -> SubjectAccessRequest:
    found = session.get(SubjectAccessRequest, request_id)
    if found is None:
        raise NotFound("No such subject access request")
    return found


def complete(
    session: Session,
    user: User,
    request_id: int,
    *,
    completed_on: date | None,
    today: date,
    now: datetime,
) -> SubjectAccessRequest:
    """Mark the request completed (the pack sent); its reminders close at once."""
    from eip.notifications.centre import close_reminders_about

    _require(user)
    request = get_request(session, request_id)
    if request.status == COMPLETED:
        raise RuleBroken("This request is already completed")
    if completed_on is None:
        raise RuleBroken("Enter the date the pack was sent", field="completed_on")
    if completed_on < request.received_on:
        raise RuleBroken(
            "The completion date cannot be before the request was received", field="completed_on"
        )
    if completed_on > today:
        raise RuleBroken("The completion date cannot be in the future", field="completed_on")
    request.status = COMPLETED
    request.completed_on = completed_on
    request.completed_by_id = user.id
    _audit(session, user, "subject_access.completed", request, request.case)
    close_reminders_about(session, TOPIC, request.reminder_subject, now)
    session.commit()
    return request


def _audit(
    session: Session, user: User, action: str, request: SubjectAccessRequest, case: Case
) -> None:
    # The role and dates only: never who asked (it may be a name) or the person's name.
    record(
        session,
        action,
        actor=user,
        object_type="subject_access_request",
        object_id=request.id,
        case_reference=case.reference,
        details={
            "person": request.role,
            "received_on": request.received_on.isoformat(),
            "due_on": request.due_on.isoformat(),
            **({"day": request.completed_on.isoformat()} if request.completed_on else {}),
        },
    )


def requests(session: Session) -> Sequence[SubjectAccessRequest]:
    """Every request: open ones first by due date, then completed ones, newest first."""
    # Each request's case in the same query (the list shows its reference). A handful a year:
    # the list is not paged.
    found = session.scalars(
        select(SubjectAccessRequest)
        .options(joinedload(SubjectAccessRequest.case))
        .order_by(SubjectAccessRequest.due_on, SubjectAccessRequest.id)
    ).all()
    open_ones = [r for r in found if r.status != COMPLETED]
    done = sorted(
        (r for r in found if r.status == COMPLETED),
        key=lambda r: r.completed_on or r.due_on,
        reverse=True,
    )
    return [*open_ones, *done]


def open_deadlines(session: Session) -> list[tuple[int, date]]:
    """(request id, due date) of every request not yet completed: what the reminders read."""
    return [
        (row.id, row.due_on)
        for row in session.execute(
            select(SubjectAccessRequest.id, SubjectAccessRequest.due_on).where(
                SubjectAccessRequest.status != COMPLETED
            )
        )
    ]
