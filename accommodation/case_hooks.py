"""What temporary accommodation adds to a case, registered on `eip.cases.hooks` by the app
factory: `eip.cases` imports nothing from this package.

- A case cannot close while it has a placement not yet ended: a live placement holds (or may
  soon hold) public money and a client in a room, and closing the case would hide both.
- Consent to accommodation withdrawn: the borough's SPOCs are told (stay.notices).
- A stay makes the return-home review due (eip.cases.deadlines.StayFacts).
- The case page's accommodation panel (page.case_panel), from the placements added to the
  page's records (`client_placements`), which also give the stays: one query for all three.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from accommodation import closure_stays, rules
from accommodation.models import Placement, ReturnHomeReview
from accommodation.placements.page import case_panel
from accommodation.stay import notices as stay_notices
from eip.auth.models import User
from eip.cases import hooks
from eip.cases.deadlines import StayFacts
from eip.cases.models import Case
from eip.cases.records import Consent

# What to do first, per state of a placement that has not ended.
_PLACEMENT_STEPS = {
    "requested": "withdraw the placement request",
    "approved": "cancel the placement",
    "agreement_signed": "cancel the placement",
    "checked_in": "record the move-out",
}


def placement_refusal(session: Session, case: Case) -> str | None:
    """Why the case cannot close while it has a placement not yet ended, or None."""
    states = session.scalars(
        select(Placement.state)
        .where(Placement.case_id == case.id, Placement.state.in_(rules.NOT_YET_ENDED))
        .order_by(Placement.id)
    ).all()
    if not states:
        return None
    steps = list(dict.fromkeys(_PLACEMENT_STEPS[state] for state in states))
    what = " and ".join(steps)
    return f"This case has a placement that has not ended: {what} before closing the case"


def tell_spocs_of_withdrawal(
    session: Session, user: User, case: Case, consent: Consent, now: datetime
) -> int | None:
    """Consent to accommodation withdrawn while a placement is live: its SPOCs are told
    (how many, for the page to say; None when no placement is live)."""
    if consent.kind != "accommodation":
        return None
    live = stay_notices.live_placement_ids(session, case)
    if not live:
        return None
    spocs = stay_notices.borough_spocs(session, case.borough_id)
    return stay_notices.notify_spocs_of_withdrawal(
        session, user, case, consent_id=consent.id, placement_ids=live, spocs=spocs, now=now
    )


def _stay(placement_id: int, checked_in_on, nights, reviewed: bool) -> StayFacts | None:
    if checked_in_on is None or nights is None:
        return None
    return StayFacts(placement_id, checked_in_on + timedelta(days=nights), reviewed, checked_in_on)


def stays(session: Session, case_ids: Sequence[int]) -> dict[int, list[StayFacts]]:
    """Placements the clients are staying in now, with whether the review is recorded."""
    rows = session.execute(
        select(
            Placement.case_id,
            Placement.id,
            Placement.checked_in_on,
            Placement.approved_nights,
            ReturnHomeReview.id,
        )
        .outerjoin(ReturnHomeReview, ReturnHomeReview.placement_id == Placement.id)
        .where(Placement.case_id.in_(case_ids), Placement.state == "checked_in")
        .order_by(Placement.id)
    )
    found: dict[int, list[StayFacts]] = defaultdict(list)
    for case_id, placement_id, checked_in_on, nights, review_id in rows:
        if stay := _stay(placement_id, checked_in_on, nights, review_id is not None):
            found[case_id].append(stay)
    return found


def client_placements(session: Session, case: Case) -> dict[str, list[Placement]]:
    """For the case page's records: the case's placements and its client's on other cases
    (their nights count against the client's allowance), newest first, with their return-home
    reviews."""
    statement = _placements_statement(with_client=case.client_id is not None)
    placements = session.scalars(statement, {"case_id": case.id, "client_id": case.client_id})
    return {"client_placements": list(placements)}


@cache
def _placements_statement(*, with_client: bool):
    """Built once (for a case with a client and one without): building it cost more than
    running it (issue 16)."""
    whose = Placement.case_id == bindparam("case_id")
    if with_client:
        whose = or_(whose, Placement.client_id == bindparam("client_id"))
    return (
        select(Placement)
        .options(joinedload(Placement.return_home_review))
        .where(whose)
        .order_by(Placement.id.desc())
    )


def stays_in_records(case: Case, records: dict[str, list]) -> list[StayFacts]:
    """`stays` for one case, from the case page's records."""
    found = []
    for placement in sorted(records.get("client_placements", ()), key=lambda p: p.id):
        if placement.case_id != case.id or placement.state != "checked_in":
            continue
        reviewed = placement.return_home_review is not None
        nights = placement.approved_nights
        if stay := _stay(placement.id, placement.checked_in_on, nights, reviewed):
            found.append(stay)
    return found


def review_case(session: Session, obj: object) -> int | None:
    """The case of a return-home review (it names its placement, not the case): recording
    one ends the "review due" item on the case (eip.cases.due_store)."""
    if not isinstance(obj, ReturnHomeReview):
        return None
    placement = session.get(Placement, obj.placement_id)
    return placement.case_id if placement is not None else None


def register() -> None:
    """Plug accommodation into cases (once, however many apps are made)."""
    if placement_refusal in hooks.HOOKS.closure_refusals:
        return
    hooks.HOOKS.closure_refusals.append(placement_refusal)
    hooks.HOOKS.consent_withdrawn.append(tell_spocs_of_withdrawal)
    hooks.HOOKS.stay_readers.append(stays)
    hooks.HOOKS.record_stays.append(stays_in_records)
    hooks.HOOKS.case_records.append(client_placements)
    hooks.HOOKS.due_case_of.append(review_case)
    hooks.HOOKS.closure_stays.append(closure_stays.stay_lines)
    hooks.HOOKS.case_panels["accommodation"] = case_panel
