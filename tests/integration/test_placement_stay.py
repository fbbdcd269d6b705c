"""The stay after approval, through the services and a real database: the signed agreement,
check-in, the return-home review, move-out (early with its release, or at term) and
cancellation; every step out of order refused with its reason, and the ledger exactly as it
was after every refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accommodation import ledger, store
from accommodation.models import LedgerEntry, Placement, ReturnHomeReview
from accommodation.stay import review as review_services
from accommodation.stay import services as svc
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.clock import today
from eip.domain import Conflict, NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa

pytestmark = pytest.mark.usefixtures("app_context")


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def _ledger() -> list[tuple]:
    """Every entry as written: refusals must leave this exactly as it was."""
    db.session.expire_all()
    return [
        (e.id, e.kind, e.placement_id, e.amount_pence, e.reverses_id)
        for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))
    ]


def _fresh(placement: Placement) -> Placement:
    db.session.expire_all()
    return db.session.get(Placement, placement.id)


def _approved(days: int = 5, **kwargs) -> Placement:
    """An approved placement whose approval was `days` days ago."""
    p = fa.placement(state="approved", **kwargs)
    p.decided_at = datetime.now(UTC) - timedelta(days=days)
    db.session.commit()
    return p


def _signed(signed_days_ago: int = 3, **kwargs) -> Placement:
    p = fa.placement(state="agreement_signed", **kwargs)
    p.decided_at = datetime.now(UTC) - timedelta(days=signed_days_ago + 1)
    p.agreement_signed_on = days_ago(signed_days_ago)
    db.session.commit()
    return p


def _reviewed(p: Placement, on: date | None = None) -> Placement:
    db.session.add(
        ReturnHomeReview(
            placement_id=p.id,
            reviewed_on=on or today(),
            children_risks_reviewed=True,
            adults_risks_reviewed=True,
            return_safe=True,
            support_package="Weekly visits from the social worker",
        )
    )
    db.session.commit()
    return p


def _practitioner():
    return factories.user("practitioner")


def _review(user, p, **changes):
    values = {
        "reviewed_on": today(),
        "children_risks_reviewed": True,
        "adults_risks_reviewed": True,
        "return_safe": True,
        "support_package": "Weekly visits from the social worker",
        "protective_steps": "",
        "version": p.version,
    }
    values.update(changes)
    return review_services.record_return_home_review(db.session, user, p.id, **values)


def _refused(call, *, field: str | None = None) -> RuleBroken:
    """Run a step that must be refused; roll back as the view does; return the refusal."""
    with pytest.raises(RuleBroken) as refused:
        call()
    db.session.rollback()
    if field is not None:
        assert field in refused.value.errors, refused.value.errors
    return refused.value


# ---------------------------------------------------------------------------
# The agreement


def test_the_client_signs_the_agreement_once_the_spoc_has_approved():
    user, p = _practitioner(), _approved(days=5)
    svc.sign_agreement(db.session, user, p.id, signed_on=days_ago(2), version=p.version)
    p = _fresh(p)
    assert (p.state, p.agreement_signed_on) == ("agreement_signed", days_ago(2))


@pytest.mark.parametrize(
    ("signed_on", "message"),
    [
        (None, "Enter the date the client signed the agreement"),
        (today() + timedelta(days=1), "cannot be in the future"),
        (today() - timedelta(days=9), "cannot be signed before the SPOC approved"),
    ],
)
def test_the_agreement_date_must_be_given_not_future_and_not_before_the_approval(
    signed_on, message
):
    user, p = _practitioner(), _approved(days=5)
    before = _ledger()
    refusal = _refused(
        lambda: svc.sign_agreement(db.session, user, p.id, signed_on=signed_on, version=p.version),
        field="signed_on",
    )
    assert message in refusal.errors["signed_on"]
    assert _fresh(p).state == "approved" and _ledger() == before


# ---------------------------------------------------------------------------
# Check-in


def test_check_in_records_the_actual_date_and_the_approved_nights_run_from_it():
    user, p = _practitioner(), _signed(signed_days_ago=3, nights=14)
    svc.check_in(db.session, user, p.id, checked_in_on=days_ago(1), version=p.version)
    p = _fresh(p)
    assert (p.state, p.checked_in_on) == ("checked_in", days_ago(1))
    assert p.planned_move_out_on == days_ago(1) + timedelta(days=14)


@pytest.mark.parametrize(
    ("checked_in_on", "message"),
    [
        (None, "Enter the date the client checked in"),
        (today() + timedelta(days=1), "The check-in date cannot be in the future"),
        (today() - timedelta(days=4), "cannot be before the client signed the agreement"),
    ],
)
def test_check_in_must_be_given_not_future_and_not_before_the_agreement(checked_in_on, message):
    user, p = _practitioner(), _signed(signed_days_ago=3)
    before = _ledger()
    refusal = _refused(
        lambda: svc.check_in(
            db.session, user, p.id, checked_in_on=checked_in_on, version=p.version
        ),
        field="checked_in_on",
    )
    assert message in refusal.errors["checked_in_on"]
    assert _fresh(p).state == "agreement_signed" and _ledger() == before


def test_a_late_check_in_shortens_the_stay_to_the_programme_end_and_releases_the_rest():
    """The client has arrived, a fact that must be recordable; but no night is paid past
    the programme end: the nights are cut to end on it and their money goes back."""
    user, p = _practitioner(), _signed(signed_days_ago=3, nights=28, rate_pence=6_500)
    settings = db.session.get(ProgrammeSettings, 1)
    settings.programme_end_date = today() + timedelta(days=20)
    db.session.commit()
    result = svc.check_in(db.session, user, p.id, checked_in_on=today(), version=p.version)
    assert (result.shortened_from, result.released_pence) == (28, 8 * 6_500)
    p = _fresh(p)
    assert (p.state, p.approved_nights) == ("checked_in", 20)
    assert p.planned_move_out_on == settings.programme_end_date
    release = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.placement_id == p.id, LedgerEntry.kind == "release")
    ).one()
    assert (release.amount_pence, release.reason, release.effective_on) == (
        52_000,
        svc.SHORTENED_TO_PROGRAMME_END,
        today(),
    )
    totals = ledger.placement_totals(store.entries(db.session), p.id)
    assert totals.committed == 20 * 6_500
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.checked_in"))
    assert "approved_nights" in event.details["fields"]


def test_a_check_in_on_the_programme_end_is_refused_as_no_night_can_be_paid():
    user, p = _practitioner(), _signed(signed_days_ago=3, nights=10)
    settings = db.session.get(ProgrammeSettings, 1)
    settings.programme_end_date = days_ago(1)
    db.session.commit()
    before = _ledger()
    refusal = _refused(
        lambda: svc.check_in(db.session, user, p.id, checked_in_on=today(), version=p.version),
        field="checked_in_on",
    )
    assert "cancel this placement" in refusal.errors["checked_in_on"]
    assert _fresh(p).state == "agreement_signed" and _ledger() == before


def test_check_in_is_allowed_when_the_stay_ends_on_the_programme_end_date():
    user, p = _practitioner(), _signed(signed_days_ago=3, nights=10)
    settings = db.session.get(ProgrammeSettings, 1)
    settings.programme_end_date = days_ago(1) + timedelta(days=10)
    db.session.commit()
    svc.check_in(db.session, user, p.id, checked_in_on=days_ago(1), version=p.version)
    assert _fresh(p).planned_move_out_on == settings.programme_end_date


# ---------------------------------------------------------------------------
# Move-out


def test_an_early_move_out_releases_the_nights_not_used_to_the_penny():
    # 28 nights at £65.00, checked in 10 days ago, moved out today: 10 nights used.
    user = _practitioner()
    p = _reviewed(fa.placement(state="checked_in", nights=28, rate_pence=6_500))
    pot = db.session.get(ProgrammeSettings, 1).pot_pence
    available_before = ledger.pot_totals(store.entries(db.session), pot).available
    ended = svc.move_out(db.session, user, p.id, moved_out_on=today(), version=p.version)
    assert ended.released_pence == 18 * 6_500 == 117_000
    p = _fresh(p)
    assert (p.state, p.moved_out_on, p.ended_early) == ("ended", today(), True)
    assert p.nights_used == 10
    release = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "release"))
    assert (release.placement_id, release.amount_pence) == (p.id, 117_000)
    assert release.effective_on == today() and release.recorded_by_id == user.id
    totals = ledger.placement_totals(store.entries(db.session), p.id)
    assert totals.committed == 10 * 6_500
    after = ledger.pot_totals(store.entries(db.session), pot).available
    assert after - available_before == 117_000


def test_an_odd_rate_releases_exactly_nights_times_rate():
    user = _practitioner()
    p = _reviewed(fa.placement(state="checked_in", nights=28, rate_pence=7_235))
    ended = svc.move_out(db.session, user, p.id, moved_out_on=days_ago(3), version=p.version)
    assert ended.released_pence == 21 * 7_235 == 151_935
    assert ledger.placement_totals(store.entries(db.session), p.id).committed == 7 * 7_235


def test_a_move_out_on_the_planned_date_ends_at_term_with_no_release():
    user = _practitioner()
    p = _reviewed(fa.placement(state="checked_in", nights=7, move_in_on=days_ago(7)))
    before = _ledger()
    ended = svc.move_out(db.session, user, p.id, moved_out_on=today(), version=p.version)
    assert ended.released_pence == 0
    p = _fresh(p)
    assert (p.state, p.ended_early) == ("ended", False)
    assert _ledger() == before


@pytest.mark.parametrize(
    ("moved_out_on", "message"),
    [
        (None, "Enter the date the client moved out"),
        (today() - timedelta(days=11), "The move-out date cannot be before the check-in date"),
        (today() + timedelta(days=1), "The move-out date cannot be in the future"),
    ],
)
def test_a_move_out_date_must_be_given_after_check_in_and_not_in_the_future(moved_out_on, message):
    user = _practitioner()
    p = _reviewed(fa.placement(state="checked_in", nights=28))  # checked in 10 days ago
    before = _ledger()
    refusal = _refused(
        lambda: svc.move_out(db.session, user, p.id, moved_out_on=moved_out_on, version=p.version),
        field="moved_out_on",
    )
    assert refusal.errors["moved_out_on"] == message
    assert _fresh(p).state == "checked_in" and _ledger() == before


def test_a_move_out_after_the_planned_date_needs_an_extension_first():
    user = _practitioner()
    p = _reviewed(fa.placement(state="checked_in", nights=5, move_in_on=days_ago(10)))
    before = _ledger()
    refusal = _refused(
        lambda: svc.move_out(db.session, user, p.id, moved_out_on=today(), version=p.version),
        field="moved_out_on",
    )
    assert "the SPOC must approve an extension" in refusal.errors["moved_out_on"]
    assert _fresh(p).state == "checked_in" and _ledger() == before


@pytest.mark.parametrize("moved_out_after", [3, 28])
def test_no_move_out_early_or_at_term_without_the_return_home_review(moved_out_after):
    user = _practitioner()
    p = fa.placement(state="checked_in", nights=28, move_in_on=days_ago(28))
    before = _ledger()
    refusal = _refused(
        lambda: svc.move_out(
            db.session,
            user,
            p.id,
            moved_out_on=days_ago(28) + timedelta(days=moved_out_after),
            version=p.version,
        )
    )
    assert refusal.message.startswith("Record the return-home review first")
    assert _fresh(p).state == "checked_in" and _ledger() == before


# ---------------------------------------------------------------------------
# Cancellation


@pytest.mark.parametrize("state", ["approved", "agreement_signed"])
def test_cancelling_before_check_in_releases_everything_committed(state):
    user = _practitioner()
    p = fa.placement(state=state, nights=20, rate_pence=6_500)
    p.decided_at = datetime.now(UTC) - timedelta(days=3)
    db.session.commit()
    ended = svc.cancel(
        db.session,
        user,
        p.id,
        cancelled_on=today(),
        reason="The client moved in with her sister",
        version=p.version,
    )
    assert ended.released_pence == 20 * 6_500 == 130_000
    p = _fresh(p)
    assert (p.state, p.cancelled_on) == ("cancelled", today())
    assert p.cancel_reason == "The client moved in with her sister"
    totals = ledger.placement_totals(store.entries(db.session), p.id)
    assert totals.committed == 0 and totals.exposure == 0
    assert p.nights_used == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cancelled_on": None}, "cancelled_on", "Enter the date the placement was cancelled"),
        ({"cancelled_on": today() + timedelta(days=1)}, "cancelled_on", "in the future"),
        ({"cancelled_on": today() - timedelta(days=9)}, "cancelled_on", "before the SPOC"),
        ({"reason": "   "}, "reason", "Enter why the placement was cancelled"),
    ],
)
def test_a_cancellation_needs_a_proper_date_and_a_reason(changes, field, message):
    user, p = _practitioner(), _approved(days=3)
    values = {"cancelled_on": today(), "reason": "Found a place with family"}
    values.update(changes)
    before = _ledger()
    refusal = _refused(
        lambda: svc.cancel(db.session, user, p.id, version=p.version, **values), field=field
    )
    assert message in refusal.errors[field]
    assert _fresh(p).state == "approved" and _ledger() == before


# ---------------------------------------------------------------------------
# Steps out of order


def _step(name, user, p):
    on = today()
    calls = {
        "sign": lambda: svc.sign_agreement(db.session, user, p.id, signed_on=on, version=p.version),
        "check_in": lambda: svc.check_in(
            db.session, user, p.id, checked_in_on=on, version=p.version
        ),
        "move_out": lambda: svc.move_out(
            db.session, user, p.id, moved_out_on=on, version=p.version
        ),
        "cancel": lambda: svc.cancel(
            db.session, user, p.id, cancelled_on=on, reason="No longer needed", version=p.version
        ),
        "review": lambda: _review(user, p),
    }
    return calls[name]


OUT_OF_ORDER = [
    ("requested", "sign", "The SPOC must approve the placement before the client signs"),
    ("requested", "check_in", "The SPOC must approve the placement before check-in"),
    ("requested", "move_out", "The client has not checked in: withdraw the request instead"),
    ("requested", "cancel", "A request the SPOC has not approved is withdrawn, not cancelled"),
    ("requested", "review", "recorded once the client has checked in"),
    ("approved", "check_in", "The client must sign the accommodation agreement before check-in"),
    ("approved", "move_out", "The client has not checked in: cancel the placement instead"),
    ("approved", "review", "recorded once the client has checked in"),
    ("agreement_signed", "sign", "The client has already signed the accommodation agreement"),
    ("agreement_signed", "move_out", "The client has not checked in: cancel the placement"),
    ("checked_in", "sign", "The client has already checked in"),
    ("checked_in", "check_in", "The client has already checked in"),
    ("checked_in", "cancel", "record the move-out instead of cancelling"),
    ("ended", "sign", "This placement has ended"),
    ("ended", "move_out", "This placement has ended"),
    ("ended", "cancel", "This placement has ended"),
    ("ended", "review", "already been recorded"),
    ("cancelled", "check_in", "This placement was cancelled"),
    ("cancelled", "cancel", "This placement was cancelled"),
    ("cancelled", "review", "This placement was cancelled"),
    ("declined", "sign", "This request is already closed: declined by the SPOC"),
    ("withdrawn", "cancel", "This request is already closed: withdrawn by the practitioner"),
    ("no_accommodation", "check_in", "This request is already closed"),
]


@pytest.mark.parametrize(("state", "step", "reason"), OUT_OF_ORDER)
def test_a_step_out_of_order_is_refused_with_the_reason_and_changes_nothing(state, step, reason):
    user = _practitioner()
    p = fa.placement(state=state)
    if state == "checked_in":
        _reviewed(p)
    before = _ledger()
    refusal = _refused(_step(step, user, p))
    assert reason in refusal.message
    assert _fresh(p).state == state and _ledger() == before


# ---------------------------------------------------------------------------
# The return-home review


def test_a_safe_return_home_records_the_support_package():
    user = _practitioner()
    p = fa.placement(state="checked_in")
    _review(user, p)
    review = db.session.scalar(select(ReturnHomeReview))
    assert (review.placement_id, review.return_safe, review.reviewed_on) == (p.id, True, today())
    assert review.support_package == "Weekly visits from the social worker"
    assert review.protective_steps is None and review.recorded_by_id == user.id
    assert _fresh(p).state == "checked_in"


def test_an_unsafe_return_home_records_the_protective_steps_and_the_stay_can_then_end():
    user = _practitioner()
    p = fa.placement(state="checked_in", nights=28)
    _review(user, p, return_safe=False, support_package="", protective_steps="Refuge space found")
    review = db.session.scalar(select(ReturnHomeReview))
    assert (review.return_safe, review.protective_steps) == (False, "Refuge space found")
    p = _fresh(p)
    svc.move_out(db.session, user, p.id, moved_out_on=today(), version=p.version)
    assert _fresh(p).state == "ended"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"children_risks_reviewed": False}, "children_risks_reviewed", "to the children"),
        ({"adults_risks_reviewed": False}, "adults_risks_reviewed", "to the adults"),
        ({"return_safe": None}, "return_safe", "Select whether it is safe"),
        ({"support_package": " "}, "support_package", "Enter the support package"),
        (
            {"return_safe": False, "protective_steps": ""},
            "protective_steps",
            "Enter the protective steps",
        ),
        ({"reviewed_on": None}, "reviewed_on", "Enter the date of the return-home review"),
        ({"reviewed_on": today() + timedelta(days=1)}, "reviewed_on", "in the future"),
        ({"reviewed_on": today() - timedelta(days=11)}, "reviewed_on", "before the client"),
    ],
)
def test_the_return_home_review_checks_each_answer(changes, field, message):
    user = _practitioner()
    p = fa.placement(state="checked_in")  # checked in 10 days ago
    refusal = _refused(lambda: _review(user, p, **changes), field=field)
    assert message in refusal.errors[field]
    assert db.session.scalar(select(func.count()).select_from(ReturnHomeReview)) == 0


def test_both_risk_reviews_are_reported_together():
    user = _practitioner()
    p = fa.placement(state="checked_in")
    refusal = _refused(
        lambda: _review(user, p, children_risks_reviewed=False, adults_risks_reviewed=False)
    )
    assert {"children_risks_reviewed", "adults_risks_reviewed"} <= set(refusal.errors)


def test_there_is_one_return_home_review_per_placement():
    user = _practitioner()
    p = fa.placement(state="checked_in")
    _review(user, p)
    p = _fresh(p)
    refusal = _refused(lambda: _review(user, p))
    assert refusal.message == "The return-home review has already been recorded for this placement"
    assert db.session.scalar(select(func.count()).select_from(ReturnHomeReview)) == 1


# ---------------------------------------------------------------------------
# Who, stale pages, the audit trail


@pytest.mark.parametrize("role", ["manager", "spoc", "finance", "evaluator", "admin"])
def test_only_practitioners_run_the_stay(role):
    other = factories.user(role)
    p = _reviewed(fa.placement(state="checked_in"))
    before = _ledger()
    with pytest.raises(NotAllowed):
        svc.move_out(db.session, other, p.id, moved_out_on=today(), version=p.version)
    db.session.rollback()
    assert _fresh(p).state == "checked_in" and _ledger() == before


def test_a_save_from_a_stale_page_is_refused_and_writes_nothing():
    user = _practitioner()
    p = _reviewed(fa.placement(state="checked_in"))
    stale = p.version - 1
    before = _ledger()
    with pytest.raises(Conflict):
        svc.move_out(db.session, user, p.id, moved_out_on=today(), version=stale)
    db.session.rollback()
    assert _fresh(p).state == "checked_in" and _ledger() == before


def test_the_review_moves_the_placement_version_so_an_older_move_out_form_is_refused():
    user = _practitioner()
    p = fa.placement(state="checked_in")
    seen = p.version
    _review(user, p)
    with pytest.raises(Conflict):
        svc.move_out(db.session, user, p.id, moved_out_on=today(), version=seen)
    db.session.rollback()


def test_every_step_is_audited_by_field_name_without_values():
    user = _practitioner()
    p = _approved(days=4)
    svc.sign_agreement(db.session, user, p.id, signed_on=days_ago(3), version=p.version)
    p = _fresh(p)
    svc.check_in(db.session, user, p.id, checked_in_on=days_ago(2), version=p.version)
    p = _fresh(p)
    _review(user, p, support_package="A very private support plan")
    p = _fresh(p)
    svc.move_out(db.session, user, p.id, moved_out_on=today(), version=p.version)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "placement").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "placement.agreement_signed",
        "placement.checked_in",
        "placement.return_home_review_recorded",
        "placement.moved_out",
    ]
    assert all(e.object_id == str(p.id) and e.actor_id == user.id for e in events)
    assert all(e.case_reference == p.case.reference for e in events)
    assert "support_package" in events[2].details["fields"]
    assert "private" not in str([e.details for e in events])
    assert "return_safe" in events[2].details["fields"]
    assert "True" not in str(events[2].details)
    assert events[3].details["ledger_entries"]


def test_a_cancellation_is_audited_without_its_reason():
    user, p = _practitioner(), _approved(days=2)
    svc.cancel(
        db.session,
        user,
        p.id,
        cancelled_on=today(),
        reason="A private reason",
        version=p.version,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.cancelled"))
    assert "cancel_reason" in event.details["fields"]
    assert "private" not in str(event.details)
