"""Safety plans on a real database: written and changed by the services, reviewed at a
professionals meeting, shown in the meeting pack and the minutes only with the partner's
information-sharing consent and never with the safe contact arrangements (no PDF of any
kind holds them), and an overdue review stored as a due item."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases import activity_services, safety_plans
from eip.cases.deadlines import Deadlines, DueFacts, SafetyPlanFacts, due_items
from eip.cases.models import CaseDueItem
from eip.cases.records import Child, SafetyPlan, SafetyPlanReview
from eip.cases.safety_plans import ReviewInput, StepInput
from eip.clock import today
from eip.domain import Conflict, RuleBroken
from eip.extensions import db
from tests import factories
from tests.integration.test_pdf_documents import ALL_KINDS, close, flat, full_case, produce, text

PARTNER_SAFE_CONTACT = "Text the word daisy to the work phone first"
CHILD_SAFE_CONTACT = "Only through the school's designated lead"
PARTNER_RISKS = "Fictional risk of harm when he drinks"
CHILD_RISKS = "Fictional risk of witnessing abuse at handovers"
REVIEWED_ON = today()  # the plans are written today, so a review is on or after it


def _child(case, position: int = 2, age: int = 7) -> Child:
    child = Child(case_id=case.id, position=position, age_years=age)
    db.session.add(child)
    db.session.commit()
    return child


def _plans(case, practitioner):
    child = _child(case)
    partner_plan = safety_plans.add_plan(
        db.session,
        practitioner,
        case,
        person="partner",
        risks=PARTNER_RISKS,
        protective_steps="Refuge number saved under a friend's name",
        steps=[StepInput(1, "Refer to the IDVA", "Practitioner", date(2026, 3, 6))],
        agencies="Fictional Agency Nine",
        safe_contact=PARTNER_SAFE_CONTACT,
    )
    child_plan = safety_plans.add_plan(
        db.session,
        practitioner,
        case,
        person=f"child:{child.id}",
        risks=CHILD_RISKS,
        safe_contact=CHILD_SAFE_CONTACT,
    )
    return partner_plan, child_plan


def _review(case, practitioner, plans, change: str | None = "Fictional new step agreed"):
    return activity_services.record_meeting(
        db.session,
        practitioner,
        case,
        held_on=REVIEWED_ON,
        attendees="Practitioner; social worker",
        safety_plan_reviews=[ReviewInput(plan.id, True, change) for plan in plans],
    )


@pytest.fixture
def built(app_context):
    case, practitioner, meetings = full_case()
    partner_plan, child_plan = _plans(case, practitioner)
    return case, practitioner, meetings, partner_plan, child_plan


# ---------------------------------------------------------------------------
# Writing and changing


def test_a_plan_is_saved_with_its_steps_and_audited_by_field_name_only(built):
    _case, _, _, partner_plan, _ = built
    assert partner_plan.steps == [
        {"action": "Refer to the IDVA", "by_whom": "Practitioner", "by_when": "2026-03-06"}
    ]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.safety_plan_recorded")
    ).first()
    assert event.details["record"] == partner_plan.id
    assert "safe_contact" in event.details["fields"]
    assert PARTNER_SAFE_CONTACT not in str(event.details)


def test_bad_input_is_refused_with_every_problem_and_writes_nothing(app_context):
    case, practitioner, _ = full_case()
    with pytest.raises(RuleBroken) as refused:
        safety_plans.add_plan(
            db.session,
            practitioner,
            case,
            person="child:999999",
            risks=" ",
            steps=[StepInput(2, "Something", None, None)],
        )
    assert set(refused.value.errors) == {"person", "risks", "step2_by_whom", "step2_by_when"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SafetyPlan)) == 0


def test_a_person_has_one_plan(built):
    case, practitioner, *_ = built
    with pytest.raises(RuleBroken) as refused:
        safety_plans.add_plan(db.session, practitioner, case, person="partner", risks="More")
    assert "already has a safety plan" in refused.value.errors["person"]


def test_a_change_from_an_older_page_is_refused_and_names_who_changed_it(built):
    case, practitioner, _, partner_plan, _ = built
    seen = partner_plan.version
    assert safety_plans.update_plan(
        db.session, practitioner, case, partner_plan.id, version=seen, risks="Changed risks"
    )
    with pytest.raises(Conflict) as refused:
        safety_plans.update_plan(
            db.session, practitioner, case, partner_plan.id, version=seen, risks="Mine"
        )
    assert "safety plan" in str(refused.value)
    db.session.rollback()
    assert db.session.get(SafetyPlan, partner_plan.id).risks == "Changed risks"


# ---------------------------------------------------------------------------
# Reviewed at a professionals meeting


def test_a_meeting_records_which_plans_it_reviewed_and_what_changed(built):
    case, practitioner, _, partner_plan, child_plan = built
    meeting = _review(case, practitioner, [partner_plan])
    (review,) = db.session.scalars(select(SafetyPlanReview)).all()
    assert (review.plan_id, review.meeting_id, review.change) == (
        partner_plan.id,
        meeting.id,
        "Fictional new step agreed",
    )
    db.session.refresh(partner_plan)
    assert partner_plan.last_reviewed_on == REVIEWED_ON
    assert partner_plan.last_reviewed_meeting_id == meeting.id
    assert db.session.get(SafetyPlan, child_plan.id).last_reviewed_on is None


def test_a_meeting_cannot_review_a_plan_written_after_it(built):
    case, practitioner, _, partner_plan, _ = built
    with pytest.raises(RuleBroken) as refused:
        activity_services.record_meeting(
            db.session,
            practitioner,
            case,
            held_on=REVIEWED_ON - timedelta(days=1),
            attendees="Practitioner",
            safety_plan_reviews=[ReviewInput(partner_plan.id, True, None)],
        )
    assert "written after it" in refused.value.errors[f"plan{partner_plan.id}_reviewed"]


def test_a_change_without_the_plan_ticked_as_reviewed_is_refused_and_writes_nothing(built):
    case, practitioner, meetings, partner_plan, _ = built
    with pytest.raises(RuleBroken) as refused:
        activity_services.record_meeting(
            db.session,
            practitioner,
            case,
            held_on=REVIEWED_ON,
            attendees="Practitioner",
            safety_plan_reviews=[ReviewInput(partner_plan.id, False, "A change")],
        )
    assert f"plan{partner_plan.id}_reviewed" in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SafetyPlanReview)) == 0
    assert len(db.session.scalars(select(SafetyPlan)).all()) == 2
    assert len(meetings) == 2  # and no third meeting was saved:
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.meeting_recorded")
        )
        == 0
    )


# ---------------------------------------------------------------------------
# The meeting pack and the minutes


def test_the_minutes_show_the_plans_reviewed_at_that_meeting_without_safe_contact(built):
    case, practitioner, meetings, partner_plan, child_plan = built
    meeting = _review(case, practitioner, [partner_plan, child_plan])
    body = flat(text(produce(case, practitioner, "minutes", meeting)))
    assert "Safety plans reviewed at this meeting" in body
    assert "Safety plan for the partner" in body
    assert "Safety plan for Child 2" in body
    assert PARTNER_RISKS in body and CHILD_RISKS in body
    assert "Fictional new step agreed" in body
    assert "Refer to the IDVA" in body
    assert PARTNER_SAFE_CONTACT not in body and CHILD_SAFE_CONTACT not in body
    # Another meeting's minutes: no plan was reviewed there.
    other = flat(text(produce(case, practitioner, "minutes", meetings[0])))
    assert PARTNER_RISKS not in other
    assert "None of the case's 2 safety plans was recorded as reviewed at this meeting." in other


def test_the_meeting_pack_shows_every_plan_to_review_without_safe_contact(built):
    case, practitioner, *_ = built
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "Safety plans to review" in body
    assert PARTNER_RISKS in body and CHILD_RISKS in body
    assert PARTNER_SAFE_CONTACT not in body and CHILD_SAFE_CONTACT not in body


@pytest.mark.parametrize("sharing", ["declined", "withdrawn", "not_asked"])
def test_without_the_partners_sharing_consent_no_plan_is_printed_not_even_a_childs(
    app_context, sharing
):
    # The client's own consent is given: it is not what a plan for the people at risk
    # from him goes by.
    case, practitioner, _ = full_case(partner_sharing=sharing, client_sharing="given")
    plans = _plans(case, practitioner)
    meeting = _review(case, practitioner, plans)
    for kind, at in (("plan", None), ("meeting_pack", None), ("minutes", meeting)):
        body = flat(text(produce(case, practitioner, kind, at)))
        assert "Safety plan for the partner" in body and "Safety plan for Child 2" in body
        assert body.count("Details withheld: no information-sharing consent.") == 2, kind
        for secret in (PARTNER_RISKS, CHILD_RISKS, "Refer to the IDVA", "Fictional Agency Nine"):
            assert secret not in body, (kind, secret)
        assert "Fictional new step agreed" not in body


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_no_document_of_any_kind_holds_a_safe_contact_arrangement(built, kind):
    case, practitioner, _meetings, partner_plan, child_plan = built
    meeting = _review(case, practitioner, [partner_plan, child_plan])
    if kind == "closure_summary":
        close(case)
    document = produce(case, practitioner, kind, meeting if kind == "minutes" else None)
    body = flat(text(document))
    assert PARTNER_SAFE_CONTACT not in body
    assert CHILD_SAFE_CONTACT not in body
    # Only the plan, the meeting pack and the minutes print a safety plan at all.
    assert (PARTNER_RISKS in body) == (kind in ("plan", "meeting_pack", "minutes"))


def test_the_accommodation_agreement_holds_no_safety_plan(app_context):
    from accommodation.documents import produce_agreement
    from tests import factories_accommodation as fac

    practitioner = factories.user("practitioner", name="Fictional Practitioner")
    placement = fac.placement(state="approved", nights=7)
    case = placement.case
    _plans(case, practitioner)
    document = produce_agreement(db.session, practitioner, placement)
    body = flat(text(document))
    for secret in (PARTNER_SAFE_CONTACT, CHILD_SAFE_CONTACT, PARTNER_RISKS, CHILD_RISKS):
        assert secret not in body


def test_the_statement_and_the_programme_report_hold_no_safety_plan(built):
    from accommodation.documents import produce_statement
    from eip.reports.monthly_document import produce as produce_report

    manager = factories.user("manager")
    month = today().replace(day=1)
    for document in (
        produce_statement(db.session, manager, month - timedelta(days=90), today()),
        produce_report(db.session, manager, month),
    ):
        body = flat(text(document))
        for secret in (PARTNER_SAFE_CONTACT, CHILD_SAFE_CONTACT, PARTNER_RISKS, CHILD_RISKS):
            assert secret not in body


# ---------------------------------------------------------------------------
# Overdue reviews


def _facts(**plans) -> DueFacts:
    return DueFacts(
        reference="EIP-1",
        status="active",
        received_on=date(2026, 1, 5),
        acknowledged=True,
        consultation_booked=True,
        intervention_started_on=date(2026, 1, 20),
        last_meeting_on=date(2026, 2, 2),
        last_dash_on=date(2026, 2, 2),
        **plans,
    )


def test_a_plan_is_due_for_review_a_meeting_interval_after_it_was_written_or_last_reviewed():
    settings = Deadlines(meeting_interval_days=7)
    written = SafetyPlanFacts("Child 2", written_on=date(2026, 2, 3))
    reviewed = SafetyPlanFacts("the partner", date(2026, 1, 20), date(2026, 2, 10))
    items = due_items(_facts(safety_plans=(written, reviewed)), settings)
    found = {i.label: i.due_on for i in items if i.kind == "safety_plan_review"}
    assert found == {
        "Review the safety plan for Child 2": date(2026, 2, 10),
        "Review the safety plan for the partner": date(2026, 2, 17),
    }


def test_a_closed_case_has_no_plan_review_due():
    facts = DueFacts(
        reference="EIP-1",
        status="closed",
        received_on=date(2026, 1, 5),
        safety_plans=(SafetyPlanFacts("Child 2", date(2026, 2, 3)),),
    )
    assert due_items(facts, Deadlines()) == []


def test_an_unreviewed_plan_becomes_a_stored_due_item_and_a_review_moves_it(built):
    case, practitioner, _, _partner_plan, child_plan = built

    def stored() -> dict[str, date]:
        db.session.expire_all()
        rows = db.session.scalars(
            select(CaseDueItem).where(
                CaseDueItem.case_id == case.id, CaseDueItem.kind == "safety_plan_review"
            )
        )
        return {row.label: row.due_on for row in rows}

    written = stored()
    assert set(written) == {
        "Review the safety plan for the partner",
        "Review the safety plan for Child 2",
    }
    _review(case, practitioner, [child_plan])
    after = stored()
    assert after["Review the safety plan for Child 2"] == REVIEWED_ON + timedelta(days=7)
    assert (
        after["Review the safety plan for the partner"]
        == written["Review the safety plan for the partner"]
    )


def test_a_child_with_a_safety_plan_is_not_removed(built):
    from eip.cases import child_services

    case, practitioner, _, _, child_plan = built
    child = db.session.get(Child, child_plan.child_id)
    with pytest.raises(RuleBroken) as refused:
        child_services.remove_child(db.session, practitioner, case, child.id, version=child.version)
    assert "safety plan" in refused.value.message
    db.session.rollback()
    assert db.session.get(Child, child.id) is not None


def test_an_overdue_plan_review_is_reminded_in_the_app_and_by_email_naming_nobody(mail_app):
    from eip.notifications.centre import SENT
    from tests import factories_pathway_activity as activity
    from tests.factories_notifications import (
        assert_no_personal_data,
        london,
        mails_to,
        notifications_of,
        run,
    )

    with mail_app.app_context():
        practitioner = factories.user("practitioner")
        case = activity.case(
            practitioner=practitioner, received_on=date(2026, 10, 5), started_on=date(2026, 11, 2)
        )
        child = _child(case)
        db.session.add(
            SafetyPlan(
                case_id=case.id,
                person="child",
                child_id=child.id,
                risks=CHILD_RISKS,
                safe_contact=CHILD_SAFE_CONTACT,
                steps=[],
                created_at=london(2026, 11, 9, 10),  # due for review on Monday 16th
            )
        )
        db.session.commit()

        def plan_reviews():
            return [
                (n.kind, n.due_on)
                for n in notifications_of(practitioner)
                if n.topic == "safety_plan_review"
            ]

        run(london(2026, 11, 13, 9))  # the working day before
        assert plan_reviews() == [("safety_plan_review_due", date(2026, 11, 16))]
        run(london(2026, 11, 17, 9))
        assert plan_reviews()[-1] == ("safety_plan_review_overdue", date(2026, 11, 16))
        overdue = notifications_of(practitioner)[-1]
        assert overdue.email_status == SENT
        message = mails_to(mail_app.smtp_sink, practitioner)[-1]
        assert "a safety plan review is overdue" in message.get_content()
        for secret in (CHILD_RISKS, CHILD_SAFE_CONTACT, "Child 2"):
            assert secret not in message.get_content()
        assert_no_personal_data(message)


def test_the_marac_pack_holds_no_safety_plan(built):
    from eip.cases import marac_pack, marac_services
    from eip.cases.records import DashReview

    case, practitioner, *_ = built
    db.session.add(
        DashReview(
            case_id=case.id,
            completed_on=today(),
            answers={str(n): "yes" for n in range(1, 16)},
            score=15,
            risk_level="high",
            marac=True,
            high_risk_threshold=10,
            marac_threshold=14,
        )
    )
    db.session.commit()
    referral = marac_services.prepare_referral(
        db.session,
        practitioner,
        case,
        reasons="Score at the MARAC threshold",
        agencies_involved="Police",
        safe_contact="Fictional line for the MARAC only",
        partner_aware="yes",
        referrer_phone="020 7946 0000",
    )
    body = flat(text(marac_pack.produce(db.session, practitioner, case, referral.id)))
    assert "Score at the MARAC threshold" in body
    for secret in (PARTNER_SAFE_CONTACT, CHILD_SAFE_CONTACT, PARTNER_RISKS, CHILD_RISKS):
        assert secret not in body
