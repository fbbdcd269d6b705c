"""Making the accommodation documents, like the case documents (`eip.cases.documents`):
check who asks, gather the facts, lay them out, audit the download, one commit.

- the accommodation agreement, for the client to sign (`placement.agreement`);
- Camden's finance statement for a period (`finance.statement`).

The audit event names the kind of document only; the statement's period is in the file
name the user saw, and the figures can be rebuilt from the ledger.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from accommodation.finance.statement import statement
from accommodation.finance.statement_document import STATEMENT_TITLE, period_text, statement_story
from accommodation.models import Placement
from accommodation.stay.agreement import AGREEMENT_TITLE, agreement_data, agreement_story
from eip.auth.models import User
from eip.clock import now as utc_now
from eip.domain import NotAllowed
from eip.pdf.delivery import Document, deliver, letterhead
from eip.pdf.page import DocumentInfo
from eip.policy import can
from eip.workdays import london_date

AGREEMENT_RULE = "placement.agreement"
STATEMENT_RULE = "finance.statement"
AGREEMENT, STATEMENT = "accommodation_agreement", "finance_statement"


def produce_agreement(
    session: Session,
    user: User,
    placement: Placement,
    *,
    at: datetime | None = None,
    web_page: bool = False,
) -> Document:
    """The agreement's bytes, with the download audited. Raises `NotAllowed` for a user
    without the rule and `RuleBroken` (with the reason) when there is no stay to agree."""
    if not can(user, AGREEMENT_RULE, placement):
        raise NotAllowed("You may not print this placement's agreement")
    at = at or utc_now()
    head = letterhead(session)
    facts = agreement_data(session, placement, user, london_date(at), head)
    reference = placement.case.reference
    return deliver(
        session,
        user,
        AGREEMENT,
        f"{reference}-accommodation-agreement.pdf",
        DocumentInfo(
            AGREEMENT_TITLE, reference, at, user.name, dated_on=facts.dated_on, letterhead=head
        ),
        agreement_story(facts),
        object_type="placement",
        object_id=placement.id,
        case_reference=reference,
        web_page=web_page,
    )


def produce_statement(
    session: Session,
    user: User,
    start: date,
    end: date,
    *,
    at: datetime | None = None,
    web_page: bool = False,
) -> Document:
    """Camden's statement for `start` to `end` (both included), with the download audited."""
    if not can(user, STATEMENT_RULE):
        raise NotAllowed("You may not download the finance statement")
    at = at or utc_now()
    found = statement(session, user, start, end)
    return deliver(
        session,
        user,
        STATEMENT,
        f"camden-accommodation-statement-{start.isoformat()}-to-{end.isoformat()}.pdf",
        DocumentInfo(STATEMENT_TITLE, period_text(found), at, user.name, "Period", dated_on=end),
        statement_story(found),
        object_type="budget",
        web_page=web_page,
    )
