"""What the risk panel derives from the records: why a review is high, repeat MARAC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from eip.cases.dash_services import last_marac_referral, review_reasons, risk_summary

TODAY = date(2026, 6, 1)


def review(
    score=5,
    level="standard",
    judgement="none",
    incidents=0,
    on=date(2026, 5, 1),
    high_from=10,
    marac_from=14,
    marac=False,
):
    return SimpleNamespace(
        score=score,
        risk_level=level,
        marac=marac,
        professional_judgement=judgement,
        escalation_incidents=incidents,
        completed_on=on,
        high_risk_threshold=high_from,
        marac_threshold=marac_from,
        escalation_min_incidents=3,
        escalation_months=12,
        escalation_kinds="police_callout",
    )


def marac_action(completed: date | None):
    moment = datetime(completed.year, completed.month, completed.day, 12, tzinfo=UTC)
    return SimpleNamespace(kind="marac_referral", completed_at=moment if completed else None)


def onward(agency="marac", status="made", on=date(2026, 1, 10)):
    return SimpleNamespace(agency=agency, status=status, referred_on=on)


def records(reviews=(), actions=(), referrals=()):
    return {
        "dash_reviews": list(reviews),
        "actions": list(actions),
        "onward_referrals": list(referrals),
    }


def test_a_review_that_is_not_high_has_no_reasons():
    assert review_reasons(review(score=9)) == []


def test_a_review_is_explained_against_the_thresholds_stored_with_it_not_todays():
    # Made when high risk started at 10: still explained so after the setting changes.
    assert review_reasons(review(score=11, level="high", high_from=10)) == [
        "High risk: score 11 ≥ 10 (the threshold on 1 May 2026)"
    ]
    assert review_reasons(review(score=11, level="high", high_from=8, marac_from=11)) == [
        "High risk: score 11 ≥ 8 (the threshold on 1 May 2026)",
        "MARAC: score 11 ≥ 11 (the threshold on 1 May 2026)",
    ]


def test_each_trigger_of_a_high_review_is_given():
    high = review(score=15, level="high", judgement="marac", incidents=4, marac=True)
    assert review_reasons(high) == [
        "High risk: score 15 ≥ 10 (the threshold on 1 May 2026), and by professional "
        "judgement, and by escalation",
        "MARAC: score 15 ≥ 14 (the threshold on 1 May 2026), and by professional "
        "judgement, and by escalation",
        "Escalation: 4 police call-outs in 12 months (at least 3 is escalation)",
    ]


def test_judgement_alone_is_the_only_reason_given():
    assert review_reasons(review(score=3, level="high", judgement="high")) == [
        "High risk: by professional judgement"
    ]


def test_the_latest_review_sets_the_level_and_the_flags():
    summary = risk_summary(
        records([review(16, "high", marac=True), review(4, "standard", on=date(2026, 5, 20))]),
        14,
        TODAY,
    )
    assert summary.latest.score == 4
    assert not summary.high and not summary.marac
    assert summary.reasons == []


def test_a_high_latest_review_flags_the_case_high_risk_and_marac_only_when_met():
    summary = risk_summary(records([review(4), review(11, "high")]), 14, TODAY)
    assert summary.high and not summary.marac
    summary = risk_summary(records([review(4), review(15, "high", marac=True)]), 14, TODAY)
    assert summary.high and summary.marac


def test_a_case_with_no_review_is_not_high_risk():
    summary = risk_summary(records(), 14, TODAY)
    assert summary.latest is None and not summary.high


def test_a_completed_marac_referral_within_12_months_makes_a_repeat_marac():
    summary = risk_summary(records(actions=[marac_action(date(2025, 6, 1))]), 14, TODAY)
    assert summary.last_marac_on == date(2025, 6, 1)
    assert summary.repeat_marac


def test_one_more_than_12_months_ago_does_not():
    summary = risk_summary(records(actions=[marac_action(date(2025, 5, 31))]), 14, TODAY)
    assert not summary.repeat_marac


def test_an_open_marac_action_is_not_a_referral_yet():
    open_action = SimpleNamespace(kind="marac_referral", completed_at=None)
    assert last_marac_referral([open_action], []) is None


def test_an_onward_referral_to_marac_counts_once_made():
    assert last_marac_referral([], [onward(status="made")]) == date(2026, 1, 10)
    assert last_marac_referral([], [onward(status="planned")]) is None
    assert last_marac_referral([], [onward(agency="idva")]) is None


def test_the_latest_marac_referral_is_the_one_that_counts():
    latest = last_marac_referral(
        [marac_action(date(2025, 1, 1)), marac_action(date(2026, 2, 1))],
        [onward(on=date(2025, 12, 1))],
    )
    assert latest == date(2026, 2, 1)
