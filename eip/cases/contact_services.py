"""Recording case notes and contacts with the client, and the partner support log.

Both are contacts the same way: a date, whether contact was made (an attempt is a contact not
made, kept with its method and its outcome), how, and what came of it. A case note may also
be a note only (no contact) and may be marked sensitive; a partner support contact says with
whom (the partner or their support worker), who made it, the change in risk and any onward
support.

Who sees them (eip/policy.py): both are on the case page only, which practitioners and
managers alone see, every view audited (`case.viewed`). The partner support log goes into no
document at all; a sensitive note goes into the closure summary only, and only when the
practitioner closing the case chooses it (closure_services). Either may be recorded at any
time, even after closure: contacts do not stop when the case does.

Each function checks every value before writing (all problems at once), adds one record,
audits the field names only and commits once, saved once per form (`commit_addition`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices
from eip.cases.common import audit_change, commit_addition
from eip.cases.models import Case
from eip.cases.records import CaseNote, PartnerSupportContact
from eip.cases.step_checks import require
from eip.problems import Problems

MADE_BY_MAX = 120
NO_CONTACT = "none"
ATTEMPTED = "attempted"
ATTEMPT_RISK = (
    "No contact was made, so the change in risk is not known: select Not known, "
    "or record the contact as made"
)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _filled(**values: object) -> list[str]:
    """The names of the fields that hold something: what the audit event lists."""
    return [name for name, value in values.items() if value not in (None, "", False)]


def _contact(problems: Problems, contact: str | None, method: str | None, outcome: str | None):
    """The method and outcome every contact (made or attempted) needs."""
    problems.choice("method", method, choices.CONTACT_MEANS, "Select how contact was made or tried")
    what = "tried" if contact == ATTEMPTED else "made"
    return problems.text("outcome", outcome, f"Enter what came of the contact {what}")


def record_note(
    session: Session,
    user: User,
    case: Case,
    *,
    noted_on: date | None,
    contact: str | None,
    method: str | None,
    outcome: str | None,
    note: str | None,
    sensitive: bool = False,
    submission: str | None = None,
) -> CaseNote:
    """A case note about the client, or a contact or an attempted contact with them. A note
    only needs its text; a contact needs how and what came of it (its note is optional)."""
    require(user, "case.edit", case)
    problems = Problems()
    problems.date("noted_on", noted_on, "The date", required="Enter the date", case=case)
    problems.choice(
        "contact", contact, choices.NOTE_CONTACT, "Select whether contact was made or tried"
    )
    text = _clean(note)
    if contact == NO_CONTACT:
        method = outcome = None
        problems.text("note", note, "Enter the note")
    elif contact is not None:
        outcome = _contact(problems, contact, method, outcome)
    problems.raise_any()
    record = CaseNote(
        case_id=case.id,
        recorded_by_id=user.id,
        noted_on=noted_on,
        contact=contact,
        method=method,
        outcome=_clean(outcome),
        note=text,
        sensitive=bool(sensitive),
    )
    session.add(record)
    fields = _filled(
        noted_on=noted_on,
        contact=contact,
        method=method,
        outcome=record.outcome,
        note=text,
        sensitive=record.sensitive,
    )
    audit_change(session, user, case, "case.note_recorded", fields=fields)
    commit_addition(session, user, submission, "case_note")
    return record


def record_partner_support(
    session: Session,
    user: User,
    case: Case,
    *,
    contacted_on: date | None,
    made_by: str | None,
    with_whom: str | None,
    contact: str | None,
    method: str | None,
    outcome: str | None,
    risk_change: str | None,
    onward_support: str | None = None,
    submission: str | None = None,
) -> PartnerSupportContact:
    """A contact or an attempted contact with the partner or their support worker. With no
    contact made nothing is learnt of the risk: its change is "not known", and any other
    answer is refused rather than silently replaced."""
    require(user, "case.edit", case)
    problems = Problems()
    problems.date("contacted_on", contacted_on, "The date", required="Enter the date", case=case)
    who = problems.text("made_by", made_by, "Enter who made the contact")
    if len(who) > MADE_BY_MAX:
        problems.add("made_by", f"Who made the contact must be {MADE_BY_MAX} characters or fewer")
    problems.choice(
        "with_whom",
        with_whom,
        choices.PARTNER_SUPPORT_WITH,
        "Select whether the contact was with the partner or their support worker",
    )
    problems.choice(
        "contact", contact, choices.PARTNER_CONTACT, "Select whether contact was made or tried"
    )
    outcome = _contact(problems, contact, method, outcome)
    if contact == ATTEMPTED and risk_change in (None, "", "not_known"):
        risk_change = "not_known"
    elif contact == ATTEMPTED:
        problems.add("risk_change", ATTEMPT_RISK)
    else:
        problems.choice(
            "risk_change", risk_change, choices.RISK_CHANGE, "Select how the risk has changed"
        )
    problems.raise_any()
    record = PartnerSupportContact(
        case_id=case.id,
        recorded_by_id=user.id,
        contacted_on=contacted_on,
        made_by=who,
        with_whom=with_whom,
        contact=contact,
        method=method,
        outcome=outcome,
        risk_change=risk_change,
        onward_support=_clean(onward_support),
    )
    session.add(record)
    fields = _filled(
        contacted_on=contacted_on,
        made_by=who,
        with_whom=with_whom,
        contact=contact,
        method=method,
        outcome=outcome,
        risk_change=risk_change,
        onward_support=record.onward_support,
    )
    audit_change(session, user, case, "case.partner_support_recorded", fields=fields)
    commit_addition(session, user, submission, "partner_support")
    return record
