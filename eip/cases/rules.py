"""The case pathway as a state machine: pure data and functions, no Flask, no database.

`TRANSITIONS` is the one place that says which step may happen in which state and
where it can lead (ARCHITECTURE.md, "Case states"). `next_status` picks the target
from the facts the service passes in, or raises `RuleBroken` with a sentence fit to
show the user. Services check roles and write records; they ask this module first.
"""

from __future__ import annotations

from dataclasses import dataclass

from eip.domain import RuleBroken

# ---------------------------------------------------------------------------
# States

STATUS_LABELS = {
    "referred": "Referred",
    "awaiting_late_agreement": "Awaiting late-referral agreement",
    "acknowledged": "Acknowledged",
    "consultation_booked": "Consultation booked",
    "awaiting_consent": "Awaiting consent",
    "active": "Active",
    "consultation_only": "Consultation only",
    "onward_referral": "Not suitable: onward referral",
    "closed": "Closed",
    "not_accepted": "Not accepted",
}

STATUS_DESCRIPTIONS = {
    "referred": "Recorded, not yet acknowledged",
    "awaiting_late_agreement": (
        "Received outside the referral window: waiting for the agreement of Cranstoun, "
        "Respect/SafeLives and Camden"
    ),
    "acknowledged": "Acknowledged: the case consultation is to be booked",
    "consultation_booked": "The case consultation is booked",
    "awaiting_consent": (
        "Suitable for the intervention: waiting for the client's and the partner's consent"
    ),
    "active": "The intervention is running",
    "consultation_only": "Advice given to the social worker: to be closed",
    "onward_referral": "Not suitable: onward referrals being made, then to be closed",
    "closed": "Closed",
    "not_accepted": "The late referral was not accepted",
}

STATES = tuple(STATUS_LABELS)
CLOSED_STATES = frozenset({"closed", "not_accepted"})
OPEN_STATES = frozenset(STATES) - CLOSED_STATES
# States a case may be closed from, and so the only states a reopened case returns to.
CLOSABLE_STATES = frozenset(
    {
        "referred",
        "acknowledged",
        "consultation_booked",
        "awaiting_consent",
        "active",
        "consultation_only",
        "onward_referral",
    }
)


def status_label(status: str) -> str:
    """The plain-English name of a status (used by templates); unknown ones are tidied up."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


# ---------------------------------------------------------------------------
# Fixed vocabularies the transitions read

CONSULTATION_OUTCOMES = (
    ("intervention", "Intervention"),
    ("intervention_with_accommodation", "Intervention with temporary accommodation"),
    ("consultation_only", "Consultation only: advice to the social worker"),
    ("not_suitable", "Not suitable: onward referral"),
)
CLOSURE_OUTCOMES = (
    ("completed", "Completed"),
    ("disengaged", "Disengaged"),
    ("withdrew_consent", "Withdrew consent"),
    ("risk_escalated", "Risk escalated"),
    ("not_accepted", "Not accepted"),
    ("other", "Other"),
)
_STATUS_AFTER_CONSULTATION = {
    "intervention": "awaiting_consent",
    "intervention_with_accommodation": "awaiting_consent",
    "consultation_only": "consultation_only",
    "not_suitable": "onward_referral",
}

# ---------------------------------------------------------------------------
# Transitions: action -> from state -> the states it may lead to. Where an action has
# more than one target, the facts choose (see `next_status`).

TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "acknowledge": {
        "referred": ("acknowledged",),
        # The acknowledgement is recorded, but the case still waits for the agreement.
        "awaiting_late_agreement": ("awaiting_late_agreement",),
    },
    "record_late_agreement": {"awaiting_late_agreement": ("acknowledged", "referred")},
    "refuse_late_referral": {"awaiting_late_agreement": ("not_accepted",)},
    "book_consultation": {
        "acknowledged": ("consultation_booked",),
        "consultation_booked": ("consultation_booked",),  # rebooking
    },
    "record_consultation": {
        "consultation_booked": ("awaiting_consent", "consultation_only", "onward_referral")
    },
    "start_intervention": {"awaiting_consent": ("active",)},
    "close": {state: ("closed",) for state in sorted(CLOSABLE_STATES)},
    "reopen": {"closed": tuple(sorted(CLOSABLE_STATES))},
}
ACTIONS = tuple(TRANSITIONS)

ACTION_LABELS = {
    "acknowledge": "Acknowledge the referral",
    "record_late_agreement": "Record the late-referral agreement",
    "refuse_late_referral": "Record that the late referral was refused",
    "book_consultation": "Book the case consultation",
    "record_consultation": "Record the case consultation",
    "start_intervention": "Start the intervention",
    "close": "Close the case",
    "reopen": "Reopen the case",
}


@dataclass(frozen=True)
class CaseFacts:
    """What the service knows about the case that some steps depend on.

    Consent "in force" means given and not withdrawn since.
    """

    acknowledged: bool = False
    consultation_outcome: str | None = None
    client_intervention_consent: bool = False
    partner_intervention_consent: bool = False
    closure_outcome: str | None = None
    status_before_closure: str | None = None


WAITING_FOR_LATE_AGREEMENT = (
    "This case is waiting for the late-referral agreement of Cranstoun, "
    "Respect/SafeLives and Camden"
)
CLOSED_CASE = "This case is closed. A manager must reopen it first"
NOT_ACCEPTED_CASE = (
    "This late referral was not accepted, so the case cannot change. "
    "Record a new referral if the family is referred again"
)
NEEDS_BOTH_CONSENTS = (
    "Both the client and the partner must consent to the intervention, "
    "and neither consent may be withdrawn"
)


def next_status(current: str, action: str, facts: CaseFacts | None = None) -> str:
    """The status after `action`, or `RuleBroken` with the reason it may not happen now.

    An unknown status or action is a programming error (ValueError), not a user's mistake.
    """
    _check_known(current, action)
    facts = facts or CaseFacts()
    targets = TRANSITIONS[action].get(current)
    if targets is None:
        raise RuleBroken(refusal_reason(current, action))
    target = _choose(action, facts) if len(targets) > 1 else targets[0]
    _check_facts(action, facts)
    return target


def _check_known(current: str, action: str) -> None:
    if current not in STATUS_LABELS:
        raise ValueError(f"Unknown case status {current!r}")
    if action not in TRANSITIONS:
        raise ValueError(f"Unknown pathway action {action!r}")


def _choose(action: str, facts: CaseFacts) -> str:
    """The target of an action with more than one, read from the facts."""
    if action == "record_late_agreement":
        return "acknowledged" if facts.acknowledged else "referred"
    if action == "record_consultation":
        if facts.consultation_outcome not in _STATUS_AFTER_CONSULTATION:
            raise RuleBroken("Choose the outcome of the consultation")
        return _STATUS_AFTER_CONSULTATION[facts.consultation_outcome]
    if action == "reopen":
        before = facts.status_before_closure
        if before not in CLOSABLE_STATES:
            raise RuleBroken(
                "The case's status before it was closed is not known, so it cannot be reopened"
            )
        return before
    raise AssertionError(f"{action} has one target")  # pragma: no cover


def _check_facts(action: str, facts: CaseFacts) -> None:
    if action == "acknowledge" and facts.acknowledged:
        raise RuleBroken("The referral has already been acknowledged")
    if action == "start_intervention" and not (
        facts.client_intervention_consent and facts.partner_intervention_consent
    ):
        raise RuleBroken(NEEDS_BOTH_CONSENTS)
    if action == "close" and facts.closure_outcome not in dict(CLOSURE_OUTCOMES):
        raise RuleBroken("Choose the outcome of the case")


def refusal_reason(current: str, action: str) -> str:
    """Why `action` is not a step from `current`, as a sentence for the user."""
    if current == "closed" and action != "reopen":
        return CLOSED_CASE
    if current == "not_accepted":
        return NOT_ACCEPTED_CASE
    if current == "awaiting_late_agreement":
        if action == "close":
            return (
                "A case waiting for the late-referral agreement is closed by recording "
                "that the agreement was refused"
            )
        if action != "reopen":
            return WAITING_FOR_LATE_AGREEMENT
    return _REFUSALS[action](current)


def _refuse_book(current: str) -> str:
    if current == "referred":
        return "The referral must be acknowledged before a consultation is booked"
    return "The consultation has already been recorded for this case"


def _refuse_record_consultation(current: str) -> str:
    if current == "referred":
        return "The referral must be acknowledged and a consultation booked before it is recorded"
    if current == "acknowledged":
        return "A consultation must be booked before it is recorded"
    return "The consultation has already been recorded for this case"


def _refuse_start(current: str) -> str:
    if current == "active":
        return "The intervention has already started"
    if current in {"consultation_only", "onward_referral"}:
        return "The consultation did not find this case suitable for the intervention"
    return "The consultation must be recorded as suitable for the intervention before it starts"


NOT_WAITING_FOR_AGREEMENT = "This case is not waiting for a late-referral agreement"
_REFUSALS = {
    "acknowledge": lambda current: "The referral has already been acknowledged",
    "record_late_agreement": lambda current: NOT_WAITING_FOR_AGREEMENT,
    "refuse_late_referral": lambda current: NOT_WAITING_FOR_AGREEMENT,
    "book_consultation": _refuse_book,
    "record_consultation": _refuse_record_consultation,
    "start_intervention": _refuse_start,
    "close": lambda current: CLOSED_CASE,  # only closed and not_accepted reach here
    "reopen": lambda current: "Only a closed case can be reopened",
}


def allowed_actions(current: str) -> tuple[str, ...]:
    """The steps the table allows from `current` (facts may still refuse one): for buttons."""
    return tuple(action for action in ACTIONS if current in TRANSITIONS[action])


# ---------------------------------------------------------------------------
# Predicates for records that do not change the status


@dataclass(frozen=True)
class Check:
    """Whether something may be recorded now, and the reason to show when not."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise `RuleBroken` with the reason when not allowed: one line in a service."""
        if not self.allowed:
            raise RuleBroken(self.reason)


ALLOWED = Check(True)
MEETING_STATES = frozenset(
    {
        "acknowledged",
        "consultation_booked",
        "awaiting_consent",
        "active",
        "consultation_only",
        "onward_referral",
    }
)


def can_record_session(status: str, facts: CaseFacts | None = None) -> Check:
    """Sessions need a running intervention and both intervention consents in force.

    A withdrawn consent stops new sessions without changing the status (DOMAIN.md,
    consent table): the practitioner gets an urgent review action instead.
    """
    _check_status(status)
    facts = facts or CaseFacts()
    if status in CLOSED_STATES:
        return Check(False, CLOSED_CASE if status == "closed" else NOT_ACCEPTED_CASE)
    if status != "active":
        return Check(False, "Sessions can be recorded only once the intervention has started")
    if not (facts.client_intervention_consent and facts.partner_intervention_consent):
        return Check(False, NEEDS_BOTH_CONSENTS)
    return ALLOWED


def can_record_meeting(status: str) -> Check:
    """Professionals meetings: from acknowledgement until closure.

    They are due weekly only while the case is active, but may be held whenever the case
    is past acknowledgement and still open (for example while onward referrals are made).
    """
    _check_status(status)
    if status in MEETING_STATES:
        return ALLOWED
    if status == "referred":
        return Check(False, "The referral must be acknowledged before a meeting is recorded")
    if status == "awaiting_late_agreement":
        return Check(False, WAITING_FOR_LATE_AGREEMENT)
    if status == "closed":
        return Check(False, "This case is closed. A manager must reopen it to record a meeting")
    return Check(False, NOT_ACCEPTED_CASE)


def can_record_dash_or_incident(status: str) -> Check:
    """Always: risk can change at any time, even after closure (DOMAIN.md, step 10)."""
    _check_status(status)
    return ALLOWED


def _check_status(status: str) -> None:
    if status not in STATUS_LABELS:
        raise ValueError(f"Unknown case status {status!r}")
