"""The borough SPOC's decisions: approving a request (which commits money), the outcomes
that are not an approval and extensions; and the practitioner's request for an extension,
which the SPOC then decides. Added commitments are `accommodation.placements.commitment_services`'.

Every decision that commits money follows `accommodation.store`'s order: lock the pot, re-read
the placement, re-check everything that another transaction could have changed (the state,
the consents, the nights and people caps, the money left), then write the placement, the
ledger entry and the audit event in one commit. A refusal is raised before anything is
written, so a refused approval leaves the ledger exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import ledger, rules, store
from accommodation.models import Placement, PlacementExtension
from accommodation.placements import notices
from accommodation.placements.common import (
    audit_placement,
    check_placement_version,
    commit_placement,
    load_placement,
    touch,
)
from accommodation.placements.request_services import OPEN_FOR_REQUESTS, TEXT_MAX, record_outcome
from eip.auth.models import User
from eip.cases.consent_services import consent_states
from eip.clock import today
from eip.domain import NotAllowed, NotFound, RuleBroken
from eip.policy import can
from eip.problems import Problems

DECIDE = "placement.decide"
MANAGE = "placement.manage"
# A rate above this is a typing mistake (an extra zero), not a London room.
MAX_NIGHTLY_RATE_PENCE = 100_000


# ---------------------------------------------------------------------------
# Checks made under the pot lock


def _require_consents(session: Session, placement: Placement) -> None:
    """Both accommodation consents must still be in force when the money is committed."""
    states = consent_states(session, placement.case)
    gone = [
        person for person in ("client", "partner") if not states[(person, "accommodation")].in_force
    ]
    if len(gone) == 2:
        raise RuleBroken(
            "Neither the client's nor the partner's consent to temporary accommodation is in "
            "force any more, so no accommodation can be approved"
        )
    if gone:
        raise RuleBroken(
            f"The {gone[0]}'s consent to temporary accommodation is no longer in force, so no "
            "accommodation can be approved"
        )


def _require_open_case(placement: Placement) -> None:
    if placement.case.status not in OPEN_FOR_REQUESTS:
        raise RuleBroken("The case is no longer open, so no accommodation can be approved")


def require_money(session: Session, pot_pence: int, placement: Placement, amount: int) -> None:
    """The pot must have `amount` left to commit (asked under the pot lock)."""
    refusal = ledger.check_commit(store.entries(session), pot_pence, placement.id, amount)
    if refusal:
        raise RuleBroken(refusal)


def limited_text(
    problems: Problems, field: str, value: str | None, message: str, limit: int
) -> str:
    """The stripped text; a problem when it is empty or longer than `limit`."""
    text = problems.text(field, value, message)
    if len(text) > limit:
        problems.add(field, f"This must be {limit} characters or fewer")
    return text


# ---------------------------------------------------------------------------
# Approval and the other outcomes of a request


def approve(
    session: Session,
    user: User,
    placement_id: int,
    *,
    provider: str | None,
    address: str | None,
    rate_pence: int | None,
    nights: int | None,
    version: int | str | None,
) -> Placement:
    """Approve a request: where, at what nightly rate (pence, VAT included), for how many
    nights; commit rate x nights from the pot. Refused, with the reason, when it would pass
    the client's nights, the programme end, the people cap or the money left."""
    placement = load_placement(session, user, placement_id, DECIDE)
    check_placement_version(placement, version)
    problems = Problems()
    provider_text = limited_text(problems, "provider", provider, "Enter the provider", 120)
    address_text = limited_text(problems, "address", address, "Enter the address", TEXT_MAX)
    if rate_pence is None:
        problems.add("rate", "Enter the nightly rate")
    elif isinstance(rate_pence, bool) or not isinstance(rate_pence, int) or rate_pence <= 0:
        problems.add("rate", "The nightly rate must be more than £0")
    elif rate_pence > MAX_NIGHTLY_RATE_PENCE:
        problems.add("rate", "The nightly rate must be £1,000.00 or less")
    if nights is None:
        problems.add("nights", "Enter the number of nights")
    elif nights < 1:
        problems.add("nights", "Enter at least 1 night")
    problems.raise_any()

    with store.pot_transaction(session, placement_id, user=user, version=version) as tx:
        settings, placement = tx.settings, tx.placement
        rules.next_state(placement.state, "approve")
        _require_open_case(placement)
        _require_consents(session, placement)
        refusal = rules.check_nights(
            nights,
            store.nights_used_by_client(session, placement.client_id, leaving_out=placement.id),
            settings.max_nights_per_client,
            # A move-in date now past cannot be the check-in: the stay starts today at the
            # earliest, so the nights are checked from then (else the approved stay could
            # never be checked in before the programme end).
            max(placement.move_in_on, today()),
            settings.programme_end_date,
        )
        if refusal:
            raise RuleBroken(refusal, field="nights")
        refusal = rules.check_people_cap(
            store.people_counted(session), placement.client_id, settings.max_people
        )
        if refusal:
            raise RuleBroken(refusal)
        amount = rate_pence * nights
        require_money(session, settings.pot_pence, placement, amount)

        placement.state = "approved"
        placement.provider = provider_text
        placement.address = address_text
        placement.nightly_rate_pence = rate_pence
        placement.approved_nights = nights
        placement.decided_at = datetime.now(UTC)
        placement.decided_by_id = user.id
        entry = tx.append(ledger.COMMIT, amount, effective_on=today())
        audit_placement(
            session,
            user,
            placement,
            "placement.approved",
            {
                "fields": ["address", "approved_nights", "nightly_rate_pence", "provider", "state"],
                "ledger_entry": entry.id,
            },
        )
        notices.request_decided(session, user, placement, "approve")
    return placement


def _spoc_outcome(session, user, placement_id: int, action: str, reason, version) -> Placement:
    placement = load_placement(session, user, placement_id, DECIDE)
    return record_outcome(session, user, placement, action, reason=reason, version=version)


def decline(session: Session, user: User, placement_id: int, *, reason, version) -> Placement:
    """The SPOC declines the request, with a reason."""
    return _spoc_outcome(session, user, placement_id, "decline", reason, version)


def record_no_accommodation(
    session: Session, user: User, placement_id: int, *, reason, version
) -> Placement:
    """No suitable accommodation could be found."""
    return _spoc_outcome(session, user, placement_id, "record_no_accommodation", reason, version)


def record_pot_exhausted(
    session: Session, user: User, placement_id: int, *, reason, version
) -> Placement:
    """The accommodation money had run out."""
    return _spoc_outcome(session, user, placement_id, "record_pot_exhausted", reason, version)


# ---------------------------------------------------------------------------
# Extensions


def pending_extension(session: Session, placement: Placement) -> PlacementExtension | None:
    return session.scalar(
        select(PlacementExtension)
        .where(
            PlacementExtension.placement_id == placement.id,
            PlacementExtension.state == "requested",
        )
        .order_by(PlacementExtension.id)
        .limit(1)
    )


def _extension_nights_refusal(session: Session, placement: Placement, nights: int) -> str | None:
    """The client's nights over all placements (this one's approved nights included) and the
    programme end, counted from the current planned move-out."""
    from eip.programme import current_settings

    settings = current_settings(session)
    return rules.check_nights(
        nights,
        store.nights_used_by_client(session, placement.client_id),
        settings.max_nights_per_client,
        placement.planned_move_out_on,
        settings.programme_end_date,
    )


def request_extension(
    session: Session, user: User, placement_id: int, *, nights: int | None, reason, version
) -> PlacementExtension:
    """The practitioner asks the SPOC for more nights for a stay under way."""
    placement = load_placement(session, user, placement_id, MANAGE)
    check_placement_version(placement, version)
    rules.next_state(placement.state, "extend")
    if pending_extension(session, placement) is not None:
        raise RuleBroken("An extension request is already waiting for the SPOC's decision")
    problems = Problems()
    text = limited_text(
        problems, "reason", reason, "Enter why the client needs more nights", TEXT_MAX
    )
    if nights is None:
        problems.add("nights", "Enter the number of extra nights")
    elif nights < 1:
        problems.add("nights", "Enter at least 1 night")
    elif refusal := _extension_nights_refusal(session, placement, nights):
        problems.add("nights", refusal)
    problems.raise_any()
    extension = PlacementExtension(
        placement_id=placement.id, nights=nights, reason=text, requested_by_id=user.id
    )
    session.add(extension)
    touch(placement)
    session.flush()
    audit_placement(
        session,
        user,
        placement,
        "placement.extension_requested",
        {"fields": ["nights", "reason"], "extension": extension.id},
    )
    notices.extension_made(session, user, placement, extension)
    commit_placement(session)
    return extension


def decide_extension(
    session: Session,
    user: User,
    extension_id: int,
    *,
    approve: bool,
    reason: str | None,
    version: int | str | None,
) -> PlacementExtension:
    """The SPOC approves (committing nights x rate) or declines (with a reason) an extension.

    `version` is the placement's, as the SPOC saw it."""
    extension = session.get(PlacementExtension, extension_id)
    if extension is None:
        raise NotFound("No extension request has that number")
    placement = extension.placement
    if not can(user, DECIDE, placement):
        raise NotAllowed("You may not decide on this placement")
    check_placement_version(placement, version)
    text = (reason or "").strip()
    if not approve and not text:
        raise RuleBroken("Enter the reason for declining the extension", field="reason")
    if len(text) > TEXT_MAX:
        raise RuleBroken(f"The reason must be {TEXT_MAX} characters or fewer", field="reason")

    with store.pot_transaction(session, placement.id, user=user, version=version) as tx:
        return _decide_extension(tx, extension_id, approve=approve, text=text)


def _decide_extension(
    tx: store.PotTransaction, extension_id: int, *, approve: bool, text: str
) -> PlacementExtension:
    session, user, settings, placement = tx.session, tx.user, tx.settings, tx.placement
    amount = 0
    extension = session.get(PlacementExtension, extension_id, populate_existing=True)
    if extension.state != "requested":
        raise RuleBroken("This extension request has already been decided")
    if approve:
        rules.next_state(placement.state, "extend")
        _require_consents(session, placement)
        refusal = _extension_nights_refusal(session, placement, extension.nights)
        if refusal:
            raise RuleBroken(refusal)
        amount = extension.nights * placement.nightly_rate_pence
        require_money(session, settings.pot_pence, placement, amount)

    extension.state = "approved" if approve else "declined"
    extension.decided_at = datetime.now(UTC)
    extension.decided_by_id = user.id
    extension.decision_reason = text or None
    touch(placement)
    details: dict = {"extension": extension.id, "fields": ["decision_reason", "state"]}
    if approve:
        placement.approved_nights = (placement.approved_nights or 0) + extension.nights
        entry = tx.append(
            ledger.COMMIT,
            amount,
            effective_on=today(),
            reason=f"Extension of {extension.nights} nights",
            extension_id=extension.id,
        )
        details["ledger_entry"] = entry.id
    audit_placement(
        session,
        user,
        placement,
        "placement.extension_approved" if approve else "placement.extension_declined",
        details,
    )
    notices.extension_decided(session, user, placement, extension)
    return extension
