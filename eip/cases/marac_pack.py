"""The MARAC referral pack: the facts it prints (gathered into plain values, so what it may
contain is decided and tested here), its layout, and the audited download.

The pack goes to the MARAC coordinator, beyond Cranstoun and Respect/SafeLives, so the
client's and the partner's names and contacts are gathered only while that person's
information-sharing consent is in force (`documents_data.people`), and the partner's safe
contact arrangements likewise: otherwise "Contact through the referring practitioner".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import children as case_children
from eip.cases import choices, dash, marac
from eip.cases.consent_state import current_consents
from eip.cases.documents_data import CaseLine, PersonDetails, case_line, people
from eip.cases.documents_layout import case_table, day, opening, people_table
from eip.cases.marac_services import is_repeat, referral_of, review_criteria
from eip.cases.models import Case
from eip.cases.records import Consent, DashReview
from eip.cases.step_checks import require
from eip.clock import now as utc_now
from eip.pdf import styles
from eip.pdf.delivery import Document, deliver, letterhead
from eip.pdf.page import DocumentInfo
from eip.pdf.styles import free_text, heading, para
from eip.pdf.tables import Column, data_table, lines_table, summary_table
from eip.workdays import london_date

RULE = "case.documents"
KIND = "marac_referral"
TITLE = "MARAC referral"
PEOPLE_NOTE = (
    "A person's name, date of birth and contact appear only while their consent to "
    "information sharing is in force."
)
REPEAT = "Repeat referral: this partner was referred to MARAC in the last 12 months"
NOT_REPEAT = "Not a repeat referral: no MARAC referral of this partner in the last 12 months"


@dataclass(frozen=True)
class AnswerLine:
    number: int
    question: str
    answer: str


@dataclass(frozen=True)
class ChildLine:
    child: str  # "Child 2, aged 7"
    lives_with: str
    childrens_services: str
    school_known: str


@dataclass(frozen=True)
class PackData:
    case: CaseLine
    prepared_on: date
    sent_on: date | None
    repeat: bool
    review_on: date
    score: int
    judgement: str
    judgement_note: str | None
    criteria: list[str]
    answers: list[AnswerLine]
    reasons: str
    people: list[PersonDetails]
    children: list[ChildLine]
    children_line: str
    agencies_involved: str
    safe_contact: str
    partner_aware: str
    referrer_name: str
    referrer_email: str
    referrer_phone: str
    organisation: str  # the programme's letterhead (settings), who the referrer works for


def _answers(review: DashReview) -> list[AnswerLine]:
    given = review.answers or {}
    return [
        AnswerLine(
            q.number,
            q.text,
            dash.ANSWER_LABELS.get(given.get(str(q.number), ""), "Not answered"),
        )
        for q in dash.questions()
    ]


def _children(session: Session, case: Case) -> tuple[list[ChildLine], str]:
    found = case_children.for_case(session, case.id)
    lines = [
        ChildLine(
            case_children.describe(child),
            choices.label(choices.CHILD_LIVES_WITH, child.lives_with),
            choices.label(choices.CHILDRENS_SERVICES_STATUS, child.childrens_services_status),
            choices.label(choices.CHILD_SCHOOL_KNOWN, child.school_known),
        )
        for child in found
    ]
    return lines, case_children.ages_line(found)


def pack_data(session: Session, case: Case, referral_id: int) -> PackData:
    referral = referral_of(session, case, referral_id)
    review = session.get(DashReview, referral.dash_review_id)
    assert review is not None  # a foreign key
    consents = current_consents(session.scalars(select(Consent).where(Consent.case_id == case.id)))
    partner_sharing = consents[("partner", "information_sharing")].in_force
    children, children_line = _children(session, case)
    referrer = session.get(User, referral.recorded_by_id) if referral.recorded_by_id else None
    return PackData(
        case=case_line(case),
        prepared_on=london_date(referral.created_at),
        sent_on=referral.sent_on,
        repeat=is_repeat(session, referral),
        review_on=review.completed_on,
        score=review.score,
        judgement=dash.JUDGEMENTS.get(review.professional_judgement, ""),
        judgement_note=review.judgement_note,
        criteria=review_criteria(review),
        answers=_answers(review),
        reasons=referral.reasons,
        people=people(case, consents),
        children=children,
        children_line=children_line,
        agencies_involved=referral.agencies_involved,
        safe_contact=marac.safe_contact_line(partner_sharing, referral.safe_contact),
        partner_aware=marac.PARTNER_AWARE_LABELS.get(referral.partner_aware, ""),
        referrer_name=referrer.name if referrer else "",
        referrer_email=referrer.email if referrer else "",
        referrer_phone=referral.referrer_phone,
        organisation=letterhead(session).organisation,
    )


def pack_story(data: PackData) -> list[Flowable]:
    sent = f"Sent to MARAC on {day(data.sent_on)}." if data.sent_on else "Not yet sent."
    story: list[Flowable] = [
        *opening(
            TITLE,
            f"Prepared on {day(data.prepared_on)} from the DASH review of "
            f"{day(data.review_on)}. {sent}",
        ),
        case_table(data.case, ("Repeat MARAC", REPEAT if data.repeat else NOT_REPEAT)),
        *heading("Referrer"),
        summary_table(
            [
                ("Referring practitioner", data.referrer_name),
                ("Organisation", data.organisation),
                ("E-mail", data.referrer_email),
                ("Phone", data.referrer_phone),
            ]
        ),
        *heading("Reasons for referral"),
        para("MARAC criteria met by the DASH review:", styles.H3),
        styles.bullets(data.criteria) if data.criteria else para("None"),
        para("In the practitioner's words:", styles.H3),
        *free_text(data.reasons),
        *heading("Risk (DASH)"),
        summary_table(
            [
                ("Date of the review", day(data.review_on)),
                ("Score", f"{data.score} of {dash.QUESTION_COUNT} yes answers"),
                ("Professional judgement", data.judgement),
                ("Why (judgement)", data.judgement_note or "None given"),
            ]
        ),
        styles.gap(4),
        lines_table(
            [Column("No.", 0.07), Column("Question", 0.75), Column("Answer", 0.18)],
            [[str(a.number), a.question, a.answer] for a in data.answers],
        ),
        *heading("The people"),
        *people_table(data.people, PEOPLE_NOTE),
        summary_table(
            [
                ("Partner's safe contact arrangements", data.safe_contact),
                ("Partner aware of this referral", data.partner_aware),
            ]
        ),
        *heading("Children"),
        para(data.children_line),
        data_table(
            [
                Column("Child", 0.28),
                Column("Lives with", 0.24),
                Column("Children's services", 0.26),
                Column("School or nursery known", 0.22),
            ],
            [[c.child, c.lives_with, c.childrens_services, c.school_known] for c in data.children],
            empty="No children recorded.",
        ),
        *heading("Agencies involved"),
        *free_text(data.agencies_involved),
    ]
    return story


def produce(
    session: Session,
    user: User,
    case: Case,
    referral_id: int,
    *,
    at: datetime | None = None,
    web_page: bool = False,
) -> Document:
    """The pack's bytes, with its download audited. `NotAllowed` for a user without the
    rule; `NotFound` for a referral that is not this case's."""
    require(user, RULE, case)
    at = at or utc_now()
    data = pack_data(session, case, referral_id)
    return deliver(
        session,
        user,
        KIND,
        f"{case.reference}-marac-referral.pdf",
        DocumentInfo(TITLE, case.reference, at, user.name, dated_on=data.prepared_on),
        pack_story(data),
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        web_page=web_page,
    )
