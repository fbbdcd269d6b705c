"""Recording a referral through the service, on a real database."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases import referral_services
from eip.cases.models import Case, Person
from eip.cases.referral_services import NEW_PERSON, PossibleDuplicates, record_referral
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf


@pytest.fixture
def practitioner(app_context):
    return factories.user("practitioner", name="Priya Shah")


@pytest.fixture
def camden(app_context):
    return factories.borough("Camden")


def _record(user, borough, **overrides):
    return record_referral(db.session, user, rf.details(borough.id, user.id, **overrides))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_referral_inside_the_window_starts_as_referred_with_the_first_reference(
    practitioner, camden
):
    recorded = _record(practitioner, camden)
    case = db.session.scalar(select(Case))
    assert recorded.reference == case.reference == "EIP-2026-0001"
    assert case.status == "referred" and not case.late_referral
    assert case.borough_id == camden.id
    assert case.allocated_practitioner_id == practitioner.id
    assert case.client.full_name == "Alex Marlowe" and case.client.name_key == "alex marlowe"
    assert case.partner.full_name == "Jordan Reyes"
    assert case.partner_code_word == "Bluebell"


def test_received_on_a_saturday_the_acknowledgement_is_due_on_thursday(practitioner, camden):
    recorded = _record(practitioner, camden, received_at=rf.london(rf.SATURDAY))
    assert recorded.acknowledge_by == date(2026, 9, 10)
    assert recorded.acknowledge_by.strftime("%A") == "Thursday"


def test_references_run_on_within_the_year_of_receipt_and_restart_each_year(practitioner, camden):
    first = _record(practitioner, camden)
    second = _record(practitioner, camden, client_name="Robin Hale", partner_name="Kit Hale")
    earlier_year = _record(
        practitioner,
        camden,
        received_at=rf.london(date(2025, 12, 31), 23, 59),
        client_name="Lee Park",
        partner_name="Ash Park",
    )
    assert (first.reference, second.reference) == ("EIP-2026-0001", "EIP-2026-0002")
    assert earlier_year.reference == "EIP-2025-0001"


def test_a_reference_taken_meanwhile_is_retried_once_with_the_next_number(
    practitioner, camden, monkeypatch
):
    _record(practitioner, camden)
    real = referral_services.next_reference
    calls = []

    def stale_first(session, year):
        calls.append(year)
        # The first attempt read the numbers before another save took 0001.
        return "EIP-2026-0001" if len(calls) == 1 else real(session, year)

    monkeypatch.setattr(referral_services, "next_reference", stale_first)
    recorded = _record(practitioner, camden, client_name="Robin Hale", partner_name="Kit Hale")
    assert recorded.reference == "EIP-2026-0002"
    assert len(calls) == 2
    assert _count(Case) == 2
    assert _count(Person) == 4  # the failed attempt left nothing behind


def test_a_referral_outside_the_window_waits_for_the_late_agreement(practitioner, camden):
    recorded = _record(practitioner, camden, received_at=rf.london(date(2026, 8, 18), 17, 0))
    case = db.session.scalar(select(Case))
    assert recorded.late and case.status == "awaiting_late_agreement" and case.late_referral


def test_the_window_is_read_from_the_programme_settings(practitioner, camden):
    rf.set_window(date(2026, 9, 7), date(2026, 12, 31))
    recorded = _record(practitioner, camden, received_at=rf.london(rf.SATURDAY))
    assert recorded.status == "awaiting_late_agreement"


def test_the_window_uses_the_london_date_received(practitioner, camden):
    rf.set_window(date(2026, 9, 5), date(2026, 12, 31))
    # 23:30 UTC on 4 September is 00:30 BST on the 5th: inside the window.
    received = datetime(2026, 9, 4, 23, 30, tzinfo=UTC)
    recorded = _record(practitioner, camden, received_at=received)
    assert recorded.status == "referred"


def test_recording_is_audited_with_field_names_and_never_values(practitioner, camden):
    _record(practitioner, camden)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.created"))
    assert event.actor_id == practitioner.id and event.case_reference == "EIP-2026-0001"
    assert "client_name" in event.details["fields"]
    flat = repr(event.details)
    for value in ("Alex", "Marlowe", "Jordan", "Bluebell", "sam.okafor"):
        assert value not in flat


def test_an_inactive_borough_is_refused_and_nothing_saved(practitioner):
    closed = factories.borough("Barnet", active=False)
    with pytest.raises(RuleBroken) as refused:
        _record(practitioner, closed)
    assert refused.value.errors["borough"] == "That borough is not taking part in the programme"
    db.session.rollback()
    assert _count(Case) == 0 and _count(Person) == 0


def test_an_unknown_borough_is_refused(practitioner):
    with pytest.raises(RuleBroken) as refused:
        record_referral(db.session, practitioner, rf.details(9999, practitioner.id))
    assert refused.value.errors["borough"] == "Select the referring borough"


@pytest.mark.parametrize("role", ["manager", "spoc"])
def test_the_allocated_practitioner_must_be_a_practitioner(practitioner, camden, role):
    other = factories.user(role)
    with pytest.raises(RuleBroken) as refused:
        record_referral(db.session, practitioner, rf.details(camden.id, other.id))
    assert refused.value.errors["practitioner"] == "Select the allocated practitioner"


def test_a_disabled_practitioner_cannot_be_allocated(practitioner, camden):
    gone = factories.user("practitioner", active=False)
    with pytest.raises(RuleBroken) as refused:
        record_referral(db.session, practitioner, rf.details(camden.id, gone.id))
    assert "disabled" in refused.value.errors["practitioner"]


def test_a_client_under_16_is_refused_and_nothing_saved(practitioner, camden):
    with pytest.raises(RuleBroken) as refused:
        _record(practitioner, camden, client_date_of_birth=date(2011, 1, 1))
    assert "16 or older" in refused.value.errors["client_date_of_birth"]
    db.session.rollback()
    assert _count(Case) == 0


def test_a_received_time_in_the_future_is_refused(practitioner, camden):
    with pytest.raises(RuleBroken) as refused:
        _record(practitioner, camden, received_at=rf.london(date(2030, 1, 1)))
    assert "cannot be in the future" in refused.value.errors["received_time"]


@pytest.mark.parametrize("role", ["manager", "spoc", "finance", "evaluator", "admin"])
def test_only_practitioners_record_referrals(camden, role):
    someone = factories.user(role)
    practitioner = factories.user("practitioner")
    with pytest.raises(NotAllowed):
        record_referral(db.session, someone, rf.details(camden.id, practitioner.id))
    assert _count(Case) == 0


# ---------------------------------------------------------------------------
# Possible duplicates


def test_someone_with_the_same_name_and_date_of_birth_must_be_confirmed_first(practitioner, camden):
    first = rf.recorded_case(practitioner)
    with pytest.raises(PossibleDuplicates) as asked:
        # Case and spacing do not hide a match.
        _record(practitioner, camden, client_name="  alex   MARLOWE ")
    found = asked.value.duplicates
    assert [m.person_id for m in found.client] == [first.client_id]
    assert found.client[0].cases == ((first.reference, "client"),)
    assert [m.person_id for m in found.partner] == [first.partner_id]
    assert set(asked.value.missing) == {"client", "partner"}
    assert _count(Case) == 1


def test_a_re_referral_links_to_the_same_people(practitioner, camden):
    first = rf.recorded_case(practitioner)
    again = rf.recorded_case(
        practitioner,
        client_choice=first.client_id,
        partner_choice=str(first.partner_id),
        client_address="New flat, 9 Other Street",
    )
    assert again.client_id == first.client_id and again.partner_id == first.partner_id
    assert again.client.address == "New flat, 9 Other Street"  # the newest details
    assert _count(Person) == 2
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.case_reference == again.reference)
    )
    assert event.details["linked"] == ["client", "partner"]


def test_a_different_person_with_the_same_name_gets_a_new_record(practitioner, camden):
    first = rf.recorded_case(practitioner)
    again = rf.recorded_case(practitioner, client_choice=NEW_PERSON, partner_choice=NEW_PERSON)
    assert again.client_id != first.client_id and again.partner_id != first.partner_id
    assert _count(Person) == 4


def test_a_match_found_in_any_role_counts(practitioner, camden):
    first = rf.recorded_case(practitioner)
    # This referral's client is the earlier case's partner.
    with pytest.raises(PossibleDuplicates) as asked:
        _record(
            practitioner,
            camden,
            client_name="Jordan Reyes",
            client_date_of_birth=date(1991, 11, 14),
            partner_name="Someone Else",
        )
    assert asked.value.duplicates.client[0].cases == ((first.reference, "partner"),)
    assert asked.value.missing == ("client",)


def test_the_same_name_with_another_date_of_birth_is_not_a_duplicate(practitioner, camden):
    rf.recorded_case(practitioner)
    recorded = _record(
        practitioner,
        camden,
        client_date_of_birth=date(1990, 3, 28),
        partner_date_of_birth=None,
    )
    assert recorded.reference == "EIP-2026-0002"


def test_linking_to_someone_who_is_not_a_match_is_refused(practitioner, camden):
    rf.recorded_case(practitioner)
    stranger = rf.recorded_case(
        practitioner,
        client_name="Robin Hale",
        partner_name="Kit Hale",
    )
    with pytest.raises(RuleBroken) as refused:
        record_referral(
            db.session,
            practitioner,
            rf.details(camden.id, practitioner.id),
            client_choice=stranger.client_id,
            partner_choice=NEW_PERSON,
        )
    assert "client_person" in refused.value.errors
