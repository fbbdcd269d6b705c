"""The SafeLives Dash checklist: the questions, scoring, the two thresholds and escalation,
repeat MARAC."""

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
# The two thresholds: high risk (IDVA) and MARAC

DEFAULT = dash.Thresholds()


def test_the_defaults_are_10_for_high_risk_14_for_marac_and_3_police_callouts_in_12_months():
    assert (DEFAULT.high_risk, DEFAULT.marac) == (10, 14)
    assert (DEFAULT.escalation_incidents, DEFAULT.escalation_months) == (3, 12)
    assert DEFAULT.escalation_kinds == ("police_callout",)


def test_a_score_of_11_is_high_risk_an_idva_referral_but_not_marac():
    result = dash.assess(11, DEFAULT, "none", 0)
    assert result.level == "high" and result.high_reasons == (dash.SCORE,)
    assert dash.idva_referral_needed(result)
    assert not dash.marac_referral_needed(result) and result.marac_reasons == ()


def test_a_score_at_the_high_risk_threshold_is_high_and_one_below_is_not():
    assert dash.assess(10, DEFAULT, "none", 0).high
    assert not dash.assess(9, DEFAULT, "none", 0).high


def test_a_score_at_the_marac_threshold_needs_both_referrals():
    result = dash.assess(14, DEFAULT, "none", 0)
    assert dash.idva_referral_needed(result) and dash.marac_referral_needed(result)
    assert result.marac_reasons == (dash.SCORE,)
    assert not dash.assess(13, DEFAULT, "none", 0).marac


def test_the_thresholds_are_settings():
    strict = dash.Thresholds(high_risk=12, marac=20)
    assert dash.assess(11, strict, "none", 0).level == "medium"
    assert not dash.assess(19, strict, "none", 0).marac
    assert dash.assess(20, strict, "none", 0).marac


def test_below_the_high_risk_threshold_10_or_more_is_medium_and_less_standard():
    strict = dash.Thresholds(high_risk=12, marac=14)
    assert dash.assess(10, strict, "none", 0).level == "medium"
    assert dash.assess(9, strict, "none", 0).level == "standard"
    assert dash.assess(0, DEFAULT, "none", 0).level == "standard"


def test_a_judgement_of_high_risk_alone_is_an_idva_referral_not_marac():
    result = dash.assess(3, DEFAULT, "high", 0)
    assert result.high and result.high_reasons == (dash.JUDGEMENT,)
    assert not result.marac


def test_a_judgement_of_marac_alone_is_both_referrals():
    result = dash.assess(3, DEFAULT, "marac", 0)
    assert result.high and result.marac
    assert result.high_reasons == result.marac_reasons == (dash.JUDGEMENT,)


@pytest.mark.parametrize(("incidents", "met"), [(2, False), (3, True), (7, True)])
def test_escalation_at_the_settings_count_is_both_referrals(incidents, met):
    result = dash.assess(2, DEFAULT, "none", incidents)
    assert (result.high, result.marac) == (met, met)
    assert (dash.ESCALATION in result.marac_reasons) is met


def test_the_escalation_count_is_a_setting():
    assert dash.assess(2, dash.Thresholds(escalation_incidents=5), "none", 4).level == "standard"
    assert dash.assess(2, dash.Thresholds(escalation_incidents=1), "none", 1).marac


def test_every_trigger_that_fired_is_given_in_order():
    result = dash.assess(20, DEFAULT, "marac", 4)
    assert result.high_reasons == (dash.SCORE, dash.JUDGEMENT, dash.ESCALATION)
    assert result.marac_reasons == (dash.SCORE, dash.JUDGEMENT, dash.ESCALATION)


@pytest.mark.parametrize(
    ("score", "judgement", "incidents", "raises"),
    [
        (3, "none", 0, False),
        (3, "high", 0, True),
        (11, "high", 0, False),  # the score already makes it high risk
        (11, "marac", 0, True),  # but not MARAC
        (15, "marac", 0, False),
        (2, "marac", 3, False),  # escalation already makes it both
    ],
)
def test_a_judgement_needs_its_reason_only_when_it_raises_the_level(
    score, judgement, incidents, raises
):
    assert dash.judgement_raises(score, DEFAULT, judgement, incidents) is raises


@pytest.mark.parametrize(
    ("score", "judgement", "incidents"),
    [(-1, "none", 0), (25, "none", 0), (5, "yes", 0), (5, "none", -1)],
)
def test_impossible_inputs_are_programming_errors(score, judgement, incidents):
    with pytest.raises(ValueError):
        dash.assess(score, DEFAULT, judgement, incidents)


@pytest.mark.parametrize(
    "settings",
    [
        {"high_risk": 0},
        {"marac": 25},
        {"high_risk": 15, "marac": 14},
        {"escalation_incidents": 0},
        {"escalation_months": 0},
        {"escalation_kinds": ()},
        {"escalation_kinds": ("burglary",)},
    ],
)
def test_impossible_thresholds_are_programming_errors(settings):
    with pytest.raises(ValueError):
        dash.Thresholds(**settings)


# ---------------------------------------------------------------------------
# Explaining a level against the thresholds it was made under


def test_a_high_review_explains_its_score_against_the_threshold_of_its_day():
    result = dash.assess(11, DEFAULT, "none", 0)
    lines = dash.explain(result, DEFAULT, 0, "7 December 2026")
    assert lines == ["High risk: score 11 ≥ 10 (the threshold on 7 December 2026)"]


def test_judgement_and_escalation_are_explained_in_words():
    result = dash.assess(4, DEFAULT, "high", 3)
    lines = dash.explain(result, DEFAULT, 3, "7 December 2026")
    assert lines == [
        "High risk: by professional judgement, and by escalation",
        "MARAC: by escalation",
        "Escalation: 3 police call-outs in 12 months (at least 3 is escalation)",
    ]


def test_a_review_below_every_threshold_has_nothing_to_explain():
    assert dash.explain(dash.assess(4, DEFAULT, "none", 0), DEFAULT, 0, "today") == []


def test_several_kinds_are_named_when_counted():
    kinds = ("police_callout", "other_agency")
    assert dash.incidents_phrase(4, kinds) == (
        "4 incidents (police call-outs, reports from other agencies)"
    )
    assert dash.incidents_phrase(1, ("police_callout",)) == "1 police call-out"


# ---------------------------------------------------------------------------
# Escalation: incidents of the settings' kinds in the last M months

ON = date(2026, 12, 7)


def callouts(*days: date) -> list[tuple[date, str]]:
    return [(day, "police_callout") for day in days]


def test_an_incident_exactly_m_months_before_counts_and_the_day_before_does_not():
    assert dash.escalation_count(ON, DEFAULT, callouts(date(2025, 12, 7))) == 1
    assert dash.escalation_count(ON, DEFAULT, callouts(date(2025, 12, 6))) == 0


def test_an_incident_on_the_day_of_the_review_counts_and_one_after_does_not():
    assert dash.escalation_count(ON, DEFAULT, callouts(ON)) == 1
    assert dash.escalation_count(ON, DEFAULT, callouts(date(2026, 12, 8))) == 0


def test_the_window_is_the_settings_months():
    six = dash.Thresholds(escalation_months=6)
    assert dash.escalation_count(ON, six, callouts(date(2026, 6, 7), date(2026, 6, 6))) == 1


def test_a_month_without_the_day_ends_the_window_on_its_last_day():
    assert dash.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert dash.months_before(date(2028, 3, 31), 1) == date(2028, 2, 29)
    assert dash.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_only_the_kinds_selected_count():
    incidents = [(ON, "police_callout"), (ON, "partner_disclosure"), (ON, "other_agency")]
    assert dash.escalation_count(ON, DEFAULT, incidents) == 1
    wider = dash.Thresholds(escalation_kinds=("partner_disclosure", "other_agency"))
    assert dash.escalation_count(ON, wider, incidents) == 2


def test_every_kind_the_settings_name_counts_towards_escalation():
    every = dash.Thresholds(escalation_kinds=tuple(dash.INCIDENT_NOUNS))
    incidents = [(ON, kind) for kind in dash.INCIDENT_NOUNS]
    assert dash.escalation_count(ON, every, incidents) == len(dash.INCIDENT_NOUNS)


def test_the_referrals_police_callouts_count_once_when_police_callouts_are_a_kind():
    received = date(2026, 11, 2)
    before = callouts(date(2026, 10, 1))
    assert dash.escalation_count(ON, DEFAULT, before, received, 2) == 2
    after = callouts(date(2026, 11, 20))
    assert dash.escalation_count(ON, DEFAULT, after, received, 2) == 3
    disclosures = dash.Thresholds(escalation_kinds=("partner_disclosure",))
    assert dash.escalation_count(ON, disclosures, after, received, 2) == 0


def test_a_referral_received_before_the_window_no_longer_counts():
    assert dash.escalation_count(ON, DEFAULT, [], date(2025, 12, 6), 3) == 0
    assert dash.escalation_count(ON, DEFAULT, [], date(2025, 12, 7), 3) == 3


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
