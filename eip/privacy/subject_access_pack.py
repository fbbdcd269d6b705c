"""The subject access pack: every record about one person across all their cases, as plain
values (gathered here, so what it may contain is decided and tested here), laid out as a
readable PDF and written as machine-readable JSON, zipped, with the download audited.

What is disclosed field by field is `subject_access_fields`. Free text (notes,
descriptions) is the one thing no classification can settle: it is included, with every
known identifier of the other party (name and each part of it, address and each line of it,
phone, e-mail, date of birth) and every safe-contact arrangement and code word masked, and
each such field is listed on the cover page for the manager to read before release.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from accommodation.models import Placement
from eip.audit import AuditEvent, record
from eip.audit.labels import actor_name
from eip.auth.models import User
from eip.cases import dash
from eip.cases.models import Case, Person
from eip.cases.records import (
    CaseAction,
    CaseNote,
    Child,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    MaracReferral,
    OnwardReferral,
    OutcomeMeasure,
    PartnerSupportContact,
    ProfessionalsMeeting,
    SafetyPlan,
    ScenarioPlan,
)
from eip.clock import now as utc_now
from eip.db import write_now
from eip.formatting import long_date
from eip.privacy import subject_access_fields as f
from eip.privacy.subject_access import SubjectAccessRequest, _require

MASK = "[withheld]"
FORMAT = "eip-subject-access/1"
# The sections of a case, in the pack's order: (table, title, model, order column).
SECTIONS = (
    ("consultations", "Case consultations", Consultation, "scheduled_for"),
    ("consents", "Consents", Consent, "recorded_on"),
    ("intervention_sessions", "Intervention sessions", InterventionSession, "held_on"),
    ("professionals_meetings", "Professionals meetings", ProfessionalsMeeting, "held_on"),
    ("dash_reviews", "DASH risk reviews", DashReview, "completed_on"),
    ("incidents", "Incidents", Incident, "occurred_on"),
    ("case_actions", "Actions", CaseAction, "id"),
    ("onward_referrals", "Onward referrals", OnwardReferral, "referred_on"),
    ("scenario_plans", "Plans for staying apart", ScenarioPlan, "id"),
    ("case_notes", "Case notes", CaseNote, "noted_on"),
    ("marac_referrals", "MARAC referrals", MaracReferral, "id"),
    ("safety_plans", "Safety plan", SafetyPlan, "id"),
    ("partner_support_contacts", "Partner support", PartnerSupportContact, "contacted_on"),
    ("outcome_measures", "Outcome measures", OutcomeMeasure, "measured_on"),
    ("children", "Children", Child, "position"),
)
# A person's own record, all of it but the search keys (the test holds this to the model).
PERSON_COLUMNS = (
    "full_name",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "gender",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "age_band",
    "language",
    "interpreter_needed",
)
WITHHELD_NOTE = (
    "Information about other people (anyone else in our records, and children beyond their "
    "age) and safe-contact arrangements are not included: the law allows it to be withheld "
    "to protect others (UK GDPR Article 15(4); Data Protection Act 2018, Schedule 2, "
    "paragraph 16). Where free text mentions someone else, their details are shown as "
    f"{MASK}."
)


@dataclass(frozen=True)
class ReviewItem:
    """A free-text field included in the pack, for the manager to read before release."""

    case_reference: str
    record: str
    field: str


@dataclass
class CasePart:
    reference: str
    role: str
    referral: dict[str, Any]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Pack:
    request_id: int
    received_on: date
    due_on: date
    subject: dict[str, Any]
    cases: list[CasePart]
    access_log: list[dict[str, str]]
    for_review: list[ReviewItem]


# ---------------------------------------------------------------------------
# Masking free text


def _identifiers(person: Person | None) -> list[str]:
    if person is None:
        return []
    found = [person.full_name, person.email]
    found += [part for part in (person.full_name or "").split() if len(part) > 1]
    if person.address:
        found += [
            person.address,
            *(line.strip(" ,") for line in re.split(r"[\n,]", person.address)),
        ]
    if person.date_of_birth:
        born = person.date_of_birth
        found += [born.isoformat(), born.strftime("%d/%m/%Y"), long_date(born)]
    return [value for value in found if value and len(value.strip()) > 1]


def _pattern(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6 and len(digits) >= len(value.replace(" ", "")) - 1:  # a phone number
        return r"\s*".join(re.escape(d) for d in digits)
    escaped = re.escape(value.strip())
    return rf"(?<!\w){escaped}(?!\w)"


def masker(secrets: Iterable[str], phones: Iterable[str] = ()) -> re.Pattern | None:
    """One pattern for every value to mask, longest first (a full name before its parts)."""
    values = sorted(
        {s.strip() for s in [*secrets, *phones] if s and s.strip()}, key=len, reverse=True
    )
    if not values:
        return None
    return re.compile("|".join(_pattern(v) for v in values), re.IGNORECASE)


def mask(text: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(MASK, text) if pattern else text


# ---------------------------------------------------------------------------
# Gathering


def _cases_of(session: Session, person_id: int) -> list[tuple[Case, str]]:
    cases = session.scalars(
        select(Case)
        .where(or_(Case.client_id == person_id, Case.partner_id == person_id))
        .order_by(Case.id)
    ).all()
    return [(case, f.CLIENT if case.client_id == person_id else f.PARTNER) for case in cases]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Gatherer:
    def __init__(self, session: Session, pattern: re.Pattern | None, users: dict[int, str]):
        self.session, self.pattern, self.users = session, pattern, users
        self.review: list[ReviewItem] = []

    def row(self, obj: Any, table: str, role: str, reference: str, record_name: str) -> dict:
        out: dict[str, Any] = {}
        for column in obj.__table__.columns:
            name = column.key
            how = f.field_treatment(table, name, role)
            value = getattr(obj, name)
            if how in (f.THIRD_PARTY, f.SAFETY, f.INTERNAL):
                continue
            if how == f.STAFF and name.endswith("_id"):
                name, value = name[:-3], self.users.get(value) if value else None
            elif how == f.REVIEW and value not in (None, "", []):
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                value = mask(text, self.pattern)
                sensitive = " (marked sensitive)" if getattr(obj, "sensitive", False) else ""
                self.review.append(ReviewItem(reference, record_name + sensitive, name))
            elif isinstance(value, str):
                # Short typed text (an action's owner, an agency's name) may name them too.
                value = mask(value, self.pattern)
            out[name] = _plain(value)
        if isinstance(out.get("answers"), dict):
            out["answers"] = _answers(out["answers"])
        return out


def _answers(given: dict[str, str]) -> dict[str, str]:
    """A DASH review's answers by question, as the checklist words them."""
    return {
        f"{q.number}. {q.text}": dash.ANSWER_LABELS.get(
            given.get(str(q.number), ""), "Not answered"
        )
        for q in dash.questions()
    }


def _records(session: Session, model, case: Case, role: str, order: str) -> list:
    query = select(model).where(model.case_id == case.id).order_by(getattr(model, order), model.id)
    if model is Consent:
        query = query.where(Consent.person_role == role)
    if model is SafetyPlan:
        query = query.where(SafetyPlan.person == f.PARTNER)
    return list(session.scalars(query))


def pack_data(session: Session, request: SubjectAccessRequest) -> Pack:
    person = request.person
    cases = _cases_of(session, person.id)
    secrets: list[str] = []
    phones: list[str] = []
    for case, role in cases:
        other_id = case.partner_id if role == f.CLIENT else case.client_id
        other = session.get(Person, other_id) if other_id else None
        secrets += _identifiers(other)
        phones += [other.phone] if other and other.phone else []
        secrets += [case.partner_safe_contact_times or "", case.partner_code_word or ""]
        secrets += [case.client_safe_contact or ""]
        secrets += [
            s
            for s in session.scalars(
                select(SafetyPlan.safe_contact).where(SafetyPlan.case_id == case.id)
            )
            if s
        ]
        secrets += [
            s
            for s in session.scalars(
                select(MaracReferral.safe_contact).where(MaracReferral.case_id == case.id)
            )
            if s
        ]
    users = dict(session.execute(select(User.id, User.name)).all())
    gather = _Gatherer(session, masker(secrets, phones), users)
    parts = []
    for case, role in cases:
        part = CasePart(
            case.reference, role, gather.row(case, "cases", role, case.reference, "Referral")
        )
        part.referral["borough"] = case.borough.name
        part.referral.pop("borough_id", None)
        for table, title, model, order in SECTIONS:
            if not f.record_included(table, role):
                continue
            rows = _records(session, model, case, role, order)
            part.records[table] = [
                gather.row(obj, table, role, case.reference, f"{title} {n}")
                for n, obj in enumerate(rows, 1)
            ]
        if role == f.CLIENT:
            placements = session.scalars(
                select(Placement)
                .where(Placement.case_id == case.id, Placement.client_id == person.id)
                .order_by(Placement.id)
            )
            part.records["placements"] = [
                gather.row(p, "placements", role, case.reference, f"Placement {n}")
                for n, p in enumerate(placements, 1)
            ]
        parts.append(part)
    return Pack(
        request_id=request.id,
        received_on=request.received_on,
        due_on=request.due_on,
        subject={name: _plain(getattr(person, name)) for name in PERSON_COLUMNS},
        cases=parts,
        access_log=_access_log(session, [case.reference for case, _role in cases]),
        for_review=gather.review,
    )


def _access_log(session: Session, references: list[str]) -> list[dict[str, str]]:
    """Who viewed the person's cases (staff names are not withheld), oldest first."""
    if not references:
        return []
    events = session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.case_reference.in_(references), AuditEvent.action == "case.viewed")
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "at": event.at.isoformat(),
            "case_reference": event.case_reference or "",
            "who": actor_name(event),
            "role": (event.actor.role or "") if event.actor else "",
        }
        for event in events
    ]


# ---------------------------------------------------------------------------
# The files


def pack_json(pack: Pack) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "request": {
                "received_on": pack.received_on.isoformat(),
                "due_on": pack.due_on.isoformat(),
            },
            "withheld": WITHHELD_NOTE,
            "subject": pack.subject,
            "cases": [
                {
                    "reference": c.reference,
                    "role": c.role,
                    "referral": c.referral,
                    "records": c.records,
                }
                for c in pack.cases
            ],
            "access_log": pack.access_log,
            "for_review_before_release": [
                {"case_reference": r.case_reference, "record": r.record, "field": r.field}
                for r in pack.for_review
            ],
        },
        indent=2,
        ensure_ascii=False,
        default=str,
    )


def _audited(session: Session, user: User, request, action: str) -> None:
    """The pack's download or view, audited with the person it is about, in one commit."""
    with write_now(session):  # a GET's write (eip/db.py)
        record(
            session,
            action,
            actor=user,
            object_type="subject_access_request",
            object_id=request.id,
            case_reference=request.case.reference,
            details={"person": request.role},
        )
        session.commit()


def produce(
    session: Session, user: User, request_id: int, *, at: datetime | None = None
) -> tuple[str, bytes]:
    """The zip (its file name and bytes), with its download audited. `NotAllowed` for a
    user who is not a manager; `NotFound` for no such request."""
    from eip.pdf.delivery import letterhead
    from eip.privacy.subject_access import get_request
    from eip.privacy.subject_access_layout import pack_pdf

    _require(user)
    request = get_request(session, request_id)
    at = at or utc_now()
    pack = pack_data(session, request)
    pdf = pack_pdf(pack, request.case.reference, at, user.name, letterhead(session))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject-access.pdf", pdf)
        archive.writestr("subject-access.json", pack_json(pack))
    _audited(session, user, request, "subject_access.pack_downloaded")
    return f"{request.case.reference}-subject-access-{request.id}.zip", buffer.getvalue()


def produce_page(session: Session, user: User, request_id: int, *, at: datetime | None = None):
    """The pack's accessible web page (the same story as its PDF, eip/pdf/html.py), with the
    view audited as the zip's download is. `NotAllowed` and `NotFound` as `produce`."""
    from eip.pdf.delivery import Document, letterhead
    from eip.pdf.html import story_html
    from eip.pdf.page import DocumentInfo
    from eip.privacy.subject_access import get_request
    from eip.privacy.subject_access_layout import TITLE, pack_story

    _require(user)
    request = get_request(session, request_id)
    at = at or utc_now()
    body = str(story_html(pack_story(pack_data(session, request)))).encode("utf-8")
    _audited(session, user, request, "subject_access.pack_viewed")
    info = DocumentInfo(
        TITLE, request.case.reference, at, user.name, letterhead=letterhead(session)
    )
    return Document("subject_access_pack", "", body, info, web_page=True)
