"""seed-demo: fictional data, loaded once, never in production; its placements in every state
a newcomer should see, within the pathway and the caps, and a ledger that never overspends.
(The demo through its pages: tests/web/test_demo_pages.py.)"""

import pytest
from sqlalchemy import func, select

from accommodation import ledger, store
from accommodation.models import Invoice, Placement
from eip.clock import today
from eip.extensions import db
from eip.models import DEMO_DATA_KEY, AppState, Borough
from eip.programme import current_settings
from tests.conftest import run_seed_demo


@pytest.fixture
def demo(runner, app_context):
    run_seed_demo(runner)


def test_seed_demo_loads_boroughs_and_marks_the_data_as_fictional(runner, app_context):
    output = run_seed_demo(runner)
    assert "Demo data loaded (fictional)." in output
    assert db.session.get(AppState, DEMO_DATA_KEY) is not None
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33


def test_seed_demo_run_twice_neither_fails_nor_duplicates(runner, app_context):
    run_seed_demo(runner)
    assert "Demo data already loaded." in run_seed_demo(runner)
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33


def test_seed_demo_refuses_in_production(app, make_app):
    production_app = make_app(EIP_ENV="production")
    result = production_app.test_cli_runner().invoke(args=["eip", "seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run when EIP_ENV=production" in result.output
    with production_app.app_context():
        assert db.session.get(AppState, DEMO_DATA_KEY) is None


def test_the_demo_holds_at_least_30_cases_in_every_state_and_a_re_referral(runner, app_context):
    from eip.cases.models import Case
    from eip.cases.rules import STATES

    run_seed_demo(runner)
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) >= 30
    assert {case.status for case in cases} == set(STATES)
    assert len({case.borough_id for case in cases}) >= 5
    clients = [case.client_id for case in cases]
    assert len(clients) > len(set(clients)), "a re-referral links to the same person"


def test_a_failing_seed_demo_fails_the_tests_that_load_it(app, make_app, tmp_path):
    """The demo tests above stand on run_seed_demo: a refusal or a crash must not pass."""
    production = make_app(EIP_ENV="production").test_cli_runner()
    with pytest.raises(AssertionError, match="refuses to run when EIP_ENV=production"):
        run_seed_demo(production)
    # A database with no tables: the command crashes inside seed_demo.
    unmigrated = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(AssertionError, match="seed-demo raised") as failure:
        run_seed_demo(unmigrated.test_cli_runner())
    assert failure.value.__cause__ is not None


def test_the_demo_has_placements_in_several_states(demo):
    states = {p.state for p in db.session.scalars(select(Placement))}
    assert {
        "requested",
        "agreement_signed",
        "checked_in",
        "ended",
        "cancelled",
        "client_declined",
        "no_accommodation",
    } <= states


def test_the_demo_stays_obey_the_pathway_and_the_caps(demo):
    settings = current_settings(db.session)
    for placement in db.session.scalars(select(Placement)):
        case = placement.case
        if placement.checked_in_on:
            assert placement.checked_in_on >= case.intervention_started_on
            assert placement.agreement_signed_on <= placement.checked_in_on
        if placement.planned_move_out_on:
            assert placement.planned_move_out_on <= settings.programme_end_date
        if placement.state == "ended":
            assert placement.return_home_review is not None
        assert placement.nights_used <= settings.max_nights_per_client
    assert len(store.people_counted(db.session)) <= settings.max_people
    for invoice in db.session.scalars(select(Invoice)):
        assert invoice.first_night >= invoice.placement.checked_in_on
        assert invoice.last_night < (
            invoice.placement.moved_out_on or invoice.placement.planned_move_out_on
        )


def test_the_demo_ledger_never_overspends_and_shows_unpaid_invoices(demo):
    totals = ledger.pot_totals(store.entries(db.session), current_settings(db.session).pot_pence)
    assert totals.committed > 0
    assert totals.available >= 0
    assert totals.paid < totals.invoiced <= totals.exposure
    unpaid_old = [
        i
        for i in db.session.scalars(select(Invoice))
        if not i.payments and (today() - i.invoice_date).days > 30
    ]
    assert unpaid_old, "finance should see an invoice unpaid for over 30 days"


def test_the_demo_has_an_email_change_and_an_enable_waiting_for_a_manager(runner, app_context):
    from eip.admin.models import ApprovalRequest

    run_seed_demo(runner)
    pending = db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.status == "pending")
    ).all()
    by_kind = {request.kind: request.user for request in pending}
    assert by_kind["email"].role == "finance"
    assert by_kind["enable"].role == "evaluator" and not by_kind["enable"].active


def test_the_demo_tells_the_spoc_and_the_manager_what_waits_for_them(demo):
    from eip.auth.models import User
    from eip.cases.assignment import without_practitioner
    from eip.notifications.centre import Notification

    def open_kinds(email: str) -> list[str]:
        user = db.session.scalar(select(User).where(User.email == email))
        return list(
            db.session.scalars(
                select(Notification.kind).where(
                    Notification.user_id == user.id, Notification.closed_at.is_(None)
                )
            )
        )

    assert "placement_requested" in open_kinds("dev.patel@camden.example")
    manager = open_kinds("helen.marsh@respect.example")
    for kind in ("late_referral_waiting", "approval_waiting", "practitioner_disabled"):
        assert kind in manager, kind
    assert len(without_practitioner(db.session)) >= 1


def test_the_demo_has_safety_plans_one_reviewed_at_a_meeting_one_overdue(demo):
    from eip.cases.models import CaseDueItem
    from eip.cases.records import SafetyPlan, SafetyPlanReview

    plans = db.session.scalars(select(SafetyPlan).order_by(SafetyPlan.id)).all()
    assert {plan.person for plan in plans} == {"partner", "child"}
    (review,) = db.session.scalars(select(SafetyPlanReview)).all()
    assert review.plan_id == plans[0].id and plans[0].last_reviewed_meeting_id
    due = {
        row.label: row.due_on
        for row in db.session.scalars(
            select(CaseDueItem).where(CaseDueItem.kind == "safety_plan_review")
        )
    }
    assert due["Review the safety plan for Child 1"] < today()
    assert due["Review the safety plan for the partner"] >= today()


def test_demo_cases_have_a_record_per_child_and_one_child_flagged_for_review(demo):
    from eip.cases.models import Case
    from eip.cases.records import Child

    counted = db.session.execute(
        select(Case.id, Case.children_count).where(Case.children_count > 0)
    ).all()
    assert counted
    records = dict(
        db.session.execute(
            select(Child.case_id, func.count(Child.id)).group_by(Child.case_id)
        ).all()
    )
    assert all(records.get(case_id) == count for case_id, count in counted)
    flagged = db.session.scalars(select(Child).where(Child.needs_review)).all()
    assert len(flagged) == 1 and flagged[0].age_band == "not_known"


def test_the_demo_has_a_prepared_marac_referral_and_one_recorded_as_sent(runner, app_context):
    from eip.cases.records import CaseAction, DashReview, MaracReferral

    run_seed_demo(runner)
    referrals = db.session.scalars(select(MaracReferral).order_by(MaracReferral.id)).all()
    assert [r.sent_on is not None for r in referrals] == [False, True]
    for referral in referrals:
        assert db.session.get(DashReview, referral.dash_review_id).marac
    sent = referrals[1]
    open_marac = db.session.scalars(
        select(CaseAction).where(
            CaseAction.case_id == sent.case_id,
            CaseAction.kind == "marac_referral",
            CaseAction.completed_at.is_(None),
        )
    ).all()
    assert open_marac == []


def test_the_demo_has_partner_support_and_case_notes_with_attempts_and_a_sensitive_note(demo):
    from eip.cases.records import CaseNote, PartnerSupportContact

    support = db.session.scalars(select(PartnerSupportContact)).all()
    assert {c.contact for c in support} == {"made", "attempted"}
    assert {c.with_whom for c in support} == {"partner", "support_worker"}
    assert {c.risk_change for c in support} >= {"increased", "decreased", "not_known"}
    notes = db.session.scalars(select(CaseNote)).all()
    assert {n.contact for n in notes} == {"made", "attempted", "none"}
    assert any(n.sensitive for n in notes)
    assert any(not n.sensitive for n in notes)


def test_the_demo_shows_one_case_past_retention_awaiting_review_and_one_held(demo):
    from eip.privacy import retention, review

    due, _more = retention.due_cases(db.session, today())
    assert [item.due.rule for item in due] == ["closure"]
    [(hold, reference)] = review.holds(db.session)
    assert reference != due[0].reference and hold.reason


def test_the_demo_holds_an_erasure_waiting_for_a_decision_and_one_carried_out(demo):
    from eip.cases.models import Case
    from eip.privacy.models import DataRequest

    found = db.session.scalars(select(DataRequest).order_by(DataRequest.id)).all()
    assert [(r.kind, r.decision) for r in found] == [("erasure", "granted"), ("erasure", None)]
    erased = db.session.get(Case, found[0].case_id)
    assert erased.status == "closed" and erased.anonymised_at is not None
    assert erased.client.full_name == "[anonymised]"
    assert db.session.get(Case, found[1].case_id).anonymised_at is None


def test_the_demo_requests_show_the_fair_share_and_one_warns(demo):
    from accommodation.placements.page import pot_snapshot

    waiting = db.session.scalars(
        select(Placement).where(Placement.state == "requested").order_by(Placement.id)
    ).all()
    snapshot = pot_snapshot(db.session, [p.id for p in waiting], with_forecast=True)
    f = snapshot.forecast
    assert f.fair_share is not None and not f.rate_is_default
    assert (f.max_people, f.people_counted, f.fair_share) == (8, 4, 684_600 // 4)
    warns = {p.borough.name: snapshot.effect(p, nights=p.nights).leaves_too_little for p in waiting}
    assert warns == {"Camden": False, "Hackney": True}


def test_the_demo_has_outcome_measures_at_three_points_and_follow_ups_due_after_closure(demo):
    from eip.cases import outcome_data
    from eip.cases.models import Case, CaseDueItem
    from eip.cases.records import OutcomeMeasure

    case_ids = set(db.session.scalars(select(OutcomeMeasure.case_id)))
    found = outcome_data.outcomes_for_cases(db.session, list(case_ids))
    three = [c for c, points in found.items() if {"intake", "mid", "exit"} <= set(points)]
    assert len(three) >= 3
    for case_id in three:
        points = found[case_id]
        assert points["exit"].behaviour_score < points["intake"].behaviour_score
        closed = db.session.get(Case, case_id)
        assert closed.status == "closed"
        due = set(
            db.session.scalars(select(CaseDueItem.kind).where(CaseDueItem.case_id == case_id))
        )
        assert due == {"outcome_followup_3", "outcome_followup_6"}
    asked = [p["intake"].partner_source for c, p in found.items() if c in three]
    assert "not_safe" in asked and "practitioner" in asked


def test_the_demo_ends_with_an_extract_released_by_its_manager_and_audited(demo):
    from eip.audit import AuditEvent
    from eip.auth.models import User
    from evaluation.models import EvaluationExtract

    manager = db.session.scalar(select(User).where(User.email == "helen.marsh@respect.example"))
    [item] = db.session.scalars(select(EvaluationExtract)).all()
    assert item.state == "released" and item.prepared_by_id == manager.id
    assert item.released_by_id == manager.id and item.case_count >= item.k
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "evaluation_extract", AuditEvent.actor_id == manager.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["evaluation.prepared", "evaluation.released"]
