"""What the closure summary adds to the case's figures (issue 20): the stay in temporary
accommodation, the last DASH level beside the risk recorded at closure, the contradictions
a reader should see flagged, and the short summary of a late referral that was refused.

`flags` is a plain function of plain values; `stay_lines` and `refusal` read the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.cases import hooks
from eip.cases.models import Case
from eip.cases.records import LateReferralDecision

# Words in a closure reason that say the work was finished, against an outcome that says it
# was not (and the other way round): a reason and an outcome that disagree are flagged.
FINISHED_WORDS = ("completed", "complete", "finished", "goals met", "achieved")
UNFINISHED_OUTCOMES = ("disengaged", "withdrew_consent", "risk_escalated", "not_accepted")
UNFINISHED_WORDS = ("disengaged", "withdrew", "withdrawn", "no contact", "escalat")


@dataclass(frozen=True)
class StayLine:
    provider: str
    state: str
    dates: str
    nights: str
    cost: str


def stay_lines(session: Session, case: Case) -> list[StayLine]:
    """Each approved placement of the case (accommodation/closure_stays.py, through the
    hooks: the case pathway imports nothing from accommodation)."""
    return hooks.closure_stays(session, case)


def flags(
    *,
    outcome: str | None,
    reason: str | None,
    risk_at_closure: str | None,
    risk_reason: str | None,
    last_review: tuple[int, str] | None,
    onward_referrals: int,
) -> list[str]:
    """Sentences for what disagrees on the summary, each for a reader to check. `outcome`
    and `risk_at_closure` are codes; `last_review` is the last DASH review's score and level."""
    found = []
    if last_review is not None:
        score, level = last_review
        ranks = {"standard": 0, "medium": 1, "high": 2}
        if risk_at_closure in ranks and ranks.get(level, 0) > ranks[risk_at_closure]:
            text = (
                f"The last DASH review scored {score} ({level} risk), but the risk at "
                f"closure is recorded as {risk_at_closure}"
            )
            if onward_referrals == 0:
                text += ", and no onward referral was made"
            if not risk_reason:
                text += ". No reason is recorded for the difference"
            found.append(text + ".")
    said = (reason or "").lower()
    if outcome in UNFINISHED_OUTCOMES and any(w in said for w in FINISHED_WORDS):
        found.append(
            "The reason for closure says the work was completed, but the outcome is not "
            "\u201ccompleted\u201d: one of them is wrong."
        )
    elif outcome == "completed" and any(w in said for w in UNFINISHED_WORDS):
        found.append(
            "The outcome is \u201ccompleted\u201d, but the reason for closure says the work "
            "did not finish: one of them is wrong."
        )
    return found


@dataclass(frozen=True)
class Refusal:
    decided_on: date
    note: str | None


def refusal(session: Session, case: Case) -> Refusal | None:
    """The refusal of the case's late referral, when that is how it closed."""
    if case.status != "not_accepted":
        return None
    row = session.scalars(
        select(LateReferralDecision)
        .where(LateReferralDecision.case_id == case.id, LateReferralDecision.decision == "refused")
        .order_by(LateReferralDecision.id.desc())
    ).first()
    return Refusal(row.decided_on, row.note) if row is not None else None
