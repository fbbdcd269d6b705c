"""The SafeLives Dash risk checklist: questions, scoring and the two thresholds.

Pure functions: no Flask, no database. The 24 questions live in one data file,
`dash_questions.json`, so the wording can be checked and changed in one place.

Two levels above the ordinary (DOMAIN.md, step 8), each with three triggers:

- **high risk** (an IDVA referral within 1 working day): the score (count of "yes")
  reaches the high-risk threshold (a programme setting, 10 by local guidance), or the
  practitioner's professional judgement is high risk or MARAC, or escalation is met;
- **MARAC** (a MARAC referral within 2 working days): the score reaches the MARAC
  threshold (a setting, 14 by SafeLives guidance), or the judgement is MARAC, or
  escalation is met.

Escalation (settings): at least N incidents (3) of the kinds selected (police call-outs)
in the last M months (12). A MARAC case is always a high-risk case: the MARAC threshold is
never below the high-risk one. Below high risk, a score of 10 or more is "medium" (the
banding local MARACs publish) and anything else "standard"; medium triggers nothing.
Each review keeps the thresholds it was assessed under (`Thresholds`), so a later change
of setting never changes, or stops explaining, an earlier review's level.
"""

from __future__ import annotations

import calendar
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
DEFAULT_HIGH_RISK_THRESHOLD = 10
DEFAULT_MARAC_THRESHOLD = 14
MEDIUM_FROM = 10

# The practitioner's professional judgement: it can raise the level, never lower it.
JUDGEMENTS = {
    "none": "No judgement beyond the score",
    "high": "High risk: refer to the IDVA service",
    "marac": "High risk and MARAC: refer to the IDVA service and to MARAC",
}

# Why a review is high risk or MARAC (RiskAssessment.high_reasons / marac_reasons).
SCORE, JUDGEMENT, ESCALATION = "score", "judgement", "escalation"

# The incident kinds (eip.cases.choices.INCIDENT_SOURCE), as counted in an explanation.
INCIDENT_NOUNS = {
    "police_callout": ("police call-out", "police call-outs"),
    "client_disclosure": ("disclosure by the client", "disclosures by the client"),
    "partner_disclosure": ("disclosure by the partner", "disclosures by the partner"),
    "other_agency": ("report from another agency", "reports from other agencies"),
    "other": ("other incident", "other incidents"),
}


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
class Thresholds:
    """The settings a review is assessed under, stored on the review with it."""

    high_risk: int = DEFAULT_HIGH_RISK_THRESHOLD
    marac: int = DEFAULT_MARAC_THRESHOLD
    escalation_incidents: int = 3
    escalation_months: int = 12
    escalation_kinds: tuple[str, ...] = ("police_callout",)

    def __post_init__(self) -> None:
        if not 1 <= self.high_risk <= self.marac <= QUESTION_COUNT:
            raise ValueError(
                f"The thresholds are between 1 and {QUESTION_COUNT}, MARAC not below high risk"
            )
        if self.escalation_incidents < 1 or self.escalation_months < 1:
            raise ValueError("Escalation needs at least 1 incident in at least 1 month")
        unknown = set(self.escalation_kinds) - set(INCIDENT_NOUNS)
        if not self.escalation_kinds or unknown:
            raise ValueError("Escalation counts one or more known incident kinds")

    def as_stored(self) -> dict[str, object]:
        """The DASH review's columns that keep these thresholds (the one copy of that mapping)."""
        return {
            "high_risk_threshold": self.high_risk,
            "marac_threshold": self.marac,
            "escalation_min_incidents": self.escalation_incidents,
            "escalation_months": self.escalation_months,
            "escalation_kinds": ",".join(self.escalation_kinds),
        }


@dataclass(frozen=True)
class RiskAssessment:
    score: int
    level: str  # one of LEVELS
    marac: bool  # the MARAC referral criteria are met
    high_reasons: tuple[str, ...]  # of SCORE, JUDGEMENT, ESCALATION, in that order
    marac_reasons: tuple[str, ...]

    @property
    def high(self) -> bool:
        return self.level == "high"


def split_kinds(stored: str | None) -> tuple[str, ...]:
    """The incident kinds escalation counts, from their stored comma-separated form."""
    return tuple(kind for kind in (stored or "").split(",") if kind)


def escalation_met(incidents: int, thresholds: Thresholds) -> bool:
    return incidents >= thresholds.escalation_incidents


def assess(
    score: int, thresholds: Thresholds, judgement: str, escalation_incidents: int
) -> RiskAssessment:
    """The risk level, whether MARAC is met, and which triggers fired (module docstring).

    `escalation_incidents` is the count of incidents of the settings' kinds in their window
    (`escalation_count`, or the practitioner's own count).
    """
    if not 0 <= score <= QUESTION_COUNT:
        raise ValueError(f"A Dash score is between 0 and {QUESTION_COUNT}")
    if judgement not in JUDGEMENTS:
        raise ValueError(f"The professional judgement is one of {', '.join(JUDGEMENTS)}")
    if escalation_incidents < 0:
        raise ValueError("The number of incidents cannot be negative")
    escalation = escalation_met(escalation_incidents, thresholds)
    high = _fired(score >= thresholds.high_risk, judgement in ("high", "marac"), escalation)
    marac = _fired(score >= thresholds.marac, judgement == "marac", escalation)
    if high:
        level = "high"
    elif score >= MEDIUM_FROM:
        level = "medium"
    else:
        level = "standard"
    return RiskAssessment(score, level, bool(marac), high, marac)


def _fired(by_score: bool, by_judgement: bool, by_escalation: bool) -> tuple[str, ...]:
    pairs = ((SCORE, by_score), (JUDGEMENT, by_judgement), (ESCALATION, by_escalation))
    return tuple(name for name, fired in pairs if fired)


def judgement_raises(
    score: int, thresholds: Thresholds, judgement: str, escalation_incidents: int
) -> bool:
    """Whether the judgement makes the review more serious than the score and escalation
    alone: then the practitioner must say why."""
    alone = assess(score, thresholds, "none", escalation_incidents)
    judged = assess(score, thresholds, judgement, escalation_incidents)
    return (judged.high, judged.marac) != (alone.high, alone.marac)


def idva_referral_needed(assessment: RiskAssessment) -> bool:
    """A victim at high risk is referred to the IDVA service within 1 working day."""
    return assessment.high


def marac_referral_needed(assessment: RiskAssessment) -> bool:
    """The MARAC threshold, a MARAC judgement or escalation: a MARAC referral."""
    return assessment.marac


def incidents_phrase(count: int, kinds: Iterable[str]) -> str:
    """ "3 police call-outs", or "4 incidents (police call-outs, reports from other
    agencies)" when more than one kind counts."""
    kinds = tuple(kinds)
    if len(kinds) == 1:
        singular, plural = INCIDENT_NOUNS[kinds[0]]
        return f"{count} {singular if count == 1 else plural}"
    names = ", ".join(INCIDENT_NOUNS[kind][1] for kind in kinds)
    return f"{count} incident{'' if count == 1 else 's'} ({names})"


def explain(
    assessment: RiskAssessment,
    thresholds: Thresholds,
    escalation_incidents: int,
    set_on: str,
) -> list[str]:
    """Why a review has its level, in words, against the thresholds it was made under
    (`set_on`: the date those were in force, as the page shows it)."""
    lines = []
    if assessment.high:
        lines.append(
            _why(
                "High risk", assessment.score, assessment.high_reasons, thresholds.high_risk, set_on
            )
        )
    if assessment.marac:
        lines.append(
            _why("MARAC", assessment.score, assessment.marac_reasons, thresholds.marac, set_on)
        )
    if ESCALATION in assessment.high_reasons:
        counted = incidents_phrase(escalation_incidents, thresholds.escalation_kinds)
        lines.append(
            f"Escalation: {counted} in {thresholds.escalation_months} months "
            f"(at least {thresholds.escalation_incidents} is escalation)"
        )
    return lines


def _why(level: str, score: int, reasons: tuple[str, ...], threshold: int, set_on: str) -> str:
    parts = []
    if SCORE in reasons:
        parts.append(f"score {score} ≥ {threshold} (the threshold on {set_on})")
    if JUDGEMENT in reasons:
        parts.append("by professional judgement")
    if ESCALATION in reasons:
        parts.append("by escalation")
    return f"{level}: " + ", and ".join(parts)


def months_before(day: date, months: int) -> date:
    """The same date `months` calendar months earlier; a day the month lacks (31 March,
    1 month) becomes that month's last day (28 or 29 February), the wider reading."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def escalation_count(
    on: date,
    thresholds: Thresholds,
    incidents: Iterable[tuple[date, str]],
    referral_received_on: date | None = None,
    referral_callouts: int | None = None,
) -> int:
    """The incidents of the settings' kinds known in the last M months up to `on`, both
    ends included (12 months to 7 December: from 7 December the year before).

    `incidents` are (date, kind) pairs: every kind the settings name counts. The referral's
    police call-out count counts too when police call-outs are a kind and the referral was
    received in the window, as `known_police_callouts` counts it (never twice).
    """
    start = months_before(on, thresholds.escalation_months)
    kinds = set(thresholds.escalation_kinds)
    inside = [(day, kind) for day, kind in incidents if start <= day <= on and kind in kinds]
    others = sum(1 for _day, kind in inside if kind != "police_callout")
    if "police_callout" not in kinds:
        return others
    callouts = [day for day, kind in inside if kind == "police_callout"]
    if referral_received_on is None or not start <= referral_received_on <= on:
        return others + len(callouts)
    before = sum(1 for day in callouts if day <= referral_received_on)
    return others + max(referral_callouts or 0, before) + len(callouts) - before


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
