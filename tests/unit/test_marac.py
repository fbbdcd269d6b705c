"""The MARAC referral's rules: the criteria a review met (the referral's reasons), the
repeat-referral flag and the consent gate on the partner's safe contact arrangements."""

from __future__ import annotations

from datetime import date

import pytest

from eip.cases import dash, marac

THRESHOLDS = dash.Thresholds(high_risk=10, marac=14)


def _criteria(score: int, judgement: str = "none", incidents: int = 0, note: str | None = None):
    assessment = dash.assess(score, THRESHOLDS, judgement, incidents)
    return marac.criteria_met(assessment, THRESHOLDS, incidents, note)


def test_a_score_at_the_marac_threshold_is_visible_high_risk():
    assert _criteria(15) == [
        "Visible high risk: a DASH score of 15 of 24, at or above the MARAC threshold of 14"
    ]


def test_a_score_of_11_meets_no_marac_criterion():
    assert _criteria(11) == []


def test_professional_judgement_is_a_reason_with_its_note():
    assert _criteria(6, "marac", note="Strangulation disclosed") == [
        "Professional judgement: Strangulation disclosed"
    ]


def test_a_high_risk_judgement_alone_is_not_a_marac_reason():
    assert _criteria(6, "high") == []


def test_escalation_is_potential_escalation_with_the_incidents_counted():
    assert _criteria(5, incidents=3) == [
        "Potential escalation: 3 police call-outs in the last 12 months (at least 3 is escalation)"
    ]


def test_every_criterion_met_is_listed_in_safelives_order():
    lines = _criteria(16, "marac", incidents=4, note="Fear")
    assert [line.split(":")[0] for line in lines] == [
        "Visible high risk",
        "Professional judgement",
        "Potential escalation",
    ]


ON = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("previous", "repeat"),
    [
        ([], False),
        ([None], False),
        ([date(2026, 1, 5)], True),
        ([date(2025, 6, 10)], True),  # exactly 12 months before: still within
        ([date(2025, 6, 9)], False),
        ([date(2024, 1, 1), date(2026, 6, 10)], True),  # sent the same day
        ([date(2026, 7, 1)], False),  # a later referral is not an earlier one
    ],
)
def test_a_referral_is_a_repeat_when_another_was_sent_in_the_12_months_before(previous, repeat):
    assert marac.is_repeat_referral(previous, ON) is repeat


def test_safe_contact_arrangements_are_printed_only_with_the_partners_consent():
    assert marac.safe_contact_line(True, " Mornings ") == "Mornings"
    assert (
        marac.safe_contact_line(False, "Mornings") == "Contact through the referring practitioner"
    )
    assert marac.safe_contact_line(True, "") == marac.NO_ARRANGEMENTS
    assert marac.safe_contact_line(False, None) == marac.CONTACT_THROUGH_REFERRER
