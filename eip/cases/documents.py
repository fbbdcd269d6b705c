"""Making a case document: check who asks, gather the facts, lay them out, audit the
download. One function per request, like every other service.

The audit event names the kind of document only: what it contained can be rebuilt from
the case's records, and the trail must not become a copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import documents_data as data
from eip.cases import documents_meeting_data as meeting_data
from eip.cases.documents_letters import (
    ACKNOWLEDGEMENT_TITLE,
    CLOSURE_TITLE,
    acknowledgement_story,
    closure_story,
)
from eip.cases.documents_meetings import (
    MINUTES_TITLE,
    PACK_TITLE,
    PLAN_TITLE,
    meeting_pack_story,
    minutes_story,
    plan_story,
)
from eip.cases.models import Case
from eip.cases.step_checks import require
from eip.clock import now as utc_now
from eip.pdf.delivery import Document, deliver, letterhead
from eip.pdf.page import DocumentInfo, Letterhead
from eip.workdays import london_date

RULE = "case.documents"
KINDS = ("acknowledgement", "plan", "meeting_pack", "minutes", "closure_summary")


@dataclass(frozen=True)
class _Made:
    title: str
    name: str  # the file name's ending
    story: list[Flowable]
    # The day of the event the document records (eip.pdf.page.DocumentInfo.dated_on).
    dated_on: date | None


def _story(
    session: Session,
    user: User,
    case: Case,
    kind: str,
    today: date,
    meeting_id: int | None,
    letterhead: Letterhead,
) -> _Made:
    if kind == "acknowledgement":
        facts = data.acknowledgement_data(session, case, user, today, letterhead)
        story = acknowledgement_story(facts)
        return _Made(ACKNOWLEDGEMENT_TITLE, "acknowledgement", story, facts.letter_date)
    if kind == "plan":
        facts = data.plan_data(session, case, today)
        return _Made(PLAN_TITLE, "plan", plan_story(facts), facts.held_on)
    if kind == "meeting_pack":
        # An agenda for the next meeting: dated the day it is printed.
        facts = meeting_data.meeting_pack_data(session, case, today)
        return _Made(PACK_TITLE, "meeting-pack", meeting_pack_story(facts), None)
    if kind == "minutes":
        if meeting_id is None:
            raise ValueError("minutes need a meeting")
        facts = meeting_data.minutes_data(session, case, meeting_id, today)
        name = f"minutes-{facts.held_on.isoformat()}"
        return _Made(MINUTES_TITLE, name, minutes_story(facts), facts.held_on)
    if kind == "closure_summary":
        facts = data.closure_data(session, case)
        closed_on = dict(facts.key_dates).get("Case closed")
        return _Made(CLOSURE_TITLE, "closure-summary", closure_story(facts), closed_on)
    raise ValueError(f"no document kind {kind!r}")


def produce(
    session: Session,
    user: User,
    case: Case,
    kind: str,
    *,
    meeting_id: int | None = None,
    at: datetime | None = None,
    web_page: bool = False,
) -> Document:
    """The document's bytes, with its download audited. Raises `NotAllowed` for a user
    without the rule, `RuleBroken` (with the reason) when the case lacks what the
    document is made from, `NotFound` for a meeting that is not this case's."""
    require(user, RULE, case)
    at = at or utc_now()
    head = letterhead(session)
    made = _story(session, user, case, kind, london_date(at), meeting_id, head)
    info = DocumentInfo(
        made.title, case.reference, at, user.name, dated_on=made.dated_on, letterhead=head
    )
    return deliver(
        session,
        user,
        kind,
        f"{case.reference}-{made.name}.pdf",
        info,
        made.story,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        web_page=web_page,
    )
