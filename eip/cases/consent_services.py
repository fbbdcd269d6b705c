"""Consent: separate records for the client and the partner, for each purpose, and
their withdrawal. What each consent gates is DOMAIN.md's consent table:

- intervention (both): the case becomes active when both are in force; a withdrawal
  stops new sessions (`rules.can_record_session` reads the consents) and gives the
  practitioner an urgent review action;
- accommodation (both): read by the placement request; a withdrawal never ends a
  placement by itself, it gives the practitioner an urgent review action and, when the
  case has a placement not yet ended, notifies the borough's SPOCs in the app and by
  e-mail (accommodation/stay/notices.py);
- information sharing: read by the documents sent beyond Cranstoun and Respect;
- evaluation: a recorded decline or withdrawal leaves the case out of extracts.

A withdrawal is written on the consent it withdraws and keeps it; a new decision
(given again, or declined after a withdrawal) is a new record, and the newest record
for a person and purpose is the one in force. Nothing here ends the case.

Consent to the intervention and to accommodation is asked once the consultation has
found the case suitable. Consent to information sharing and to the evaluation may be
recorded, and any consent withdrawn, at any time, even after closure: a person's
choice about their data does not wait for a manager to reopen the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices, hooks, rules
from eip.cases import notices as case_notices
from eip.cases.common import audit_change, check_version, commit, lock_case
from eip.cases.consent_state import KINDS, PEOPLE, ConsentState, both_in_force, current_consents
from eip.cases.models import Case
from eip.cases.queries import deadline_settings
from eip.cases.records import CaseAction, Consent
from eip.cases.step_checks import require
from eip.clock import now, today
from eip.domain import NotFound, RuleBroken
from eip.problems import Problems
from eip.versioning import (
    StaleRecord,
    commit_or_conflict,
    conflict,
    conflict_message,
    last_change,
    seen_token,
)
from eip.workdays import add_working_days

EDIT = "case.edit"
REVIEW_ACTION_KIND = "consent_review"
# Consents whose withdrawal needs the practitioner to review the case at once.
REVIEWED_ON_WITHDRAWAL = frozenset({"intervention", "accommodation"})
# Consents asked for only once the consultation has found the case suitable.
AFTER_SUITABLE = frozenset({"intervention", "accommodation"})
SUITABLE_STATES = frozenset({"awaiting_consent", "active"})
DECISIONS = (("given", "Given"), ("declined", "Declined"))
PERSON_LABELS = {"client": "client", "partner": "partner"}


def consent_states(session: Session, case: Case) -> dict[tuple[str, str], ConsentState]:
    consents = session.scalars(select(Consent).where(Consent.case_id == case.id))
    return current_consents(consents)


def kind_refusal(case: Case, kind: str) -> str | None:
    """Why consent of this kind cannot be recorded on the case now, or None."""
    if kind not in AFTER_SUITABLE or case.status in SUITABLE_STATES:
        return None
    if case.status == "closed":
        return rules.CLOSED_CASE
    if case.status == "not_accepted":
        return rules.NOT_ACCEPTED_CASE
    what = choices.label(choices.CONSENT_KINDS, kind).lower()
    return (
        f"Consent to {what} is asked once the consultation has found the case suitable for "
        "the intervention"
    )


def seen_consents(states: dict[tuple[str, str], ConsentState]) -> str:
    """What the consent form carries: the newest record of each person and purpose, as the
    page showed it (`client.intervention=12.1;…`, `new` where none), since the person and the
    purpose are chosen on the form itself."""
    return ";".join(
        f"{person}.{kind}={seen_token(state.record)}" for (person, kind), state in states.items()
    )


def _check_seen_consent(
    states: dict[tuple[str, str], ConsentState], seen: str | None, person: str, kind: str
) -> None:
    """Refuse a decision made from a page that showed an older decision of this person for
    this purpose (one recorded or withdrawn meanwhile). Other consents, and every other
    record of the case, may have changed: that refuses nothing."""
    pairs = dict(part.partition("=")[::2] for part in (seen or "").split(";") if "=" in part)
    current = states[(person, kind)].record
    if pairs.get(f"{person}.{kind}") == seen_token(current):
        return
    change = last_change(current) if current is not None else ""
    raise StaleRecord(conflict_message("consent", change, kept=True), seen_consents(states))


# What the form offers for each purpose: "not asked" records nothing for it.
NOT_ASKED = "not_asked"
CHOICES = (*DECISIONS, (NOT_ASKED, "Not asked"))


def decision_field(kind: str) -> str:
    """The form field of one purpose's decision (`decision_intervention`, …)."""
    return f"decision_{kind}"


def open_kinds(case: Case, states: dict[tuple[str, str], ConsentState], person: str) -> list[str]:
    """The purposes the person's form asks about now: not one whose consent is in force (that
    is withdrawn, not decided over) nor one not asked at this point of the case."""
    return [
        kind
        for kind in KINDS
        if kind_refusal(case, kind) is None and not states[(person, kind)].in_force
    ]


@dataclass(frozen=True)
class Recorded:
    consents: list[Consent]
    intervention_started: bool


def _problems(
    case: Case,
    states: dict[tuple[str, str], ConsentState],
    person_role: str,
    decisions: dict[str, str | None],
    recorded_on: date | None,
    obtained_by: str | None,
    how: str | None,
) -> tuple[Problems, dict[str, str], str]:
    """Every problem with one person's decisions, each under its field; the decisions to
    record ({kind: given | declined}) and who obtained them. Writes nothing."""
    problems = Problems()
    asked = set(open_kinds(case, states, person_role))
    chosen: dict[str, str] = {}
    for kind in KINDS:
        field = decision_field(kind)
        decision = decisions.get(kind)
        what = choices.label(choices.CONSENT_KINDS, kind).lower()
        if decision in (None, ""):
            if kind in asked:
                problems.add(
                    field,
                    f"Select whether the {PERSON_LABELS[person_role]} gave consent to {what}, "
                    "declined it, or was not asked",
                )
            continue
        if decision == NOT_ASKED:
            continue
        if decision not in {value for value, _ in DECISIONS}:
            problems.add(field, f"Select a decision about consent to {what}")
            continue
        reason = kind_refusal(case, kind)
        if reason:
            problems.add(field, reason)
            continue
        _check_change(problems, field, states[(person_role, kind)], decision)
        chosen[kind] = decision
    if not problems.errors and not chosen:
        problems.add(
            "decisions",
            "Record at least one decision: every purpose is marked as not asked, so there is "
            "nothing to save",
        )
    problems.date(
        "recorded_on",
        recorded_on,
        "The date of the decisions",
        required="Enter the date of the decisions",
        case=case,
    )
    who = problems.text("obtained_by", obtained_by, "Enter who obtained the consent")
    problems.choice("how", how, choices.HOW_CONSENT_OBTAINED, "Select how consent was obtained")
    return problems, chosen, who


def check_consents(
    session: Session,
    case: Case,
    *,
    person_role: str,
    decisions: dict[str, str | None],
    recorded_on: date | None,
    obtained_by: str | None,
    how: str | None,
) -> None:
    """The rules of `record_consents` on what was typed, without writing: raises every problem
    at once (the form's own messages come first, eip/steps.validate)."""
    states = consent_states(session, case)
    problems, _chosen, _who = _problems(
        case, states, person_role, decisions, recorded_on, obtained_by, how
    )
    problems.raise_any()


def record_consents(
    session: Session,
    user: User,
    case: Case,
    *,
    version: int | str | None,
    person_role: str,
    decisions: dict[str, str | None],
    recorded_on: date | None,
    obtained_by: str | None,
    how: str | None,
) -> Recorded:
    """Record one person's decisions, every purpose at once ({kind: given | declined |
    not_asked}; not asked records nothing), on one date, obtained by one person in one way:
    all of them or, when anything is wrong, none. Both intervention consents in force start
    the intervention. `version` is `seen_consents` as the page showed it: a decision of this
    person for a purpose decided here, recorded or withdrawn meanwhile, refuses the whole form."""
    require(user, EDIT, case)
    if person_role not in PEOPLE:
        raise NotFound("No such person on a case")
    lock_case(session, case)
    states = consent_states(session, case)
    for kind, decision in decisions.items():
        if kind in KINDS and decision in {value for value, _ in DECISIONS}:
            _check_seen_consent(states, version, person_role, kind)
    problems, chosen, who = _problems(
        case, states, person_role, decisions, recorded_on, obtained_by, how
    )
    problems.raise_any()

    recorded = []
    for kind, state in chosen.items():
        consent = Consent(
            case_id=case.id,
            person_role=person_role,
            kind=kind,
            state=state,
            recorded_on=recorded_on,
            obtained_by=who,
            how=how,
            recorded_by_id=user.id,
        )
        session.add(consent)
        session.flush()
        audit_change(
            session,
            user,
            case,
            "case.consent_recorded",
            fields=["person_role", "kind", "state", "recorded_on", "obtained_by", "how"],
            record=consent.id,
        )
        recorded.append(consent)
    started = chosen.get("intervention") == "given" and _start_if_both_in_force(session, user, case)
    commit(session)
    return Recorded(recorded, started)


def _check_change(problems: Problems, field: str, current: ConsentState, state: str) -> None:
    """A new record must change the person's decision; a given consent is withdrawn, not
    declined over, so that the withdrawal and its effects are recorded."""
    if current.state == state:
        problems.add(field, f"This consent is already recorded as {state}")
    elif current.state == "given" and state == "declined":
        problems.add(field, "This consent is in force: record its withdrawal instead of a decline")


def _start_if_both_in_force(session: Session, user: User, case: Case) -> bool:
    if case.status != "awaiting_consent":
        return False
    states = consent_states(session, case)
    if not both_in_force(states, "intervention"):
        return False
    case.status = rules.next_status(
        case.status,
        "start_intervention",
        rules.CaseFacts(client_intervention_consent=True, partner_intervention_consent=True),
    )
    case.intervention_started_on = max(
        states[(person, "intervention")].record.recorded_on for person in PEOPLE
    )
    audit_change(
        session,
        user,
        case,
        "case.intervention_started",
        fields=["status", "intervention_started_on"],
    )
    return True


# ---------------------------------------------------------------------------
# Withdrawal


def withdrawable(session: Session, case: Case, consent_id: int) -> Consent:
    """The consent, if it belongs to the case; NotFound otherwise."""
    consent = session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        raise NotFound("This case has no such consent")
    return consent


def withdrawal_refusal(session: Session, case: Case, consent: Consent) -> str | None:
    """Why this consent cannot be withdrawn, or None."""
    if consent.withdrawn_on is not None:
        return "This consent has already been withdrawn"
    if consent.state != "given":
        return "Only a consent that was given can be withdrawn"
    current = consent_states(session, case)[(consent.person_role, consent.kind)]
    if current.record is None or current.record.id != consent.id:
        return "A newer decision has been recorded for this consent since"
    return None


@dataclass(frozen=True)
class Withdrawn:
    consent: Consent
    review_action: CaseAction | None
    # How many SPOCs were notified of a live placement; None when no notice was due.
    spocs_notified: int | None = None


def withdraw_consent(
    session: Session,
    user: User,
    case: Case,
    consent_id: int,
    *,
    version: int | str | None,
    withdrawn_on: date | None,
    reason: str | None,
) -> Withdrawn:
    """Withdraw a given consent. It ends nothing by itself: withdrawing consent to the
    intervention or to accommodation gives the practitioner an urgent review action,
    due the next working day (not on a closed case, where nothing is due). Withdrawing
    consent to accommodation while the case has a placement not yet ended also notifies
    the borough's SPOCs: the notices are committed with the withdrawal, and their e-mails
    are sent by the scheduler, never from this request. `version` is the consent's own."""
    require(user, EDIT, case)
    lock_case(session, case)
    consent = withdrawable(session, case, consent_id)
    check_version(consent, version)
    refusal = withdrawal_refusal(session, case, consent)
    if refusal:
        raise RuleBroken(refusal)
    problems = Problems()
    problems.date(
        "withdrawn_on",
        withdrawn_on,
        "The date consent was withdrawn",
        required="Enter the date consent was withdrawn",
    )
    if withdrawn_on is not None and withdrawn_on < consent.recorded_on and not problems.errors:
        problems.add("withdrawn_on", "Consent cannot be withdrawn before the date it was given")
    why = problems.text("reason", reason, "Enter the reason consent was withdrawn")
    problems.raise_any()

    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_reason = why
    action = None
    if consent.kind in REVIEWED_ON_WITHDRAWAL and case.status not in rules.CLOSED_STATES:
        action = _review_action(session, user, case, consent)
        session.add(action)
    audit_change(
        session,
        user,
        case,
        "case.consent_withdrawn",
        fields=["withdrawn_on", "withdrawal_reason"],
        review_action=action is not None,
        record=consent.id,
    )
    case_notices.consent_withdrawn(session, user.id, case, consent.id)
    notified = hooks.consent_withdrawn(session, user, case, consent, now())
    # A unique index refusing: the same withdrawal saved a moment ago by another request.
    commit_or_conflict(session, consent, duplicate=conflict(Consent))
    return Withdrawn(consent, action, notified)


def _review_action(session: Session, user: User, case: Case, consent: Consent) -> CaseAction:
    extra = deadline_settings(session).extra_non_working_days
    what = choices.label(choices.CONSENT_KINDS, consent.kind).lower()
    practitioner = case.allocated_practitioner
    return CaseAction(
        case_id=case.id,
        kind=REVIEW_ACTION_KIND,
        description=(
            f"Review the case: the {PERSON_LABELS[consent.person_role]} withdrew consent to {what}"
        ),
        owner=practitioner.name if practitioner else "Allocated practitioner",
        due_on=add_working_days(today(), 1, extra),
        urgent=True,
        source_id=consent.id,
        recorded_by_id=user.id,
    )
