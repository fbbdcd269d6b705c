"""Placement requests through the services on a real database: what a request still lacks,
making one, every refusal (listing all that is missing, nothing written), and the
practitioner's two outcomes of a request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accommodation.models import Placement
from accommodation.placements import request_services as requests
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.cases.records import Consultation, ScenarioPlan
from eip.clock import today
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_progress as pf


@pytest.fixture
def practitioner(app_context):
    return factories.user("practitioner")


def _values(case: Case, **changes) -> dict:
    values = {
        "move_in_on": today() + timedelta(days=3),
        "nights": 14,
        "location_preference": "Near the children's school in Kentish Town",
        "areas_to_avoid": "Holloway Road and the market",
        "booking_needs": "Ground floor room",
        "out_of_borough": False,
        "out_of_borough_safety": "",
        "out_of_borough_mitigation": "",
        "safe_practitioner": True,
        "safe_social_worker": True,
        "social_worker_name": "Mira Fictional",
        "safety_judged_on": today() - timedelta(days=1),
    }
    values.update(changes)
    return values


def _request(user, case: Case, **changes) -> Placement:
    return requests.request_placement(db.session, user, case, **_values(case, **changes))


def _placements() -> int:
    return db.session.scalar(select(func.count()).select_from(Placement))


def _refusal(user, case: Case, **changes) -> RuleBroken:
    with pytest.raises(RuleBroken) as caught:
        _request(user, case, **changes)
    db.session.rollback()
    return caught.value


def _settings() -> ProgrammeSettings:
    return db.session.get(ProgrammeSettings, 1)


# ---------------------------------------------------------------------------
# Readiness


def test_a_case_with_the_outcome_consents_and_scenario_plan_is_ready(app_context):
    assert requests.readiness(db.session, fa.accommodation_case()) == []


def test_readiness_lists_each_missing_consent_and_the_scenario_plan(app_context):
    case = fa.accommodation_case(accommodation_consents=False, scenario_plan=False)
    pf.consent(case, "partner", "accommodation", state="declined")
    missing = requests.readiness(db.session, case)
    assert missing == [
        "The client's consent to temporary accommodation has not been asked yet",
        "The partner's consent to temporary accommodation was declined",
        "Write the scenario plan: what happens if the couple stay apart after the 4 weeks",
    ]


def test_readiness_says_a_withdrawn_consent_is_not_in_force(app_context):
    case = fa.accommodation_case()
    pf.consent(case, "client", "accommodation", withdrawn_on=pf.days_ago(1))
    assert requests.readiness(db.session, case) == [
        "The client's consent to temporary accommodation was withdrawn"
    ]


def test_readiness_needs_the_intervention_with_accommodation_outcome(app_context):
    case = fa.accommodation_case()
    consultation = db.session.scalar(select(Consultation).where(Consultation.case_id == case.id))
    consultation.outcome = "intervention"
    db.session.commit()
    assert requests.readiness(db.session, case) == [
        "The consultation outcome is not the intervention with temporary accommodation"
    ]


def test_readiness_needs_an_open_case(app_context):
    case = fa.accommodation_case()
    case.status = "closed"
    db.session.commit()
    (message,) = requests.readiness(db.session, case)
    assert message.startswith("The case is closed: accommodation can be requested only while")


def test_readiness_refuses_a_second_placement_while_one_has_not_ended(app_context):
    case = fa.accommodation_case()
    placement = fa.placement(case, "checked_in", nights=14)
    (message,) = requests.readiness(db.session, case)
    assert f"This case already has the placement {placement.name} (checked in)" in message


def test_readiness_says_when_the_client_has_used_every_night(app_context):
    case = fa.accommodation_case()
    fa.placement(case, "ended", nights=28)
    assert requests.readiness(db.session, case) == [
        "The client has already had all 28 nights of accommodation allowed"
    ]


# ---------------------------------------------------------------------------
# Making the request


def test_a_practitioner_requests_a_placement_for_the_cases_borough(practitioner):
    case = fa.accommodation_case(borough_name="Hackney")
    placement = _request(practitioner, case)
    db.session.expire_all()
    assert placement.state == "requested"
    assert placement.borough_id == case.borough_id
    assert placement.client_id == case.client_id
    assert (placement.nights, placement.safe_practitioner, placement.safe_social_worker) == (
        14,
        True,
        True,
    )
    assert placement.areas_to_avoid == "Holloway Road and the market"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.requested"))
    assert event.case_reference == case.reference
    # Field names only: never what was typed.
    assert "Holloway" not in str(event.details)


def test_a_request_without_consents_or_safety_judgement_lists_everything_missing(practitioner):
    case = fa.accommodation_case(accommodation_consents=False)
    error = _refusal(
        practitioner,
        case,
        safe_practitioner=False,
        safe_social_worker=False,
        social_worker_name="",
        safety_judged_on=None,
    )
    assert set(error.errors) == {
        "consent_client",
        "consent_partner",
        "safe_practitioner",
        "safe_social_worker",
        "social_worker_name",
        "safety_judged_on",
    }
    assert error.message.startswith("The request cannot be made yet: ")
    assert "The social worker must judge the placement safe and suitable" in error.message
    assert _placements() == 0


def test_a_request_needs_its_dates_nights_and_where_to_stay(practitioner):
    case = fa.accommodation_case()
    error = _refusal(
        practitioner,
        case,
        move_in_on=None,
        nights=None,
        location_preference=" ",
        areas_to_avoid="",
        out_of_borough=None,
    )
    assert error.errors == {
        "move_in_on": "Enter the proposed move-in date",
        "nights": "Enter the number of nights",
        "location_preference": "Enter where the client should stay",
        "areas_to_avoid": "Enter the areas the client must avoid, or 'None' if there are none",
        "out_of_borough": "Select whether the client may stay outside the borough",
    }


def test_a_move_in_date_in_the_past_is_refused(practitioner):
    case = fa.accommodation_case()
    error = _refusal(practitioner, case, move_in_on=today() - timedelta(days=1))
    assert error.errors == {"move_in_on": "The proposed move-in date cannot be in the past"}


def test_nights_over_what_is_left_of_the_clients_allowance_are_refused(practitioner):
    case = fa.accommodation_case()
    fa.placement(case, "ended", nights=20)
    error = _refusal(practitioner, case, nights=10)
    assert error.errors == {"nights": "The client has 8 of the 28 nights allowed left"}
    assert _placements() == 1


def test_the_nights_cap_counts_the_clients_placements_on_an_earlier_referral(practitioner):
    earlier = fa.accommodation_case()
    fa.placement(earlier, "ended", nights=25)
    earlier.status = "closed"
    rereferral = fa.accommodation_case()
    rereferral.client_id = earlier.client_id
    db.session.commit()
    error = _refusal(practitioner, rereferral, nights=4)
    assert error.errors == {"nights": "The client has 3 of the 28 nights allowed left"}


def test_a_stay_running_past_the_programme_end_is_refused(practitioner):
    _settings().programme_end_date = today() + timedelta(days=10)
    db.session.commit()
    case = fa.accommodation_case()
    error = _refusal(practitioner, case, move_in_on=today() + timedelta(days=3), nights=14)
    assert list(error.errors) == ["nights"]
    assert "so the placement can be at most 7 nights" in error.errors["nights"]


def test_a_move_in_on_or_after_the_programme_end_is_refused_beside_the_date(practitioner):
    _settings().programme_end_date = today() + timedelta(days=2)
    db.session.commit()
    case = fa.accommodation_case()
    error = _refusal(practitioner, case, move_in_on=today() + timedelta(days=3), nights=1)
    assert list(error.errors) == ["move_in_on"]
    assert error.errors["move_in_on"].startswith("The placement must start before the programme")


def test_an_out_of_borough_placement_needs_the_safety_assessment_and_mitigation(practitioner):
    case = fa.accommodation_case()
    error = _refusal(practitioner, case, out_of_borough=True)
    assert set(error.errors) == {"out_of_borough_safety", "out_of_borough_mitigation"}
    placement = _request(
        practitioner,
        case,
        out_of_borough=True,
        out_of_borough_safety="Far from the family home; no links to the area",
        out_of_borough_mitigation="Daily check-in calls",
    )
    assert placement.out_of_borough is True
    assert placement.out_of_borough_mitigation == "Daily check-in calls"


def test_areas_to_avoid_may_not_carry_the_partners_address(practitioner):
    case = fa.accommodation_case()
    case.partner.address = "14 Fictional Street, London N7 9ZZ"
    db.session.commit()
    for typed in ("Anywhere near N7 9ZZ", "Around 14 Fictional Street please"):
        error = _refusal(practitioner, case, areas_to_avoid=typed)
        assert error.errors == {
            "areas_to_avoid": "Describe areas, not the partner's address: the SPOC sees this field"
        }
    assert _request(practitioner, case, areas_to_avoid="Holloway and Archway").id


def test_a_second_request_sent_after_the_first_is_refused(practitioner):
    case = fa.accommodation_case()
    _request(practitioner, case)
    with pytest.raises(RuleBroken, match="already has the placement"):
        _request(practitioner, case)
    db.session.rollback()
    assert _placements() == 1


def test_only_a_practitioner_may_request(app_context):
    case = fa.accommodation_case()
    for role in ("manager", "spoc", "finance"):
        with pytest.raises(NotAllowed):
            _request(factories.user(role), case)
    assert _placements() == 0


def test_a_second_request_while_the_first_is_waiting_is_refused(practitioner):
    case = fa.accommodation_case()
    first = _request(practitioner, case)
    error = _refusal(practitioner, db.session.get(Case, case.id))
    assert error.errors["open_placement"].startswith(
        f"This case already has the placement {first.name}"
    )


def test_the_scenario_plan_must_exist_before_a_request(practitioner):
    case = fa.accommodation_case(scenario_plan=False)
    error = _refusal(practitioner, case)
    assert list(error.errors) == ["scenario_plan"]
    db.session.add(ScenarioPlan(case_id=case.id, plan="Stays with a cousin in Barnet"))
    db.session.commit()
    assert _request(practitioner, db.session.get(Case, case.id)).state == "requested"


# ---------------------------------------------------------------------------
# The practitioner's outcomes


def test_a_practitioner_withdraws_a_request_with_a_reason(practitioner):
    placement = fa.placement(state="requested")
    requests.withdraw_request(
        db.session,
        practitioner,
        placement.id,
        reason="The family found another way",
        version=placement.version,
    )
    db.session.expire_all()
    assert placement.state == "withdrawn"
    assert placement.outcome_reason == "The family found another way"
    assert placement.decided_by_id == practitioner.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.withdrawn"))


def test_a_practitioner_records_that_the_client_declined(practitioner):
    placement = fa.placement(state="requested")
    requests.record_client_declined(
        db.session, practitioner, placement.id, reason="Prefers to stay", version=placement.version
    )
    db.session.expire_all()
    assert placement.state == "client_declined"


def test_an_outcome_needs_a_reason_and_is_not_written_without_one(practitioner):
    placement = fa.placement(state="requested")
    with pytest.raises(RuleBroken) as caught:
        requests.withdraw_request(
            db.session, practitioner, placement.id, reason="  ", version=placement.version
        )
    db.session.rollback()
    assert caught.value.errors == {"reason": "Enter the reason"}
    assert db.session.get(Placement, placement.id).state == "requested"


def test_an_approved_placement_cannot_be_withdrawn(practitioner):
    placement = fa.placement(state="approved")
    with pytest.raises(RuleBroken) as caught:
        requests.withdraw_request(
            db.session, practitioner, placement.id, reason="x", version=placement.version
        )
    assert caught.value.message == "The SPOC has already approved this request"


def test_a_spoc_may_not_withdraw_a_request(app_context):
    placement = fa.placement(state="requested")
    with pytest.raises(NotAllowed):
        requests.withdraw_request(
            db.session,
            fa.spoc_of(placement.case),
            placement.id,
            reason="x",
            version=placement.version,
        )
