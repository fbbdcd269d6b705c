"""The SPOC's decisions through the services on a real database: approval commits
rate x nights under the pot lock and is refused past the pot, the people cap, the client's
nights, the programme end or a withdrawn consent, leaving the ledger exactly as it was;
the other outcomes; extensions and added commitments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accommodation import ledger, store
from accommodation.models import LedgerEntry, Placement, PlacementExtension
from accommodation.placements import commitment_services as commitments
from accommodation.placements import decision_services as decisions
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.clock import today
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_progress as pf


@pytest.fixture
def request_and_spoc(app_context):
    placement = fa.placement(state="requested", nights=14)
    return placement, fa.spoc_of(placement.case)


def _approve(user, placement: Placement, **changes) -> Placement:
    values = {
        "provider": "Fictional Lets Ltd",
        "address": "Flat 2, 10 Example Road, London N1 0AA",
        "rate_pence": 6_500,
        "nights": 14,
        "version": placement.version,
    }
    values.update(changes)
    return decisions.approve(db.session, user, placement.id, **values)


def _refused(user, placement: Placement, **changes) -> RuleBroken:
    with pytest.raises(RuleBroken) as caught:
        _approve(user, placement, **changes)
    db.session.rollback()
    return caught.value


def _ledger() -> list[tuple]:
    return list(
        db.session.execute(
            select(LedgerEntry.kind, LedgerEntry.placement_id, LedgerEntry.amount_pence).order_by(
                LedgerEntry.id
            )
        )
    )


def _settings(**values) -> None:
    settings = db.session.get(ProgrammeSettings, 1)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.commit()


def _fresh(placement: Placement) -> Placement:
    db.session.expire_all()
    return db.session.get(Placement, placement.id)


# ---------------------------------------------------------------------------
# Approval


def test_approval_records_the_accommodation_and_commits_rate_times_nights(request_and_spoc):
    placement, spoc = request_and_spoc
    _approve(spoc, placement)
    placement = _fresh(placement)
    assert placement.state == "approved"
    assert (placement.provider, placement.nightly_rate_pence, placement.approved_nights) == (
        "Fictional Lets Ltd",
        6_500,
        14,
    )
    assert placement.decided_by_id == spoc.id
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.kind, entry.amount_pence, entry.effective_on) == ("commit", 91_000, today())
    assert entry.recorded_by_id == spoc.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.approved"))
    assert event.case_reference == placement.case.reference
    assert "Example Road" not in str(event.details)


def test_the_spoc_may_approve_fewer_nights_than_were_asked_for(request_and_spoc):
    placement, spoc = request_and_spoc
    _approve(spoc, placement, nights=7)
    assert _ledger() == [("commit", placement.id, 45_500)]


def test_approval_past_the_pot_says_how_much_is_needed_and_left_and_writes_nothing(
    request_and_spoc,
):
    placement, spoc = request_and_spoc
    _settings(pot_pence=100_000)
    fa.placement(state="approved", nights=10, rate_pence=5_000)  # £500 committed, £500 left
    before = _ledger()
    error = _refused(spoc, placement, rate_pence=6_500, nights=14)
    assert error.message == (
        "There is not enough money in the pot: this needs £910.00 and only £500.00 is available"
    )
    assert _ledger() == before
    assert _fresh(placement).state == "requested"
    assert _fresh(placement).nightly_rate_pence is None


def test_approval_that_spends_the_pot_to_the_last_penny_is_allowed(request_and_spoc):
    placement, spoc = request_and_spoc
    _settings(pot_pence=91_000)
    _approve(spoc, placement)
    entries = store.entries(db.session)
    assert ledger.pot_totals(entries, 91_000).available == 0


def test_approval_past_the_people_cap_is_refused(request_and_spoc):
    placement, spoc = request_and_spoc
    _settings(max_people=1)
    fa.placement(state="ended", nights=5)
    error = _refused(spoc, placement)
    assert error.message == "The programme has already accommodated the maximum of 1 people"
    assert _fresh(placement).state == "requested"


def test_a_client_already_accommodated_does_not_count_twice_against_the_people_cap(
    request_and_spoc,
):
    placement, spoc = request_and_spoc
    _settings(max_people=1)
    earlier = fa.accommodation_case()
    earlier.client_id = placement.client_id
    db.session.commit()
    fa.placement(earlier, "ended", nights=5)
    _approve(spoc, placement, nights=14)
    assert _fresh(placement).state == "approved"


def test_a_cancelled_placement_does_not_count_against_the_people_cap(request_and_spoc):
    placement, spoc = request_and_spoc
    _settings(max_people=1)
    fa.placement(state="cancelled", nights=5)
    _approve(spoc, placement)
    assert _fresh(placement).state == "approved"


def test_approval_past_the_clients_nights_is_refused_beside_the_nights(request_and_spoc):
    placement, spoc = request_and_spoc
    earlier = fa.accommodation_case()
    earlier.client_id = placement.client_id
    db.session.commit()
    used = fa.placement(earlier, "ended", nights=20)
    error = _refused(spoc, placement, nights=14)
    assert error.errors == {"nights": "The client has 8 of the 28 nights allowed left"}
    assert _ledger() == [("commit", used.id, 20 * fa.RATE)]


def test_approval_past_the_programme_end_is_refused(request_and_spoc):
    placement, spoc = request_and_spoc
    _settings(programme_end_date=placement.move_in_on + timedelta(days=10))
    error = _refused(spoc, placement, nights=14)
    assert list(error.errors) == ["nights"]
    assert "so the placement can be at most 10 nights" in error.message
    assert _ledger() == []


def test_approval_is_refused_once_a_consent_has_been_withdrawn(request_and_spoc):
    placement, spoc = request_and_spoc
    pf.consent(placement.case, "partner", "accommodation", withdrawn_on=pf.days_ago(0))
    error = _refused(spoc, placement)
    assert error.message == (
        "The partner's consent to temporary accommodation is no longer in force, so no "
        "accommodation can be approved"
    )
    assert _ledger() == []


def test_approval_from_a_stale_page_is_a_conflict_and_writes_nothing(request_and_spoc):
    placement, spoc = request_and_spoc
    with pytest.raises(Conflict):
        _approve(spoc, placement, version=placement.version + 1)
    db.session.rollback()
    assert _ledger() == []


def test_a_request_already_decided_cannot_be_approved_again(request_and_spoc):
    placement, spoc = request_and_spoc
    _approve(spoc, placement)
    with pytest.raises(Conflict):
        _approve(spoc, placement, version=placement.version - 1)
    db.session.rollback()
    error = _refused(spoc, _fresh(placement), version=_fresh(placement).version)
    assert error.message == "The SPOC has already approved this request"
    assert len(_ledger()) == 1


def test_approval_checks_what_was_typed_before_anything_else(request_and_spoc):
    placement, spoc = request_and_spoc
    error = _refused(spoc, placement, provider="", address=" ", rate_pence=None, nights=0)
    assert error.errors == {
        "provider": "Enter the provider",
        "address": "Enter the address",
        "rate": "Enter the nightly rate",
        "nights": "Enter at least 1 night",
    }
    error = _refused(spoc, placement, rate_pence=100_001)
    assert error.errors == {"rate": "The nightly rate must be £1,000.00 or less"}


@pytest.mark.parametrize("role", ["manager", "finance", "practitioner"])
def test_only_a_spoc_may_approve(request_and_spoc, role):
    placement, _ = request_and_spoc
    with pytest.raises(NotAllowed):
        _approve(factories.user(role), placement)
    assert _ledger() == []


def test_a_spoc_of_another_borough_may_not_approve(request_and_spoc):
    placement, _ = request_and_spoc
    with pytest.raises(NotAllowed):
        _approve(factories.user("spoc", borough_name="Hackney"), placement)
    assert _ledger() == []


def test_approving_a_placement_that_does_not_exist_is_not_found(request_and_spoc):
    _, spoc = request_and_spoc
    with pytest.raises(NotFound):
        decisions.approve(
            db.session,
            spoc,
            999_999,
            provider="x",
            address="y",
            rate_pence=1,
            nights=1,
            version=1,
        )


# ---------------------------------------------------------------------------
# The other outcomes


@pytest.mark.parametrize(
    ("service", "state"),
    [
        (decisions.decline, "declined"),
        (decisions.record_no_accommodation, "no_accommodation"),
        (decisions.record_pot_exhausted, "pot_exhausted"),
    ],
)
def test_the_spoc_records_an_outcome_with_a_reason(request_and_spoc, service, state):
    placement, spoc = request_and_spoc
    service(db.session, spoc, placement.id, reason="Nothing suitable", version=placement.version)
    placement = _fresh(placement)
    assert (placement.state, placement.outcome_reason) == (state, "Nothing suitable")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == f"placement.{state}"))
    assert _ledger() == []


def test_a_decline_needs_a_reason(request_and_spoc):
    placement, spoc = request_and_spoc
    with pytest.raises(RuleBroken) as caught:
        decisions.decline(db.session, spoc, placement.id, reason="", version=placement.version)
    assert caught.value.errors == {"reason": "Enter the reason"}


def test_a_manager_may_not_decline(request_and_spoc):
    placement, _ = request_and_spoc
    with pytest.raises(NotAllowed):
        decisions.decline(
            db.session,
            factories.user("manager"),
            placement.id,
            reason="x",
            version=placement.version,
        )


# ---------------------------------------------------------------------------
# Extensions


@pytest.fixture
def stay(app_context):
    placement = fa.placement(state="checked_in", nights=14)
    return placement, factories.user("practitioner"), fa.spoc_of(placement.case)


def _ask(user, placement: Placement, nights: int = 7, reason: str = "Housing offer next week"):
    return decisions.request_extension(
        db.session, user, placement.id, nights=nights, reason=reason, version=placement.version
    )


def test_the_practitioner_asks_for_more_nights_for_a_stay(stay):
    placement, practitioner, _ = stay
    version = placement.version
    extension = _ask(practitioner, placement)
    assert (extension.state, extension.nights) == ("requested", 7)
    # The placement's version moved, so a second save from the same page is a conflict.
    assert _fresh(placement).version == version + 1
    with pytest.raises(Conflict):
        decisions.request_extension(
            db.session, practitioner, placement.id, nights=7, reason="Again", version=version
        )
    db.session.rollback()
    with pytest.raises(RuleBroken) as caught:
        _ask(practitioner, _fresh(placement))
    assert caught.value.message == "An extension request is already waiting for the SPOC's decision"


def test_an_extension_is_asked_for_only_once_the_client_has_checked_in(app_context):
    placement = fa.placement(state="approved", nights=14)
    with pytest.raises(RuleBroken) as caught:
        _ask(factories.user("practitioner"), placement)
    assert caught.value.message == "A placement can be extended only once the client has checked in"


def test_an_extension_past_the_clients_nights_is_refused_when_asked(stay):
    placement, practitioner, _ = stay
    with pytest.raises(RuleBroken) as caught:
        _ask(practitioner, placement, nights=15)
    assert caught.value.errors == {"nights": "The client has 14 of the 28 nights allowed left"}


def test_the_spoc_approves_an_extension_which_commits_nights_times_rate(stay):
    placement, practitioner, spoc = stay
    extension = _ask(practitioner, placement)
    decisions.decide_extension(
        db.session,
        spoc,
        extension.id,
        approve=True,
        reason="",
        version=_fresh(placement).version,
    )
    placement = _fresh(placement)
    assert placement.approved_nights == 21
    assert db.session.get(PlacementExtension, extension.id).state == "approved"
    commit = db.session.scalar(select(LedgerEntry).where(LedgerEntry.extension_id == extension.id))
    assert (commit.kind, commit.amount_pence) == ("commit", 7 * fa.RATE)


def test_an_extension_past_the_programme_end_is_refused_at_the_decision(stay):
    placement, practitioner, spoc = stay
    extension = _ask(practitioner, placement, nights=7)
    _settings(programme_end_date=placement.planned_move_out_on + timedelta(days=3))
    with pytest.raises(RuleBroken) as caught:
        decisions.decide_extension(
            db.session,
            spoc,
            extension.id,
            approve=True,
            reason="",
            version=_fresh(placement).version,
        )
    db.session.rollback()
    assert "so the placement can be at most 3 nights" in caught.value.message
    assert db.session.get(PlacementExtension, extension.id).state == "requested"
    assert len(_ledger()) == 1


def test_an_extension_past_the_pot_is_refused_and_the_ledger_is_unchanged(stay):
    placement, practitioner, spoc = stay
    extension = _ask(practitioner, placement, nights=7)
    _settings(pot_pence=14 * fa.RATE + 1_000)
    before = _ledger()
    with pytest.raises(RuleBroken) as caught:
        decisions.decide_extension(
            db.session,
            spoc,
            extension.id,
            approve=True,
            reason="",
            version=_fresh(placement).version,
        )
    db.session.rollback()
    assert caught.value.message == (
        "There is not enough money in the pot: this needs £455.00 and only £10.00 is available"
    )
    assert _ledger() == before
    assert _fresh(placement).approved_nights == 14


def test_declining_an_extension_needs_a_reason_and_commits_nothing(stay):
    placement, practitioner, spoc = stay
    extension = _ask(practitioner, placement)
    with pytest.raises(RuleBroken):
        decisions.decide_extension(
            db.session,
            spoc,
            extension.id,
            approve=False,
            reason="",
            version=_fresh(placement).version,
        )
    db.session.rollback()
    decisions.decide_extension(
        db.session,
        spoc,
        extension.id,
        approve=False,
        reason="No rooms left",
        version=_fresh(placement).version,
    )
    assert db.session.get(PlacementExtension, extension.id).state == "declined"
    assert len(_ledger()) == 1


def test_a_spoc_of_another_borough_may_not_decide_an_extension(stay):
    placement, practitioner, _ = stay
    extension = _ask(practitioner, placement)
    with pytest.raises(NotAllowed):
        decisions.decide_extension(
            db.session,
            factories.user("spoc", borough_name="Hackney"),
            extension.id,
            approve=True,
            reason="",
            version=_fresh(placement).version,
        )


# ---------------------------------------------------------------------------
# Added commitments


def _add(spoc, placement: Placement, amount: int | None, reason: str = "Invoice 17 is higher"):
    return commitments.add_commitment(
        db.session,
        spoc,
        placement.id,
        amount_pence=amount,
        reason=reason,
        version=_fresh(placement).version,
    )


def test_the_spoc_adds_a_commitment_to_an_approved_placement(stay):
    placement, _, spoc = stay
    _add(spoc, placement, 13_000)
    totals = ledger.placement_totals(store.entries(db.session), placement.id)
    assert totals.committed == 14 * fa.RATE + 13_000


def test_an_added_commitment_past_the_pot_is_refused(stay):
    placement, _, spoc = stay
    _settings(pot_pence=14 * fa.RATE + 5_000)
    with pytest.raises(RuleBroken) as caught:
        _add(spoc, placement, 13_000)
    db.session.rollback()
    assert caught.value.message == (
        "There is not enough money in the pot: this needs £130.00 and only £50.00 is available"
    )
    assert len(_ledger()) == 1


def test_an_added_commitment_needs_an_amount_a_reason_and_an_approved_placement(app_context):
    placement = fa.placement(state="requested")
    spoc = fa.spoc_of(placement.case)
    with pytest.raises(RuleBroken) as caught:
        _add(spoc, placement, None, reason="")
    db.session.rollback()
    assert set(caught.value.errors) == {"amount", "reason"}
    with pytest.raises(RuleBroken) as caught:
        _add(spoc, placement, 100)
    assert caught.value.message == "Only a placement the SPOC approved can have an added commitment"


def test_finance_may_not_add_a_commitment(stay):
    placement, _, _ = stay
    with pytest.raises(NotAllowed):
        _add(factories.user("finance"), placement, 100)


def test_ledger_figures_reconcile_after_every_decision(stay):
    placement, practitioner, spoc = stay
    extension = _ask(practitioner, placement)
    decisions.decide_extension(
        db.session, spoc, extension.id, approve=True, reason="", version=_fresh(placement).version
    )
    _add(spoc, placement, 2_500)
    entries = store.entries(db.session)
    totals = ledger.pot_totals(entries, 1_400_000)
    assert totals.committed == 21 * fa.RATE + 2_500
    assert totals.available == 1_400_000 - totals.committed
    count = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    assert count == 3
