"""Issue 20, item 3: the plan, the meeting pack and the minutes as staff would send them.

Each test names the defect of the issue's "Why" it guards against; every one failed on the
commit before the issue. The documents are made by `eip.cases.documents.produce` on a real
database and read back with pypdf (the full case of test_pdf_documents, fixed dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eip.cases.documents_layout import count_of
from eip.cases.records import (
    CaseAction,
    Child,
    DashReview,
    Incident,
    InterventionSession,
    SafetyPlan,
)
from eip.extensions import db
from tests.factories_accommodation import placement
from tests.integration.test_pdf_documents import AT, flat, full_case, produce, text

TODAY = AT.date()  # 2 March 2026: what each document counts "due" and "overdue" from


@pytest.fixture
def built(app_context):
    return full_case()


def _latest_review_meets_marac(case) -> None:
    latest = db.session.scalars(
        select(DashReview)
        .where(DashReview.case_id == case.id)
        .order_by(DashReview.completed_on.desc())
    ).first()
    latest.marac = True
    db.session.add(
        CaseAction(
            case_id=case.id,
            kind="marac_referral",
            description="Refer the case to MARAC: the MARAC criteria met",
            owner="Practitioner",
            due_on=TODAY - timedelta(days=3),
            urgent=True,
        )
    )
    db.session.commit()


def _partner_safety_plan(case) -> None:
    db.session.add(
        SafetyPlan(
            case_id=case.id,
            person="partner",
            risks="Partner at risk when the client drinks",
            protective_steps="Partner stays with her sister at weekends",
            steps=[
                {
                    "action": "Give the partner the helpline",
                    "by_whom": "IDVA",
                    "by_when": "2026-03-06",
                }
            ],
            agencies="IDVA; police",
            safe_contact="Never write this down: text first",
        )
    )
    db.session.commit()


# ---------------------------------------------------------------------------
# The plan


def test_the_plan_lists_every_open_action_referrals_first_with_marac_threshold_met(built):
    """Defect: the high-risk case's plan left out its overdue, urgent IDVA and MARAC
    referrals (only plan-type actions printed) and said nothing of the MARAC threshold."""
    case, practitioner, _ = built
    _latest_review_meets_marac(case)
    body = flat(text(produce(case, practitioner, "plan")))
    assert "MARAC threshold met" in body
    assert "The MARAC referral is still to be made" in body
    idva = body.index("Refer the partner to the IDVA service")
    marac = body.index("Refer the case to MARAC")
    plan = body.index("Agree a safety plan through the social worker")
    meeting = body.index("Action from the second meeting")
    assert idva < plan and marac < plan and marac < meeting
    assert "Overdue, urgent" in body


def test_the_plan_holds_the_safety_plans_contingency_review_date_and_sign_off(built):
    """Defect: the plan had no safety plan, contingency, review date or sign-off."""
    case, practitioner, _ = built
    _partner_safety_plan(case)
    body = flat(text(produce(case, practitioner, "plan")))
    assert "Safety plan for the partner" in body
    assert "Partner at risk when the client drinks" in body
    assert "Give the partner the helpline" in body
    assert "Never write this down" not in body  # safe contact never printed
    assert "If the risk rises" in body and "within 1 working day" in body
    # Reviewed at the next meeting: 7 days after the last one (16 February).
    assert "professionals meeting due by 23 February 2026" in body
    assert "Review and sign-off" in body
    assert "Amara Fictional, allocated practitioner" in body
    assert "Jo Socialworker, referring social worker" in body


def test_the_plan_counts_one_child_as_one_child(app_context):
    """Defect: "1 child, aged 4 and 7": the number and the ages must agree (the children
    come from their records, one line each)."""
    case, practitioner, _ = full_case()
    second = db.session.scalars(
        select(Child).where(Child.case_id == case.id, Child.position == 2)
    ).one()
    db.session.delete(second)
    db.session.commit()
    body = flat(text(produce(case, practitioner, "plan")))
    assert "1 child: Child 1, aged 3." in body
    assert "1 children" not in body and "and 6" not in body


def test_counts_agree_with_their_nouns():
    assert count_of(1, "child", "children") == "1 child"
    assert count_of(2, "child", "children") == "2 children"
    assert count_of(0, "session") == "no sessions"
    assert count_of(1, "session") == "1 session"


# ---------------------------------------------------------------------------
# The meeting pack


def test_the_pack_has_an_accommodation_section_with_the_stay_and_the_return_home_review(built):
    """Defect: no accommodation section: a stay ending in 2 days with its return-home review
    due was not mentioned."""
    case, practitioner, _ = built
    placement(case, "checked_in", move_in_on=TODAY - timedelta(days=26), nights=28)
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "Accommodation" in body
    assert "The stay ends on 4 March 2026 (in 2 days)" in body
    assert "The return-home review is due before the stay ends" in body
    assert "Return-home review due before the placement ends" in body  # due and overdue


def test_the_pack_says_what_is_due_and_overdue_and_never_no_actions_when_things_are_due(
    app_context,
):
    """Defect: an overdue DASH review after an incident was not mentioned, and the actions
    read "No actions." although things were due."""
    case, practitioner, _ = full_case()
    for action in db.session.scalars(select(CaseAction).where(CaseAction.case_id == case.id)):
        action.completed_at = AT - timedelta(days=1)
    db.session.add(
        Incident(
            case_id=case.id,
            occurred_on=date(2026, 2, 25),  # after the last DASH review (23 February)
            source="partner_disclosure",
            police_callout=False,
            description="Partner disclosed a threat",
            created_at=AT - timedelta(days=5),  # recorded then, so the review is overdue
        )
    )
    db.session.commit()
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "Due and overdue" in body
    assert "Review risk with DASH after the incident 25 February 2026 Overdue" in body
    assert "No actions." not in body
    assert "No open actions: what else is due is listed under" in body


def test_an_incident_says_what_happened_and_the_response(built):
    """Defect: an incident printed as "Police call-out | Call-out", without what happened
    or the response."""
    case, practitioner, _ = built
    incident = db.session.scalars(select(Incident).where(Incident.case_id == case.id)).one()
    incident.response = "Police attended; social worker visited the next day"
    db.session.commit()
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "Neighbour heard shouting" in body
    assert "Police attended; social worker visited the next day" in body
    assert "Call-out" not in body


def test_a_pack_without_sessions_says_so_once(built):
    """Defect: "0, of which 0 attended" then "No sessions recorded"."""
    case, practitioner, _ = built
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "0, of which 0 attended" not in body
    assert "2 sessions since the last meeting on 16 February 2026, 2 attended" in body
    for s in db.session.scalars(
        select(InterventionSession).where(InterventionSession.case_id == case.id)
    ):
        db.session.delete(s)
    db.session.commit()
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "of which" not in body
    assert body.count("No sessions recorded") == 1
    assert "No sessions recorded since the last meeting on 16 February 2026." in body


def test_the_pack_highlights_marac_threshold_met_and_shows_the_safety_plans(built):
    """Defect: the pack did not say the MARAC threshold was met."""
    case, practitioner, _ = built
    _latest_review_meets_marac(case)
    _partner_safety_plan(case)
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "MARAC threshold met: the DASH review of 23 February 2026 scored 15 of 24" in body
    assert body.index("Refer the partner to the IDVA service") < body.index(
        "Action from the second meeting"
    )
    assert "Safety plan for the partner" in body


# ---------------------------------------------------------------------------
# The minutes


def test_the_minutes_have_safety_planning_next_meeting_one_date_and_minuted_by(built):
    """Defects: no safety-planning or next-meeting section although the pack's agenda asks
    for them; the date printed twice; no "minuted by"."""
    case, practitioner, meetings = built
    meetings[0].recorded_by_id = practitioner.id
    db.session.commit()
    body = flat(text(produce(case, practitioner, "minutes", meetings[0])))
    # The meeting's date once in the minutes (the page's header dates every page by it too).
    assert body.replace("Dated 2 February 2026", "").count("2 February 2026") == 1
    assert "Minuted by Amara Fictional" in body
    assert "Safety planning" in body
    assert "Next meeting The next meeting was held on 16 February 2026." in body
    latest = flat(text(produce(case, practitioner, "minutes", meetings[1])))
    assert "The next meeting is due by 23 February 2026." in latest


def test_without_the_partners_sharing_consent_an_incident_is_its_date_and_source_only(
    app_context,
):
    """What happened is about the partner and the family: withheld as their details are."""
    case, practitioner, _ = full_case(partner_sharing="withdrawn")
    incident = db.session.scalars(select(Incident).where(Incident.case_id == case.id)).one()
    incident.response = "Social worker visited"
    db.session.commit()
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "20 February 2026" in body and "Police call-out" in body
    assert "Neighbour heard shouting" not in body and "Social worker visited" not in body
