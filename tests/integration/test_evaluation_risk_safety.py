"""The extract's risk and safety fields (issue 19) on a hand-made case world: thresholds per
DASH review, IDVA and MARAC referral timeliness, children by age band and the partner's
age band, gender and ethnic group, which join the k-anonymity key at the client's levels.
Dates are relative to today, so the tests hold on any day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import current_app

from eip.cases.records import CaseAction, Child
from eip.clock import today
from eip.extensions import db
from eip.workdays import add_working_days
from evaluation import disclosure, figure_services, services
from evaluation.models import EvaluationExtract
from tests import factories
from tests import factories_evaluation as fe
from tests import factories_pathway_activity as activity

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def manager():
    return factories.user("manager")


def made_at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=UTC)


def referral_action(case, kind, review, working_days, made_on=None, resolution=None):
    action = CaseAction(
        case_id=case.id,
        kind=f"{kind}_referral",
        description="Refer (fictional)",
        due_on=add_working_days(review.completed_on, working_days),
        urgent=True,
        source_id=review.id,
        completed_at=made_at(made_on) if made_on else None,
        resolution=resolution,
    )
    db.session.add(action)
    db.session.commit()
    return action


def test_each_new_field_holds_what_the_case_records(app, manager):
    fe.k_is(2)
    others = fe.many(2, days_ago=60, partner_born=date(1991, 3, 1))
    case = fe.referred_case(days_ago=60, partner_born=date(1991, 3, 1))
    case.partner.ethnicity = others[0].partner.ethnicity = others[1].partner.ethnicity = (
        "black_african"
    )
    for position, (years, band) in enumerate(
        [(0, None), (3, None), (7, None), (8, None), (9, None), (10, None), (None, "unborn")],
        start=1,
    ):
        db.session.add(Child(case_id=case.id, position=position, age_years=years, age_band=band))
    db.session.commit()
    first_on = add_working_days(today() - timedelta(days=40), 0)
    first = activity.dash_review(case, first_on, 15, "high")
    referral_action(case, "idva", first, 1, made_on=add_working_days(first_on, 1))
    referral_action(case, "marac", first, 2, made_on=add_working_days(first_on, 4))
    second_on = add_working_days(today() - timedelta(days=20), 0)
    second = activity.dash_review(case, second_on, 12, "high")
    second.high_risk_threshold, second.marac_threshold = 12, 16
    db.session.commit()
    referral_action(case, "idva", second, 1)  # never made: missed by now
    item = fe.prepare_last_400_days(app.config, manager)

    rows = fe.extract_rows(app.config, item, "cases.csv")
    [row] = [r for r in rows if r["children_5_to_10"] != "0"]
    assert (row["idva_referral_timeliness"], row["idva_referral_working_days"]) == ("met", "1")
    assert (row["marac_referral_timeliness"], row["marac_referral_working_days"]) == (
        "missed",
        "4",
    )
    children = {name: value for name, value in row.items() if name.startswith("children_")}
    assert children == {
        "children_unborn": "1", "children_under_1": "1", "children_1_to_4": "1",
        "children_5_to_10": "3",  # four children aged 5 to 10: 3 means 3 or more
        "children_11_to_15": "0", "children_16_to_17": "0", "children_not_known": "0",
    }  # fmt: skip
    assert (row["partner_gender"], row["partner_ethnic_group"]) == ("woman", "black")
    assert row["partner_age_band"] in ("35_44", "25_34")  # from the date of birth at referral
    others_rows = [r for r in rows if r is not row]
    assert {r["idva_referral_timeliness"] for r in others_rows} == {"not_due"}
    assert {r["idva_referral_working_days"] for r in others_rows} == {""}

    dash = [
        r
        for r in fe.extract_rows(app.config, item, "dash_reviews.csv")
        if r["case_id"] == row["case_id"]
    ]
    assert [(r["high_risk_threshold"], r["marac_threshold"]) for r in dash] == [
        ("10", "14"),
        ("12", "16"),
    ]
    assert [(r["idva_referral_timeliness"], r["marac_referral_timeliness"]) for r in dash] == [
        ("met", "missed"),
        ("missed", "not_due"),
    ]
    assert dash[1]["idva_referral_working_days"] == ""


def test_a_referral_not_yet_due_is_pending(app, manager):
    fe.k_is(2)
    fe.many(2)
    case = fe.referred_case()
    review = activity.dash_review(case, today(), 16, "high")
    referral_action(case, "marac", review, 2)
    rows = fe.extract_rows(app.config, fe.prepare_last_400_days(app.config, manager), "cases.csv")
    assert sorted(r["marac_referral_timeliness"] for r in rows) == ["not_due", "not_due", "pending"]


def test_a_case_unique_only_by_its_partners_gender_is_not_shown_as_it_is(app, manager):
    fe.k_is(5)
    fe.many(9)  # every partner a woman
    odd = fe.referred_case()
    odd.partner.gender = "man"
    db.session.commit()
    item = fe.prepare_last_400_days(app.config, manager)
    archive = fe.open_zip(services.folder(app.config["INSTANCE_PATH"]) / item.file_name)
    fe.assert_k_anonymous(archive, 5)  # over all eight quasi-identifiers
    rows = fe.read_csv(archive, "cases.csv")
    assert "man" not in {r["partner_gender"] for r in rows}
    for r in rows:
        # The partner's field shows no more than the client's field of its kind.
        if r["partner_gender"] == disclosure.ANY:
            assert r["gender"] == disclosure.ANY
    levels = item.generalisation["levels"]
    assert set(levels) == set(disclosure.KINDS)  # recorded as before: five kinds


def test_an_earlier_release_binds_the_partners_fields_too(app, manager):
    fe.k_is(3)
    fe.many(6)
    first = fe.prepare_last_400_days(app.config, manager)
    services.release(db.session, manager, first.id, config=current_app.config)
    # A release recorded before the partner joined the key: only the five kinds' levels.
    recorded = dict(first.generalisation)
    recorded["levels"] = {**recorded["levels"], "gender": 1, "ethnic_group": 2}
    first.generalisation = recorded
    db.session.commit()
    fe.many(3)
    later = fe.prepare_last_400_days(app.config, manager)
    assert disclosure.is_coarsening(
        disclosure.Generalisation.from_json(later.generalisation),
        disclosure.Generalisation.from_json(recorded),
    )
    rows = fe.extract_rows(app.config, later, "cases.csv")
    assert {r["gender"] for r in rows} == {r["partner_gender"] for r in rows} == {disclosure.ANY}
    assert {r["partner_ethnic_group"] for r in rows} == {disclosure.ANY}


def test_the_evaluators_risk_and_safety_tables_hide_small_counts(app, manager):
    fe.k_is(3)
    fe.many(5)
    case = fe.referred_case()
    review = activity.dash_review(case, today() - timedelta(days=5), 15, "high")
    referral_action(case, "idva", review, 1, made_on=today() - timedelta(days=5))
    db.session.add(Child(case_id=case.id, position=1, age_years=4))
    db.session.commit()
    item = fe.prepare_last_400_days(app.config, manager)
    services.release(db.session, manager, item.id, config=current_app.config)
    evaluator = factories.user("evaluator")
    shown = figure_services.for_user(db.session, evaluator, app.config["INSTANCE_PATH"])
    assert shown.extract.id == item.id
    idva = shown.figures.tables["idva_timeliness"]
    assert idva.cell(0) == "<3"  # one referral made in time: a small count
    assert idva.total() in ("<3", "[c]")
    children = shown.figures.tables["children_age_band"]
    assert children.cell([code for code, _l in children.rows].index("1_to_4")) == "<3"
    assert shown.figures.statistics["idva_working_days"].value.startswith("Hidden")
    partners = shown.figures.tables["partner_gender"]
    assert all(not cell.isdigit() or int(cell) == 0 or int(cell) >= 3
               for cell in (partners.cell(i) for i in range(len(partners.rows))))  # fmt: skip


def test_figures_of_an_extract_released_before_these_fields_show_none_of_them(app, manager):
    from evaluation import figures

    fe.k_is(3)
    fe.many(4)
    item = fe.prepare_last_400_days(app.config, manager)
    old_rows = [
        {name: value for name, value in row.items()
         if not name.startswith(("partner_", "children_", "idva_referral_t", "idva_referral_w",
                                 "marac_referral_t", "marac_referral_w"))}
        for row in services.case_rows_of(item, app.config["INSTANCE_PATH"])
    ]  # fmt: skip
    built = figures.build(old_rows, 3)
    assert built.tables["idva_timeliness"].rows == ()
    assert built.tables["partner_gender"].rows == ()
    assert db.session.get(EvaluationExtract, item.id) is not None
