"""Recording a referral and correcting it.

A referral makes a case and, for the client and the partner, person records.
Before it is saved the service looks for people already on record with the same
name and date of birth: the person recording it must say, for each, whether
this is the same person (a re-referral links to them) or someone new. The
reference is made inside the saving transaction; if another referral took the
same number at the same moment, the unique index refuses it and the save is
tried once more with the next number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import deadlines, queries
from eip.cases import notices as case_notices
from eip.cases.child_services import add_rows, placeholders
from eip.cases.children import ChildRow
from eip.cases.common import audit_change
from eip.cases.models import Case, Person, name_key
from eip.cases.referral_rules import (
    CASE_COLUMNS,
    CLIENT_COLUMNS,
    PARTNER_COLUMNS,
    ReferralDetails,
    is_late,
    problems,
)
from eip.clock import now
from eip.domain import DomainError, NotAllowed, RuleBroken
from eip.models import Borough
from eip.policy import can
from eip.programme import current_settings
from eip.roles import Role
from eip.workdays import london_date

NEW_PERSON = "new"
PEOPLE = ("client", "partner")


@dataclass(frozen=True)
class PersonMatch:
    """An existing person with the same name and date of birth, and the cases they are on."""

    person_id: int
    cases: tuple[tuple[str, str], ...]  # (reference, "client" or "partner")

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(reference for reference, _ in self.cases)


@dataclass(frozen=True)
class Duplicates:
    client: tuple[PersonMatch, ...] = ()
    partner: tuple[PersonMatch, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.client or self.partner)

    def of(self, who: str) -> tuple[PersonMatch, ...]:
        return self.client if who == "client" else self.partner


class PossibleDuplicates(DomainError):
    """Someone with the same name and date of birth is already on record: the person
    recording the referral must choose, for each, to link to them or to make a new record."""

    def __init__(self, duplicates: Duplicates, missing: tuple[str, ...]) -> None:
        super().__init__("This may be someone already on record")
        self.duplicates = duplicates
        self.missing = missing


@dataclass(frozen=True)
class Recorded:
    reference: str
    status: str
    acknowledge_by: date
    linked: tuple[str, ...] = field(default_factory=tuple)  # "client", "partner"

    @property
    def late(self) -> bool:
        return self.status == "awaiting_late_agreement"


# ---------------------------------------------------------------------------
# Duplicates


def find_matches(session: Session, name: str | None, born: date | None) -> tuple[PersonMatch, ...]:
    """People with this name (case and spacing ignored) and this date of birth."""
    if not name or born is None:
        return ()
    ids = list(
        session.scalars(
            select(Person.id)
            .where(Person.name_key == name_key(name), Person.date_of_birth == born)
            .order_by(Person.id)
        )
    )
    if not ids:
        return ()
    rows = session.execute(
        select(Case.reference, Case.client_id, Case.partner_id)
        .where(or_(Case.client_id.in_(ids), Case.partner_id.in_(ids)))
        .order_by(Case.reference)
    ).all()
    matches = []
    for person_id in ids:
        cases = tuple(
            (reference, "client" if client_id == person_id else "partner")
            for reference, client_id, partner_id in rows
            if person_id in (client_id, partner_id)
        )
        matches.append(PersonMatch(person_id, cases))
    return tuple(matches)


def find_duplicates(session: Session, details: ReferralDetails) -> Duplicates:
    return Duplicates(
        client=find_matches(session, details.client_name, details.client_date_of_birth),
        partner=find_matches(session, details.partner_name, details.partner_date_of_birth),
    )


def _chosen_person(
    who: str, choice: str | int | None, matches: tuple[PersonMatch, ...]
) -> int | None:
    """The existing person to link to, or None for a new record. Raises when the
    choice was not made or names someone who is not a match."""
    if not matches:
        return None
    if choice in (None, ""):
        raise _Missing(who)
    if str(choice) == NEW_PERSON:
        return None
    for match in matches:
        if str(match.person_id) == str(choice):
            return match.person_id
    raise RuleBroken(
        f"Choose one of the people listed for the {who}, or a new person record",
        field=f"{who}_person",
    )


class _Missing(Exception):
    def __init__(self, who: str) -> None:
        self.who = who


# ---------------------------------------------------------------------------
# References and due dates


def next_reference(session: Session, year: int) -> str:
    """The next free `EIP-<year>-NNNN`: one more than the highest number used that year."""
    prefix = f"EIP-{year}-"
    used = session.scalars(select(Case.reference).where(Case.reference.startswith(prefix)))
    highest = max(
        (int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()), default=0
    )
    return f"{prefix}{highest + 1:04d}"


def acknowledgement_due(session: Session, case: Case) -> date | None:
    if case.received_at is None:
        return None
    return deadlines.acknowledgement_due(
        london_date(case.received_at), queries.deadline_settings(session)
    )


# ---------------------------------------------------------------------------
# Checks shared by recording, editing and importing


def organisation_problems(
    session: Session, details: ReferralDetails, *, check_borough: bool = True
) -> dict[str, str]:
    """The borough must exist and be taking part; the practitioner must be an active one."""
    found: dict[str, str] = {}
    if check_borough:
        borough = session.get(Borough, details.borough_id) if details.borough_id else None
        if borough is None:
            found["borough"] = "Select the referring borough"
        elif not borough.active:
            found["borough"] = "That borough is not taking part in the programme"
    practitioner = session.get(User, details.practitioner_id) if details.practitioner_id else None
    if practitioner is None or not practitioner.has_role(Role.PRACTITIONER):
        found["practitioner"] = "Select the allocated practitioner"
    elif not practitioner.active:
        found["practitioner"] = "That practitioner's account is disabled"
    return found


def check_details(
    session: Session, details: ReferralDetails, *, check_borough: bool = True
) -> ReferralDetails:
    """The cleaned details, or RuleBroken with every problem beside its field."""
    details = details.cleaned()
    found = problems(details, now())
    found.update(organisation_problems(session, details, check_borough=check_borough))
    if found:
        raise RuleBroken(errors=found)
    return details


def starting_status(session: Session, details: ReferralDetails) -> str:
    settings = current_settings(session)
    received_on = london_date(details.received_at)
    late = is_late(received_on, settings.referral_window_start, settings.referral_window_end)
    return "awaiting_late_agreement" if late else "referred"


# ---------------------------------------------------------------------------
# Recording


def fill_person(person: Person, details: ReferralDetails, columns: dict[str, str], *, keep_old):
    for detail, column in columns.items():
        value = getattr(details, detail)
        if value is None and (keep_old or column in ("gender", "ethnicity", "disability")):
            continue
        setattr(person, column, value)
    person.name_key = name_key(person.full_name)


def _person(
    session: Session, person_id: int | None, details: ReferralDetails, columns: dict[str, str]
) -> Person:
    """The linked person brought up to date with what this referral says, or a new one."""
    if person_id is not None:
        person = session.get(Person, person_id)
        fill_person(person, details, columns, keep_old=True)
        return person
    person = Person()
    fill_person(person, details, columns, keep_old=False)
    session.add(person)
    return person


def build_case(
    session: Session,
    details: ReferralDetails,
    *,
    status: str,
    client_id: int | None,
    partner_id: int | None,
    children: Sequence[ChildRow] | None = None,
) -> Case:
    """Add a case, its people and its children to the session, with a fresh reference, and
    flush. `children`: as read from an import's count and ages; by default, as many as the
    referral counted, for the case page to describe (flagged for review)."""
    client = _person(session, client_id, details, CLIENT_COLUMNS)
    partner = _person(session, partner_id, details, PARTNER_COLUMNS)
    case = Case(status=status, late_referral=status == "awaiting_late_agreement")
    for detail, column in CASE_COLUMNS.items():
        setattr(case, column, getattr(details, detail))
    case.client = client
    case.partner = partner
    case.reference = next_reference(session, london_date(details.received_at).year)
    session.add(case)
    session.flush()
    rows = placeholders(details.children_count) if children is None else children
    add_rows(session, case, rows)
    if rows:
        case.children_count = len(rows)
    return case


def record_referral(
    session: Session,
    user: User,
    details: ReferralDetails,
    *,
    client_choice: str | int | None = None,
    partner_choice: str | int | None = None,
) -> Recorded:
    """Save a new referral. A choice is NEW_PERSON or the id of a matching person; it is
    needed only when `find_duplicates` finds someone (else PossibleDuplicates is raised)."""
    if not can(user, "case.create"):
        raise NotAllowed("You may not record referrals")
    details = check_details(session, details)
    duplicates = find_duplicates(session, details)
    chosen: dict[str, int | None] = {}
    missing = []
    for who, choice in (("client", client_choice), ("partner", partner_choice)):
        try:
            chosen[who] = _chosen_person(who, choice, duplicates.of(who))
        except _Missing:
            missing.append(who)
    if missing:
        raise PossibleDuplicates(duplicates, tuple(missing))
    if chosen["client"] is not None and chosen["client"] == chosen["partner"]:
        raise RuleBroken(
            "The client and the partner cannot be the same person", field="partner_person"
        )
    status = starting_status(session, details)
    for attempt in (1, 2):
        try:
            case = build_case(
                session,
                details,
                status=status,
                client_id=chosen["client"],
                partner_id=chosen["partner"],
            )
            linked = tuple(who for who in PEOPLE if chosen[who] is not None)
            given = [name for name in ReferralDetails.names() if getattr(details, name) is not None]
            audit_change(
                session,
                user,
                case,
                "case.created",
                fields=given,
                status=status,
                linked=list(linked),
            )
            case_notices.late_referral_received(session, user.id, case)
            reference = case.reference
            due = acknowledgement_due(session, case)
            session.commit()
            return Recorded(reference, status, due, linked)
        except IntegrityError:
            # Another referral took this reference between our read and our insert.
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
