"""Consent on a real database: separate decisions per person and purpose, the gate that
starts the intervention, and what a withdrawal does (and does not) do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from eip.admin.models import NonWorkingDay
from eip.audit import AuditEvent
from eip.cases import consent_services as svc
from eip.cases import rules
from eip.cases.activity_services import facts_from_consents
from eip.cases.consent_state import KINDS
from eip.cases.records import CaseAction, Consent
from eip.clock import today
from eip.domain import Conflict, NotFound, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_pathway_progress as pf

pytestmark = pytest.mark.usefixtures("app_context")


def _seen(case) -> str:
    """What the consent form carries: the newest decision of each person and purpose."""
    return svc.seen_consents(svc.consent_states(db.session, case))


def _consent(case, user, *, kind="intervention", state="given", **changes):
    """One person's form with a decision for `kind` only, the other purposes not asked."""
    values = {
        "version": _seen(case),
        "person_role": "client",
        "decisions": {other: svc.NOT_ASKED for other in KINDS} | {kind: state},
        "recorded_on": pf.days_ago(3),
        "obtained_by": "Allocated social worker",
        "how": "in_person",
    }
    values.update(changes)
    return svc.record_consents(db.session, user, case, **values)


def _withdraw(case, user, consent, **changes):
    values = {"version": consent.version, "withdrawn_on": today(), "reason": "No longer wishes to"}
    values.update(changes)
    return svc.withdraw_consent(db.session, user, case, consent.id, **values)


def _review_actions() -> list[CaseAction]:
    return list(db.session.scalars(select(CaseAction).where(CaseAction.kind == "consent_review")))


# ---------------------------------------------------------------------------
# The gate


def test_both_intervention_consents_make_the_case_active_from_the_later_date():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    first = _consent(case, user, person_role="client", recorded_on=pf.days_ago(4))
    assert not first.intervention_started and case.status == "awaiting_consent"
    second = _consent(case, user, person_role="partner", recorded_on=pf.days_ago(2))
    assert second.intervention_started
    assert case.status == "active"
    assert case.intervention_started_on == pf.days_ago(2)
    started = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "case.intervention_started")
    )
    assert started.details == {"fields": ["intervention_started_on", "status"]}


def test_one_intervention_consent_is_not_enough():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    _consent(case, user, person_role="client")
    _consent(case, user, person_role="client", kind="accommodation")
    _consent(case, user, person_role="partner", kind="accommodation")
    assert case.status == "awaiting_consent"
    assert case.intervention_started_on is None


def test_a_declined_consent_does_not_start_the_intervention():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    _consent(case, user, person_role="client")
    _consent(case, user, person_role="partner", state="declined")
    assert case.status == "awaiting_consent"


def test_a_withdrawn_consent_does_not_count_towards_starting():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    client = _consent(case, user, person_role="client").consents[0]
    _withdraw(case, user, client)
    _consent(case, user, person_role="partner")
    assert case.status == "awaiting_consent"
    # Given again, it counts.
    _consent(case, user, person_role="client", recorded_on=today())
    assert case.status == "active"
    assert case.intervention_started_on == today()


def test_consent_to_the_intervention_waits_for_a_suitable_consultation():
    user = factories.user("practitioner")
    case = pf.booked_case(user)
    with pytest.raises(RuleBroken) as refused:
        _consent(case, user)
    assert (
        "once the consultation has found the case suitable"
        in refused.value.errors["decision_intervention"]
    )


@pytest.mark.parametrize("kind", ["information_sharing", "evaluation"])
def test_consent_about_data_can_be_recorded_at_any_time_even_after_closure(kind):
    user = factories.user("practitioner")
    case = pf.closed_case("active", user)
    _consent(case, user, kind=kind, state="declined")
    assert case.status == "closed"
    assert svc.consent_states(db.session, case)[("client", kind)].state == "declined"


def test_each_person_and_purpose_is_a_separate_record():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention_with_accommodation", user)
    _consent(case, user, person_role="client", kind="accommodation")
    states = svc.consent_states(db.session, case)
    assert states[("client", "accommodation")].state == "given"
    assert states[("partner", "accommodation")].state == "not_asked"
    assert states[("client", "intervention")].state == "not_asked"


def test_the_same_decision_twice_is_refused():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    _consent(case, user, kind="evaluation")
    with pytest.raises(RuleBroken) as refused:
        _consent(case, user, kind="evaluation")
    assert refused.value.errors == {
        "decision_evaluation": "This consent is already recorded as given"
    }


def test_a_consent_in_force_is_withdrawn_not_declined_over():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    _consent(case, user, kind="evaluation")
    with pytest.raises(RuleBroken) as refused:
        _consent(case, user, kind="evaluation", state="declined")
    assert "record its withdrawal" in refused.value.errors["decision_evaluation"]


def test_a_consent_dated_in_the_future_is_refused_and_nothing_is_saved():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    with pytest.raises(RuleBroken) as refused:
        _consent(case, user, recorded_on=today() + timedelta(days=1))
    assert "future" in refused.value.errors["recorded_on"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0


def test_a_consent_needs_who_obtained_it_and_how():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    with pytest.raises(RuleBroken) as refused:
        _consent(case, user, obtained_by="", how="telepathy")
    assert set(refused.value.errors) == {"obtained_by", "how"}


def test_a_decision_from_a_page_older_than_the_same_persons_decision_is_a_conflict():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    seen = _seen(case)
    _consent(case, user, person_role="partner")  # another consent: refuses nothing
    _consent(case, user, kind="evaluation", version=seen)
    _consent(case, user, state="declined")  # the client's intervention consent, meanwhile
    with pytest.raises(Conflict, match="consent recorded by"):
        _consent(case, user, version=seen)


# ---------------------------------------------------------------------------
# Withdrawal


def test_withdrawing_intervention_consent_adds_an_urgent_review_due_the_next_working_day():
    # Wednesday 25 November 2026; the managers made Thursday a non-working day.
    with time_machine.travel(datetime(2026, 11, 25, 12, 0, tzinfo=UTC), tick=False):
        user = factories.user("practitioner", name="Pat Practitioner")
        case = pf.active_case(user)
        client = svc.consent_states(db.session, case)[("client", "intervention")].record
        db.session.add(NonWorkingDay(day=date(2026, 11, 26), reason="Office closed"))
        db.session.commit()
        withdrawn = _withdraw(case, user, client)
    action = withdrawn.review_action
    assert action.urgent and action.kind == "consent_review"
    assert action.due_on == date(2026, 11, 27)
    assert action.owner == "Pat Practitioner"
    assert "client withdrew consent to the intervention" in action.description
    assert client.withdrawn_on == date(2026, 11, 25)
    assert client.withdrawal_reason == "No longer wishes to"


def test_withdrawing_intervention_consent_stops_new_sessions_and_leaves_the_case_open():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    partner = svc.consent_states(db.session, case)[("partner", "intervention")].record
    _withdraw(case, user, partner)
    assert case.status == "active"
    facts = facts_from_consents(svc.consent_states(db.session, case))
    assert not rules.can_record_session(case.status, facts)
    # Nothing else is blocked: a meeting and a DASH review may still be recorded.
    assert rules.can_record_meeting(case.status)
    assert rules.can_record_dash_or_incident(case.status)


def test_withdrawing_accommodation_consent_adds_an_urgent_review_and_ends_nothing():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention_with_accommodation", user)
    given = _consent(case, user, person_role="partner", kind="accommodation").consents[0]
    _withdraw(case, user, given)
    (action,) = _review_actions()
    assert action.urgent and "partner withdrew consent to temporary accommodation" in (
        action.description
    )
    assert case.status == "awaiting_consent"


@pytest.mark.parametrize("kind", ["information_sharing", "evaluation"])
def test_withdrawing_consent_about_data_is_recorded_without_a_review_action(kind):
    user = factories.user("practitioner")
    case = pf.active_case(user)
    given = _consent(case, user, kind=kind).consents[0]
    withdrawn = _withdraw(case, user, given)
    assert withdrawn.review_action is None and _review_actions() == []
    assert svc.consent_states(db.session, case)[("client", kind)].state == "withdrawn"
    assert case.status == "active"


def test_a_consent_is_withdrawn_only_once():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    client = svc.consent_states(db.session, case)[("client", "intervention")].record
    _withdraw(case, user, client)
    with pytest.raises(RuleBroken, match="already been withdrawn"):
        _withdraw(case, user, client)


def test_a_declined_consent_cannot_be_withdrawn():
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    declined = _consent(case, user, state="declined").consents[0]
    with pytest.raises(RuleBroken, match="Only a consent that was given"):
        _withdraw(case, user, declined)


def test_a_withdrawal_cannot_be_dated_before_the_consent_or_in_the_future():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    client = svc.consent_states(db.session, case)[("client", "intervention")].record
    with pytest.raises(RuleBroken) as before:
        _withdraw(case, user, client, withdrawn_on=client.recorded_on - timedelta(days=1))
    assert "before the date it was given" in before.value.errors["withdrawn_on"]
    db.session.rollback()
    with pytest.raises(RuleBroken) as future:
        _withdraw(case, user, client, withdrawn_on=today() + timedelta(days=1))
    assert "future" in future.value.errors["withdrawn_on"]


def test_a_withdrawal_needs_a_reason():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    client = svc.consent_states(db.session, case)[("client", "intervention")].record
    with pytest.raises(RuleBroken) as refused:
        _withdraw(case, user, client, reason="")
    assert "reason" in refused.value.errors


def test_another_cases_consent_is_not_found():
    user = factories.user("practitioner")
    case, other = pf.active_case(user), pf.active_case(user)
    theirs = svc.consent_states(db.session, other)[("client", "intervention")].record
    with pytest.raises(NotFound):
        _withdraw(case, user, theirs)


def test_withdrawal_on_a_closed_case_is_recorded_without_a_review_action():
    user = factories.user("practitioner")
    case = pf.closed_case("active", user)
    given = pf.consent(case, "client", "evaluation")
    intervention = pf.consent(case, "partner", "intervention")
    _withdraw(case, user, given)
    _withdraw(case, user, intervention)
    assert _review_actions() == []
    assert case.status == "closed"


def test_the_audit_names_fields_and_never_the_reason():
    user = factories.user("practitioner")
    case = pf.active_case(user)
    client = svc.consent_states(db.session, case)[("client", "intervention")].record
    _withdraw(case, user, client, reason="Private detail about the family")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_reference.is_not(None)))
    for event in events:
        assert "Private detail" not in str(event.details) and event.reason is None
