"""The SafeLives Dash risk checklist: questions, scoring and the high-risk triggers.

Pure functions: no Flask, no database. The 24 questions live in one data file,
`dash_questions.json`, so the wording can be checked and changed in one place.

A victim is at high risk (DOMAIN.md, step 8) when any of three triggers fires:
the score (count of "yes") is at or over the MARAC threshold (a programme setting:
14 by SafeLives guidance, 10 in some areas), the practitioner's professional judgement
says so, or the abuse is escalating (3 or more police call-outs in 12 months). High
risk means an IDVA referral at once and a MARAC referral. Below that, a score of 10
or more is "medium" and anything else "standard" (the banding local MARACs publish:
1-9 standard, 10-13 medium, 14 and over high); medium triggers nothing by itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

ANSWERS = ("yes", "no", "not_known")
ANSWER_LABELS = {"yes": "Yes", "no": "No", "not_known": "Not known"}
QUESTION_COUNT = 24
LEVELS = ("standard", "medium", "high")
DEFAULT_MARAC_THRESHOLD = 14
MEDIUM_FROM = 10
ESCALATION_CALLOUTS = 3

TRIGGER_SCORE = "Score at or over the MARAC threshold"
TRIGGER_JUDGEMENT = "Professional judgement"
TRIGGER_ESCALATION = "Escalation: 3 or more police call-outs in 12 months"


@dataclass(frozen=True)
class Question:
    number: int
    label: str
    text: str


@cache
def questions() -> tuple[Question, ...]:
    """The 24 questions in checklist order, read from the data file once per process."""
    raw = resources.files("eip.cases").joinpath("dash_questions.json").read_text("utf-8")
    loaded = tuple(Question(**item) for item in json.loads(raw)["questions"])
    if [q.number for q in loaded] != list(range(1, QUESTION_COUNT + 1)):
        raise ValueError("dash_questions.json must hold questions 1 to 24 in order")
    return loaded


def question(number: int) -> Question:
    return questions()[number - 1]


def validate_answers(answers: Mapping[int, str]) -> list[str]:
    """Every problem with a completed checklist, one message each, by question number.

    An empty list means every one of the 24 questions has yes, no or not known.
    """
    problems: list[tuple[int, str]] = []
    for q in questions():
        answer = answers.get(q.number)
        if answer is None or answer == "":
            problems.append((q.number, f"Answer question {q.number} ({q.label})"))
        elif answer not in ANSWERS:
            problems.append(
                (q.number, f"Answer question {q.number} ({q.label}) with yes, no or not known")
            )
    for key in answers:
        if not (isinstance(key, int) and 1 <= key <= QUESTION_COUNT):
            number = key if isinstance(key, int) else QUESTION_COUNT + 1
            problems.append((number, f"There is no question {key} on the checklist"))
    return [message for _, message in sorted(problems, key=lambda p: p[0])]


def score(answers: Mapping[int, str]) -> int:
    """The count of "yes" answers to the 24 questions ("not known" is not "yes")."""
    return sum(1 for number in range(1, QUESTION_COUNT + 1) if answers.get(number) == "yes")


@dataclass(frozen=True)
class RiskAssessment:
    score: int
    level: str  # one of LEVELS
    reasons: tuple[str, ...]  # the high-risk triggers that fired, in a fixed order

    @property
    def high(self) -> bool:
        return self.level == "high"


def assess(
    score: int,
    marac_threshold: int,
    professional_judgement_high: bool,
    police_callouts_12_months: int,
) -> RiskAssessment:
    """The risk level and which high-risk triggers fired (see the module docstring).

    With a MARAC threshold of 10 or less, "medium" never applies: every score of 10
    or more is high.
    """
    if not 0 <= score <= QUESTION_COUNT:
        raise ValueError(f"A Dash score is between 0 and {QUESTION_COUNT}")
    if not 1 <= marac_threshold <= QUESTION_COUNT:
        raise ValueError(f"The MARAC threshold is between 1 and {QUESTION_COUNT}")
    if police_callouts_12_months < 0:
        raise ValueError("The number of police call-outs cannot be negative")
    reasons = []
    if score >= marac_threshold:
        reasons.append(TRIGGER_SCORE)
    if professional_judgement_high:
        reasons.append(TRIGGER_JUDGEMENT)
    if police_callouts_12_months >= ESCALATION_CALLOUTS:
        reasons.append(TRIGGER_ESCALATION)
    if reasons:
        level = "high"
    elif score >= MEDIUM_FROM:
        level = "medium"
    else:
        level = "standard"
    return RiskAssessment(score=score, level=level, reasons=tuple(reasons))


def idva_referral_needed(assessment: RiskAssessment) -> bool:
    """A victim at high risk is referred to the IDVA service at once."""
    return assessment.high


def marac_referral_needed(assessment: RiskAssessment) -> bool:
    """Each high-risk trigger (score, judgement, escalation) is a MARAC referral criterion."""
    return assessment.high


def one_year_before(day: date) -> date:
    """The same date a year earlier; 29 February goes back to 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def known_police_callouts(
    on: date,
    incidents_on: Iterable[date],
    referral_received_on: date | None = None,
    referral_callouts: int | None = None,
) -> int:
    """The police call-outs known in the 12 months up to `on` (inclusive): the referral's
    count (it covers the 12 months to its receipt) and the call-outs recorded as incidents.

    An incident that happened on or before the day of receipt may be one the referral
    already counted, so those are counted as the referral's figure or as their own number,
    whichever is larger; call-outs after receipt always add. A referral received more than
    12 months before `on` no longer counts.
    """
    start = one_year_before(on)
    dates = [day for day in incidents_on if start <= day <= on]
    if referral_received_on is None or not start <= referral_received_on <= on:
        return len(dates)
    before = sum(1 for day in dates if day <= referral_received_on)
    return max(referral_callouts or 0, before) + len(dates) - before


def is_repeat_marac(last_marac_referral: date | None, today: date) -> bool:
    """Whether a new MARAC referral is a repeat: the last one was in the last 12 months.

    "In the last 12 months" means on or after the same date one year earlier
    (referred 1 March 2025: a repeat up to and including 1 March 2026). From 29 February
    the year before is taken from 28 February, the wider reading. A referral dated
    after `today` (clock or data-entry skew) is on record and recent, so it counts.
    """
    if last_marac_referral is None:
        return False
    return last_marac_referral >= one_year_before(today)
