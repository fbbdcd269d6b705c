"""What is due on a case, derived from its facts and the programme settings.

Nothing here is stored: a changed setting, a new bank holiday or a manager's
extra non-working day recomputes every due date. Units follow DOMAIN.md's
deadline table: acknowledgement and consultation booking count England working
days; meetings and DASH reviews count calendar days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from eip.cases import outcomes
from eip.cases.rules import MEETING_STATES
from eip.workdays import add_working_days, working_days_between

# How soon "due soon" is: JOURNEYS.md's "due in the next 2 working days".
SOON_WORKING_DAYS = 2
# The return-home review is prompted from this many calendar days before the planned
# move-out (issue 6: "prompts it in advance"), whatever the working days in between.
RETURN_HOME_REVIEW_LEAD_DAYS = 3

OVERDUE, DUE_TODAY, DUE_SOON, LATER = "overdue", "due_today", "due_soon", "later"
URGENCY_ORDER = {OVERDUE: 0, DUE_TODAY: 1, DUE_SOON: 2, LATER: 3}
URGENCY_LABELS = {
    OVERDUE: "Overdue",
    DUE_TODAY: "Due today",
    DUE_SOON: "Due soon",
    LATER: "Later",
}


@dataclass(frozen=True)
class Deadlines:
    """The programme settings that set due dates."""

    acknowledge_working_days: int = 3
    consultation_booking_working_days: int = 5
    meeting_interval_days: int = 7
    dash_review_days: int = 28
    outcome_mid_point_weeks: int = 4
    extra_non_working_days: frozenset[date] = frozenset()


# Remembered: reports and the dashboard ask the same received day many times over.
@lru_cache(maxsize=4096)
def acknowledgement_due(received_on: date, settings: Deadlines) -> date:
    """The day a referral must be acknowledged by (DOMAIN.md): the London date it was
    received, moved to the next working day if it is not one, plus the programme's working
    days (received Saturday, 3 working days: due Thursday). The one copy of the rule: the
    case pages and reminders, the referral banner, the monthly report and the evaluation
    all ask it."""
    return add_working_days(
        received_on, settings.acknowledge_working_days, settings.extra_non_working_days
    )


@lru_cache(maxsize=4096)
def consultation_booking_due(
    received_on: date, late_agreed_on: date | None, settings: Deadlines
) -> date:
    """The day the case consultation should be booked by: the programme's working days after
    receipt or, for a late referral, after its agreement was recorded (DOMAIN.md). Counting
    from receipt would make a late referral's booking overdue the moment it is agreed. The
    one copy of the rule: the case page, the case lists and the reminders ask it."""
    start = late_agreed_on if late_agreed_on is not None else received_on
    return add_working_days(
        start, settings.consultation_booking_working_days, settings.extra_non_working_days
    )


def acknowledged_in_time(received_on: date, acknowledged_on: date, settings: Deadlines) -> bool:
    """Whether a referral received on `received_on` (London date) was acknowledged by
    its due date; the acknowledgement's London date counts, not its time."""
    return acknowledged_on <= acknowledgement_due(received_on, settings)


@dataclass(frozen=True)
class OpenAction:
    kind: str
    description: str
    due_on: date | None
    urgent: bool = False
    id: int | None = None


@dataclass(frozen=True)
class StayFacts:
    """A placement the client is staying in (checked in, not yet moved out)."""

    placement_id: int
    planned_move_out_on: date
    return_home_review_done: bool = False
    checked_in_on: date | None = None  # for documents to say when the stay began


@dataclass(frozen=True)
class IncidentFacts:
    """A recorded incident: when it happened, and the London date it was recorded."""

    occurred_on: date
    recorded_on: date

    @property
    def review_from(self) -> date:
        # A review cannot be owed before anyone knew of the incident: an incident recorded
        # ten days after it happened is due for review on the day it was recorded, not
        # overdue (and escalated) the moment it is saved.
        return max(self.occurred_on, self.recorded_on)


@dataclass(frozen=True)
class SafetyPlanFacts:
    """A safety plan: whose it is ("the partner", "Child 2"), the London date it was
    written and the date of the meeting that last reviewed it (None: not reviewed yet)."""

    who: str
    written_on: date
    last_reviewed_on: date | None = None

    @property
    def reviewed_from(self) -> date:
        return max(d for d in (self.written_on, self.last_reviewed_on) if d)


@dataclass(frozen=True)
class DueFacts:
    """Plain facts about one case, gathered by the service layer."""

    reference: str
    status: str
    received_on: date | None
    acknowledged: bool = False
    consultation_booked: bool = False
    intervention_started_on: date | None = None
    last_meeting_on: date | None = None
    last_dash_on: date | None = None
    incidents: tuple[IncidentFacts, ...] = field(default_factory=tuple)
    open_actions: tuple[OpenAction, ...] = field(default_factory=tuple)
    stays: tuple[StayFacts, ...] = field(default_factory=tuple)
    safety_plans: tuple[SafetyPlanFacts, ...] = field(default_factory=tuple)
    # A late referral's agreement: the London date it was recorded (DOMAIN.md: booking the
    # consultation counts from it, not from receipt). None for a referral in the window.
    late_agreed_on: date | None = None
    # The outcome measures recorded and what their due dates count from (None: not read).
    outcomes: outcomes.OutcomeFacts | None = None


@dataclass(frozen=True)
class DueItem:
    kind: str
    label: str
    due_on: date
    case_reference: str
    urgent: bool = False
    action_id: int | None = None
    # Due soon from this date at the latest, even when more than 2 working days remain.
    soon_from: date | None = None

    def urgency(self, today: date, extra: Iterable[date] = ()) -> str:
        if self.due_on < today:
            return OVERDUE
        if self.due_on == today:
            return DUE_TODAY
        if self.soon_from is not None and today >= self.soon_from:
            return DUE_SOON
        if working_days_between(today, self.due_on, extra) <= SOON_WORKING_DAYS:
            return DUE_SOON
        return LATER


CLOSED = frozenset({"closed", "not_accepted"})
BEFORE_CONSULTATION = frozenset({"referred", "acknowledged"})


def due_items(facts: DueFacts, settings: Deadlines) -> list[DueItem]:
    """Everything still to do on the case with its due date, soonest first."""
    items: list[DueItem] = _outcome_items(facts, settings)
    if facts.status in CLOSED:
        # A closed case owes only its follow-up outcome measures.
        return items
    ref = facts.reference
    if facts.received_on is not None and not facts.acknowledged:
        items.append(
            DueItem(
                "acknowledgement",
                "Acknowledge the referral",
                acknowledgement_due(facts.received_on, settings),
                ref,
            )
        )
    if (
        facts.received_on is not None
        and facts.status in BEFORE_CONSULTATION
        and not facts.consultation_booked
    ):
        items.append(
            DueItem(
                "consultation_booking",
                "Book the case consultation",
                consultation_booking_due(facts.received_on, facts.late_agreed_on, settings),
                ref,
            )
        )
    dash_due: date | None = None
    dash_label = "Review risk with DASH"
    if facts.status == "active" and facts.intervention_started_on is not None:
        base = max(d for d in (facts.intervention_started_on, facts.last_meeting_on) if d)
        items.append(
            DueItem(
                "meeting",
                "Hold the professionals meeting",
                base + timedelta(days=settings.meeting_interval_days),
                ref,
            )
        )
        dash_base = max(d for d in (facts.intervention_started_on, facts.last_dash_on) if d)
        dash_due = dash_base + timedelta(days=settings.dash_review_days)
    # An incident since the last DASH review, on any open case, makes a review due at
    # once: from the day it happened, or the day it was recorded if that was later.
    after_incidents = [
        incident.review_from
        for incident in facts.incidents
        if facts.last_dash_on is None or incident.occurred_on > facts.last_dash_on
    ]
    if after_incidents:
        dash_due = min(d for d in (dash_due, *after_incidents) if d)
        dash_label = "Review risk with DASH after the incident"
    if dash_due is not None:
        items.append(DueItem("dash_review", dash_label, dash_due, ref))
    for stay in facts.stays:
        items.extend(_stay_items(stay, ref))
    # Each safety plan is reviewed at a professionals meeting as often as meetings fall due
    # (DOMAIN.md's weekly cadence), while the case is at a stage that holds meetings.
    if facts.status in MEETING_STATES:
        for plan in facts.safety_plans:
            items.append(
                DueItem(
                    "safety_plan_review",
                    f"Review the safety plan for {plan.who}",  # safety_plans.review_label
                    plan.reviewed_from + timedelta(days=settings.meeting_interval_days),
                    ref,
                )
            )
    for action in facts.open_actions:
        if action.due_on is not None:
            items.append(
                DueItem(
                    action.kind,
                    action.description,
                    action.due_on,
                    ref,
                    urgent=action.urgent,
                    action_id=action.id,
                )
            )
    items.sort(key=lambda item: (item.due_on, not item.urgent, item.label))
    return items


def deadline_of(items: Iterable[DueItem], kind: str) -> DueItem | None:
    """The case's own deadline of this kind ("meeting", "acknowledgement"...), never an open
    action that shares the name: an action agreed at a meeting is kind "meeting" too, and
    reading its date as the next meeting's put two dates on the case page."""
    return next((item for item in items if item.kind == kind and item.action_id is None), None)


def _stay_items(stay: StayFacts, ref: str) -> list[DueItem]:
    """A stay ends on its planned move-out, and the return-home review must come first:
    it is due by the move-out and prompted from RETURN_HOME_REVIEW_LEAD_DAYS before."""
    move_out = stay.planned_move_out_on
    items = [DueItem("placement_end", "The placement ends: record the move-out", move_out, ref)]
    if not stay.return_home_review_done:
        items.append(
            DueItem(
                "return_home_review",
                "Return-home review due before the placement ends",
                move_out,
                ref,
                soon_from=move_out - timedelta(days=RETURN_HOME_REVIEW_LEAD_DAYS),
            )
        )
    return items


def _outcome_items(facts: DueFacts, settings: Deadlines) -> list[DueItem]:
    """The outcome measures still to record with a due date (eip/cases/outcomes.py): intake
    and mid-point while the case is active, the follow-ups once it is closed."""
    if facts.outcomes is None:
        return []
    due = outcomes.due_dates(
        facts.outcomes,
        facts.status,
        settings.outcome_mid_point_weeks,
        settings.extra_non_working_days,
    )
    return [
        DueItem(outcomes.DUE_KINDS[point], outcomes.DUE_LABELS[point], on, facts.reference)
        for point, on in due.items()
    ]
