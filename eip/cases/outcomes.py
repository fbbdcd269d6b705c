"""Outcome measures: what is asked at each measurement point and when each point is due.
Pure: no database, no Flask.

The wording is the programme's own, in `outcome_measures.json` beside this module, so it
can be read and changed in one place (docs/outcomes.md). Frequencies are stored as their
place on the ordered scale (0 "not at all" to 5 "most days"; None "not known"), so change
between points is a difference of whole numbers.

Points and their due dates (DOMAIN.md: measured at intake, mid-point, exit and 3 and 6
months after closure):
- intake: within `INTAKE_WORKING_DAYS` working days of the intervention starting (the
  baseline is taken as the work begins, not at the referral: consultation-only and onward
  referrals receive no intervention and are not measured);
- mid-point: the programme setting's weeks after the intake measure (or after the start,
  while there is none), in calendar days;
- exit: before the case is closed (its due date is the closure itself, so it is not a
  dated item: the case page says it is still to record);
- follow-ups: 3 and 6 calendar months after the closure date, on a closed case only.
Open cases take intake, mid-point and exit; a closed case only its follow-ups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from eip.cases.dash import months_before
from eip.workdays import add_working_days

INTAKE, MID, EXIT, FOLLOWUP_3, FOLLOWUP_6 = "intake", "mid", "exit", "followup_3", "followup_6"
POINTS = (INTAKE, MID, EXIT, FOLLOWUP_3, FOLLOWUP_6)
OPEN_POINTS = (INTAKE, MID, EXIT)
FOLLOWUP_POINTS = (FOLLOWUP_3, FOLLOWUP_6)
FOLLOWUP_MONTHS = {FOLLOWUP_3: 3, FOLLOWUP_6: 6}
INTAKE_WORKING_DAYS = 5
# The due item's kind for each dated point (the work list, the reminders' topic).
DUE_KINDS = {
    INTAKE: "outcome_intake",
    MID: "outcome_mid",
    FOLLOWUP_3: "outcome_followup_3",
    FOLLOWUP_6: "outcome_followup_6",
}
FREQUENCY_MAX = 5
FEELS_SAFE_MAX = 10
ASKED_SOURCES = ("practitioner", "support_worker")


@cache
def data() -> dict[str, Any]:
    raw = resources.files("eip.cases").joinpath("outcome_measures.json").read_text("utf-8")
    loaded = json.loads(raw)
    if tuple(p["value"] for p in loaded["points"]) != POINTS:
        raise ValueError("outcome_measures.json must list the points in order: " + str(POINTS))
    if [f["value"] for f in loaded["frequency"]] != list(range(FREQUENCY_MAX + 1)):
        raise ValueError("outcome_measures.json: the frequency scale must run 0 to 5")
    return loaded


@dataclass(frozen=True)
class Behaviour:
    name: str
    label: str
    hint: str

    @property
    def column(self) -> str:
        return f"client_{self.name}"


def behaviours() -> tuple[Behaviour, ...]:
    return tuple(Behaviour(**item) for item in data()["behaviours"])


BEHAVIOUR_COLUMNS = tuple(b.column for b in behaviours())
PARTNER_COLUMNS = ("partner_feels_safe", "partner_abuse_frequency", "partner_quality_of_life")
# Every answer a measurement holds, in the form's order (no free text among them).
ANSWER_COLUMNS = (
    *BEHAVIOUR_COLUMNS,
    "partner_source",
    *PARTNER_COLUMNS,
    "children_exposure",
)


def point_label(point: str) -> str:
    return next(p["label"] for p in data()["points"] if p["value"] == point)


def frequency_label(score: int | None) -> str:
    if score is None:
        return data()["not_known"]
    return data()["frequency"][score]["label"]


def quality_label(value: int | None) -> str:
    return next((q["label"] for q in data()["quality_of_life"] if q["value"] == value), "")


def source_label(value: str | None) -> str:
    return next((s["label"] for s in data()["partner_source"] if s["value"] == value), "")


def exposure_label(value: str | None) -> str:
    return next((c["label"] for c in data()["children_exposure"] if c["value"] == value), "")


def exposure_score(value: str | None) -> int | None:
    """The children's exposure on its ordered scale (0 none to 3 caught up in it); None
    when there are no children or it is not known."""
    return next((c["score"] for c in data()["children_exposure"] if c["value"] == value), None)


def partner_asked(source: str | None) -> bool:
    return source in ASKED_SOURCES


def behaviour_score(answers: dict[str, int | None]) -> int | None:
    """The client's abusive behaviour over the 8 kinds: the sum of their places on the
    frequency scale (0 to 40). None when any kind is not known: a sum over fewer kinds
    would look like a fall."""
    values = [answers.get(column) for column in BEHAVIOUR_COLUMNS]
    if any(value is None for value in values):
        return None
    return sum(values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# When each point may be recorded and when it is due


def months_after(day: date, months: int) -> date:
    """The same date `months` calendar months later (31 August + 6 months: 28/29 February)."""
    return months_before(day, -months)


def points_allowed(status: str, intervention_started: bool) -> tuple[str, ...]:
    """The points a case may record or correct now: none before the intervention starts;
    intake, mid-point and exit while it is open; its follow-ups only once it is closed."""
    if not intervention_started:
        return ()
    if status == "closed":
        return FOLLOWUP_POINTS
    if status == "active":
        return OPEN_POINTS
    return ()


def refusal(point: str, status: str, intervention_started: bool) -> str | None:
    """Why `point` cannot be recorded or corrected on this case now (None when it can)."""
    if point in points_allowed(status, intervention_started):
        return None
    if not intervention_started:
        return "Outcome measures start with the intervention: record both consents first"
    if status == "closed":
        return (
            "This case is closed: only its follow-up measures (3 and 6 months after "
            "closure) can be recorded. A manager must reopen it to change the others"
        )
    if point in FOLLOWUP_POINTS:
        return "Follow-up measures are taken after the case is closed"
    return "Outcome measures cannot be recorded on this case now"


@dataclass(frozen=True)
class OutcomeFacts:
    """What the due dates of a case's measures depend on."""

    intervention_started_on: date | None
    closed_on: date | None
    intake_on: date | None
    recorded: frozenset[str]


def due_dates(
    facts: OutcomeFacts,
    status: str,
    mid_point_weeks: int,
    extra_non_working_days: frozenset[date] = frozenset(),
) -> dict[str, date]:
    """Each point still to record with its due date, for the points that have one now."""
    due: dict[str, date] = {}
    start = facts.intervention_started_on
    if start is None:
        return due
    if status == "active":
        if INTAKE not in facts.recorded:
            due[INTAKE] = add_working_days(start, INTAKE_WORKING_DAYS, extra_non_working_days)
        if MID not in facts.recorded:
            due[MID] = (facts.intake_on or start) + timedelta(weeks=mid_point_weeks)
    elif status == "closed" and facts.closed_on is not None:
        for point, months in FOLLOWUP_MONTHS.items():
            if point not in facts.recorded:
                due[point] = months_after(facts.closed_on, months)
    return due


DUE_LABELS = {
    INTAKE: "Record the intake outcome measures",
    MID: "Record the mid-point outcome measures",
    FOLLOWUP_3: "Record the 3-month follow-up outcome measures",
    FOLLOWUP_6: "Record the 6-month follow-up outcome measures",
}
