"""Loading the budget's plain data in a constant number of queries, scoped by the policy.

The pot's figures are programme-wide (the £14,000 is one pot London-wide), so they are
computed from every placement's numbers; which placements appear row by row, in the spend by
borough and in the exports comes from `visible_placements(user)`: a SPOC sees only their own
borough's, finance only approved ones. No query here reads a name: finance and SPOCs see the
case reference and the borough, nothing else about the people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import ledger, store
from accommodation.budget import summary as budget
from accommodation.models import Placement
from eip.admin.models import ProgrammeSettings
from eip.auth.models import User
from eip.cases.models import Case
from eip.models import Borough
from eip.policy import visible_placements
from eip.programme import current_settings


@dataclass(frozen=True)
class BudgetData:
    dated: list[budget.DatedEntry]
    placements: list[budget.PlacementFacts]
    settings: ProgrammeSettings

    @property
    def entries(self) -> list[ledger.Entry]:
        return [d.entry for d in self.dated]

    @property
    def visible_ids(self) -> set[int]:
        return {p.id for p in self.placements if p.visible}


def dated_entries(session: Session) -> list[budget.DatedEntry]:
    """The whole ledger with business dates, oldest first (one query)."""
    return [budget.DatedEntry(entry, on) for entry, on in store.entries_with_dates(session)]


def _planned_move_out(start: date, nights: int | None) -> date | None:
    # As `Placement.planned_move_out_on`, without loading the objects.
    return start + timedelta(days=nights) if nights is not None else None


def placement_facts(session: Session, user: User) -> list[budget.PlacementFacts]:
    """Every placement's numbers (one query), with the case reference and borough filled in
    only for those the user may see (a second query, through the policy)."""
    rows = session.execute(
        select(
            Placement.id,
            Placement.client_id,
            Placement.state,
            Placement.nightly_rate_pence,
            Placement.approved_nights,
            Placement.move_in_on,
            Placement.checked_in_on,
            Placement.moved_out_on,
        ).order_by(Placement.id)
    ).all()
    scoped = visible_placements(user).subquery()
    labels = {
        pid: (reference, borough)
        for pid, reference, borough in session.execute(
            select(scoped.c.id, Case.reference, Borough.name)
            .join(Case, Case.id == scoped.c.case_id)
            .join(Borough, Borough.id == scoped.c.borough_id)
        )
    }
    facts = []
    for pid, client_id, state, rate, nights, move_in, checked_in, moved_out in rows:
        start = checked_in or move_in
        reference, borough = labels.get(pid, ("", ""))
        facts.append(
            budget.PlacementFacts(
                id=pid,
                client_id=client_id,
                reference=reference,
                borough=borough,
                state=state,
                rate_pence=rate,
                approved_nights=nights,
                start_on=start,
                checked_in_on=checked_in,
                moved_out_on=moved_out,
                planned_move_out_on=_planned_move_out(start, nights),
                visible=pid in labels,
            )
        )
    return facts


def load(session: Session, user: User) -> BudgetData:
    """Everything the budget page and the exports need: four queries, however many
    placements and entries there are."""
    return BudgetData(
        dated=dated_entries(session),
        placements=placement_facts(session, user),
        settings=current_settings(session),
    )


def build(session: Session, user: User, today: date) -> tuple[budget.Budget, BudgetData]:
    data = load(session, user)
    result = budget.build(
        data.dated,
        data.placements,
        pot_pence=data.settings.pot_pence,
        max_people=data.settings.max_people,
        today=today,
    )
    return result, data


def facts_of(placement: Placement) -> budget.PlacementFacts:
    """One loaded placement as the budget's plain data (for its own money panel)."""
    return budget.PlacementFacts(
        id=placement.id,
        client_id=placement.client_id,
        reference="",
        borough="",
        state=placement.state,
        rate_pence=placement.nightly_rate_pence,
        approved_nights=placement.approved_nights,
        start_on=placement.start_on,
        checked_in_on=placement.checked_in_on,
        moved_out_on=placement.moved_out_on,
        planned_move_out_on=placement.planned_move_out_on,
    )
