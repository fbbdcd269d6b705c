"""Making a case document: check who asks, gather the facts, lay them out, audit the
download. One function per request, like every other service.

The audit event names the kind of document only: what it contained can be rebuilt from
the case's records, and the trail must not become a copy of them.
"""

from __future__ import annotations

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
from eip.pdf.delivery import Document, deliver
from eip.pdf.page import DocumentInfo
from eip.workdays import london_date

RULE = "case.documents"
KINDS = ("acknowledgement", "plan", "meeting_pack", "minutes", "closure_summary")


def _story(
    session: Session, user: User, case: Case, kind: str, today: date, meeting_id: int | None
) -> tuple[str, str, list[Flowable]]:
    """The document's title, the file name's ending, and its story."""
    if kind == "acknowledgement":
        facts = data.acknowledgement_data(case, user, today)
        return ACKNOWLEDGEMENT_TITLE, "acknowledgement", acknowledgement_story(facts)
    if kind == "plan":
        facts = data.plan_data(session, case, today)
        return PLAN_TITLE, "plan", plan_story(facts)
    if kind == "meeting_pack":
        facts = meeting_data.meeting_pack_data(session, case, today)
        return PACK_TITLE, "meeting-pack", meeting_pack_story(facts)
    if kind == "minutes":
        if meeting_id is None:
            raise ValueError("minutes need a meeting")
        facts = meeting_data.minutes_data(session, case, meeting_id, today)
        return MINUTES_TITLE, f"minutes-{facts.held_on.isoformat()}", minutes_story(facts)
    if kind == "closure_summary":
        facts = data.closure_data(session, case)
        return CLOSURE_TITLE, "closure-summary", closure_story(facts)
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
    title, name, story = _story(session, user, case, kind, london_date(at), meeting_id)
    return deliver(
        session,
        user,
        kind,
        f"{case.reference}-{name}.pdf",
        DocumentInfo(title, case.reference, at, user.name),
        story,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        web_page=web_page,
    )
