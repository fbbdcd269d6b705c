"""The placement life cycle as data, and the caps on nights and people.

A placement starts as a request and ends in exactly one recorded outcome, because the
evaluation asks who was offered accommodation and what happened (issue 6). The table below is
the whole state machine: a service asks `next_state` before writing, and a refusal carries a
sentence the practitioner or SPOC can act on. Pure Python, so every transition and refusal is
unit tested without a database; the services re-run these checks under the pot lock.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from datetime import date, timedelta

from eip.domain import RuleBroken
from eip.formatting import long_date

STATE_LABELS = {
    "requested": "Requested: waiting for the SPOC",
    "approved": "Approved: waiting for the client to sign the agreement",
    "declined": "Declined by the SPOC",
    "withdrawn": "Withdrawn by the practitioner",
    "client_declined": "The client declined the accommodation",
    "no_accommodation": "No accommodation could be found",
    "pot_exhausted": "The accommodation money had run out",
    "agreement_signed": "Agreement signed: waiting for check-in",
    "checked_in": "Checked in",
    "ended": "Ended",
    "cancelled": "Cancelled before check-in",
}
STATES = tuple(STATE_LABELS)
# The recorded outcomes of a request that did not lead to a stay.
REQUEST_OUTCOMES = frozenset(
    {"declined", "withdrawn", "client_declined", "no_accommodation", "pot_exhausted"}
)
FINAL_STATES = REQUEST_OUTCOMES | {"ended", "cancelled"}
# DOMAIN.md: the people cap counts distinct clients with an approved placement that was not
# cancelled, so an ended placement still counts (the person was accommodated).
COUNTS_TOWARDS_PEOPLE_CAP = frozenset({"approved", "agreement_signed", "checked_in", "ended"})
# Placements that still hold (or may still hold) a commitment and block closing the case.
NOT_YET_ENDED = frozenset({"requested", "approved", "agreement_signed", "checked_in"})
# An approved stay not yet ended: its remaining nights are promised, so their money must
# stay committed (ledger.check_keeps_commitment).
LIVE_STAYS = frozenset({"approved", "agreement_signed", "checked_in"})
# The outcomes a practitioner records: their free-text reason is for practitioners and
# managers only (the SPOC sees the outcome, not the text).
PRACTITIONER_OUTCOMES = frozenset({"withdrawn", "client_declined"})

TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {"requested": "approved"},
    "decline": {"requested": "declined"},
    "withdraw": {"requested": "withdrawn"},
    "record_client_declined": {"requested": "client_declined"},
    "record_no_accommodation": {"requested": "no_accommodation"},
    "record_pot_exhausted": {"requested": "pot_exhausted"},
    "sign_agreement": {"approved": "agreement_signed"},
    "check_in": {"agreement_signed": "checked_in"},
    "extend": {"checked_in": "checked_in"},
    "move_out_early": {"checked_in": "ended"},
    "end_at_term": {"checked_in": "ended"},
    "cancel": {"approved": "cancelled", "agreement_signed": "cancelled"},
}
ACTIONS = tuple(TRANSITIONS)
_REQUEST_DECISIONS = frozenset(
    {
        "approve",
        "decline",
        "withdraw",
        "record_client_declined",
        "record_no_accommodation",
        "record_pot_exhausted",
    }
)
_ENDINGS = frozenset({"move_out_early", "end_at_term"})

NEEDS_RETURN_HOME_REVIEW = (
    "Record the return-home review first: the risks to the children and adults reviewed and "
    "the support package agreed, or the protective steps if returning home is unsafe"
)


def next_state(current: str, action: str, *, return_home_review_done: bool = False) -> str:
    """The state after `action`, or `RuleBroken` with the reason it may not happen now.

    Ending a placement (early or at term) also needs the return-home review; the flag
    defaults to False so that a caller who forgets to look is refused, not waved through.
    An unknown state or action is a programming error (ValueError), not a user's mistake.
    """
    if current not in STATE_LABELS:
        raise ValueError(f"Unknown placement state {current!r}")
    if action not in TRANSITIONS:
        raise ValueError(f"Unknown placement action {action!r}")
    target = TRANSITIONS[action].get(current)
    if target is None:
        raise RuleBroken(refusal_reason(current, action))
    if action in _ENDINGS and not return_home_review_done:
        raise RuleBroken(NEEDS_RETURN_HOME_REVIEW)
    return target


def allowed_actions(current: str) -> tuple[str, ...]:
    """The steps the table allows from `current`: for the buttons on the placement page."""
    return tuple(action for action in ACTIONS if current in TRANSITIONS[action])


def refusal_reason(current: str, action: str) -> str:
    """Why `action` is not a step from `current`, as a sentence for the user."""
    if current in REQUEST_OUTCOMES:
        label = STATE_LABELS[current]
        return (
            f"This request is already closed: {label[0].lower()}{label[1:]}. "
            "Make a new request if accommodation is still needed"
        )
    if current == "cancelled":
        return "This placement was cancelled. Make a new request if accommodation is still needed"
    if current == "ended":
        if action == "extend":
            return "A placement that has ended cannot be extended"
        return "This placement has ended"
    if action in _REQUEST_DECISIONS:
        return "The SPOC has already approved this request"
    return _REFUSALS[action](current)


def _refuse_sign(current: str) -> str:
    if current == "requested":
        return "The SPOC must approve the placement before the client signs the agreement"
    if current == "agreement_signed":
        return "The client has already signed the accommodation agreement"
    return "The client has already checked in"


def _refuse_check_in(current: str) -> str:
    if current == "requested":
        return "The SPOC must approve the placement before check-in"
    if current == "approved":
        return "The client must sign the accommodation agreement before check-in"
    return "The client has already checked in"


def _refuse_ending(current: str) -> str:
    if current == "requested":
        return "The client has not checked in: withdraw the request instead"
    return "The client has not checked in: cancel the placement instead"


def _refuse_cancel(current: str) -> str:
    if current == "requested":
        return "A request the SPOC has not approved is withdrawn, not cancelled"
    return "The client has already checked in, so record the move-out instead of cancelling"


_REFUSALS = {
    "sign_agreement": _refuse_sign,
    "check_in": _refuse_check_in,
    "extend": lambda current: "A placement can be extended only once the client has checked in",
    "move_out_early": _refuse_ending,
    "end_at_term": _refuse_ending,
    "cancel": _refuse_cancel,
}


# ---------------------------------------------------------------------------
# Caps: programme settings passed in, never constants here (DOMAIN.md)


def remaining_nights(
    state: str, approved_nights: int | None, checked_in_on: date | None, on: date
) -> int:
    """The approved nights of a live stay not yet stayed on `on` (all of them before the
    check-in); 0 for anything that is not a live stay."""
    if state not in LIVE_STAYS or not approved_nights:
        return 0
    used = max(0, (on - checked_in_on).days) if checked_in_on is not None else 0
    return max(0, approved_nights - used)


def nights_left(used_by_client_over_all_placements: int, max_nights: int) -> int:
    """Nights the client may still have: the cap is per client over all their placements."""
    if used_by_client_over_all_placements < 0 or max_nights < 0:
        raise ValueError("Nights cannot be negative")
    return max(max_nights - used_by_client_over_all_placements, 0)


def check_nights(
    requested: int, already_used: int, max_nights: int, start: date, programme_end: date
) -> str | None:
    """Why `requested` nights from `start` are not allowed, or None.

    `already_used` counts the client's nights over all their placements (approved ones,
    including this placement's nights so far for an extension, whose `start` is the current
    move-out date). No placement runs past the programme end: the last night, start +
    requested - 1, must be before `programme_end`, so the client moves out on it at the latest.
    """
    if requested < 1:
        return "Enter at least 1 night"
    left = nights_left(already_used, max_nights)
    if left == 0:
        return f"The client has already had all {max_nights} nights allowed"
    if requested > left:
        return f"The client has {left} of the {max_nights} nights allowed left"
    if start >= programme_end:
        return f"The placement must start before the programme ends on {long_date(programme_end)}"
    if start + timedelta(days=requested) > programme_end:
        most = (programme_end - start).days
        return (
            f"The programme ends on {long_date(programme_end)}, so the placement can be at "
            f"most {most} night{'s' if most != 1 else ''} from {long_date(start)}"
        )
    return None


def check_people_cap(
    distinct_clients_with_live_placements: Collection[Hashable],
    client_id: Hashable,
    max_people: int,
) -> str | None:
    """Why approving a placement for `client_id` would pass the people cap, or None.

    The collection is of person ids of clients with a placement in `COUNTS_TOWARDS_PEOPLE_CAP`.
    A client already counted (a second placement, or a re-referral, which links to the same
    person record) does not count twice.
    """
    counted = set(distinct_clients_with_live_placements)
    if client_id in counted or len(counted) < max_people:
        return None
    return f"The programme has already accommodated the maximum of {max_people} people"
