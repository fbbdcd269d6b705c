"""The outcome measures' rules, with no app or database: what each point may record and when
it is due (working days for intake, calendar weeks for the mid-point, calendar months after
closure for the follow-ups), the behaviour score, the extract's bands, the chart."""

from __future__ import annotations

from datetime import date

import pytest

from eip.cases import outcome_data, outcomes
from eip.cases.outcome_chart import ChartValue, point_chart
from eip.cases.outcomes import OutcomeFacts, due_dates, points_allowed

NONE: frozenset[str] = frozenset()


def test_the_wording_file_holds_eight_behaviours_on_one_six_step_scale():
    assert [b.name for b in outcomes.behaviours()] == [
        "physical",
        "sexual",
        "coercive",
        "emotional",
        "economic",
        "stalking",
        "technology",
        "children",
    ]
    assert [outcomes.frequency_label(n) for n in (0, 5, None)] == [
        "Not at all",
        "Most days",
        "Not known",
    ]
    assert [outcomes.point_label(p) for p in outcomes.POINTS][-1] == "6-month follow-up"


@pytest.mark.parametrize(
    ("status", "started", "allowed"),
    [
        ("active", True, ("intake", "mid", "exit")),
        ("closed", True, ("followup_3", "followup_6")),
        ("closed", False, ()),
        ("awaiting_consent", False, ()),
        ("not_accepted", True, ()),
    ],
)
def test_open_cases_take_intake_to_exit_and_closed_ones_only_their_follow_ups(
    status, started, allowed
):
    assert points_allowed(status, started) == allowed


def test_follow_ups_are_refused_before_closure_with_a_reason():
    assert "after the case is closed" in outcomes.refusal("followup_3", "active", True)
    assert "only its follow-up measures" in outcomes.refusal("exit", "closed", True)
    assert outcomes.refusal("mid", "active", True) is None


def test_intake_counts_working_days_past_christmas_and_the_mid_point_calendar_weeks():
    facts = OutcomeFacts(date(2026, 12, 24), None, None, NONE)
    due = due_dates(facts, "active", 4)
    # 25 and 28 December (Boxing Day's substitute) and 1 January are bank holidays.
    assert due == {"intake": date(2027, 1, 5), "mid": date(2027, 1, 21)}
    measured = OutcomeFacts(date(2026, 12, 24), None, date(2027, 1, 5), frozenset({"intake"}))
    assert due_dates(measured, "active", 6) == {"mid": date(2027, 2, 16)}


def test_a_managers_extra_non_working_day_moves_the_intake():
    facts = OutcomeFacts(date(2027, 3, 1), None, None, NONE)  # a Monday
    plain = due_dates(facts, "active", 4)["intake"]
    moved = due_dates(facts, "active", 4, frozenset({date(2027, 3, 3)}))["intake"]
    assert (plain, moved) == (date(2027, 3, 8), date(2027, 3, 9))


def test_follow_ups_are_calendar_months_after_closure_the_month_end_kept():
    facts = OutcomeFacts(date(2027, 5, 1), date(2027, 8, 31), date(2027, 5, 3), NONE)
    assert due_dates(facts, "closed", 4) == {
        "followup_3": date(2027, 11, 30),
        "followup_6": date(2028, 2, 29),
    }
    done = OutcomeFacts(date(2027, 5, 1), date(2027, 8, 31), None, frozenset({"followup_3"}))
    assert due_dates(done, "closed", 4) == {"followup_6": date(2028, 2, 29)}
    assert due_dates(facts, "active", 4).keys() == {"intake", "mid"}


def test_nothing_is_due_before_the_intervention_starts():
    assert due_dates(OutcomeFacts(None, None, None, NONE), "awaiting_consent", 4) == {}


def test_the_behaviour_score_is_not_known_when_any_kind_is_not_known():
    answers = dict.fromkeys(outcomes.BEHAVIOUR_COLUMNS, 2)
    assert outcomes.behaviour_score(answers) == 16
    assert outcomes.behaviour_score({**answers, "client_sexual": None}) is None


def test_the_extracts_bands_are_coarse_and_say_not_asked():
    assert [outcome_data.frequency_band(n) for n in (0, 1, 2, 3, 4, 5, None)] == [
        "none",
        "occasional",
        "occasional",
        "regular",
        "regular",
        "daily",
        "not_known",
    ]
    assert [outcome_data.behaviour_score_band(n) for n in (0, 5, 6, 20, 21, 40)] == [
        "0",
        "1-5",
        "6-10",
        "11-20",
        "21-40",
        "21-40",
    ]
    assert outcome_data.feels_safe_band(8, "practitioner") == "7-10"
    assert outcome_data.feels_safe_band(None, "declined") == "not_asked"
    assert outcome_data.quality_band(3, "support_worker") == "neither"
    assert [outcome_data.change_band(n) for n in (-3, 0, 2, None)] == [
        "fell",
        "no_change",
        "rose",
        "not_known",
    ]


def test_the_chart_is_an_image_with_its_figures_in_words_and_a_gap_for_not_known():
    svg = str(
        point_chart(
            "c",
            "The client's abusive behaviour score",
            [ChartValue("Intake", 30), ChartValue("Mid-point", None), ChartValue("Exit", 10)],
            top=40,
            steps=(0, 20, 40),
        )
    )
    assert 'role="img"' in svg and "style=" not in svg
    assert "Intake: 30. Exit: 10. Change from Intake to Exit: -20." in svg
    assert "<polyline" not in svg  # no line across the unknown mid-point
    assert "&#39;" in svg  # the title is escaped
    assert str(point_chart("c", "t", [ChartValue("Intake", None)], top=10, steps=(0,))) == ""
