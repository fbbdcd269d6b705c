"""Preparing, releasing, withdrawing and downloading extracts against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import current_app
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.clock import today
from eip.domain import Conflict, RuleBroken
from eip.extensions import db
from evaluation import disclosure, package, services
from evaluation.models import EvaluationExtract
from tests import audit_trail, factories
from tests import factories_evaluation as fe
from tests.conftest import run_seed_demo

pytestmark = pytest.mark.usefixtures("app_context")

START, END = today() - timedelta(days=60), today()


@pytest.fixture
def manager():
    return factories.user("manager")


def prepare(app, manager, config=None, start=START, end=END):
    return services.prepare(db.session, manager, start=start, end=end, config=config or app.config)


def path_of(app, item):
    return services.folder(app.config["INSTANCE_PATH"]) / item.file_name


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()  # the rows as the requests left them, not as this session holds them
    return audit_trail.events(action)


def extract_files(app):
    return set(services.folder(app.config["INSTANCE_PATH"]).iterdir())


def test_a_prepared_extract_is_k_anonymous_recorded_and_audited(app, manager):
    fe.many(6, borough_name="Camden", gender="man")
    fe.many(6, borough_name="Hackney", gender="woman", ethnicity="black_african")
    fe.referred_case(borough_name="Barnet", ethnicity="asian_indian", born=None)
    item = prepare(app, manager)
    assert (item.state, item.case_count, item.referred_count, item.k) == ("prepared", 13, 13, 5)
    archive = fe.open_zip(path_of(app, item))
    fe.assert_k_anonymous(archive, 5)
    assert package.file_sha256(path_of(app, item)) == item.sha256
    [event] = events("evaluation.prepared")
    assert event.actor_id == manager.id and event.object_id == str(item.id)
    assert event.details == {
        "period_start": START.isoformat(), "period_end": END.isoformat(), "k": 5,
        "cases": 13, "left_out": 0,
    }  # fmt: skip


def test_k_follows_the_programme_setting(app, manager):
    from eip.programme import current_settings

    current_settings(db.session).evaluation_k = 3
    db.session.commit()
    fe.many(3)
    item = prepare(app, manager)
    assert item.k == 3
    fe.assert_k_anonymous(fe.open_zip(path_of(app, item)), 3)


def test_declined_or_withdrawn_evaluation_consent_leaves_the_case_out_and_is_counted(app, manager):
    fe.many(6)  # never asked: not a decline, so they stay in
    declined = fe.referred_case()
    fe.evaluation_consent(declined, "client", "declined")
    withdrawn = fe.referred_case()
    fe.evaluation_consent(withdrawn, "partner", "given", withdrawn=True)
    given = fe.referred_case()
    fe.evaluation_consent(given, "client")
    fe.evaluation_consent(given, "partner")
    item = prepare(app, manager)
    assert item.case_count == 7
    assert item.referred_count == 9
    assert item.left_out == {"evaluation_consent_declined": 1, "evaluation_consent_withdrawn": 1}
    report = fe.open_zip(path_of(app, item)).read("disclosure_report.md").decode()
    assert "declined the use of their anonymised data | <5 |" in report


def test_a_later_consent_given_after_a_decline_puts_the_case_back(app, manager):
    fe.many(5)
    changed = fe.referred_case()
    fe.evaluation_consent(changed, "client", "declined")
    fe.evaluation_consent(changed, "client", "given")
    assert prepare(app, manager).case_count == 6


def test_consultation_only_and_not_suitable_cases_without_consents_stay_in(app, manager):
    fe.many(3, status="consultation_only")
    fe.many(3, status="onward_referral")
    item = prepare(app, manager)
    assert item.case_count == 6 and item.left_out == {}


def test_too_few_cases_is_refused_with_a_clear_reason_and_nothing_is_written(app, manager):
    fe.many(3)
    left = fe.referred_case()
    fe.evaluation_consent(left, "partner", "declined")
    fe.referred_case(days_ago=200)  # outside the period
    before = extract_files(app)
    with pytest.raises(RuleBroken) as refused:
        prepare(app, manager)
    message = refused.value.message
    assert "This period has 3 cases that can go in an extract (1 left out" in message
    assert "At least 5 are needed" in message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EvaluationExtract)) == 0
    assert extract_files(app) == before
    assert events("evaluation.prepared") == []


def test_a_missing_pseudonym_key_in_production_refuses_and_writes_nothing(make_app):
    production = make_app(EIP_ENV="production", EIP_PSEUDONYM_KEY="")
    with production.app_context():
        fe.many(6)
        manager = factories.user("manager")
        before = extract_files(production)
        with pytest.raises(RuleBroken, match="EIP_PSEUDONYM_KEY is not set"):
            prepare(production, manager)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(EvaluationExtract)) == 0
        assert extract_files(production) == before
        db.session.remove()


def test_a_different_key_changes_every_id(app, manager):
    fe.many(8)
    first = prepare(app, manager, {**app.config, "EIP_PSEUDONYM_KEY": "a" * 40})
    second = prepare(app, manager, {**app.config, "EIP_PSEUDONYM_KEY": "b" * 40})
    ids = [
        {row["case_id"] for row in fe.read_csv(fe.open_zip(path_of(app, item)), "cases.csv")}
        for item in (first, second)
    ]
    assert len(ids[0]) == len(ids[1]) == 8
    assert ids[0].isdisjoint(ids[1])
    again = prepare(app, manager, {**app.config, "EIP_PSEUDONYM_KEY": "a" * 40})
    assert {r["case_id"] for r in fe.read_csv(fe.open_zip(path_of(app, again)), "cases.csv")} == (
        ids[0]
    )


def test_a_release_is_audited_and_later_extracts_are_never_finer(app, manager):
    fe.many(10, borough_name="Camden")
    fe.many(10, borough_name="Hackney", gender="woman")
    first = prepare(app, manager)
    services.release(db.session, manager, first.id, config=current_app.config)
    assert (first.state, first.release_number) == ("released", 1)
    assert [e.object_id for e in events("evaluation.released")] == [str(first.id)]
    fe.many(7, borough_name="Islington", days_ago=3)
    fe.referred_case(borough_name="Barnet", days_ago=2)
    second = prepare(app, manager)
    assert second.based_on_id == first.id
    earlier = disclosure.Generalisation.from_json(first.generalisation)
    later = disclosure.Generalisation.from_json(second.generalisation)
    assert disclosure.is_coarsening(later, earlier)
    archive = fe.open_zip(path_of(app, second))
    fe.assert_k_anonymous(archive, 5)
    boroughs = {row["borough"] for row in fe.read_csv(archive, "cases.csv")}
    assert "Islington" not in boroughs and "Barnet" not in boroughs


def test_a_release_is_refused_when_another_was_released_after_it_was_prepared(app, manager):
    fe.many(10)
    first, second = prepare(app, manager), prepare(app, manager)
    services.release(db.session, manager, first.id, config=current_app.config)
    with pytest.raises(Conflict, match="Another extract was released after"):
        services.release(db.session, manager, second.id, config=current_app.config)
    db.session.rollback()
    assert db.session.get(EvaluationExtract, second.id).state == "prepared"
    with pytest.raises(Conflict, match="already released"):
        services.release(db.session, manager, first.id, config=current_app.config)


def test_withdrawing_deletes_the_file_keeps_the_record_and_still_binds_later_releases(app, manager):
    fe.many(10)
    item = prepare(app, manager)
    services.release(db.session, manager, item.id, config=current_app.config)
    path = path_of(app, item)
    services.withdraw(db.session, manager, item.id, "Prepared from the wrong period",
                      app.config["INSTANCE_PATH"])  # fmt: skip
    assert not path.exists()
    item = db.session.get(EvaluationExtract, item.id)
    assert (item.state, item.file_name, item.withdrawal_reason) == (
        "withdrawn", None, "Prepared from the wrong period",
    )  # fmt: skip
    assert [e.details for e in events("evaluation.withdrawn")] == [{"was": "released"}]
    assert services.prior(db.session)[1] == item.id
    with pytest.raises(RuleBroken, match="Enter why"):
        services.withdraw(db.session, manager, item.id, "  ", app.config["INSTANCE_PATH"])


def test_a_download_is_audited_and_a_changed_file_is_refused(app, manager):
    fe.many(6)
    item = prepare(app, manager)
    evaluator = factories.user("evaluator")
    path = services.download(db.session, manager, item, app.config["INSTANCE_PATH"])
    assert path == path_of(app, item)
    assert [e.actor_id for e in events("evaluation.downloaded")] == [manager.id]
    from eip.domain import NotAllowed

    with pytest.raises(NotAllowed):
        services.download(db.session, evaluator, item, app.config["INSTANCE_PATH"])
    services.release(db.session, manager, item.id, config=current_app.config)
    path_of(app, item).write_bytes(b"not the extract")
    with pytest.raises(Conflict, match="missing or has changed"):
        services.download(db.session, evaluator, item, app.config["INSTANCE_PATH"])


def test_the_rows_answer_the_evaluation_questions(app, manager):
    from tests import factories_accommodation as fa
    from tests import factories_pathway_activity as activity

    fe.many(5)
    case = fa.accommodation_case()  # referred 20 days ago, consultation 15 days ago
    activity.session(case, today() - timedelta(days=8))
    activity.session(case, today() - timedelta(days=7), "did_not_attend")
    activity.incident(case, today() - timedelta(days=6))
    activity.dash_review(case, today() - timedelta(days=9), 15, "high")
    activity.dash_review(case, today() - timedelta(days=2), 6)
    fa.placement(case, "ended", nights=28, moved_out_after=10)
    item = prepare(app, manager)
    archive = fe.open_zip(path_of(app, item))
    rows = fe.read_csv(archive, "cases.csv")
    [row] = [r for r in rows if r["pathway"] == "intervention_with_accommodation"]
    assert row["days_to_acknowledgement"] == "0"
    assert row["acknowledged_within_target"] == "yes"
    assert row["days_to_consultation"] == "5"
    assert row["sessions_offered"] == "2" and row["sessions_attended"] == "1"
    assert row["dash_scores_by_review"] == "15;6"
    assert row["risk_at_intake"] == "high"
    assert row["police_callouts_while_open"] == "1"
    assert row["accommodation_used"] == "yes" and row["accommodation_nights"] == "10"
    assert row["accommodation_cost_band"] == "500_to_999"  # 10 nights at £65.00
    assert row["completion"] == "open"
    dash = [r for r in fe.read_csv(archive, "dash_reviews.csv") if r["case_id"] == row["case_id"]]
    assert [(r["review_number"], r["score"]) for r in dash] == [("1", "15"), ("2", "6")]
    kinds = [r["event"] for r in fe.read_csv(archive, "events.csv")
             if r["case_id"] == row["case_id"]]  # fmt: skip
    assert {"session", "incident", "dash_review", "accommodation_checked_in"} <= set(kinds)


def test_rows_are_in_pseudonymous_id_order_not_referral_order(app, manager):
    for days in range(10, 0, -1):
        fe.referred_case(days_ago=days)
    item = prepare(app, manager)
    ids = [row["case_id"] for row in fe.read_csv(fe.open_zip(path_of(app, item)), "cases.csv")]
    assert ids == sorted(ids)


def test_evaluators_figures_come_only_from_the_latest_released_extract(app, manager):
    from evaluation import figure_services

    evaluator = factories.user("evaluator")
    assert (
        figure_services.for_user(db.session, evaluator, app.config["INSTANCE_PATH"]).figures is None
    )
    fe.many(6)
    item = prepare(app, manager)
    services.release(db.session, manager, item.id, config=current_app.config)
    fe.many(4)  # referred after the release: live only
    shown = figure_services.for_user(db.session, evaluator, app.config["INSTANCE_PATH"])
    assert (shown.live, shown.extract.id, shown.figures.cases) == (False, item.id, "6")
    live = figure_services.for_user(db.session, manager, app.config["INSTANCE_PATH"])
    assert (live.live, live.figures.cases) == (True, "10")


def test_the_demo_data_can_be_prepared_and_released_with_k_5(app, runner, manager):
    from eip.programme import current_settings

    run_seed_demo(runner)
    start = current_settings(db.session).referral_window_start - timedelta(days=30)
    item = prepare(app, manager, start=start)
    assert item.k == 5 and item.case_count >= 30
    services.release(db.session, manager, item.id, config=current_app.config)
    fe.assert_k_anonymous(fe.open_zip(path_of(app, item)), 5)


def test_a_release_is_refused_when_consent_was_withdrawn_after_preparation(app, manager):
    fe.many(6)
    changing = fe.referred_case()
    fe.evaluation_consent(changing, "client")
    item = prepare(app, manager)
    assert item.case_count == 7
    fe.evaluation_consent(changing, "client", "given", withdrawn=True)
    with pytest.raises(Conflict, match="declined or withdrawn for a case"):
        services.release(db.session, manager, item.id, config=current_app.config)
    db.session.rollback()
    assert db.session.get(EvaluationExtract, item.id).state == "prepared"
    assert events("evaluation.released") == []


def test_a_period_finer_than_the_referral_periods_shown_is_refused(app, manager):
    # On 5 December 2026 the week is 24 to 30 October: it ends neither on the last day of a
    # month, quarter or year nor today (on another day it might end on 31 October, a month's
    # edge, and be allowed), so the day is fixed.
    with time_machine.travel(datetime(2026, 12, 5, 12, 0, tzinfo=UTC), tick=False):
        fe.many(12, days_ago=40)
        fe.many(2, days_ago=3)
        # A week in the middle of the referrals, released as anything coarser than a week,
        # would tell which IDs were referred that week when compared with another release.
        week_start = today() - timedelta(days=42)
        with pytest.raises(RuleBroken, match=r"so the period must cover|every referral to date"):
            prepare(app, manager, start=week_start, end=week_start + timedelta(days=6))


def _acknowledged_within_target(cases) -> dict[int, str]:
    """Each case's `acknowledged_within_target`, built from its records as an extract is."""
    from eip.cases.queries import deadline_settings
    from evaluation import extract, rows

    found = {}
    wanted = {case.id for case in cases}
    for bundle in extract.stream(db.session, None, None):
        if bundle.case.id not in wanted:
            continue
        finest = rows.finest_values(bundle)
        quasi = tuple(finest[qi] for qi in rows.QUASI_IDENTIFIERS)
        row = rows.case_row(bundle, "", quasi, deadline_settings(db.session))
        found[bundle.case.id] = row["acknowledged_within_target"]
    return found


def test_a_saturday_referral_is_acknowledged_in_time_until_the_thursday():
    from datetime import UTC, date, datetime

    from eip.admin.models import NonWorkingDay

    saturday = datetime(2026, 6, 13, 10, tzinfo=UTC)  # 3 working days: due Thursday 18 June
    cases = []
    for acknowledged in (date(2026, 6, 17), date(2026, 6, 19)):  # Wednesday, Friday
        case = factories.case(status="acknowledged")
        case.received_at = saturday
        case.acknowledged_at = datetime.combine(acknowledged, datetime.min.time(), UTC)
        cases.append(case)
    db.session.commit()
    wednesday, friday = cases
    assert _acknowledged_within_target(cases) == {wednesday.id: "yes", friday.id: "no"}
    # The managers' extra non-working days count too: with Tuesday closed, due Friday.
    db.session.add(NonWorkingDay(day=date(2026, 6, 16), reason="Office move"))
    db.session.commit()
    assert _acknowledged_within_target(cases) == {wednesday.id: "yes", friday.id: "yes"}
