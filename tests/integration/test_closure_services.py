"""Closing a case from each state it may close from, and a manager reopening it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.cases import closure_services as svc
from eip.cases import rules
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_pathway_progress as pf

pytestmark = pytest.mark.usefixtures("app_context")


def _close(case, user, **changes):
    values = {
        "outcome": "completed",
        "risk_level": "medium",
        "living_arrangements": "living_apart",
        "childrens_services_status": "child_in_need",
        "police_callouts": 1,
        "reason": "Intervention completed; support in place",
    }
    values.update(changes)
    return svc.close_case(db.session, user, case, **values)


@pytest.mark.parametrize("status", sorted(rules.CLOSABLE_STATES))
def test_a_case_closes_from_each_closable_state_and_remembers_it(status):
    user = factories.user("practitioner")
    case = pf.case_in(status, user)
    _close(case, user)
    assert case.status == "closed"
    assert case.status_before_closure == status
    assert case.closed_by_id == user.id and case.closed_at is not None
    assert (case.closure_outcome, case.closure_risk_level) == ("completed", "medium")
    assert case.closure_police_callouts == 1


def test_closure_is_audited_by_field_name_without_values():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    _close(case, user, reason="A very private reason")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.closed"))
    assert "closure_reason" in event.details["fields"]
    assert "private" not in str(event.details) and event.reason is None


@pytest.mark.parametrize("status", ["awaiting_late_agreement", "closed", "not_accepted"])
def test_a_case_cannot_be_closed_from_a_state_that_does_not_allow_it(status):
    user = factories.user("practitioner")
    case = factories.case("Camden", user, status=status)
    with pytest.raises(RuleBroken):
        _close(case, user)
    db.session.rollback()
    assert case.status == status


def test_every_closure_detail_is_checked_together():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    with pytest.raises(RuleBroken) as refused:
        _close(
            case,
            user,
            outcome="vanished",
            risk_level="",
            living_arrangements=None,
            childrens_services_status="x",
            police_callouts=-1,
            reason=" ",
        )
    assert set(refused.value.errors) == {
        "outcome",
        "risk_level",
        "living_arrangements",
        "childrens_services_status",
        "police_callouts",
        "reason",
    }
    db.session.rollback()
    assert case.status == "active"


def test_a_manager_may_not_close_a_case():
    case = pf.active_case()
    with pytest.raises(NotAllowed):
        _close(case, factories.user("manager"))


def test_a_case_closed_meanwhile_is_not_closed_again():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    _close(case, user)
    with pytest.raises(RuleBroken):
        _close(case, factories.user("practitioner"), outcome="disengaged")
    db.session.rollback()
    assert case.closure_outcome == "completed"


def test_only_one_of_two_reopenings_is_saved():
    case = pf.closed_case("active")
    svc.reopen_case(db.session, factories.user("manager"), case, reason="New info")
    with pytest.raises(RuleBroken, match="Only a closed case"):
        svc.reopen_case(db.session, factories.user("manager"), case, reason="Also new info")


# ---------------------------------------------------------------------------
# Reopening


@pytest.mark.parametrize("before", ["active", "consultation_only", "onward_referral"])
def test_reopening_returns_the_case_to_its_status_before_closure(before):
    manager = factories.user("manager")
    case = pf.closed_case(before)
    assert svc.reopen_case(db.session, manager, case, reason="New info")
    assert case.status == before


def test_reopening_keeps_the_closure_details_and_audits_the_reason():
    manager = factories.user("manager")
    case = pf.closed_case("active")
    svc.reopen_case(db.session, manager, case, reason="Police report")
    assert case.closure_outcome == "completed" and case.closed_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.reopened"))
    assert event.reason == "Police report" and event.actor_id == manager.id
    assert event.details == {"fields": ["status"]}


def test_a_practitioner_may_not_reopen_a_case():
    practitioner = factories.user("practitioner")
    case = pf.closed_case("active", practitioner)
    with pytest.raises(NotAllowed):
        svc.reopen_case(db.session, practitioner, case, reason="x")
    assert case.status == "closed"


def test_reopening_needs_a_reason():
    case = pf.closed_case("active")
    with pytest.raises(RuleBroken) as refused:
        svc.reopen_case(db.session, factories.user("manager"), case, reason="")
    assert refused.value.errors == {"reason": "Enter the reason the case is reopened"}


def test_only_a_closed_case_can_be_reopened():
    case = pf.active_case()
    with pytest.raises(RuleBroken, match="Only a closed case"):
        svc.reopen_case(db.session, factories.user("manager"), case, reason="x")


def test_a_closed_then_reopened_case_can_be_closed_again():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    _close(case, user)
    svc.reopen_case(db.session, factories.user("manager"), case, reason="r")
    _close(case, user, outcome="disengaged")
    assert case.status == "closed" and case.closure_outcome == "disengaged"
    assert case.status_before_closure == "active"


# ---------------------------------------------------------------------------
# Closing at high risk, or with an IDVA or MARAC referral open, needs its own reason


def _high_risk_case(user, score=11, level="high"):
    from datetime import date

    from tests import factories_pathway_activity as fa

    case = pf.active_case(user)
    fa.dash_review(case, date(2026, 3, 6), score, level)
    return case


def test_closing_after_a_high_risk_dash_without_a_risk_reason_is_refused():
    user = factories.user("practitioner")
    case = _high_risk_case(user)
    with pytest.raises(RuleBroken) as refused:
        _close(case, user)
    assert refused.value.errors == {"risk_reason": svc.RISK_REASON_MISSING}
    db.session.rollback()
    assert case.status == "active"


def test_the_risk_reason_is_stored_and_audited_by_name():
    user = factories.user("practitioner")
    case = _high_risk_case(user)
    _close(case, user, risk_reason="  IDVA now leads on the partner's safety  ")
    assert case.status == "closed"
    assert case.closure_risk_reason == "IDVA now leads on the partner's safety"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.closed"))
    assert "closure_risk_reason" in event.details["fields"]
    assert "IDVA" not in str(event.details)


def test_an_open_idva_action_alone_needs_the_risk_reason():
    from tests import factories_pathway_activity as fa

    user = factories.user("practitioner")
    case = pf.active_case(user)
    action = fa.action(case, "idva_referral")
    outcomes = {svc.action_field(action): "not_needed"}
    with pytest.raises(RuleBroken) as refused:
        _close(case, user, action_outcomes=outcomes)
    assert "risk_reason" in refused.value.errors
    db.session.rollback()
    _close(case, user, action_outcomes=outcomes, risk_reason="Partner declined the IDVA")
    assert case.closure_risk_reason == "Partner declined the IDVA"


def test_a_standard_risk_case_needs_no_risk_reason_and_keeps_none():
    user = factories.user("practitioner")
    case = _high_risk_case(user, score=4, level="standard")
    _close(case, user, risk_reason="ignored")
    assert case.status == "closed" and case.closure_risk_reason is None


def test_the_closure_summary_shows_the_risk_reason():
    from eip.cases.documents_data import closure_data
    from eip.cases.documents_letters import closure_story

    user = factories.user("practitioner")
    case = _high_risk_case(user)
    _close(case, user, risk_reason="MARAC heard the case; the IDVA leads")
    data = closure_data(db.session, case)
    assert data.risk_reason == "MARAC heard the case; the IDVA leads"
    text = str(closure_story(data))
    assert "Why closed at high risk" in text and "the IDVA leads" in text
