"""Programme figures from case rows: every table protected, every small median, rate and
count hidden, charts that show no more than the tables."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import charts, coarsen, figures, referral_timeliness
from evaluation.columns import CASE_COLUMNS, names
from tests.unit.test_evaluation_tables import assert_protected

PATHWAYS = ("intervention", "intervention_with_accommodation", "consultation_only",
            "not_suitable", "none")  # fmt: skip
OUTCOMES = ("open", "completed", "disengaged", "withdrew_consent", "risk_escalated", "other")


@st.composite
def case_rows(draw):
    reviews = draw(st.lists(st.integers(0, 24), max_size=4))
    used = draw(st.booleans())
    closed = draw(st.sampled_from(OUTCOMES))
    row = dict.fromkeys(names(CASE_COLUMNS), "")
    row.update(
        case_id=draw(st.text("0123456789abcdef", min_size=20, max_size=20)),
        borough=draw(st.sampled_from(("Camden", "Hackney", "other London borough", "any"))),
        pathway=draw(st.sampled_from(PATHWAYS)),
        closure_outcome=closed,
        days_to_acknowledgement=str(draw(st.integers(0, 9))),
        acknowledged_within_target=draw(st.sampled_from(("yes", "no", ""))),
        days_to_consultation=draw(st.sampled_from(("", "4", "8", "12"))),
        intervention_days="" if closed == "open" else str(draw(st.integers(1, 90))),
        meetings_held=str(draw(st.integers(0, 12))),
        dash_review_count=str(len(reviews)),
        dash_score_first=str(reviews[0]) if reviews else "",
        dash_score_last=str(reviews[-1]) if reviews else "",
        accommodation_used="yes" if used else "no",
        accommodation_nights=str(draw(st.integers(1, 28))) if used else "0",
        accommodation_cost_band=draw(st.sampled_from(coarsen.COST_BAND_VALUES[1:]))
        if used
        else "none",
        marac_referral=draw(st.sampled_from(("yes", "no"))),
        idva_referral=draw(st.sampled_from(("yes", "no"))),
        idva_referral_timeliness=draw(st.sampled_from(referral_timeliness.STATES)),
        idva_referral_working_days=draw(st.sampled_from(("", "0", "1", "3", "5"))),
        marac_referral_timeliness=draw(st.sampled_from(referral_timeliness.STATES)),
        partner_gender=draw(st.sampled_from((*coarsen.GENDER_VALUES, "any", "suppressed"))),
        partner_age_band=draw(st.sampled_from(("25_34", "under_35", "any"))),
        partner_ethnic_group=draw(st.sampled_from(coarsen.ETHNIC_GROUP_VALUES)),
        **{f"children_{band}": str(draw(st.integers(0, 3)))
           for band in coarsen.CHILD_AGE_BAND_VALUES},
    )  # fmt: skip
    return row


@settings(max_examples=80, deadline=None)
@given(st.lists(case_rows(), max_size=40), st.integers(3, 6))
def test_suppression_holds_in_every_aggregate_table(rows, k):
    built = figures.build(rows, k, spend_pence=123_456)
    for table in built.tables.values():
        assert_protected(table.protected, k)
    for stat in built.statistics.values():
        if not stat.shown:
            assert stat.value.startswith("Hidden")
        assert stat.cases_text == str(stat.cases) or stat.cases_text == f"<{k}"
        if 0 < stat.cases < k:
            assert not stat.shown or stat.key in ("marac", "idva", "accommodation_cases")


@settings(max_examples=40, deadline=None)
@given(st.lists(case_rows(), max_size=30), st.integers(3, 6))
def test_the_csv_download_carries_no_small_count(rows, k):
    built = figures.build(rows, k)
    for section, _row, column, value in built.csv_rows()[1:]:
        if section == "statistics":
            count = column.removeprefix("over ").removesuffix(" cases")
            assert count == f"<{k}" or not 0 < int(count) < k
        elif value.isdigit():
            assert not 0 < int(value) < k, (section, value)


@settings(max_examples=40, deadline=None)
@given(st.lists(case_rows(), max_size=30), st.integers(3, 6))
def test_a_chart_shows_no_more_than_its_table(rows, k):
    built = figures.build(rows, k)
    for key, table in built.tables.items():
        svg = str(charts.bar_chart(key, table.caption, table.bars()))
        for _label, value, shown in table.bars():
            if value is None:
                assert shown in (f"<{k}", "[c]")
        numbers = {int(n) for n in re.findall(r">(\d+)</text>", svg)}
        assert all(not 0 < n < k for n in numbers)


def test_medians_over_fewer_than_k_cases_are_hidden():
    rows = [_row(days_to_acknowledgement=str(d)) for d in (1, 2, 3, 4)]
    built = figures.build(rows, 5)
    assert not built.statistics["ack_median"].shown
    built = figures.build([*rows, _row(days_to_acknowledgement="9")], 5)
    assert built.statistics["ack_median"].value == "3"


def test_the_share_acknowledged_in_time_is_hidden_when_the_late_ones_are_few():
    rows = [_row(acknowledged_within_target="yes") for _ in range(20)]
    assert figures.build(rows, 5).statistics["ack_within"].value == "100%"
    rows[0]["acknowledged_within_target"] = "no"
    assert not figures.build(rows, 5).statistics["ack_within"].shown


def test_meetings_per_week_of_intervention_counts_closed_cases_only():
    rows = [_row(intervention_days="14", meetings_held="2", closure_outcome="completed")
            for _ in range(5)] + [_row(meetings_held="9")]  # fmt: skip
    assert figures.build(rows, 5).statistics["meetings_per_week"].value == "1"


def test_spend_is_shown_to_managers_only_when_enough_cases_used_accommodation():
    used = [_row(accommodation_used="yes", accommodation_nights="28",
                 accommodation_cost_band="1000_to_1999") for _ in range(5)]  # fmt: skip
    built = figures.build(used, 5, spend_pence=910_000)
    assert built.statistics["accommodation_spend"].value == "£9,100.00"
    built = figures.build(used[:4] + [_row()] * 3, 5, spend_pence=728_000)
    assert not built.statistics["accommodation_spend"].shown
    assert "accommodation_spend" not in figures.build(used, 5).statistics


def _row(**values):
    row = dict.fromkeys(names(CASE_COLUMNS), "")
    row.update(pathway="intervention", closure_outcome="open", borough="Camden",
               meetings_held="0", dash_review_count="0", accommodation_used="no",
               accommodation_nights="0", accommodation_cost_band="none",
               marac_referral="no", idva_referral="no")  # fmt: skip
    row.update(values)
    return row
