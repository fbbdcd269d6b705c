"""Whether the IDVA and MARAC referrals a DASH review called for were made in time. Pure.

A high-risk review raises an IDVA referral action due 1 working day later, a review that
meets MARAC a MARAC referral action due 2 working days later (the programme's settings,
`eip.cases.dash_services`); the action keeps its review (`source_id`) and its due date,
worked out under the settings and non-working days in force when it was raised. So the
due date is read, never worked out again: a later change of setting does not change
whether an earlier referral was in time.

States, for one review and one kind of referral:
- `met`: made on or before the due date;
- `missed`: made after it, or not made and the due date has passed (a case closed with
  the action "no longer needed" after its due date missed it too);
- `pending`: not made yet, and not yet due;
- `not_made`: the case closed with the action "no longer needed" before it was due;
- `not_due`: the review raised no such referral (below the threshold, or one raised by an
  earlier review was still open and covered it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from eip.workdays import add_working_days, london_date, working_days_between

KINDS = ("idva", "marac")
STATES = ("met", "missed", "pending", "not_made", "not_due")
# The programme's defaults (DOMAIN.md), only for an action recorded without a due date.
DEFAULT_WORKING_DAYS = {"idva": 1, "marac": 2}
NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class Timeliness:
    state: str
    # Working days from the review to the referral, when it was made.
    working_days: int | None = None


NOT_DUE = Timeliness("not_due")


def of_action(
    kind: str, review_on: date, action: Any, today: date, extra: Iterable[date] = ()
) -> Timeliness:
    """One referral action (`due_on`, `completed_at`, `resolution`) raised by the review
    completed on `review_on`, judged on `today`."""
    extra = frozenset(extra)
    due = action.due_on or add_working_days(review_on, DEFAULT_WORKING_DAYS[kind], extra)
    if action.completed_at is not None:
        ended = london_date(action.completed_at)
        if action.resolution == NOT_NEEDED:
            return Timeliness("missed" if ended > due else "not_made")
        taken = max(0, working_days_between(review_on, ended, extra))
        return Timeliness("met" if ended <= due else "missed", taken)
    return Timeliness("missed" if today > due else "pending")


def by_review(
    reviews: Sequence[Any], actions: Iterable[Any], today: date, extra: Iterable[date] = ()
) -> dict[int, dict[str, Timeliness]]:
    """Each review's (by id) timeliness of each kind: from the first action of that kind
    it raised, else not due."""
    raised: dict[tuple[int, str], Any] = {}
    for action in sorted(actions, key=lambda a: a.id):
        kind = action.kind.removesuffix("_referral")
        if kind in KINDS and action.source_id is not None:
            raised.setdefault((action.source_id, kind), action)
    extra = frozenset(extra)
    found = {}
    for review in reviews:
        judged = {}
        for kind in KINDS:
            action = raised.get((review.id, kind))
            judged[kind] = (
                NOT_DUE
                if action is None
                else of_action(kind, review.completed_on, action, today, extra)
            )
        found[review.id] = judged
    return found


def first_due(ordered: Sequence[Any], timeliness: dict[int, dict[str, Timeliness]]) -> dict:
    """The case's timeliness of each kind: that of the first review (in `ordered`, review
    order) that called for the referral, else not due."""
    found = {}
    for kind in KINDS:
        found[kind] = NOT_DUE
        for review in ordered:
            judged = timeliness[review.id][kind]
            # `is` first: most reviews called for nothing, and share the one NOT_DUE.
            if judged is not NOT_DUE and judged != NOT_DUE:
                found[kind] = judged
                break
    return found
