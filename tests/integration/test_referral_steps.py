"""Acknowledging a referral, the late-referral decision, the partner's page and
correcting a referral, through the services on a real database."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from eip.cases import page, referral_edit, referral_steps
from eip.cases.records import LateReferralDecision
from eip.clock import now, today
from eip.domain import Conflict, NotAllowed, RuleBroken
from eip.extensions import db
from eip.notifications.reminders import due_reminders
from tests import factories
from tests import factories_pathway_referral as rf
from tests.audit_trail import events as _events

LATE = rf.london(date(2026, 8, 18), 16, 0)  # the day before the window opens


@pytest.fixture
def practitioner(app_context):
    return factories.user("practitioner")


@pytest.fixture
def manager(app_context):
    return factories.user("manager")


def _acknowledge(user, case, **overrides):
    values = {
        "acknowledged_at": rf.london(date(2026, 9, 7), 9, 15),
        "method": "secure_email",
    }
    values.update(overrides)
    return referral_steps.acknowledge(db.session, user, case, **values)


def _agree(user, case, **overrides):
    values = {
        "decided_on": date(2026, 8, 25),
        "cranstoun_agreed_by": "Chris Cranstoun",
        "respect_agreed_by": "Rae Respect",
        "camden_agreed_by": "Cam Camden",
        "support_confirmed": True,
        "note": "Agreement e-mails kept on the shared drive",
    }
    values.update(overrides)
    return referral_steps.record_late_agreement(db.session, user, case, **values)


def _refuse(user, case, **overrides):
    values = {"decided_on": date(2026, 8, 25), "note": "No capacity"}
    values.update(overrides)
    return referral_steps.refuse_late_referral(db.session, user, case, **values)


# ---------------------------------------------------------------------------
# Acknowledgement


def test_acknowledging_records_when_how_and_who_and_moves_the_case_on(practitioner):
    case = rf.recorded_case(practitioner)
    version = case.version
    assert _acknowledge(practitioner, case) == "acknowledged"
    assert case.status == "acknowledged"
    assert case.acknowledgement_method == "secure_email"
    assert case.acknowledged_by_id == practitioner.id
    assert case.version == version + 1
    [event] = _events("case.acknowledged")
    assert event.details["fields"] == ["acknowledged_at", "acknowledgement_method"]


def test_a_referral_cannot_be_acknowledged_twice(practitioner):
    case = rf.recorded_case(practitioner)
    _acknowledge(practitioner, case)
    with pytest.raises(RuleBroken, match="already been acknowledged"):
        _acknowledge(practitioner, case)


def test_a_late_referral_is_acknowledged_but_still_waits_and_only_once(practitioner):
    case = rf.recorded_case(practitioner, received_at=LATE)
    assert _acknowledge(practitioner, case, acknowledged_at=LATE + timedelta(hours=1)) == (
        "awaiting_late_agreement"
    )
    assert case.acknowledged_at is not None
    with pytest.raises(RuleBroken, match="already been acknowledged"):
        _acknowledge(practitioner, case)


def test_an_acknowledgement_before_the_referral_arrived_is_refused(practitioner):
    case = rf.recorded_case(practitioner)
    with pytest.raises(RuleBroken) as refused:
        _acknowledge(practitioner, case, acknowledged_at=rf.london(rf.SATURDAY, 10, 29))
    assert refused.value.errors == {
        "acknowledged_time": "The acknowledgement cannot be before the referral was received"
    }


def test_an_acknowledgement_in_the_future_is_refused(practitioner):
    case = rf.recorded_case(practitioner)
    with pytest.raises(RuleBroken) as refused:
        _acknowledge(practitioner, case, acknowledged_at=now() + timedelta(minutes=5))
    assert "future" in refused.value.errors["acknowledged_time"]


def test_an_acknowledgement_needs_a_known_method(practitioner):
    case = rf.recorded_case(practitioner)
    with pytest.raises(RuleBroken) as refused:
        _acknowledge(practitioner, case, method="carrier_pigeon")
    assert "method" in refused.value.errors
    assert case.acknowledged_at is None


def test_a_second_acknowledgement_is_refused_and_changes_nothing(practitioner):
    case = rf.recorded_case(practitioner)
    _acknowledge(practitioner, case)
    with pytest.raises(RuleBroken):
        _acknowledge(practitioner, case, method="phone")
    db.session.rollback()
    assert case.acknowledgement_method == "secure_email"


@pytest.mark.parametrize("role", ["manager", "spoc", "finance"])
def test_only_practitioners_acknowledge(practitioner, role):
    case = rf.recorded_case(practitioner)
    with pytest.raises(NotAllowed):
        _acknowledge(factories.user(role), case)


# ---------------------------------------------------------------------------
# The late-referral decision


def test_an_agreement_lets_an_unacknowledged_late_referral_go_on_as_referred(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    assert _agree(manager, case) == "referred"
    decision = db.session.scalar(select(LateReferralDecision))
    assert decision.decision == "agreed" and decision.support_confirmed
    assert decision.camden_agreed_by == "Cam Camden" and decision.recorded_by_id == manager.id
    assert [e.actor_id for e in _events("case.late_referral_agreed")] == [manager.id]


def test_an_agreement_after_the_acknowledgement_leaves_the_case_acknowledged(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    _acknowledge(practitioner, case, acknowledged_at=LATE + timedelta(hours=2))
    assert _agree(manager, case) == "acknowledged"


def test_an_agreed_late_referral_owes_its_consultation_booking_from_the_agreement(
    practitioner, manager
):
    # Received Tuesday 18 August, agreed on Tuesday 1 September. Counted from receipt the
    # booking was due 25 August: overdue on the case page, and reminded (then escalated) at
    # once. Counted from the agreement, both say 8 September.
    case = rf.recorded_case(practitioner, received_at=LATE)
    _acknowledge(practitioner, case, acknowledged_at=LATE + timedelta(hours=2))
    with time_machine.travel(rf.london(date(2026, 9, 1), 10, 0), tick=False):
        _agree(manager, case, decided_on=date(2026, 9, 1))
    next_day = rf.london(date(2026, 9, 2), 9, 0)
    with time_machine.travel(next_day, tick=False):
        due = {
            item.kind: (item.due_on, state)
            for item, state in page.build(db.session, case, with_access_log=False).due
        }
        assert due["consultation_booking"] == (date(2026, 9, 8), "later")
        booking = [
            r for r in due_reminders(db.session, next_day) if r.topic == "consultation_booking"
        ]
        assert booking == []
    on_the_day = rf.london(date(2026, 9, 8), 9, 0)
    [reminder] = [
        r for r in due_reminders(db.session, on_the_day) if r.topic == "consultation_booking"
    ]
    assert (reminder.case_id, reminder.due_on) == (case.id, date(2026, 9, 8))


def test_an_agreement_needs_all_three_names_and_the_confirmation(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    with pytest.raises(RuleBroken) as refused:
        _agree(manager, case, camden_agreed_by=" ", support_confirmed=False)
    assert set(refused.value.errors) == {"camden_agreed_by", "support_confirmed"}
    db.session.rollback()
    assert case.status == "awaiting_late_agreement"
    assert db.session.scalar(select(func.count()).select_from(LateReferralDecision)) == 0


def test_a_decision_dated_before_the_referral_or_in_the_future_is_refused(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    with pytest.raises(RuleBroken) as early:
        _agree(manager, case, decided_on=date(2026, 8, 17))
    assert "before the referral" in early.value.errors["decided_on"]
    with pytest.raises(RuleBroken) as future:
        _refuse(manager, case, decided_on=today() + timedelta(days=1))
    assert "future" in future.value.errors["decided_on"]


def test_a_refusal_closes_the_case_as_not_accepted(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    assert _refuse(manager, case) == "not_accepted"
    assert case.closure_outcome == "not_accepted" and case.closed_at is not None
    assert case.closed_by_id == manager.id
    assert db.session.scalar(select(LateReferralDecision)).decision == "refused"


def test_a_refusal_needs_a_note(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    with pytest.raises(RuleBroken) as refused:
        _refuse(manager, case, note="")
    assert refused.value.errors == {"note": "Enter why the late referral was refused"}


def test_a_second_decision_is_refused(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    _agree(manager, case)
    with pytest.raises(RuleBroken, match="already been recorded"):
        _refuse(manager, case)


def test_a_referral_inside_the_window_needs_no_decision(practitioner, manager):
    case = rf.recorded_case(practitioner)
    with pytest.raises(RuleBroken, match="not waiting for a late-referral agreement"):
        _agree(manager, case)


def test_a_practitioner_cannot_record_the_late_decision(practitioner):
    case = rf.recorded_case(practitioner, received_at=LATE)
    with pytest.raises(NotAllowed):
        _agree(practitioner, case)


def test_a_late_referral_cannot_go_to_consultation_before_the_decision(practitioner):
    from eip.cases.rules import next_status

    case = rf.recorded_case(practitioner, received_at=LATE)
    _acknowledge(practitioner, case, acknowledged_at=LATE + timedelta(hours=1))
    with pytest.raises(RuleBroken, match="waiting for the late-referral agreement"):
        next_status(case.status, "book_consultation")


# ---------------------------------------------------------------------------
# The partner's page


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_every_view_of_the_partners_details_is_audited(practitioner, role):
    case = rf.recorded_case(practitioner)
    viewer = factories.user(role)
    referral_steps.view_partner(db.session, viewer, case)
    referral_steps.view_partner(db.session, viewer, case)
    events = _events("case.partner_viewed")
    assert [(e.actor_id, e.case_reference) for e in events] == [(viewer.id, case.reference)] * 2


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_other_roles_may_not_see_the_partners_details(practitioner, role):
    case = rf.recorded_case(practitioner)
    with pytest.raises(NotAllowed):
        referral_steps.view_partner(db.session, factories.user(role), case)
    assert _events("case.partner_viewed") == []


# ---------------------------------------------------------------------------
# Correcting the referral


def _update(user, case, version=None, **changes):
    details = replace(referral_edit.current_details(case), **changes)
    return referral_edit.update_referral(
        db.session,
        user,
        case,
        version=case.referral_version if version is None else version,
        details=details,
    )


def test_a_correction_saves_and_audits_the_changed_field_names_only(practitioner):
    case = rf.recorded_case(practitioner)
    version = case.referral_version
    changed = _update(practitioner, case, client_phone="07700 900999", weapons="yes")
    assert changed == ["client_phone", "weapons"]
    assert case.client.phone == "07700 900999" and case.weapons == "yes"
    assert case.referral_version == version + 1
    [event] = _events("case.updated")
    assert event.details == {"fields": ["client_phone", "weapons"]}


def test_a_correction_that_changes_nothing_writes_nothing(practitioner):
    case = rf.recorded_case(practitioner)
    assert _update(practitioner, case) == []
    assert _events("case.updated") == []


def test_a_correction_from_an_old_page_is_a_conflict_and_saves_nothing(practitioner):
    case = rf.recorded_case(practitioner)
    seen = case.referral_version
    _update(practitioner, case, client_phone="07700 900111")
    with pytest.raises(Conflict):
        _update(practitioner, case, version=seen, client_phone="07700 900222")
    db.session.rollback()
    assert case.client.phone == "07700 900111"


def test_the_borough_cannot_be_changed(practitioner):
    case = rf.recorded_case(practitioner)
    other = factories.borough("Hackney")
    assert _update(practitioner, case, borough_id=other.id) == []
    assert case.borough.name == "Camden"


def test_a_correction_keeps_the_rules(practitioner):
    case = rf.recorded_case(practitioner)
    with pytest.raises(RuleBroken) as refused:
        _update(practitioner, case, client_date_of_birth=date(2012, 1, 1))
    assert "16 or older" in refused.value.errors["client_date_of_birth"]


def test_moving_the_received_date_out_of_the_window_before_any_decision_makes_it_late(
    practitioner,
):
    case = rf.recorded_case(practitioner)
    _update(practitioner, case, received_at=LATE)
    assert case.late_referral and case.status == "awaiting_late_agreement"
    _update(practitioner, case, received_at=rf.london(rf.SATURDAY))
    assert not case.late_referral and case.status == "referred"


def test_the_received_time_cannot_move_after_the_acknowledgement(practitioner):
    case = rf.recorded_case(practitioner)
    _acknowledge(practitioner, case)
    with pytest.raises(RuleBroken, match="after the referral was acknowledged"):
        _update(practitioner, case, received_at=rf.london(date(2026, 9, 8)))


def test_lateness_cannot_change_once_decided(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    _agree(manager, case)
    with pytest.raises(RuleBroken, match="can no longer change"):
        _update(practitioner, case, received_at=rf.london(rf.SATURDAY))


def test_a_closed_case_cannot_be_corrected(practitioner, manager):
    case = rf.recorded_case(practitioner, received_at=LATE)
    _refuse(manager, case)
    with pytest.raises(RuleBroken, match="not accepted"):
        _update(practitioner, case, client_phone="07700 900333")
