"""The MARAC referral's rules, in plain functions: which criteria a DASH review met (the
reasons the referral starts from), whether it is a repeat referral, and what the pack may
say about reaching the partner. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from eip.cases import dash

# The partner may be told of the referral or not (SafeLives' form asks): the practitioner says.
PARTNER_AWARE = (
    ("yes", "Yes, the partner knows about this referral"),
    ("no", "No, the partner does not know about this referral"),
)
PARTNER_AWARE_LABELS = dict(PARTNER_AWARE)
# What the pack says instead of the partner's safe contact arrangements when the partner's
# information-sharing consent is not in force (DOMAIN.md, "Consent: what each one gates").
CONTACT_THROUGH_REFERRER = "Contact through the referring practitioner"
NO_ARRANGEMENTS = "No safe contact arrangements recorded"


def criteria_met(
    assessment: dash.RiskAssessment,
    thresholds: dash.Thresholds,
    escalation_incidents: int,
    judgement_note: str | None,
) -> list[str]:
    """The MARAC criteria a review met, one sentence each, in SafeLives' order: visible
    high risk (the score), professional judgement, potential escalation. Empty when the
    review did not meet MARAC."""
    if not assessment.marac:
        return []
    lines = []
    if dash.SCORE in assessment.marac_reasons:
        lines.append(
            f"Visible high risk: a DASH score of {assessment.score} of {dash.QUESTION_COUNT}, "
            f"at or above the MARAC threshold of {thresholds.marac}"
        )
    if dash.JUDGEMENT in assessment.marac_reasons:
        why = f": {judgement_note}" if judgement_note else ""
        lines.append(f"Professional judgement{why}")
    if dash.ESCALATION in assessment.marac_reasons:
        counted = dash.incidents_phrase(escalation_incidents, thresholds.escalation_kinds)
        lines.append(
            f"Potential escalation: {counted} in the last {thresholds.escalation_months} "
            f"months (at least {thresholds.escalation_incidents} is escalation)"
        )
    return lines


def is_repeat_referral(previous_sent: Iterable[date | None], on: date) -> bool:
    """Whether a MARAC referral prepared on `on` is a repeat: another referral of the same
    partner was recorded as sent in the 12 months up to `on` (`dash.is_repeat_marac`'s
    reading of "12 months"). Dates after `on` are later referrals, not earlier ones."""
    earlier = [sent for sent in previous_sent if sent is not None and sent <= on]
    return dash.is_repeat_marac(max(earlier, default=None), on)


def safe_contact_line(consent_in_force: bool, arrangements: str | None) -> str:
    """The partner's safe contact arrangements as the pack prints them: only while the
    partner's information-sharing consent is in force."""
    if not consent_in_force:
        return CONTACT_THROUGH_REFERRER
    return (arrangements or "").strip() or NO_ARRANGEMENTS
