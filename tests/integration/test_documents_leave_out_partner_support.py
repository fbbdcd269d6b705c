"""Issue 17's Done-when, over every document the app can make: the partner support log
appears in none of them (any document may reach the client or the referrer), and a sensitive
case note appears only in the closure summary, and there only when the practitioner closing
the case chose it. Notes not marked sensitive are on the closure summary only.

The document kinds come from the code's own lists: the case documents from
`eip.cases.documents.KINDS` (each made through `documents.produce`, so a new case document
is covered without touching this file), and the rest from `OTHER_DOCUMENTS` below, which
must name every other kind the audit labels know (`DOCUMENT_LABELS`): a new document
elsewhere fails here until it is added. Each document is read twice: as its PDF, and as its
accessible web page (eip/pdf/html.py), which must leave out the same records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pypdf import PdfReader

from accommodation import documents as accommodation_documents
from eip.audit.labels import DOCUMENT_LABELS
from eip.cases import documents, marac_pack, marac_services
from eip.cases.records import (
    CaseNote,
    DashReview,
    Incident,
    PartnerSupportContact,
    ProfessionalsMeeting,
)
from eip.clock import now, today
from eip.domain import RuleBroken
from eip.extensions import db
from eip.reports import monthly_document
from tests import factories
from tests import factories_accommodation as fa

# Words no document would print unless it printed these records.
PARTNER_MARKS = ["Quokkaoutcome", "Quokkaonward", "Quokkaworker", "Quokkaattempt"]
SENSITIVE_MARKS = ["Wombatsecret", "Wombatoutcome"]
PLAIN_MARK = "Platypusnote"


def marac_referral_of(user, case):
    """The case's MARAC referral (prepared once, from its DASH review at the threshold)."""
    return marac_services.latest_referral(db.session, case) or marac_services.prepare_referral(
        db.session,
        user,
        case,
        reasons="Score at the MARAC threshold",
        agencies_involved="Police, children's services",
        safe_contact=None,
        partner_aware="yes",
        referrer_phone="020 7946 0000",
    )


# Every document that is not a case document, by its audit kind: how to make it for `case`
# (`web_page=True` for its web page instead of its PDF).
OTHER_DOCUMENTS: dict[str, Callable] = {
    marac_pack.KIND: lambda user, case, placement, **page: marac_pack.produce(
        db.session, user, case, marac_referral_of(user, case).id, **page
    ),
    accommodation_documents.AGREEMENT: lambda user, case, placement, **page: (
        accommodation_documents.produce_agreement(db.session, user, placement, **page)
    ),
    accommodation_documents.STATEMENT: lambda user, case, placement, **page: (
        accommodation_documents.produce_statement(
            db.session, user, today() - timedelta(days=60), today(), **page
        )
    ),
    **{
        kind: (
            lambda user, case, placement, which=which, **page: monthly_document.produce(
                db.session, user, today().replace(day=1), which=which, **page
            )
        )
        for which, kind in monthly_document.KINDS.items()
    },
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(content: bytes, *, web_page: bool = False) -> str:
    """The words a reader meets: the PDF's extracted text, or the web page's text."""
    if web_page:
        parser = _Text()
        parser.feed(content.decode("utf-8"))
        return " ".join(" ".join(parser.parts).split())
    pages = PdfReader(BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def case_with_notes_and_partner_support():
    practitioner = factories.user("practitioner", name="Amara Fictional")
    case = fa.accommodation_case(practitioner)
    placement = fa.placement(case, "approved")
    on = today() - timedelta(days=2)
    meeting = ProfessionalsMeeting(
        case_id=case.id, held_on=on, attendees="Practitioner, social worker", risk_update="Same"
    )
    # A DASH review at the MARAC threshold and an incident: what the risk documents read.
    db.session.add_all(
        [
            meeting,
            DashReview(
                case_id=case.id,
                completed_on=on,
                answers={str(n): "yes" for n in range(1, 16)},
                score=15,
                risk_level="high",
                marac=True,
                high_risk_threshold=10,
                marac_threshold=14,
            ),
            Incident(
                case_id=case.id,
                occurred_on=on,
                source="police_callout",
                police_callout=True,
                description="Neighbour heard shouting",
            ),
            PartnerSupportContact(
                case_id=case.id,
                contacted_on=on,
                made_by="Quokkaworker Fictional",
                with_whom="partner",
                contact="made",
                method="phone",
                outcome="Quokkaoutcome: safety plan reviewed",
                risk_change="increased",
                onward_support="Quokkaonward IDVA referral",
            ),
            PartnerSupportContact(
                case_id=case.id,
                contacted_on=on,
                made_by="Support worker",
                with_whom="support_worker",
                contact="attempted",
                method="email",
                outcome="Quokkaattempt: no reply",
                risk_change="not_known",
            ),
            CaseNote(
                case_id=case.id,
                noted_on=on,
                contact="made",
                method="in_person",
                outcome="Wombatoutcome discussed",
                note="Wombatsecret disclosure",
                sensitive=True,
            ),
            CaseNote(
                case_id=case.id,
                noted_on=on,
                contact="attempted",
                method="phone",
                outcome="No answer",
                note=f"{PLAIN_MARK} about the next session",
            ),
        ]
    )
    db.session.commit()
    return case, placement, meeting


def close(case, *, sensitive_notes: bool) -> None:
    """Closed as `closure_services.close_case` leaves it (the approved placement would refuse
    the real closure, and the documents read only these columns)."""
    case.status_before_closure = case.status
    case.status = "closed"
    case.closed_at = now()
    case.closure_outcome = "completed"
    case.closure_risk_level = "medium"
    case.closure_living_arrangements = "living_apart"
    case.closure_childrens_services_status = "none"
    case.closure_police_callouts = 0
    case.closure_reason = "Plan completed"
    case.closure_sensitive_notes = sensitive_notes
    db.session.commit()


def every_document(user, case, placement, meeting, *, web_page=False) -> dict[str, str]:
    """The text of every document that can be made for the case as it is now, by kind."""
    made = {}
    for kind in documents.KINDS:
        try:
            document = documents.produce(
                db.session, user, case, kind, meeting_id=meeting.id, web_page=web_page
            )
        except RuleBroken:  # not for a case in this state (the closure summary while open)
            db.session.rollback()
            continue
        made[kind] = text_of(document.content, web_page=web_page)
    for kind, produce in OTHER_DOCUMENTS.items():
        content = produce(user, case, placement, web_page=web_page).content
        made[kind] = text_of(content, web_page=web_page)
    return made


def test_every_document_kind_the_app_knows_is_made_here():
    assert set(DOCUMENT_LABELS) == set(documents.KINDS) | set(OTHER_DOCUMENTS)


@pytest.mark.parametrize("web_page", [False, True], ids=["PDF", "web page"])
@pytest.mark.parametrize("chosen", [False, True], ids=["not chosen", "chosen at closure"])
def test_partner_support_is_in_no_document_and_a_sensitive_note_only_in_the_closure_summary(
    app_context, chosen, web_page
):
    case, placement, meeting = case_with_notes_and_partner_support()
    manager = factories.user("manager")
    while_open = every_document(manager, case, placement, meeting, web_page=web_page)
    close(case, sensitive_notes=chosen)
    once_closed = every_document(manager, case, placement, meeting, web_page=web_page)
    # Every document was made at least once (the closure summary once closed): a new kind that
    # was not needs the case above to hold what it is made from.
    assert set(while_open) | set(once_closed) == set(DOCUMENT_LABELS), "a kind was not made"
    assert "closure_summary" in once_closed

    for phase in (while_open, once_closed):
        for kind, text in phase.items():
            for mark in PARTNER_MARKS:
                assert mark not in text, (kind, mark)
            if kind == "closure_summary":
                assert PLAIN_MARK in text
                for mark in SENSITIVE_MARKS:
                    assert (mark in text) is chosen, (kind, mark)
            else:
                assert PLAIN_MARK not in text, kind
                for mark in SENSITIVE_MARKS:
                    assert mark not in text, (kind, mark)


def test_the_evaluation_extract_reads_neither_notes_nor_the_partner_support_log():
    from evaluation.extract import RECORD_COLUMNS, RECORDS

    for model in (CaseNote, PartnerSupportContact):
        assert model not in RECORDS.values()
        assert model not in RECORD_COLUMNS
