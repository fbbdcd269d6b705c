"""The placement lists: every placement the user may see, those waiting for the SPOC first;
and the SPOC's home, with what each waiting decision would cost against what is left.

Like `accommodation.placements.page`, each row holds only what the viewer may see: the list is
scoped by `visible_placements`, and a waiting request is shown to the SPOC through the same
`request_details` as the placement page (never the partner, the risk or the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from accommodation import ledger, store
from accommodation.models import Placement, PlacementExtension
from accommodation.placements.page import (
    SPOC,
    PotEffect,
    RequestDetails,
    pot_snapshot,
    request_details,
)
from eip import paging
from eip.auth.models import User
from eip.policy import visible_placements


@dataclass(frozen=True)
class ListRow:
    placement: Placement
    case_reference: str
    pending_extension: PlacementExtension | None
    committed: int
    invoiced: int
    paid: int

    @property
    def waiting(self) -> bool:
        """Waiting for the SPOC: a request, or an extension request."""
        return self.placement.state == "requested" or self.pending_extension is not None

    @property
    def waiting_since(self) -> datetime:
        if self.placement.state == "requested" or self.pending_extension is None:
            return self.placement.created_at
        return self.pending_extension.requested_at


def placement_list(session: Session, user: User, state: str | None = None) -> list[ListRow]:
    """The placements this user may see: those waiting for the SPOC first, oldest first;
    then the rest, newest first."""
    query = visible_placements(user).options(selectinload(Placement.case))
    if state:
        query = query.where(Placement.state == state)
    placements = list(session.scalars(query))
    pending: dict[int, PlacementExtension] = {}
    if placements:
        for ext in session.scalars(
            select(PlacementExtension)
            .where(
                PlacementExtension.state == "requested",
                PlacementExtension.placement_id.in_([p.id for p in placements]),
            )
            .order_by(PlacementExtension.id)
        ):
            pending.setdefault(ext.placement_id, ext)
    totals = ledger.all_placement_totals(store.entries(session))
    empty = ledger.PlacementTotals(0, 0, 0, 0, 0)
    rows = [
        ListRow(
            placement=p,
            case_reference=p.case.reference,
            pending_extension=pending.get(p.id),
            committed=totals.get(p.id, empty).committed,
            invoiced=totals.get(p.id, empty).invoiced,
            paid=totals.get(p.id, empty).paid,
        )
        for p in placements
    ]
    waiting = sorted(
        (r for r in rows if r.waiting), key=lambda r: (r.waiting_since, r.placement.id)
    )
    rest = sorted(
        (r for r in rows if not r.waiting),
        key=lambda r: (r.placement.created_at, r.placement.id),
        reverse=True,
    )
    return waiting + rest


PAGE_SIZE = 50


@dataclass(frozen=True)
class PlacementListPage:
    rows: list[ListRow]  # those waiting for the SPOC (first page only), then a page of the rest
    next_after: str | None
    prev_before: str | None


def _list_rows(session: Session, placements: list[Placement]) -> list[ListRow]:
    """Rows for these placements only: their pending extensions and their own ledger entries
    (a reversal belongs to the placement of the entry it undoes, so these add up)."""
    ids = [p.id for p in placements]
    pending: dict[int, PlacementExtension] = {}
    totals: dict[int, ledger.PlacementTotals] = {}
    if ids:
        for ext in session.scalars(
            select(PlacementExtension)
            .where(
                PlacementExtension.state == "requested",
                PlacementExtension.placement_id.in_(ids),
            )
            .order_by(PlacementExtension.id)
        ):
            pending.setdefault(ext.placement_id, ext)
        totals = ledger.all_placement_totals(store.entries(session, ids))
    empty = ledger.PlacementTotals(0, 0, 0, 0, 0)
    return [
        ListRow(
            placement=p,
            case_reference=p.case.reference,
            pending_extension=pending.get(p.id),
            committed=totals.get(p.id, empty).committed,
            invoiced=totals.get(p.id, empty).invoiced,
            paid=totals.get(p.id, empty).paid,
        )
        for p in placements
    ]


def placement_list_page(
    session: Session, user: User, state: str | None, position: paging.Position
) -> PlacementListPage:
    """The placements page: on the first page, those waiting for the SPOC (oldest first);
    then the rest, newest first, a page at a time by key (created_at, id): the indexes
    `(created_at, id)`, `(borough_id, created_at, id)` and `(state, created_at, id)` make any
    page an index range, and only the shown placements' ledger entries are read."""
    query = visible_placements(user)
    if state:
        query = query.where(Placement.state == state)
    extension_waiting = (
        select(PlacementExtension.id)
        .where(
            PlacementExtension.placement_id == Placement.id,
            PlacementExtension.state == "requested",
        )
        .exists()
    )
    options = (selectinload(Placement.case),)
    page = paging.fetch_page(
        session,
        query.where(Placement.state != "requested", ~extension_waiting),
        Placement,
        Placement.created_at,
        Placement.id,
        position,
        PAGE_SIZE,
        nullable=False,
        options=options,
    )
    waiting = []
    if page.prev_before is None:  # the first page, however it was reached
        waiting = list(
            session.scalars(
                query.where(or_(Placement.state == "requested", extension_waiting)).options(
                    *options
                )
            )
        )
    rows = _list_rows(session, waiting + page.rows)
    first = sorted(rows[: len(waiting)], key=lambda r: (r.waiting_since, r.placement.id))
    return PlacementListPage(first + rows[len(waiting) :], page.next_after, page.prev_before)


@dataclass(frozen=True)
class WaitingItem:
    """One decision waiting for the SPOC, with what it would cost against what is left."""

    row: ListRow
    request: RequestDetails
    effect: PotEffect


def spoc_home(session: Session, user: User) -> dict:
    """The SPOC's home: what is waiting for them (oldest first), with what each would cost
    against what is left; then the borough's placements and spend."""
    rows = placement_list(session, user)
    snapshot = pot_snapshot(session)
    waiting = []
    for row in rows:
        if not row.waiting:
            continue
        p = row.placement
        if p.state == "requested":
            effect = snapshot.effect(p, nights=p.nights)
        else:
            ext = row.pending_extension
            effect = snapshot.effect(p, nights=ext.nights, rate_pence=p.nightly_rate_pence)
        waiting.append(WaitingItem(row=row, request=request_details(p, SPOC), effect=effect))
    placed = [r for r in rows if r.placement.nightly_rate_pence is not None]
    return {
        "waiting": waiting,
        "borough_placements": placed,
        "spend": {
            "committed": sum(r.committed for r in placed),
            "invoiced": sum(r.invoiced for r in placed),
            "paid": sum(r.paid for r in placed),
        },
        "pot": snapshot.totals,
    }
