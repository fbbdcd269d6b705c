"""Test data for sessions, meetings, incidents, DASH reviews and actions.

Cases are put straight into the state a test needs (consents as Consent rows), so
that these tests do not depend on the referral and consent steps' own code.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask.testing import FlaskClient

from eip.auth.models import User
from eip.cases.dash import QUESTION_COUNT
from eip.cases.models import Case
from eip.cases.records import CaseAction, Consent, DashReview, Incident, InterventionSession
from eip.extensions import db
from tests import factories
from tests.conftest import csrf_token_from

RECEIVED = date(2026, 1, 5)  # a Monday


def moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def case(
    status: str = "active",
    *,
    practitioner: User | None = None,
    borough_name: str = "Camden",
    received_on: date = RECEIVED,
    started_on: date | None = None,
    consents: bool = True,
) -> Case:
    """A case in `status`, received and acknowledged; an active one has its
    intervention started and (unless `consents=False`) both intervention consents."""
    record = factories.case(borough_name, practitioner=practitioner, status=status)
    record.received_at = moment(received_on)
    record.acknowledged_at = moment(received_on, 15)
    if status == "active" or started_on is not None:
        record.intervention_started_on = started_on or received_on + timedelta(days=14)
    if status in ("closed", "not_accepted"):
        record.closed_at = moment(received_on + timedelta(days=60))
        record.status_before_closure = "active"
        record.closure_outcome = "completed"
    db.session.commit()
    if consents and status in ("active", "closed"):
        for person in ("client", "partner"):
            consent(record, person, recorded_on=received_on + timedelta(days=10))
    return record


def consent(
    case: Case,
    person: str,
    *,
    kind: str = "intervention",
    state: str = "given",
    recorded_on: date = RECEIVED,
    withdrawn_on: date | None = None,
) -> Consent:
    record = Consent(
        case_id=case.id,
        person_role=person,
        kind=kind,
        state=state,
        recorded_on=recorded_on,
        obtained_by="Test social worker",
        how="in_person",
        withdrawn_on=withdrawn_on,
        withdrawal_reason="Changed their mind" if withdrawn_on else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


def incident(case: Case, occurred_on: date, *, source: str = "police_callout") -> Incident:
    record = Incident(
        case_id=case.id,
        occurred_on=occurred_on,
        source=source,
        police_callout=source == "police_callout",
        description="A fictional incident",
    )
    db.session.add(record)
    db.session.commit()
    return record


def session(case: Case, held_on: date, attendance: str = "attended") -> InterventionSession:
    record = InterventionSession(
        case_id=case.id, held_on=held_on, duration_minutes=60, attendance=attendance
    )
    db.session.add(record)
    db.session.commit()
    return record


def answers(yes: int, *, rest: str = "no") -> dict[int, str]:
    """Answers to all 24 questions: the first `yes` are yes, the others `rest`."""
    return {n: "yes" if n <= yes else rest for n in range(1, QUESTION_COUNT + 1)}


def dash_review(
    case: Case,
    completed_on: date,
    score: int,
    level: str = "standard",
    *,
    judgement: str = "none",
    callouts: int = 0,
    marac: bool | None = None,
) -> DashReview:
    """A stored review under the default thresholds (10 and 14); `marac` defaults to the
    score reaching 14."""
    record = DashReview(
        case_id=case.id,
        completed_on=completed_on,
        answers={str(n): a for n, a in answers(score).items()},
        score=score,
        professional_judgement=judgement,
        professional_judgement_high=judgement != "none",
        police_callouts_12_months=callouts,
        escalation_incidents=callouts,
        risk_level=level,
        marac=score >= 14 if marac is None else marac,
        high_risk_threshold=10,
        marac_threshold=14,
    )
    db.session.add(record)
    db.session.commit()
    return record


def action(
    case: Case,
    kind: str = "other",
    *,
    description: str = "Phone the social worker",
    owner: str = "Practitioner",
    due_on: date | None = RECEIVED,
    urgent: bool = False,
    completed_at: datetime | None = None,
) -> CaseAction:
    record = CaseAction(
        case_id=case.id,
        kind=kind,
        description=description,
        owner=owner,
        due_on=due_on,
        urgent=urgent,
        completed_at=completed_at,
    )
    db.session.add(record)
    db.session.commit()
    return record


# ---------------------------------------------------------------------------
# Form data, as a browser sends it


def date_parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def session_form(held_on: date, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "held_on": date_parts(held_on),
        "duration_minutes": "60",
        "attendance": "attended",
        "themes": "Managing anger",
        "notes": "",
    }
    data.update(overrides)
    return data


def meeting_form(held_on: date, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "held_on": date_parts(held_on),
        "attendees": "Practitioner and social worker",
        "risk_update": "No change",
        "progress": "Engaging well",
    }
    for n in (1, 2, 3):
        data.update(
            {
                f"action{n}_description": "",
                f"action{n}_owner": "",
                f"action{n}_due_on": ["", "", ""],
            }
        )
    data.update(overrides)
    return data


def incident_form(occurred_on: date, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "occurred_on": date_parts(occurred_on),
        "source": "police_callout",
        "description": "Police called by a neighbour",
        "response": "",
    }
    data.update(overrides)
    return data


def dash_form(
    completed_on: date, yes: int = 0, *, judgement: str = "none", **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"completed_on": date_parts(completed_on)}
    data.update({f"q{n}": answer for n, answer in answers(yes).items()})
    data.update(
        {
            "professional_judgement": judgement,
            "judgement_note": "",
            "escalation_incidents": "",
        }
    )
    data.update(overrides)
    return data


_SUBMISSION = re.compile(r'<input[^>]*name="submission"[^>]*value="([^"]+)"')


def submission_from(html: str) -> str:
    """The one-time token an addition form carries (eip/submissions.py)."""
    found = _SUBMISSION.search(html)
    assert found, "the page has no submission token"
    return found.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any):
    """Post a step form as a browser does: its CSRF token and the one-time token it showed."""
    html = client.get(url).get_data(as_text=True)
    payload = {"csrf_token": csrf_token_from(html), "submission": submission_from(html), **data}
    return client.post(url, data=payload, **kwargs)
