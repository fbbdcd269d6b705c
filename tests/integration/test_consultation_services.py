"""The consultation services on a real database: booking, recording with the plan, plan
actions, onward referrals and the scenario plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import consultation_services as svc
from eip.cases.models import Case
from eip.cases.records import CaseAction, Consultation, OnwardReferral, ScenarioPlan
from eip.clock import today
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from eip.versioning import seen_token
from tests import factories
from tests import factories_pathway_progress as pf
from tests.audit_trail import events as _events

pytestmark = pytest.mark.usefixtures("app_context")


def _practitioner():
    return factories.user("practitioner")


def _booking_seen(case) -> str:
    """What the booking and recording forms carry: the current booking as the page saw it."""
    return seen_token(svc.latest_booking(db.session, case))


def _book(case, user, **changes):
    values = {
        "version": _booking_seen(case),
        "scheduled_for": case.received_at + timedelta(days=3),
        "medium": "secure_video",
        "attendees": "Practitioner, social worker",
    }
    values.update(changes)
    return svc.book_consultation(db.session, user, case, **values)


def _record(case, user, **changes):
    values = {
        "version": _booking_seen(case),
        "held_on": pf.days_ago(2),
        "outcome": "intervention",
        "advice": "",
        "plan_risks": "Escalating arguments",
        "plan_protective_factors": "Supportive grandparent nearby",
        "actions": (),
    }
    values.update(changes)
    return svc.record_consultation(db.session, user, case, **values)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------------------
# Booking


def test_booking_the_consultation_moves_an_acknowledged_case_to_booked():
    user = _practitioner()
    case = pf.acknowledged_case(user)
    booking = _book(case, user)
    assert case.status == "consultation_booked"
    assert booking.medium == "secure_video" and booking.recorded_by_id == user.id
    event = _events("case.consultation_booked")[0]
    assert event.details == {
        "fields": ["attendees", "medium", "scheduled_for"],
        "record": booking.id,
    }


def test_rebooking_adds_a_new_booking_and_keeps_the_earlier_one():
    user = _practitioner()
    case = pf.booked_case(user)
    _book(case, user, scheduled_for=case.received_at + timedelta(days=8))
    bookings = db.session.scalars(
        select(Consultation).where(Consultation.case_id == case.id).order_by(Consultation.id)
    ).all()
    assert len(bookings) == 2
    assert svc.current_booking(db.session, case).id == bookings[-1].id
    assert case.status == "consultation_booked"
    assert len(_events("case.consultation_rebooked")) == 1


def test_a_consultation_cannot_be_booked_before_the_referral_was_received():
    user = _practitioner()
    case = pf.acknowledged_case(user)
    with pytest.raises(RuleBroken) as refused:
        _book(case, user, scheduled_for=case.received_at - timedelta(minutes=1))
    assert "before the referral was received" in refused.value.errors["scheduled_on"]
    db.session.rollback()
    assert _count(Consultation) == 0


def test_a_consultation_cannot_be_booked_before_the_referral_is_acknowledged():
    user = _practitioner()
    case = factories.case("Camden", user, status="referred")
    with pytest.raises(RuleBroken, match="must be acknowledged"):
        svc.book_consultation(
            db.session,
            user,
            case,
            version="new",
            scheduled_for=datetime.now(UTC),
            medium="phone",
            attendees="x",
        )


def test_booking_needs_a_medium_and_attendees():
    user = _practitioner()
    case = pf.acknowledged_case(user)
    with pytest.raises(RuleBroken) as refused:
        _book(case, user, medium="carrier_pigeon", attendees="  ")
    assert set(refused.value.errors) == {"medium", "attendees"}


def test_a_booking_from_a_page_that_showed_another_booking_is_a_conflict_and_nothing_is_saved():
    user = _practitioner()
    case = pf.acknowledged_case(user)
    with pytest.raises(Conflict):
        _book(case, user, version="1.1")
    db.session.rollback()
    assert _count(Consultation) == 0


def test_a_manager_cannot_book_a_consultation():
    case = pf.acknowledged_case()
    with pytest.raises(NotAllowed):
        _book(case, factories.user("manager"))


# ---------------------------------------------------------------------------
# Recording the consultation and the plan


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("intervention", "awaiting_consent"),
        ("intervention_with_accommodation", "awaiting_consent"),
        ("consultation_only", "consultation_only"),
        ("not_suitable", "onward_referral"),
    ],
)
def test_each_consultation_outcome_takes_the_case_down_its_branch(outcome, status):
    user = _practitioner()
    case = pf.booked_case(user)
    _record(case, user, outcome=outcome, advice="Keep the safety plan under review")
    assert case.status == status
    held = svc.current_booking(db.session, case)
    assert held is None  # the booking is now the held consultation
    consultation = db.session.scalar(select(Consultation).where(Consultation.case_id == case.id))
    assert consultation.outcome == outcome and consultation.plan_risks == "Escalating arguments"


def test_recording_the_consultation_saves_the_plan_actions():
    user = _practitioner()
    case = pf.booked_case(user)
    consultation = _record(
        case,
        user,
        actions=[
            svc.PlanAction("Safety plan with partner", "Social worker", today()),
            svc.PlanAction("Refer to parenting support", "Practitioner", pf.days_ago(-7)),
        ],
    )
    actions = db.session.scalars(select(CaseAction).order_by(CaseAction.id)).all()
    assert [(a.kind, a.description, a.owner) for a in actions] == [
        ("plan", "Safety plan with partner", "Social worker"),
        ("plan", "Refer to parenting support", "Practitioner"),
    ]
    assert {a.source_id for a in actions} == {consultation.id}
    assert _events("case.consultation_recorded")[0].details["plan_actions"] == 2


def test_advice_to_the_social_worker_is_required_for_consultation_only():
    user = _practitioner()
    case = pf.booked_case(user)
    with pytest.raises(RuleBroken) as refused:
        _record(case, user, outcome="consultation_only", advice=" ")
    assert refused.value.errors == {"advice": "Enter the advice given to the social worker"}
    db.session.rollback()
    assert case.status == "consultation_booked"


def test_advice_is_not_required_for_the_other_outcomes():
    user = _practitioner()
    case = pf.booked_case(user)
    _record(case, user, outcome="not_suitable", advice="")
    assert case.status == "onward_referral"


def test_a_consultation_held_in_the_future_is_refused():
    user = _practitioner()
    case = pf.booked_case(user)
    with pytest.raises(RuleBroken) as refused:
        _record(case, user, held_on=today() + timedelta(days=1))
    assert refused.value.errors["held_on"].endswith("cannot be in the future")


def test_a_consultation_held_before_the_referral_is_refused():
    user = _practitioner()
    case = pf.booked_case(user)
    with pytest.raises(RuleBroken) as refused:
        _record(case, user, held_on=pf.days_ago(pf.RECEIVED_DAYS_AGO + 1))
    assert "before the referral was received" in refused.value.errors["held_on"]


def test_a_half_written_plan_action_is_refused_by_field():
    user = _practitioner()
    case = pf.booked_case(user)
    with pytest.raises(RuleBroken) as refused:
        _record(
            case,
            user,
            actions=[
                svc.PlanAction("Safety plan", "", None),
                svc.PlanAction("Review", "SW", pf.days_ago(5)),
            ],
        )
    assert set(refused.value.errors) == {
        "action_1_owner",
        "action_1_review_on",
        "action_2_review_on",
    }
    db.session.rollback()
    assert _count(CaseAction) == 0


def test_a_plan_action_cannot_be_reviewed_years_away():
    user = _practitioner()
    case = pf.booked_case(user)
    far = datetime(9999, 12, 31, tzinfo=UTC).date()
    with pytest.raises(RuleBroken) as refused:
        _record(case, user, actions=[svc.PlanAction("Safety plan", "SW", far)])
    assert refused.value.errors["action_1_review_on"].startswith(
        "The due date of action 1 cannot be after "
    )
    db.session.rollback()
    assert _count(CaseAction) == 0
    consulted = pf.consulted_case("intervention", user)
    with pytest.raises(RuleBroken) as refused:
        svc.add_plan_action(
            db.session,
            user,
            consulted,
            description="Check in with school",
            owner="Social worker",
            review_on=far,
        )
    assert refused.value.errors["review_on"].startswith("The due date cannot be after ")


def test_the_consultation_cannot_be_recorded_before_it_is_booked():
    user = _practitioner()
    case = pf.acknowledged_case(user)
    with pytest.raises(RuleBroken, match="must be booked"):
        _record(case, user)


def test_the_consultation_cannot_be_recorded_twice():
    user = _practitioner()
    case = pf.consulted_case("intervention", user)
    with pytest.raises(RuleBroken, match="already been recorded"):
        _record(case, user)


def test_a_plan_action_can_be_added_after_the_consultation():
    user = _practitioner()
    case = pf.consulted_case("intervention", user)
    action = svc.add_plan_action(
        db.session,
        user,
        case,
        description="Check in with school",
        owner="Social worker",
        review_on=today(),
    )
    assert action.kind == "plan" and action.due_on == today()


def test_a_plan_action_needs_a_recorded_consultation():
    user = _practitioner()
    case = pf.booked_case(user)
    with pytest.raises(RuleBroken, match="record the consultation first"):
        svc.add_plan_action(
            db.session,
            user,
            case,
            description="x",
            owner="y",
            review_on=today(),
        )


# ---------------------------------------------------------------------------
# Onward referrals


def _refer(case, user, **changes):
    values = {
        "agency": "idva",
        "agency_name": "",
        "referred_on": today(),
        "status": "made",
    }
    values.update(changes)
    return svc.add_onward_referral(db.session, user, case, **values)


def test_an_onward_referral_is_recorded_on_a_not_suitable_case():
    user = _practitioner()
    case = pf.consulted_case("not_suitable", user)
    referral = _refer(case, user)
    assert (referral.agency, referral.status) == ("idva", "made")
    assert case.status == "onward_referral"


def test_an_onward_referral_can_be_added_on_any_open_case():
    user = _practitioner()
    case = pf.active_case(user)
    _refer(case, user, agency="marac")
    assert _count(OnwardReferral) == 1


def test_another_agency_needs_its_name():
    user = _practitioner()
    case = pf.consulted_case("not_suitable", user)
    with pytest.raises(RuleBroken) as refused:
        _refer(case, user, agency="other", agency_name=" ")
    assert refused.value.errors == {"agency_name": "Enter the name of the agency"}


def test_an_onward_referral_dated_in_the_future_is_refused():
    user = _practitioner()
    case = pf.consulted_case("not_suitable", user)
    with pytest.raises(RuleBroken) as refused:
        _refer(case, user, referred_on=today() + timedelta(days=1))
    assert "future" in refused.value.errors["referred_on"]


def test_an_onward_referral_cannot_be_added_to_a_closed_case():
    user = _practitioner()
    case = pf.closed_case("onward_referral", user)
    with pytest.raises(RuleBroken, match="closed"):
        _refer(case, user)


def test_an_onward_referrals_status_can_be_changed_later():
    user = _practitioner()
    case = pf.consulted_case("not_suitable", user)
    referral = _refer(case, user, status="planned")
    assert svc.update_onward_referral(
        db.session, user, case, referral.id, version=referral.version, status="accepted"
    )
    assert referral.status == "accepted"
    assert _events("case.onward_referral_updated")[0].details["fields"] == ["status"]
    assert not svc.update_onward_referral(
        db.session, user, case, referral.id, version=referral.version, status="accepted"
    )


def test_another_cases_onward_referral_is_not_found():
    user = _practitioner()
    case = pf.consulted_case("not_suitable", user)
    other = pf.consulted_case("not_suitable", user)
    referral = _refer(other, user)
    with pytest.raises(NotFound):
        svc.update_onward_referral(
            db.session, user, case, referral.id, version=referral.version, status="accepted"
        )


# ---------------------------------------------------------------------------
# Scenario plan


def test_the_scenario_plan_is_written_then_edited_in_one_row_and_audited_by_field():
    user = _practitioner()
    case = pf.consulted_case("intervention_with_accommodation", user)
    plan = svc.save_scenario_plan(db.session, user, case, version="new", plan="Stay with brother")
    svc.save_scenario_plan(db.session, user, case, version=seen_token(plan), plan="Housing options")
    plans = db.session.scalars(select(ScenarioPlan)).all()
    assert [p.plan for p in plans] == ["Housing options"]
    recorded = {"fields": ["plan"], "record": plan.id}
    assert _events("case.scenario_plan_recorded")[0].details == recorded
    updated = _events("case.scenario_plan_updated")[0]
    assert updated.details == recorded
    assert "Housing" not in str(updated.details)


def test_a_scenario_plan_is_only_for_the_outcome_with_accommodation():
    user = _practitioner()
    case = pf.consulted_case("intervention", user)
    with pytest.raises(RuleBroken, match="temporary accommodation"):
        svc.save_scenario_plan(db.session, user, case, version="new", plan="x")


def test_a_scenario_plan_needs_text():
    user = _practitioner()
    case = pf.consulted_case("intervention_with_accommodation", user)
    with pytest.raises(RuleBroken) as refused:
        svc.save_scenario_plan(db.session, user, case, version="new", plan="  ")
    assert "plan" in refused.value.errors


def test_a_save_racing_another_is_refused_as_a_conflict_not_merged():
    """Both saw no booking; the first to commit wins, the second is refused."""
    user = _practitioner()
    case = pf.acknowledged_case(user)
    seen, case_id, user_id = "new", case.id, user.id
    db.session.rollback()  # on SQLite, an open transaction would hold the lock
    with Session(db.engine, expire_on_commit=False) as other:
        theirs = other.get(Case, case_id)
        also_user = other.get(User, user_id)
        other.commit()  # ends its read (on SQLite, releases the lock) and keeps what it saw
        _book(case, user, version=seen)
        with pytest.raises(Conflict):
            svc.book_consultation(
                other,
                also_user,
                theirs,
                version=seen,
                scheduled_for=theirs.received_at + timedelta(days=4),
                medium="phone",
                attendees="Practitioner",
            )
        assert other.scalar(select(func.count()).select_from(Consultation)) == 1
