"""Recording and correcting a case's outcome measures (the rules of when: eip/cases/outcomes.py).

One measurement per point per case: the first save adds it (saved once per form), a later
one corrects it as the page showed it (its version, eip/versioning.py), each audited by
field name. Practitioners record them (`case.edit`). Open cases take intake, mid-point and
exit; a closed case its follow-ups only. Recording a point closes its reminders at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import outcomes
from eip.cases.common import audit_change, commit, commit_addition, lock_case
from eip.cases.models import Case
from eip.cases.records import OutcomeMeasure
from eip.cases.step_checks import require
from eip.clock import now, today
from eip.domain import NotFound, RuleBroken
from eip.formatting import long_date
from eip.problems import Problems
from eip.versioning import check_version
from eip.workdays import london_date

EDIT = "case.edit"
NOT_KNOWN = "not_known"
FIELDS = ("measured_on", *outcomes.ANSWER_COLUMNS)


def measure_of(session: Session, case: Case, point: str) -> OutcomeMeasure | None:
    return session.scalar(
        select(OutcomeMeasure).where(
            OutcomeMeasure.case_id == case.id, OutcomeMeasure.point == point
        )
    )


def exit_missing(session: Session, case: Case) -> bool:
    """The closure page's reminder: an intervention case about to close without its exit
    measures, which cannot be recorded once it is closed (exit has no dated due item)."""
    if case.intervention_started_on is None:
        return False
    return measure_of(session, case, outcomes.EXIT) is None


def refusal(case: Case, point: str) -> str | None:
    """Why this point cannot be recorded or corrected on the case now (None: it can)."""
    if point not in outcomes.POINTS:
        raise NotFound("There is no such measurement point")
    return outcomes.refusal(point, case.status, case.intervention_started_on is not None)


# ---------------------------------------------------------------------------
# Reading the answers


def _whole(raw: Any, lo: int, hi: int) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if text.isascii() and text.isdigit() and lo <= int(text) <= hi:
        return int(text)
    return None


def _frequency(raw: Any, field: str, message: str, problems: Problems) -> int | None:
    if raw == NOT_KNOWN:
        return None
    value = _whole(raw, 0, outcomes.FREQUENCY_MAX)
    if value is None:
        problems.add(field, message)
    return value


def _measured_on(
    session: Session, case: Case, point: str, day: date | None, problems: Problems
) -> None:
    if day is None:
        problems.add("measured_on", "Enter the date the measures were taken")
        return
    if day > today():
        problems.add("measured_on", "The date the measures were taken cannot be in the future")
        return
    started = case.intervention_started_on
    if started is not None and day < started:
        problems.add(
            "measured_on",
            f"The measures cannot be taken before the intervention started on {long_date(started)}",
        )
        return
    if point in outcomes.FOLLOWUP_POINTS and case.closed_at is not None:
        closed = london_date(case.closed_at)
        if day < closed:
            problems.add(
                "measured_on",
                f"A follow-up is taken after the case closed on {long_date(closed)}",
            )


def read_answers(values: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    """The answers as stored (no free text), with a problem for each one missing or not
    on its scale."""
    answers: dict[str, Any] = {}
    for behaviour in outcomes.behaviours():
        answers[behaviour.column] = _frequency(
            values.get(behaviour.column),
            behaviour.column,
            f"Select how often in the last 3 months: {behaviour.label.lower()}",
            problems,
        )
    source = values.get("partner_source")
    sources = [s["value"] for s in outcomes.data()["partner_source"]]
    if source not in sources:
        problems.add("partner_source", "Select whether the partner was asked, and by whom")
        source = None
    answers["partner_source"] = source
    for column in outcomes.PARTNER_COLUMNS:
        answers[column] = None
    # Questions the partner was not asked stay empty, whatever the page sent.
    if outcomes.partner_asked(source):
        answers["partner_feels_safe"] = _whole(
            values.get("partner_feels_safe"), 0, outcomes.FEELS_SAFE_MAX
        )
        if answers["partner_feels_safe"] is None:
            problems.add("partner_feels_safe", "Select how safe the partner feels, from 0 to 10")
        answers["partner_abuse_frequency"] = _frequency(
            values.get("partner_abuse_frequency"),
            "partner_abuse_frequency",
            "Select how often the partner says abuse happened in the last 3 months",
            problems,
        )
        answers["partner_quality_of_life"] = _whole(values.get("partner_quality_of_life"), 1, 5)
        if answers["partner_quality_of_life"] is None:
            problems.add("partner_quality_of_life", "Select how the partner rates their life now")
    exposure = values.get("children_exposure")
    if exposure not in [c["value"] for c in outcomes.data()["children_exposure"]]:
        problems.add("children_exposure", "Select the children's exposure to abuse")
        exposure = None
    answers["children_exposure"] = exposure
    return answers


def check_measure(
    session: Session,
    case: Case,
    point: str,
    *,
    measured_on: date | None,
    keep: OutcomeMeasure | None = None,
    **values: Any,
) -> dict[str, Any]:
    """The measurement's rules, all at once; writes nothing (`steps.validate` runs it too).
    The values as stored."""
    problems = Problems()
    if keep is None and measure_of(session, case, point) is not None:
        problems.add(
            None,
            f"The {outcomes.point_label(point).lower()} measures are already recorded: "
            "change them instead",
        )
    _measured_on(session, case, point, measured_on, problems)
    answers = read_answers(values, problems)
    problems.raise_any()
    return {"measured_on": measured_on, **answers}


def _write(measure: OutcomeMeasure, stored: dict[str, Any]) -> list[str]:
    changed = [name for name in FIELDS if getattr(measure, name) != stored[name]]
    for name in changed:
        setattr(measure, name, stored[name])
    return changed


def _close_reminders(session: Session, case: Case, point: str) -> None:
    from eip.notifications.centre import close_reminders_about

    kind = outcomes.DUE_KINDS.get(point)
    if kind is not None:
        close_reminders_about(session, kind, f"case:{case.id}", now())


def add_measure(
    session: Session,
    user: User,
    case: Case,
    *,
    point: str,
    submission: str | None = None,
    **values: Any,
) -> OutcomeMeasure:
    """The first measurement of `point` on the case."""
    require(user, EDIT, case)
    lock_case(session, case)
    reason = refusal(case, point)
    if reason:
        raise RuleBroken(reason)
    stored = check_measure(session, case, point, **values)
    measure = OutcomeMeasure(case_id=case.id, recorded_by_id=user.id, point=point)
    _write(measure, stored)
    session.add(measure)
    session.flush()
    audit_change(session, user, case, "case.outcome_recorded", fields=FIELDS, record=measure.id)
    _close_reminders(session, case, point)
    commit_addition(session, user, submission, "outcome measurement")
    return measure


def update_measure(
    session: Session,
    user: User,
    case: Case,
    point: str,
    *,
    version: int | str | None,
    **values: Any,
) -> bool:
    """Correct a point's measurement as the page showed it (refused if someone changed it
    since). False when nothing was changed."""
    require(user, EDIT, case)
    measure = measure_of(session, case, point)
    if measure is None:
        raise NotFound("This case has no measurement at that point")
    check_version(measure, version)
    reason = refusal(case, point)
    if reason:
        raise RuleBroken(reason)
    stored = check_measure(session, case, point, keep=measure, **values)
    fields = _write(measure, stored)
    if not fields:
        return False
    audit_change(session, user, case, "case.outcome_updated", fields=fields, record=measure.id)
    commit(session, measure)
    return True
