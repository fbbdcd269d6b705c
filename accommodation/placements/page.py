"""What the placement pages show, cut to each role (DOMAIN.md's field-by-role table).

Templates receive only what the viewer may see: a finance user's page is built without the
client's name or the request's safety notes, and a SPOC's without anything of the partner,
the risk or the plan. So a template cannot show more than its role allows by mistake.

- practitioner, manager: everything about the placement;
- the borough's SPOC: what they need to arrange and decide a room (dates, nights, location,
  areas to avoid, booking needs, out-of-borough safety and mitigation, the client's name and
  contact), never the partner, the DASH answers, the risk or the notes;
- finance: case reference, borough and status, dates, nights, provider, address, rate and
  money; no names, contacts or risk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import forecast as forecasts
from accommodation import ledger, ledger_sql, rules, store
from accommodation.budget import memo
from accommodation.models import Placement, PlacementExtension
from accommodation.placements.decision_services import pending_extension
from accommodation.placements.request_services import readiness
from eip.admin.models import ProgrammeSettings
from eip.audit import record
from eip.auth.models import User
from eip.cases.consultation_services import SCENARIO_OUTCOME
from eip.cases.models import Case
from eip.cases.step_checks import held_consultation, latest_held
from eip.db import write_now
from eip.policy import can
from eip.programme import current_settings
from eip.roles import Role

FULL, SPOC, FINANCE = "full", "spoc", "finance"


def viewer_kind(user: User) -> str:
    if user.has_role(Role.PRACTITIONER, Role.MANAGER):
        return FULL
    if user.has_role(Role.SPOC):
        return SPOC
    return FINANCE


# ---------------------------------------------------------------------------
# The pot, against what a decision would cost


@dataclass(frozen=True)
class PotEffect:
    """The money left and what a decision would take from it, in pence."""

    pot: int
    available: int
    nights: int
    cost: int | None
    left_after: int | None
    people_counted: int
    max_people: int
    client_counted: bool
    # The fair share and the typical stay (accommodation.forecast), on the pages that
    # show them: the SPOC's approval and the requests waiting on the SPOC's home.
    forecast: forecasts.Forecast | None = None

    @property
    def max_rate(self) -> int:
        """The highest nightly rate the money left allows for `nights`."""
        return ledger.max_nightly_rate(self.available, self.nights)

    @property
    def affordable(self) -> bool:
        return self.left_after is None or self.left_after >= 0

    @property
    def people_cap_reached(self) -> bool:
        return not self.client_counted and self.people_counted >= self.max_people

    @property
    def estimated_cost(self) -> int | None:
        """The cost at the rate given or, before one is given, at the typical nightly rate."""
        if self.cost is not None:
            return self.cost
        return self.nights * self.forecast.nightly_rate if self.forecast else None

    @property
    def left_after_estimate(self) -> int | None:
        if self.left_after is not None:
            return self.left_after
        cost = self.estimated_cost
        return None if cost is None else self.available - cost

    @property
    def places_left_after(self) -> int | None:
        if self.forecast is None:
            return None
        return max(self.forecast.places_left - (0 if self.client_counted else 1), 0)

    @property
    def leaves_too_little(self) -> bool:
        """Would this approval leave less than one typical stay for each remaining place?"""
        if self.forecast is None:
            return False
        return self.forecast.leaves_too_little(
            available_after=self.left_after_estimate, client_counted=self.client_counted
        )


@dataclass(frozen=True)
class PotSnapshot:
    """The pot's figures, some placements' figures and the caps, read once for pages that
    show several effects: added up by the database (`accommodation.ledger_sql`), so a page
    never reads the whole ledger. The approval itself checks again on the entries it reads
    under the pot lock (`ledger.check_commit`), with the same arithmetic."""

    settings: ProgrammeSettings
    totals: ledger.PotTotals
    by_placement: dict[int, ledger.PlacementTotals]  # those asked for that have entries
    people: set[int]
    forecast: forecasts.Forecast | None = None

    def effect(
        self, placement: Placement, *, nights: int, rate_pence: int | None = None
    ) -> PotEffect:
        cost = rate_pence * nights if rate_pence else None
        left_after = None
        if cost is not None:
            # The same arithmetic as the check the approval will pass (ledger.check_commit).
            left_after = ledger.commit_effect_on(
                self.totals, self.by_placement.get(placement.id, NO_MONEY), cost
            ).available_after
        return PotEffect(
            pot=self.totals.pot,
            available=self.totals.available,
            nights=nights,
            cost=cost,
            left_after=left_after,
            people_counted=len(self.people),
            max_people=self.settings.max_people,
            client_counted=placement.client_id in self.people,
            forecast=self.forecast,
        )

    def placement_totals(self, placement: Placement) -> ledger.PlacementTotals | None:
        return self.by_placement.get(placement.id)


NO_MONEY = ledger.PlacementTotals(0, 0, 0, 0, 0)


def pot_snapshot(
    session: Session,
    placement_ids: Collection[int] = (),
    *,
    with_forecast: bool = False,
    mark: str | None = None,
) -> PotSnapshot:
    """The pot's figures, and those of `placement_ids` (the placements the page shows
    effects or figures for): three statements, or two when no placement is asked for; the
    forecast (the waiting nights and the median rate) is read in the pot totals' statement.
    With the money's `mark` (`accommodation.budget.memo.mark`, read by the caller) the whole
    pot's part (its totals, the people counted, the forecast's inputs) is kept between
    requests under it (`whole_pot`), for a page read far more often than the money moves
    (the SPOC's home): then one statement, or none."""
    settings = current_settings(session)
    ids = list(placement_ids)
    by_placement = ledger_sql.placement_totals(session, ids) if ids else {}
    if mark is not None:
        key = (mark, "pot snapshot")
        money, people, requests, nights, median = memo.kept(key, lambda: whole_pot(session))
        totals = ledger_sql.totals_of_row(settings.pot_pence, money)
        forecast = None
        if with_forecast:
            forecast = forecasts.of(settings, totals, len(people), requests, nights, median)
        return PotSnapshot(
            settings=settings,
            totals=totals,
            by_placement=by_placement,
            people=people,
            forecast=forecast,
        )
    people = store.people_counted(session)
    forecast = None
    if with_forecast:
        # The pot's totals are read in the forecast's own statement.
        forecast = forecasts.read(session, settings, people_counted=len(people))
        totals = forecast.totals
    else:
        totals = ledger_sql.pot_totals(session, settings.pot_pence)
    return PotSnapshot(
        settings=settings,
        totals=totals,
        by_placement=by_placement,
        people=people,
        forecast=forecast,
    )


def whole_pot(session: Session) -> tuple[tuple, frozenset[int], int, int, int | None]:
    """What `pot_snapshot` reads of the whole programme, none of it depending on the settings
    (the pot's size is applied after): the ledger's sums (committed, invoiced, paid,
    exposure), the clients counted towards the people cap, and the forecast's inputs (the
    requests waiting, their nights, the median approved rate). Two statements; all of it
    read from the tables whose writes change the money's mark (`accommodation.budget.memo`)."""
    people = frozenset(store.people_counted(session))
    requests, nights, median, money = forecasts.whole_pot_inputs(session)
    return tuple(int(value) for value in money), people, requests, nights, median


def pot_effect(
    session: Session,
    placement: Placement,
    *,
    nights: int | None = None,
    rate_pence=None,
    with_forecast: bool = False,
) -> PotEffect:
    """The money left, and what approving `nights` at `rate_pence` would leave."""
    return pot_snapshot(session, [placement.id], with_forecast=with_forecast).effect(
        placement, nights=nights or placement.nights, rate_pence=rate_pence
    )


# ---------------------------------------------------------------------------
# The placement page


@dataclass(frozen=True)
class ClientDetails:
    name: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class RequestDetails:
    """What the practitioner asked for: the SPOC needs it to arrange the room."""

    requested_at: datetime
    requested_by: str | None
    move_in_on: date
    nights: int
    location_preference: str | None
    areas_to_avoid: str | None
    booking_needs: str | None
    out_of_borough: bool
    out_of_borough_safety: str | None
    out_of_borough_mitigation: str | None
    safety_judged_on: date | None
    social_worker_name: str | None


@dataclass(frozen=True)
class ExtensionRow:
    extension: PlacementExtension
    reason: str | None
    decision_reason: str | None


@dataclass
class PlacementPage:
    placement: Placement
    viewer: str
    case_reference: str
    borough_name: str
    case_status: str
    client: ClientDetails | None
    request: RequestDetails | None
    outcome_reason: str | None
    decided_by: str | None
    extensions: list[ExtensionRow]
    pending_extension: PlacementExtension | None
    pot: PotEffect | None
    extension_effect: PotEffect | None
    # (label, endpoint, primary) of the steps this user may take from here.
    actions: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def waiting_for_spoc(self) -> bool:
        return self.placement.state == "requested" or self.pending_extension is not None


def _client(placement: Placement) -> ClientDetails | None:
    person = placement.client
    if person is None:
        return None
    return ClientDetails(name=person.full_name, phone=person.phone, email=person.email)


def request_details(placement: Placement, viewer: str) -> RequestDetails:
    return RequestDetails(
        requested_at=placement.created_at,
        requested_by=placement.requested_by.name
        if viewer == FULL and placement.requested_by
        else None,
        move_in_on=placement.move_in_on,
        nights=placement.nights,
        location_preference=placement.location_preference,
        areas_to_avoid=placement.areas_to_avoid,
        booking_needs=placement.booking_needs,
        out_of_borough=placement.out_of_borough,
        out_of_borough_safety=placement.out_of_borough_safety,
        out_of_borough_mitigation=placement.out_of_borough_mitigation,
        safety_judged_on=placement.safety_judged_on,
        # The social worker's name is the practitioner's record of who judged it.
        social_worker_name=placement.social_worker_name if viewer == FULL else None,
    )


def _actions(user: User, placement: Placement, pending: PlacementExtension | None) -> list:
    """(label, endpoint, primary) of the steps this user may take from here. An outcome
    that closes the request for good (withdraw, declined, none found) is never the primary
    button: it leads to a confirmation page, and the primary is the way forward."""
    actions: list[tuple[str, str, bool]] = []
    state = placement.state
    if state == "requested" and can(user, "placement.decide", placement):
        actions += [
            ("Approve the placement", "accommodation.approve", True),
            ("Decline the request", "accommodation.decline", False),
            ("Record that no accommodation was found", "accommodation.no_accommodation", False),
            ("Record that the money has run out", "accommodation.pot_exhausted", False),
        ]
    if state == "requested" and can(user, "placement.request", placement):
        actions += [
            ("Withdraw the request", "accommodation.withdraw", False),
            ("Record that the client declined", "accommodation.client_declined", False),
        ]
    if state == "checked_in" and pending is None and can(user, "placement.manage", placement):
        actions.append(("Ask for an extension", "accommodation.request_extension", True))
    if placement.nightly_rate_pence is not None and can(user, "placement.decide", placement):
        actions.append(("Add to the commitment", "accommodation.add_commitment", not actions))
    return actions


def _outcome_reason(placement: Placement, viewer: str) -> str | None:
    """The free-text reason of a request's outcome: a practitioner's (withdrawn, the client
    declined) is for practitioners and managers only, since it may tell of the client's
    circumstances; the SPOC sees that outcome but not its text. Finance sees none."""
    if viewer == FULL:
        return placement.outcome_reason
    if viewer == SPOC and placement.state not in rules.PRACTITIONER_OUTCOMES:
        return placement.outcome_reason
    return None


def record_view(session: Session, user: User, placement: Placement) -> None:
    """Audited like a case view: who looked at a placement (and so at the case) is on the
    case's access log."""
    with write_now(session):  # a GET's write (eip/db.py)
        record(
            session,
            "case.viewed",
            actor=user,
            object_type="placement",
            object_id=placement.id,
            case_reference=placement.case.reference,
            details={"view": "placement page"},
        )
        session.commit()


def placement_page(session: Session, user: User, placement: Placement) -> PlacementPage:
    """The placement page for this user (the view has checked `placement.view`)."""
    viewer = viewer_kind(user)
    pending = pending_extension(session, placement)
    snapshot = pot_snapshot(session, [placement.id]) if viewer != FINANCE else None
    pot = extension_effect = None
    if snapshot is not None and placement.state == "requested":
        pot = snapshot.effect(placement, nights=placement.nights)
    if snapshot is not None and pending is not None and placement.nightly_rate_pence:
        extension_effect = snapshot.effect(
            placement, nights=pending.nights, rate_pence=placement.nightly_rate_pence
        )
    private = viewer != FINANCE
    return PlacementPage(
        placement=placement,
        viewer=viewer,
        case_reference=placement.case.reference,
        borough_name=placement.borough.name,
        case_status=placement.case.status,
        client=_client(placement) if private else None,
        request=request_details(placement, viewer) if private else None,
        outcome_reason=_outcome_reason(placement, viewer),
        decided_by=placement.decided_by.name if private and placement.decided_by else None,
        extensions=[
            ExtensionRow(
                extension=ext,
                reason=ext.reason if private else None,
                decision_reason=ext.decision_reason if private else None,
            )
            for ext in placement.extensions
        ],
        pending_extension=pending,
        pot=pot,
        extension_effect=extension_effect,
        actions=_actions(user, placement, pending),
    )


# ---------------------------------------------------------------------------
# The case page's panel


@dataclass(frozen=True)
class CasePanel:
    """The case page's accommodation panel (practitioners and managers)."""

    placements: list[Placement]
    missing: list[str]
    can_request: bool
    wants_accommodation: bool
    # A placement not yet ended: the panel shows it rather than why another cannot be asked.
    has_open: bool


def case_panel(
    session: Session, user: User, case: Case, records: dict[str, list] | None = None
) -> CasePanel:
    """`records`: the case page's own (all of the case's records, with the client's
    placements), read once for the page."""
    if records is None:
        placements = list(
            session.scalars(
                select(Placement).where(Placement.case_id == case.id).order_by(Placement.id.desc())
            )
        )
    else:
        placements = [p for p in records["client_placements"] if p.case_id == case.id]
    missing = readiness(session, case, records=records, placements=placements)
    held = (
        held_consultation(session, case)
        if records is None
        else latest_held(records["consultations"])
    )
    return CasePanel(
        placements=placements,
        missing=missing,
        can_request=not missing and can(user, "placement.request", case),
        has_open=any(p.state in rules.NOT_YET_ENDED for p in placements),
        wants_accommodation=bool(placements)
        or (held is not None and held.outcome == SCENARIO_OUTCOME),
    )
