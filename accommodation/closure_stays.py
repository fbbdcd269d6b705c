"""The stay in temporary accommodation on a case's closure summary (issue 20), given to
the case pathway through `eip.cases.hooks` (registered in accommodation/case_hooks.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import ledger, store
from accommodation.models import Placement
from accommodation.rules import STATE_LABELS
from eip.cases.closure_summary import StayLine
from eip.cases.models import Case
from eip.formatting import accounts_pence, long_date


def stay_lines(session: Session, case: Case) -> list[StayLine]:
    """Each approved placement of the case: where, when, how many nights and what it cost
    (committed and invoiced, from the ledger). One query for the placements, one for the
    ledger when there are any."""
    placements = list(
        session.scalars(
            select(Placement)
            .where(Placement.case_id == case.id, Placement.nightly_rate_pence.is_not(None))
            .order_by(Placement.move_in_on, Placement.id)
        )
    )
    if not placements:
        return []
    entries = store.entries(session)
    lines = []
    for p in placements:
        totals = ledger.placement_totals(entries, p.id)
        start = p.checked_in_on or p.move_in_on
        if p.checked_in_on and p.moved_out_on:
            stayed = (p.moved_out_on - p.checked_in_on).days
            dates = f"{long_date(p.checked_in_on)} to {long_date(p.moved_out_on)}"
            nights = f"{stayed} of {p.approved_nights or 0} approved"
        else:
            dates = f"From {long_date(start)}" if p.checked_in_on else "Not checked in"
            nights = f"{p.approved_nights or 0} approved"
        lines.append(
            StayLine(
                provider=p.provider or "Provider not recorded",
                state=STATE_LABELS.get(p.state, p.state),
                dates=dates,
                nights=f"{nights}, at {accounts_pence(p.nightly_rate_pence)} a night",
                cost=(
                    f"{accounts_pence(max(totals.committed, totals.invoiced))} "
                    f"({accounts_pence(totals.invoiced)} invoiced, "
                    f"{accounts_pence(totals.paid)} paid)"
                ),
            )
        )
    return lines
