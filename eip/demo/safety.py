"""Demo safety plans: on one active case whose partner shares information, a plan for the
partner reviewed at its latest professionals meeting (so the pack and that meeting's
minutes show it) and one for a child, written ten days ago and never reviewed (so its
review is overdue on the case page, the homes and in the reminders)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.cases.models import Case
from eip.cases.records import Child, Consent, ProfessionalsMeeting, SafetyPlan, SafetyPlanReview


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=UTC)


def _case(session: Session, today: date) -> Case | None:
    """The first active case with a meeting in the last week (so the partner's plan, reviewed
    there, is not overdue) and the partner's information-sharing consent."""
    sharing = select(Consent.id).where(
        Consent.case_id == Case.id,
        Consent.person_role == "partner",
        Consent.kind == "information_sharing",
        Consent.state == "given",
        Consent.withdrawn_on.is_(None),
    )
    met = select(ProfessionalsMeeting.id).where(
        ProfessionalsMeeting.case_id == Case.id,
        ProfessionalsMeeting.held_on >= today - timedelta(days=6),
    )
    return session.scalar(
        select(Case)
        .where(Case.status == "active", sharing.exists(), met.exists())
        .order_by(Case.id)
        .limit(1)
    )


def seed_safety_plans(session: Session, today: date) -> Case | None:
    case = _case(session, today)
    if case is None:
        return None
    who = case.allocated_practitioner_id
    meeting = session.scalar(
        select(ProfessionalsMeeting)
        .where(ProfessionalsMeeting.case_id == case.id)
        .order_by(ProfessionalsMeeting.held_on.desc())
        .limit(1)
    )
    child = session.scalar(
        select(Child).where(Child.case_id == case.id).order_by(Child.position).limit(1)
    )
    if child is None:
        child = Child(case_id=case.id, position=1, age_years=6, lives_with="partner")
        session.add(child)
        session.flush()
    written = meeting.held_on - timedelta(days=7)
    partner = SafetyPlan(
        case_id=case.id,
        recorded_by_id=who,
        created_at=_at(written),
        person="partner",
        risks="Threats by text when the client has been drinking; most likely at weekends.",
        protective_steps="Refuge number saved under a friend's name; a bag kept at her sister's.",
        steps=[
            {
                "action": "Refer to the IDVA service",
                "by_whom": "Practitioner",
                "by_when": (written + timedelta(days=1)).isoformat(),
            },
            {
                "action": "Agree a code word with the school for collections",
                "by_whom": "Social worker",
                "by_when": (written + timedelta(days=5)).isoformat(),
            },
        ],
        agencies="IDVA service; children's social care",
        safe_contact="Fictional: text first to the work phone, calls only 12-2pm weekdays.",
        last_reviewed_on=meeting.held_on,
        last_reviewed_meeting_id=meeting.id,
    )
    session.add(partner)
    session.flush()
    session.add(
        SafetyPlanReview(
            case_id=case.id,
            recorded_by_id=who,
            plan_id=partner.id,
            meeting_id=meeting.id,
            reviewed_on=meeting.held_on,
            change="Added the code word with the school.",
        )
    )
    session.add(
        SafetyPlan(
            case_id=case.id,
            recorded_by_id=who,
            created_at=_at(today - timedelta(days=10)),
            person="child",
            child_id=child.id,
            risks="Witnessing arguments at handovers.",
            protective_steps="Handovers at the grandmother's home.",
            steps=[],
            agencies="School designated safeguarding lead",
            safe_contact="Fictional: only through the school's safeguarding lead.",
        )
    )
    return case
