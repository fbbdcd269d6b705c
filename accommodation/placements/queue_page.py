"""The placement lists: every placement the user may see, those waiting for the SPOC first;
and the SPOC's home, with what each waiting decision would cost against what is left.

Like `accommodation.placements.page`, each row holds only what the viewer may see: the list is
scoped by `visible_placements`, and a waiting request is shown to the SPOC through the same
`request_details` as the placement page (never the partner, the risk or the plan).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from flask import get_template_attribute, request
from markupsafe import Markup
from sqlalchemy import Integer, Select, cast, func, null, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased, joinedload, lazyload, selectinload

from accommodation import ledger, ledger_sql
from accommodation.budget import memo
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
from eip.cases.models import Case
from eip.policy import placements_scope, visible_placements


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


def _pending_extensions(session: Session, ids: list[int]) -> dict[int, PlacementExtension]:
    """The first extension waiting for a decision of each of these placements."""
    pending: dict[int, PlacementExtension] = {}
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
    return pending


def placement_list(session: Session, user: User, state: str | None = None) -> list[ListRow]:
    """The placements this user may see: those waiting for the SPOC first, oldest first;
    then the rest, newest first."""
    query = visible_placements(user).options(selectinload(Placement.case))
    if state:
        query = query.where(Placement.state == state)
    placements = list(session.scalars(query))
    pending = _pending_extensions(session, [p.id for p in placements])
    totals = ledger_sql.placement_totals(session, [p.id for p in placements])
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
    pending = _pending_extensions(session, ids)
    totals: dict[int, ledger.PlacementTotals] = {}
    if ids:
        totals = ledger_sql.placement_totals(session, ids)
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


# How many waiting decisions, placements and cases the SPOC's home shows; the rest are on
# the placement and case lists it links to.
HOME_LIMIT = 20


# What the home reads of each placement's case and borough: the case's reference (the
# placement's name holds it), not the case's eighty columns nor either borough (the page
# names neither): loading those was most of the page's time in the ORM.
_CASE_REFERENCE = (
    joinedload(Placement.case).load_only(Case.reference).lazyload(Case.borough),
    lazyload(Placement.borough),
)


def _waiting_statement(visible: Select, limit: int) -> Select:
    """The oldest `limit` of the `visible` placements waiting for a decision (a request, or a
    requested extension), each with its first requested extension (or None) and how many wait
    in all beside it. Read from the waiting ones only, never from all the borough's
    placements: requests by the index (borough_id, state, created_at, id), extensions by
    (state, placement_id), each part limited before they are merged."""
    requested = visible.where(Placement.state == "requested")
    # Each placement's first extension still waiting, over the waiting extensions only.
    firsts = (
        select(
            PlacementExtension.placement_id,
            func.min(PlacementExtension.id).label("extension_id"),
        )
        .where(PlacementExtension.state == "requested")
        .group_by(PlacementExtension.placement_id)
        .subquery()
    )
    first = aliased(PlacementExtension)
    extended = (
        visible.join(firsts, firsts.c.placement_id == Placement.id)
        .join(first, first.id == firsts.c.extension_id)
        .where(Placement.state != "requested")
    )
    parts = [
        select(
            part.with_only_columns(*columns, maintain_column_froms=True)
            .order_by(columns[1], Placement.id)
            .limit(limit)
            .subquery()
        )
        for part, columns in (
            (
                requested,
                (
                    Placement.id,
                    Placement.created_at.label("since"),
                    cast(null(), Integer).label("extension_id"),
                ),
            ),
            (extended, (Placement.id, first.requested_at.label("since"), first.id)),
        )
    ]
    waiting = union_all(*parts).subquery()
    totals = select(
        *(
            part.with_only_columns(func.count(), maintain_column_froms=True)
            .correlate(None)
            .scalar_subquery()
            for part in (requested, extended)
        )
    ).subquery()
    # Joined under another name: `first` above is the extensions' name inside the parts.
    extension = aliased(PlacementExtension)
    # The shown placements' own money (an extension's effect starts from it), read here:
    # the page's statements are then the same whether or not anything waits.
    money = ledger_sql.per_placement(select(waiting.c.id)).subquery()
    return (
        select(
            Placement,
            extension,
            totals.c[0] + totals.c[1],
            money.c.committed,
            money.c.invoiced,
            money.c.paid,
        )
        .join(waiting, waiting.c.id == Placement.id)
        .outerjoin(extension, extension.id == waiting.c.extension_id)
        .outerjoin(money, money.c.placement_id == Placement.id)
        .join(totals, true())
        .options(*_CASE_REFERENCE)
        .order_by(waiting.c.since, Placement.id)
        .limit(limit)
    )


def _placed_statement(visible: Select, limit: int) -> Select:
    """The newest `limit` approved of the `visible` placements, with how many there are in
    all and their spend (the pot's figures over all of them: a SPOC's borough's, with no
    scope rule of its own) beside each: the page shows the spend only beside these rows."""
    placed = visible.where(Placement.nightly_rate_pence.is_not(None))
    count = (
        placed.with_only_columns(func.count(), maintain_column_froms=True)
        .order_by(None)
        .correlate(None)
        .scalar_subquery()
    )
    spend = ledger_sql.pot_totals_query(placed.with_only_columns(Placement.id)).subquery()
    return (
        placed.add_columns(count, *spend.c)
        .join(spend, true())
        .options(*_CASE_REFERENCE)
        .order_by(Placement.created_at.desc(), Placement.id.desc())
        .limit(limit)
    )


# The home's statements built so far, by what they are and the scope `visible_placements`
# gave (its SQL and its values): one set a borough. Building them (the ledger's nested selects,
# the waiting union) cost the page more than running them, so each is built once; bounded in
# case scopes ever multiply. Shared: never changed in place.
_BUILT: dict[tuple, Select] = {}
_BUILT_KEPT = 256


def _for_scope(build, user: User, limit: int) -> Select:
    """`build(visible_placements(user), limit)`, built once for each scope and limit."""
    visible = visible_placements(user)
    key = visible._generate_cache_key()
    if key is None:  # a scope SQLAlchemy cannot key: built for this request only
        return build(visible, limit)
    scope = (build.__name__, limit, key.key, tuple(b.effective_value for b in key.bindparams))
    try:
        statement = _BUILT.get(scope)
    except TypeError:  # a value that cannot be a key (a list): built for this request only
        return build(visible, limit)
    if statement is None:
        if len(_BUILT) >= _BUILT_KEPT:
            _BUILT.clear()
        statement = _BUILT[scope] = build(visible, limit)
    return statement


def spoc_home(session: Session, user: User, limit: int = HOME_LIMIT) -> dict:
    """The SPOC's home: what is waiting for them (the oldest `limit`, and how many in all),
    with what each would cost against what is left; then the borough's newest approved
    placements and its spend (`placed_section`); then its newest cases. A fixed number of
    rows and queries however many cases and placements the borough has. The whole pot's
    figures and the borough's placements are kept between requests while the money's mark
    holds (`accommodation.budget.memo`): the money changes far less often than the page is
    read."""
    found = session.execute(_for_scope(_waiting_statement, user, limit)).all()
    waiting_total = found[0][2] if found else 0
    waiting_placements = [row[0] for row in found]
    pending = {row[0].id: row[1] for row in found if row[1] is not None}
    money = {
        row[0].id: ledger_sql.placement_totals_of_row(*row[3:])
        for row in found
        if row[3] is not None
    }
    mark = memo.mark(session)
    # The forecast only when a request waits: its card shows the fair share.
    snapshot = replace(
        pot_snapshot(session, with_forecast=bool(waiting_placements), mark=mark),
        by_placement=money,
    )
    waiting = []
    for p in waiting_placements:
        row = _list_row(p, snapshot.by_placement, pending.get(p.id))
        if p.state == "requested":
            effect = snapshot.effect(p, nights=p.nights)
        else:
            ext = row.pending_extension
            effect = snapshot.effect(p, nights=ext.nights, rate_pence=p.nightly_rate_pence)
        waiting.append(WaitingItem(row=row, request=request_details(p, SPOC), effect=effect))
    key = None
    if mark is not None:
        key = (mark, "spoc placements", placements_scope(user), limit, request.script_root)
    return {
        "waiting": waiting,
        "waiting_total": waiting_total,
        "borough_placements": memo.kept(key, lambda: placed_section(session, user, limit)),
        "pot": snapshot.totals,
    }


_NO_MONEY = ledger.PlacementTotals(0, 0, 0, 0, 0)


def _list_row(p: Placement, totals: dict, pending: PlacementExtension | None = None) -> ListRow:
    money = totals.get(p.id, _NO_MONEY)
    return ListRow(
        placement=p,
        case_reference=p.case.reference,
        pending_extension=pending,
        committed=money.committed,
        invoiced=money.invoiced,
        paid=money.paid,
    )


def placed_section(session: Session, user: User, limit: int = HOME_LIMIT) -> Markup:
    """The SPOC home's "Your borough's placements", drawn: the newest `limit` approved
    placements of the borough, how many in all, what each committed and the borough's spend
    (templates/home/_spoc_placements.html). Two statements."""
    newest = session.execute(_for_scope(_placed_statement, user, limit)).all()
    placements = [p for p, *_figures in newest]
    total = newest[0][1] if newest else 0
    spend = ledger_sql.totals_of_row(0, newest[0][2:] if newest else (0, 0, 0, 0))
    totals = ledger_sql.placement_totals(session, [p.id for p in placements]) if newest else {}
    draw = get_template_attribute("home/_spoc_placements.html", "borough_placements")
    return draw(
        [_list_row(p, totals) for p in placements],
        total,
        {"committed": spend.committed, "invoiced": spend.invoiced, "paid": spend.paid},
        user.borough.name if user.borough else "",
    )
