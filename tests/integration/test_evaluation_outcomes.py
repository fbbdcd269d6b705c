"""The outcome measures in the evaluation extract (issue 19): outcomes.csv, one row per case
per measurement point, every answer in bands, the day as weeks since the referral in
bands, and the change from intake; and the evaluators' outcome tables built from it,
suppressed under k. Dates are relative to today, so the tests hold on any day."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from flask import current_app

from eip.cases import outcomes
from eip.cases.records import OutcomeMeasure
from eip.clock import today
from eip.extensions import db
from evaluation import coarsen, figure_services, figures, services
from tests import factories
from tests import factories_evaluation as fe
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("app_context")

BEHAVIOURS = (
    "client_physical", "client_sexual", "client_coercive", "client_emotional",
    "client_economic", "client_stalking", "client_technology", "client_children",
)  # fmt: skip


@pytest.fixture
def manager():
    return factories.user("manager")


def measure(case, point, days_after_referral, behaviour, **answers):
    """A measurement `days_after_referral` days after the case's referral, every behaviour
    at the place `behaviour` on the 0-5 scale (None: not known)."""
    fields = dict.fromkeys(BEHAVIOURS, behaviour)
    fields.update(partner_source="practitioner", children_exposure="not_known")
    fields.update(answers)
    db.session.add(
        OutcomeMeasure(
            case_id=case.id,
            point=point,
            measured_on=today() - timedelta(days=100 - days_after_referral),
            **fields,
        )
    )
    db.session.commit()


def measured_world():
    """Case A measured at intake, mid-point and exit; case B only at the mid-point (no
    intake to compare with); two more cases never measured. All referred 100 days ago."""
    a, b, *_others = fe.many(4, days_ago=100)
    measure(a, "intake", 13, 3, partner_feels_safe=2, partner_abuse_frequency=4,
            partner_quality_of_life=2, children_exposure="witnessed")  # fmt: skip
    measure(a, "mid", 41, 1, client_physical=0, partner_feels_safe=5, partner_abuse_frequency=2,
            partner_quality_of_life=3, children_exposure="aware")  # fmt: skip
    measure(a, "exit", 97, 0, partner_source="not_safe", children_exposure="none")
    measure(b, "mid", 60, None, partner_source="declined", children_exposure="no_children")
    return a, b


def test_each_outcome_column_holds_the_measurement_in_bands(app, manager):
    fe.k_is(2)
    measured_world()
    item = fe.prepare_last_400_days(app.config, manager)
    rows = fe.extract_rows(app.config, item, "outcomes.csv")
    assert len(rows) == 4
    by_case: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row)
    [three] = [r for r in by_case.values() if len(r) == 3]
    [one] = [r for r in by_case.values() if len(r) == 1]
    intake, mid, exit_ = three
    assert [r["point"] for r in three] == ["intake", "mid", "exit"]
    assert [r["weeks_since_referral"] for r in three] == ["0_to_4", "5_to_12", "13_to_26"]
    # Intake: every kind 3 ("regular"), a score of 24.
    assert {intake[c] for c in BEHAVIOURS} == {"regular"}
    assert (intake["behaviour_score"], intake["partner_asked"]) == ("21-40", "yes")
    assert (intake["partner_feels_safe"], intake["partner_abuse_frequency"]) == ("0-3", "regular")
    assert (intake["partner_quality_of_life"], intake["children_exposure"]) == ("poor", "witnessed")
    assert (intake["behaviour_change"], intake["partner_feels_safe_change"]) == (
        "not_known",
        "not_known",
    )
    # Mid-point: physical none, the other 7 "occasional": a score of 7, down from 24.
    assert mid["client_physical"] == "none"
    assert {mid[c] for c in BEHAVIOURS[1:]} == {"occasional"}
    assert (mid["behaviour_score"], mid["behaviour_change"]) == ("6-10", "fell")
    assert (mid["partner_feels_safe"], mid["partner_feels_safe_change"]) == ("4-6", "rose")
    assert (mid["partner_abuse_frequency"], mid["partner_quality_of_life"]) == (
        "occasional",
        "neither",
    )
    # Exit: no behaviour; the partner not asked (not safe), so no change can be said.
    assert (exit_["behaviour_score"], exit_["behaviour_change"]) == ("0", "fell")
    assert exit_["partner_asked"] == "not_safe"
    assert {exit_[c] for c in ("partner_feels_safe", "partner_abuse_frequency",
                               "partner_quality_of_life")} == {"not_asked"}  # fmt: skip
    assert exit_["partner_feels_safe_change"] == "not_known"
    # Only a mid-point, every answer not known, the partner declined: nothing to compare.
    [alone] = one
    assert {alone[c] for c in BEHAVIOURS} | {alone["behaviour_score"]} == {"not_known"}
    assert (alone["partner_asked"], alone["children_exposure"]) == ("declined", "no_children")
    assert (alone["behaviour_change"], alone["partner_feels_safe_change"]) == (
        "not_known",
        "not_known",
    )
    # The same pseudonymous IDs as cases.csv; no day, no date.
    assert set(by_case) <= {r["case_id"] for r in fe.extract_rows(app.config, item, "cases.csv")}
    path = services.folder(app.config["INSTANCE_PATH"]) / item.file_name
    text = zipfile.ZipFile(path).read("outcomes.csv").decode()
    for days in (13, 41, 60, 97):
        assert (today() - timedelta(days=100 - days)).isoformat() not in text


def test_the_dictionary_and_the_report_describe_the_outcome_file(app, manager):
    fe.k_is(2)
    measured_world()
    item = fe.prepare_last_400_days(app.config, manager)
    archive = fe.open_zip(services.folder(app.config["INSTANCE_PATH"]) / item.file_name)
    dictionary = archive.read("data_dictionary.md").decode()
    assert "## outcomes.csv" in dictionary
    for column in ("weeks_since_referral", "behaviour_score", "partner_feels_safe_change"):
        assert f"| {column} |" in dictionary
    assert "outcomes.csv 4" in archive.read("disclosure_report.md").decode()


def test_weeks_since_referral_bands():
    day = today()
    assert coarsen.weeks_band(day, day) == "0_to_4"
    assert coarsen.weeks_band(day, day + timedelta(days=34)) == "0_to_4"
    assert coarsen.weeks_band(day, day + timedelta(days=35)) == "5_to_12"
    assert coarsen.weeks_band(day, day + timedelta(days=13 * 7)) == "13_to_26"
    assert coarsen.weeks_band(day, day + timedelta(days=27 * 7)) == "27_to_52"
    assert coarsen.weeks_band(day, day + timedelta(days=53 * 7)) == "53_plus"
    assert coarsen.weeks_band(day, day - timedelta(days=1)) == "not_known"
    assert coarsen.weeks_band(day, None) == "not_known"


def test_the_evaluators_outcome_tables_hide_small_counts(app, manager):
    fe.k_is(3)
    fe.many(4, days_ago=100)
    measured_world()
    item = fe.prepare_last_400_days(app.config, manager)
    services.release(db.session, manager, item.id, config=current_app.config)
    evaluator = factories.user("evaluator")
    shown = figure_services.for_user(db.session, evaluator, app.config["INSTANCE_PATH"])
    tables = shown.figures.tables
    points = tables["outcome_points"]
    assert [code for code, _l in points.rows] == ["intake", "mid", "exit", "followup_3",
                                                  "followup_6"]  # fmt: skip
    # One case at intake, two at the mid-point, one at exit: each under k.
    assert [points.cell(i) for i in range(3)] == ["<3", "<3", "<3"]
    assert [points.cell(i) for i in (3, 4)] == ["0", "0"]
    assert points.total() in ("<3", "[c]", "4")
    behaviour = tables["behaviour_by_point"]
    shown_cells = [behaviour.cell(i, j) for i in range(len(behaviour.rows))
                   for j in range(len(behaviour.columns))]  # fmt: skip
    assert all(c in ("0", "<3", "[c]") for c in shown_cells)
    change = tables["behaviour_change"]
    # Case A's score fell by exit, B's change is not known: two cases in all, so the
    # whole table is hidden.
    assert [change.cell(i) for i in range(len(change.rows))] == ["[c]"] * 4
    assert tables["feels_safe_change"].total() in ("<3", "[c]")
    csv_text = "\n".join(",".join(row) for row in shown.figures.csv_rows())
    assert "Cases with outcome measures, by measurement point" in csv_text


def test_outcome_tables_show_counts_at_or_over_k():
    rows = [
        {"case_id": f"c{n}", "point": point, "behaviour_score": "6-10",
         "partner_feels_safe": "7-10", "behaviour_change": "fell",
         "partner_feels_safe_change": "rose"}
        for n in range(4)
        for point in ("intake", "exit")
    ]  # fmt: skip
    built = figures.build([], 3, outcome_rows=rows)
    t = built.tables
    assert [t["outcome_points"].cell(i) for i in range(3)] == ["4", "0", "4"]
    six_to_ten = [code for code, _l in t["behaviour_by_point"].rows].index("6-10")
    assert t["behaviour_by_point"].cell(six_to_ten, 0) == "4"
    assert t["behaviour_by_point"].cell(six_to_ten, 2) == "4"
    assert t["behaviour_change"].cell(0) == "4"  # the intake row's change is not counted
    assert t["feels_safe_change"].cell(2) == "4"
    bars = t["behaviour_by_point"].cell_bars()
    assert (f"{outcomes.point_label('exit')}: 6 to 10", 4, "4") in bars


def test_figures_of_an_extract_released_without_outcomes_show_none_of_them(app, manager):
    fe.k_is(2)
    measured_world()
    item = fe.prepare_last_400_days(app.config, manager)
    services.release(db.session, manager, item.id, config=current_app.config)
    # An extract released before outcomes.csv existed: the same zip without it.
    path = services.folder(app.config["INSTANCE_PATH"]) / item.file_name
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != "outcomes.csv"}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    evaluator = factories.user("evaluator")
    shown = figure_services.for_user(db.session, evaluator, app.config["INSTANCE_PATH"])
    assert shown.figures.tables["pathway_outcome"].rows  # the other figures still come
    for key in ("outcome_points", "behaviour_by_point", "behaviour_change",
                "feels_safe_by_point", "feels_safe_change"):  # fmt: skip
        assert shown.figures.tables[key].rows == (), key
    client = app.test_client()
    assert sign_in(client, evaluator.email, factories.PASSWORD).status_code == 302
    page = client.get("/evaluation/figures").get_data(as_text=True)
    assert 'id="table-outcome_points-none"' in page
    assert "before the extract carried the outcome measures" in page


def test_the_evaluator_page_shows_the_outcome_tables_and_says_why_counts_are_hidden(app, manager):
    fe.k_is(2)
    measured_world()
    item = fe.prepare_last_400_days(app.config, manager)
    services.release(db.session, manager, item.id, config=current_app.config)
    evaluator = factories.user("evaluator")
    client = app.test_client()
    assert sign_in(client, evaluator.email, factories.PASSWORD).status_code == 302
    page = client.get("/evaluation/figures").get_data(as_text=True)
    assert 'id="outcomes"' in page
    for key in ("outcome_points", "behaviour_by_point", "behaviour_change",
                "feels_safe_by_point", "feels_safe_change"):  # fmt: skip
        assert f'id="table-{key}"' in page, key
        assert f'id="chart-{key}-title"' in page, key
    assert "Few cases have been measured at each point" in page


def test_the_managers_live_figures_carry_the_outcome_tables(app, manager):
    fe.k_is(2)
    measured_world()
    built = figure_services.live(db.session)
    points = built.tables["outcome_points"].protected
    assert [points.value(("cell", i, 0)) for i in range(5)] == [1, 2, 1, 0, 0]
    assert built.tables["behaviour_change"].rows
