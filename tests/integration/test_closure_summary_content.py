"""Issue 20, the closure summary: the stay, the last DASH level beside the risk recorded at
closure, contradictions flagged, and a summary for a case closed because its late
referral was refused. Read from the PDF's text."""

from __future__ import annotations

from datetime import date, timedelta

from eip.cases.closure_summary import flags
from eip.cases.records import LateReferralDecision
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests.integration.test_pdf_documents import AT, close, flat, full_case, produce, text


def summary(case, user) -> str:
    return flat(text(produce(case, user, "closure_summary")))


def test_the_closure_summary_sets_out_the_stay(app_context):
    """Defect: the closure summary said nothing about the stay in temporary accommodation."""
    case, practitioner, _ = full_case()
    placement = fa.placement(case, "ended", nights=28, moved_out_after=20)
    close(case)
    body = summary(case, practitioner)
    stay = body.split("Temporary accommodation", 1)[1].split("Onward referrals", 1)[0]
    assert f"Placement {placement.provider}: Ended" in stay
    first, last = placement.checked_in_on, placement.moved_out_on
    assert f"Dates {first.day} {first:%B %Y} to {last.day} {last:%B %Y}" in stay
    assert "Nights 20 of 28 approved, at £65.00 a night" in stay
    assert "Cost £1,300.00" in stay


def test_a_case_without_a_stay_says_so(app_context):
    case, practitioner, _ = full_case()
    close(case)
    assert "No temporary accommodation was approved for this case." in summary(case, practitioner)


def test_the_last_dash_level_is_beside_the_risk_at_closure_and_a_lower_risk_is_flagged(
    app_context,
):
    """Defect: last DASH 15 (high) but "Risk at closure: Medium" printed with no flag."""
    case, practitioner, _ = full_case()
    close(case)
    body = summary(case, practitioner)
    assert "Risk at closure Medium Last DASH review Score 15, high risk" in body
    assert (
        "Check: The last DASH review scored 15 (high risk), but the risk at closure is "
        "recorded as medium. No reason is recorded for the difference." in body
    )


def test_a_lower_risk_with_no_onward_referral_says_so():
    """Defect: no onward referrals beside a high last DASH and a medium risk, unflagged."""
    found = flags(
        outcome="completed",
        reason="Plan completed",
        risk_at_closure="medium",
        risk_reason=None,
        last_review=(15, "high"),
        onward_referrals=0,
    )
    assert found == [
        "The last DASH review scored 15 (high risk), but the risk at closure is recorded as "
        "medium, and no onward referral was made. No reason is recorded for the difference."
    ]
    assert not flags(
        outcome="completed",
        reason="Plan completed",
        risk_at_closure="high",
        risk_reason="IDVA leads",
        last_review=(15, "high"),
        onward_referrals=1,
    )


def test_an_outcome_and_reason_that_contradict_are_flagged(app_context):
    """Defect: outcome "Withdrew consent" beside the reason "Intervention plan completed"
    without comment."""
    case, practitioner, _ = full_case()
    close(case)
    case.closure_outcome = "withdrew_consent"
    case.closure_risk_level = "high"
    db.session.commit()
    body = summary(case, practitioner)
    assert (
        "Check: The reason for closure says the work was completed, but the outcome is not "
        "“completed”: one of them is wrong." in body
    )
    assert "Check: The last DASH" not in body
    assert flags(
        outcome="completed",
        reason="The client disengaged after two sessions",
        risk_at_closure=None,
        risk_reason=None,
        last_review=None,
        onward_referrals=0,
    )


def test_a_case_closed_because_its_late_referral_was_refused_has_a_short_summary(app_context):
    """Defect: a refused late referral got no closure summary at all."""
    practitioner = factories.user("practitioner", name="Amara Fictional")
    case = factories.case("Camden", practitioner, status="not_accepted")
    case.closure_outcome = "not_accepted"
    case.closed_at = AT - timedelta(days=2)
    db.session.add(
        LateReferralDecision(
            case_id=case.id,
            decision="refused",
            decided_on=date(2026, 2, 27),
            note="Move-on could not be arranged before the programme end",
        )
    )
    db.session.commit()
    body = summary(case, practitioner)
    assert "Outcome: late referral refused." in body
    assert "Refused on 27 February 2026" in body
    assert "Why it was refused Move-on could not be arranged before the programme end" in body
    assert "DASH" not in body
