"""What the case page's consultation, consent and closure panels show, read from the
`CasePage` the page already built: no queries of its own.

The case page (views.view) builds it once and passes it to the panel templates as
`pathway`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eip.cases import rules
from eip.cases.consent_services import AFTER_SUITABLE, SUITABLE_STATES
from eip.cases.consent_state import KINDS, PEOPLE, ConsentState
from eip.cases.consultation_services import PLAN_ACTION_KIND, SCENARIO_OUTCOME

# The statuses a case has before a consultation may be booked (it may be booked later).
BEFORE_BOOKING = frozenset({"referred", "awaiting_late_agreement"})


@dataclass(frozen=True)
class ConsentRow:
    person: str
    kind: str
    state: ConsentState
    can_record: bool  # the case allows a decision of this kind now

    @property
    def can_withdraw(self) -> bool:
        return self.state.in_force


@dataclass(frozen=True)
class PathwayPanel:
    bookings: list[Any]  # every consultation, oldest first
    held: Any | None  # the consultation that decided the outcome
    plan_actions: list[Any]
    onward_referrals: list[Any]
    scenario_plan: Any | None
    consent_rows: list[ConsentRow]
    allowed: tuple[str, ...]  # state machine steps open from the case's status
    is_open: bool
    # Why the consultation cannot be booked yet (before acknowledgement, or while a late
    # referral waits for agreement), so the page says it rather than just lacking the button.
    booking_not_yet: str | None = None

    @property
    def can_book(self) -> bool:
        return "book_consultation" in self.allowed

    @property
    def can_record_consultation(self) -> bool:
        return "record_consultation" in self.allowed

    @property
    def can_close(self) -> bool:
        return "close" in self.allowed

    @property
    def can_reopen(self) -> bool:
        return "reopen" in self.allowed

    @property
    def needs_scenario_plan(self) -> bool:
        return self.held is not None and self.held.outcome == SCENARIO_OUTCOME

    @property
    def can_write_scenario_plan(self) -> bool:
        return self.is_open and self.needs_scenario_plan

    @property
    def can_add_plan_action(self) -> bool:
        return self.is_open and self.held is not None

    @property
    def current_booking(self) -> Any | None:
        waiting = [b for b in self.bookings if b.held_on is None]
        return waiting[-1] if waiting else None

    def booking_state(self, booking: Any) -> str:
        if booking.held_on is not None:
            return "Held"
        return "Booked" if booking is self.current_booking else "Rebooked"


def pathway_panel(page: Any) -> PathwayPanel:
    case = page.case
    records = page.records
    bookings = sorted(records["consultations"], key=lambda c: c.id)
    held = [c for c in bookings if c.held_on is not None]
    held.sort(key=lambda c: (c.held_on, c.id))
    scenario = records["scenario_plans"]
    is_open = case.status not in rules.CLOSED_STATES
    return PathwayPanel(
        bookings=bookings,
        held=held[-1] if held else None,
        plan_actions=[a for a in records["actions"] if a.kind == PLAN_ACTION_KIND],
        onward_referrals=list(records["onward_referrals"]),
        scenario_plan=scenario[0] if scenario else None,
        consent_rows=[
            ConsentRow(
                person,
                kind,
                page.consents[(person, kind)],
                kind not in AFTER_SUITABLE or case.status in SUITABLE_STATES,
            )
            for person in PEOPLE
            for kind in KINDS
        ],
        allowed=rules.allowed_actions(case.status),
        is_open=is_open,
        booking_not_yet=(
            rules.refusal_reason(case.status, "book_consultation")
            if case.status in BEFORE_BOOKING
            else None
        ),
    )
