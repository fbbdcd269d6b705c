"""The SafeLives Dash checklist: the questions, scoring, the high-risk triggers, repeat MARAC."""

import json
from datetime import date
from importlib import resources

import pytest

from eip.cases import dash


def answers_with(yes: int, rest: str = "no") -> dict[int, str]:
    return {n: ("yes" if n <= yes else rest) for n in range(1, 25)}


# ---------------------------------------------------------------------------
# The questions


def test_the_checklist_has_24_questions_numbered_in_order_with_labels_and_wording():
    questions = dash.questions()
    assert [q.number for q in questions] == list(range(1, 25))
    for q in questions:
        assert q.label and q.text
        assert "?" in q.text


def test_the_questions_follow_the_safelives_order():
    labels = [q.label for q in dash.questions()]
    assert labels[0] == "Current injury"
    assert labels[9:11] == ["Happening more often", "Getting worse"]
    assert labels[13] == "Threats to kill"
    assert labels[14] == "Strangulation, choking, suffocation, drowning"
    assert labels[23] == "Criminal history"


def test_the_questions_are_read_once():
    assert dash.questions() is dash.questions()


def test_the_data_file_says_where_its_wording_comes_from():
    raw = resources.files("eip.cases").joinpath("dash_questions.json").read_text("utf-8")
    data = json.loads(raw)
    assert "paraphrase" in data["source"]
    assert data["answers"] == list(dash.ANSWERS)


def test_a_question_is_found_by_its_number():
    assert dash.question(5).label == "Depressed or suicidal"


# ---------------------------------------------------------------------------
# Validation and score


def test_a_complete_checklist_has_no_problems():
    assert dash.validate_answers(answers_with(5, rest="not_known")) == []


def test_a_missing_answer_is_named_by_its_question_number():
    answers = answers_with(3)
    del answers[7]
    answers[12] = ""
    assert dash.validate_answers(answers) == [
        "Answer question 7 (Conflict over child contact)",
        "Answer question 12 (Controlling behaviour)",
    ]


def test_an_answer_that_is_not_yes_no_or_not_known_is_refused():
    answers = answers_with(3)
    answers[2] = "maybe"
    assert dash.validate_answers(answers) == [
        "Answer question 2 (Very frightened) with yes, no or not known"
    ]


def test_an_empty_checklist_names_all_24_questions():
    problems = dash.validate_answers({})
    assert len(problems) == 24
    assert problems[0] == "Answer question 1 (Current injury)"
    assert problems[-1] == "Answer question 24 (Criminal history)"


def test_an_answer_to_a_question_not_on_the_checklist_is_refused():
    answers = answers_with(0)
    answers[25] = "yes"
    answers["3"] = "yes"
    assert dash.validate_answers(answers) == [
        "There is no question 25 on the checklist",
        "There is no question 3 on the checklist",
    ]


@pytest.mark.parametrize("yes", [0, 1, 9, 14, 24])
def test_the_score_is_the_count_of_yes(yes):
    assert dash.score(answers_with(yes, rest="not_known")) == yes


def test_not_known_and_questions_off_the_checklist_do_not_score():
    answers = answers_with(2, rest="not_known")
    answers[25] = "yes"
    assert dash.score(answers) == 2


# ---------------------------------------------------------------------------
# The high-risk triggers


def test_a_score_at_the_threshold_is_high_risk():
    result = dash.assess(14, 14, False, 0)
    assert result.level == "high"
    assert result.reasons == (dash.TRIGGER_SCORE,)
    assert dash.marac_referral_needed(result)
    assert dash.idva_referral_needed(result)


def test_a_score_below_the_threshold_but_at_10_is_medium():
    result = dash.assess(13, 14, False, 2)
    assert (result.level, result.reasons) == ("medium", ())
    assert not dash.marac_referral_needed(result)
    assert not dash.idva_referral_needed(result)


def test_a_score_below_10_is_standard():
    assert dash.assess(9, 14, False, 0).level == "standard"
    assert dash.assess(0, 14, False, 0).level == "standard"


def test_the_threshold_is_a_setting_and_10_makes_a_score_of_10_high():
    assert dash.assess(10, 10, False, 0).level == "high"
    assert dash.assess(10, 14, False, 0).level == "medium"
    assert dash.assess(9, 10, False, 0).level == "standard"


def test_professional_judgement_alone_makes_high_risk():
    result = dash.assess(3, 14, True, 0)
    assert result.level == "high"
    assert result.reasons == (dash.TRIGGER_JUDGEMENT,)
    assert dash.marac_referral_needed(result)
    assert dash.idva_referral_needed(result)


@pytest.mark.parametrize(("callouts", "level"), [(2, "standard"), (3, "high"), (7, "high")])
def test_escalation_is_3_or_more_police_callouts_in_12_months(callouts, level):
    result = dash.assess(2, 14, False, callouts)
    assert result.level == level
    assert (dash.TRIGGER_ESCALATION in result.reasons) is (level == "high")


def test_every_trigger_that_fired_is_given_in_order():
    result = dash.assess(20, 14, True, 4)
    assert result.reasons == (dash.TRIGGER_SCORE, dash.TRIGGER_JUDGEMENT, dash.TRIGGER_ESCALATION)
    assert result.score == 20


@pytest.mark.parametrize(
    ("score", "threshold", "callouts"),
    [(-1, 14, 0), (25, 14, 0), (5, 0, 0), (5, 25, 0), (5, 14, -1)],
)
def test_impossible_inputs_are_programming_errors(score, threshold, callouts):
    with pytest.raises(ValueError):
        dash.assess(score, threshold, False, callouts)


def test_the_risk_levels_match_the_shared_choice_list():
    from eip.cases.choices import RISK_LEVEL, values

    assert values(RISK_LEVEL) == dash.LEVELS


# ---------------------------------------------------------------------------
# Repeat MARAC: a referral on or after the same date one year earlier


def test_no_earlier_marac_referral_is_not_a_repeat():
    assert not dash.is_repeat_marac(None, date(2026, 3, 1))


def test_a_marac_referral_exactly_12_months_ago_makes_a_repeat():
    assert dash.is_repeat_marac(date(2025, 3, 1), date(2026, 3, 1))


def test_a_marac_referral_12_months_and_a_day_ago_does_not():
    assert not dash.is_repeat_marac(date(2025, 2, 28), date(2026, 3, 1))


def test_a_marac_referral_earlier_this_year_or_today_makes_a_repeat():
    assert dash.is_repeat_marac(date(2026, 1, 15), date(2026, 3, 1))
    assert dash.is_repeat_marac(date(2026, 3, 1), date(2026, 3, 1))


def test_a_marac_referral_dated_after_today_counts_as_recent():
    assert dash.is_repeat_marac(date(2026, 3, 2), date(2026, 3, 1))


def test_from_29_february_the_year_before_starts_on_28_february():
    assert dash.one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert dash.is_repeat_marac(date(2027, 2, 28), date(2028, 2, 29))
    assert not dash.is_repeat_marac(date(2027, 2, 27), date(2028, 2, 29))


def test_a_referral_on_29_february_is_within_12_months_of_28_february_next_year():
    assert dash.is_repeat_marac(date(2024, 2, 29), date(2025, 2, 28))
    assert not dash.is_repeat_marac(date(2024, 2, 29), date(2025, 3, 1))


def test_the_known_police_callouts_add_the_referrals_to_the_incidents_since_receipt():
    on, received = date(2026, 12, 1), date(2026, 11, 1)
    # The referral's own count, with nothing recorded since.
    assert dash.known_police_callouts(on, [], received, 1) == 1
    # An incident before receipt may be one the referral counted; one after always adds.
    before, after = date(2026, 10, 20), date(2026, 11, 20)
    assert dash.known_police_callouts(on, [before, after], received, 1) == 2
    assert dash.known_police_callouts(on, [before, before, after], received, 1) == 3
    # No referral figure: the incidents in the 12 months to the date alone.
    assert dash.known_police_callouts(on, [after, date(2025, 11, 30)], received, None) == 1
    # A referral received more than 12 months earlier no longer counts.
    assert dash.known_police_callouts(on, [after], date(2025, 11, 30), 4) == 1
