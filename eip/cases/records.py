"""What happens on a case after the referral: each step is a record of its own.

Corrections are new records (a withdrawal of consent keeps the consent it
withdraws), so the case's history can always be read back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from eip.db import UTCDateTime, utcnow
from eip.extensions import db


class _CaseRecord:
    """Columns every case record has."""

    # The audit actions (on the case) that change a record of this kind: what
    # eip.versioning.last_change reads to say who changed it. Empty: not an edited record.
    change_actions: ClassVar[tuple[str, ...]] = ()

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class LateReferralDecision(_CaseRecord, db.Model):
    """The written agreement (or refusal) of Cranstoun, Respect/SafeLives and Camden."""

    __tablename__ = "late_referral_decisions"

    decision: Mapped[str] = mapped_column(String(10))  # agreed / refused
    decided_on: Mapped[date] = mapped_column(Date)
    cranstoun_agreed_by: Mapped[str | None] = mapped_column(String(120))
    respect_agreed_by: Mapped[str | None] = mapped_column(String(120))
    camden_agreed_by: Mapped[str | None] = mapped_column(String(120))
    support_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class Consultation(_CaseRecord, db.Model):
    __tablename__ = "consultations"

    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    medium: Mapped[str] = mapped_column(String(20))
    attendees: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))
    advice: Mapped[str | None] = mapped_column(Text)
    # The Risk Management and Intervention Plan written at the consultation.
    plan_risks: Mapped[str | None] = mapped_column(Text)
    plan_protective_factors: Mapped[str | None] = mapped_column(Text)

    # The record's own version (SQLAlchemy's counter): the form editing it carries it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "outcome"
    change_actions: ClassVar[tuple[str, ...]] = (
        "case.consultation_booked",
        "case.consultation_rebooked",
        "case.consultation_recorded",
    )


class CaseAction(_CaseRecord, db.Model):
    """An action with an owner and a date: from the plan, a meeting, a consent
    withdrawal (urgent review), or a high-risk DASH (IDVA and MARAC referrals)."""

    __tablename__ = "case_actions"

    kind: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the case was closed with the action open (closure_services.ACTION_OUTCOMES):
    # "done", or "not_needed" (closed, not done). None: marked done in the ordinary way.
    resolution: Mapped[str | None] = mapped_column(String(20))


class OnwardReferral(_CaseRecord, db.Model):
    __tablename__ = "onward_referrals"

    agency: Mapped[str] = mapped_column(String(20))
    agency_name: Mapped[str | None] = mapped_column(String(120))
    referred_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    # The record's own version (SQLAlchemy's counter): the form editing it carries it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "status"
    record_noun: ClassVar[str] = "onward referral"
    change_actions: ClassVar[tuple[str, ...]] = (
        "case.onward_referral_added",
        "case.onward_referral_updated",
    )


class Consent(_CaseRecord, db.Model):
    """One consent of one person for one purpose; the newest for (person, kind) is in force."""

    __tablename__ = "consents"

    person_role: Mapped[str] = mapped_column(String(10))  # client / partner
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))  # given / declined
    recorded_on: Mapped[date] = mapped_column(Date)
    obtained_by: Mapped[str | None] = mapped_column(String(120))
    how: Mapped[str | None] = mapped_column(String(30))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    # The record's own version (SQLAlchemy's counter): the form editing it carries it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "state"
    change_actions: ClassVar[tuple[str, ...]] = ("case.consent_recorded", "case.consent_withdrawn")


class Incident(_CaseRecord, db.Model):
    __tablename__ = "incidents"

    occurred_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(30))
    police_callout: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)


class InterventionSession(_CaseRecord, db.Model):
    __tablename__ = "intervention_sessions"

    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    attendance: Mapped[str] = mapped_column(String(30))
    themes: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class ProfessionalsMeeting(_CaseRecord, db.Model):
    __tablename__ = "professionals_meetings"

    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    risk_update: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[str | None] = mapped_column(Text)


class DashReview(_CaseRecord, db.Model):
    """One DASH review with the thresholds it was assessed under (eip.cases.dash), so its
    level stays explainable after the settings change."""

    __tablename__ = "dash_reviews"

    completed_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    # none / high / marac (dash.JUDGEMENTS); `professional_judgement_high` is kept for the
    # evaluation extract: the judgement is high or MARAC.
    professional_judgement: Mapped[str] = mapped_column(
        String(10), default="none", server_default="none"
    )
    professional_judgement_high: Mapped[bool] = mapped_column(Boolean, default=False)
    judgement_note: Mapped[str | None] = mapped_column(Text)
    # Police call-outs known in the 12 months to the review (the evaluation reads it).
    police_callouts_12_months: Mapped[int] = mapped_column(Integer, default=0)
    # The incidents counted for escalation: of the kinds, in the months, stored below.
    escalation_incidents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    risk_level: Mapped[str] = mapped_column(String(20))
    marac: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The settings in force when the review was made.
    high_risk_threshold: Mapped[int] = mapped_column(Integer, server_default="14")
    marac_threshold: Mapped[int] = mapped_column(Integer, server_default="14")
    escalation_min_incidents: Mapped[int] = mapped_column(Integer, server_default="3")
    escalation_months: Mapped[int] = mapped_column(Integer, server_default="12")
    escalation_kinds: Mapped[str] = mapped_column(String(200), server_default="police_callout")


class CaseDashLevels(db.Model):
    """Each reviewed case's first DASH review's level and its latest review, in the order
    (completed_on, id): the dashboard's DASH levels and risk queues read one row per case
    here instead of ranking every review at each request. Kept by triggers on `dash_reviews`
    (migration 3159b750bcf3), so every write (the web, seeding, retention, SQL by hand)
    rewrites the case's row in the same transaction. Never written by the app."""

    __tablename__ = "case_dash_levels"
    __table_args__ = (
        # The levels counted from the index alone; the high-risk and MARAC cases as ranges.
        Index("ix_case_dash_levels_latest_intake", "latest_level", "intake_level", "case_id"),
        Index("ix_case_dash_levels_latest_marac", "latest_marac", "case_id"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    intake_level: Mapped[str] = mapped_column(String(20))
    latest_level: Mapped[str] = mapped_column(String(20))
    latest_marac: Mapped[bool] = mapped_column(Boolean)
    latest_review_id: Mapped[int] = mapped_column(Integer)  # no key: see the migration
    latest_completed_on: Mapped[date] = mapped_column(Date)


class ScenarioPlan(_CaseRecord, db.Model):
    """What happens if the couple stay apart after the 4 weeks of accommodation."""

    __tablename__ = "scenario_plans"

    plan: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # The record's own version (SQLAlchemy's counter): the form editing it carries it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "plan"
    record_noun: ClassVar[str] = "scenario plan"
    change_actions: ClassVar[tuple[str, ...]] = (
        "case.scenario_plan_recorded",
        "case.scenario_plan_updated",
    )


class Child(_CaseRecord, db.Model):
    """A child in the family, one record each: no name is kept, only what the safety plan,
    the MARAC referral and the professionals meeting need to know about them."""

    __tablename__ = "children"

    # 1, 2, 3 ... within the case: how documents name the child ("Child 2").
    position: Mapped[int] = mapped_column(Integer)
    # The age in years when known; otherwise an age band (choices.CHILD_AGE_BAND).
    age_years: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(20))
    lives_with: Mapped[str] = mapped_column(String(30), default="not_known")
    childrens_services_status: Mapped[str] = mapped_column(String(30), default="not_known")
    school_known: Mapped[str] = mapped_column(String(20), default="not_known")
    # Set where the migration from the free-text ages could not read this child's age.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "lives_with"
    record_noun: ClassVar[str] = "child's details"
    change_actions: ClassVar[tuple[str, ...]] = (
        "case.child_added",
        "case.child_updated",
        "case.child_removed",
    )


class MaracReferral(_CaseRecord, db.Model):
    """A MARAC referral prepared from a DASH review (eip.cases.marac_services): what the
    practitioner completed on the form, kept so the pack can be downloaded again, and the
    date it was sent. Preparing it again is a new record; the newest is the one in use."""

    __tablename__ = "marac_referrals"

    dash_review_id: Mapped[int] = mapped_column(ForeignKey("dash_reviews.id"))
    # The partner (the person at risk) when prepared: a repeat referral is counted per
    # person, over every case they are the partner on.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    agencies_involved: Mapped[str] = mapped_column(Text)
    # Printed only while the partner's information-sharing consent is in force.
    safe_contact: Mapped[str | None] = mapped_column(Text)
    partner_aware: Mapped[str] = mapped_column(String(20))  # marac.PARTNER_AWARE
    referrer_phone: Mapped[str] = mapped_column(String(40))
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_actions: ClassVar[tuple[str, ...]] = ("case.marac_prepared", "case.marac_sent")


class SafetyPlan(_CaseRecord, db.Model):
    """The safety plan of one person at risk: the partner, or one child (`child_id`). In
    this programme the client is the person who harms, so a plan is never the client's.
    The safe contact arrangements are shown on the case page alone, never in a document
    (eip/cases/safety_plans.py gathers what documents may print without them)."""

    __tablename__ = "safety_plans"

    person: Mapped[str] = mapped_column(String(10))  # partner / child
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    risks: Mapped[str] = mapped_column(Text)
    protective_steps: Mapped[str | None] = mapped_column(Text)
    # Who does what by when: [{"action": ..., "by_whom": ..., "by_when": "YYYY-MM-DD"}].
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    agencies: Mapped[str | None] = mapped_column(Text)
    safe_contact: Mapped[str | None] = mapped_column(Text)
    # The newest review at a professionals meeting (SafetyPlanReview keeps each one).
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    last_reviewed_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals_meetings.id")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "risks"
    record_noun: ClassVar[str] = "safety plan"
    change_actions: ClassVar[tuple[str, ...]] = (
        "case.safety_plan_recorded",
        "case.safety_plan_updated",
        "case.safety_plan_reviewed",
    )


class SafetyPlanReview(_CaseRecord, db.Model):
    """A safety plan reviewed at a professionals meeting, with any change agreed there."""

    __tablename__ = "safety_plan_reviews"

    plan_id: Mapped[int] = mapped_column(ForeignKey("safety_plans.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("professionals_meetings.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    change: Mapped[str | None] = mapped_column(Text)


class CaseNote(_CaseRecord, db.Model):
    """A case note about the client, or a contact (or an attempted contact) with them. A
    sensitive note is for practitioners and managers only: it goes into no document but
    the closure summary, and that only when the practitioner closing the case chooses it."""

    __tablename__ = "case_notes"

    noted_on: Mapped[date] = mapped_column(Date)
    # made / attempted / none (choices.NOTE_CONTACT): an attempt is a contact not made.
    contact: Mapped[str] = mapped_column(String(20))
    # How the contact was made or tried (choices.CONTACT_MEANS); None for a note only.
    method: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)


class PartnerSupportContact(_CaseRecord, db.Model):
    """A contact (or attempted contact) with the partner or the partner's support worker:
    the Integrated Support Service the Respect standard requires. Practitioners and
    managers only (policy `case.partner_support`), and in no document at all: every
    document may reach the client or the referrer."""

    __tablename__ = "partner_support_contacts"

    contacted_on: Mapped[date] = mapped_column(Date)
    made_by: Mapped[str] = mapped_column(String(120))
    # partner / support_worker (choices.PARTNER_SUPPORT_WITH)
    with_whom: Mapped[str] = mapped_column(String(20))
    # made / attempted (choices.PARTNER_CONTACT)
    contact: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(Text)
    # increased / no_change / decreased / not_known (choices.RISK_CHANGE); not known
    # whenever no contact was made.
    risk_change: Mapped[str] = mapped_column(String(20))
    onward_support: Mapped[str | None] = mapped_column(Text)


class OutcomeMeasure(_CaseRecord, db.Model):
    """The outcome measures taken at one point (eip/cases/outcomes.py): intake, mid-point,
    exit, and 3 and 6 months after closure; one per point per case, corrected by editing it
    (its version, audited by field name). No free text: every answer is a place on a fixed
    scale (None: not known, or the partner was not asked)."""

    __tablename__ = "outcome_measures"
    __table_args__ = (UniqueConstraint("case_id", "point"),)

    point: Mapped[str] = mapped_column(String(12))
    measured_on: Mapped[date] = mapped_column(Date)
    # The client's abusive behaviour in the last 3 months, by kind: 0 (not at all) to 5.
    client_physical: Mapped[int | None] = mapped_column(Integer)
    client_sexual: Mapped[int | None] = mapped_column(Integer)
    client_coercive: Mapped[int | None] = mapped_column(Integer)
    client_emotional: Mapped[int | None] = mapped_column(Integer)
    client_economic: Mapped[int | None] = mapped_column(Integer)
    client_stalking: Mapped[int | None] = mapped_column(Integer)
    client_technology: Mapped[int | None] = mapped_column(Integer)
    client_children: Mapped[int | None] = mapped_column(Integer)
    # Who heard the partner's own report, or why there is none (not safe / declined).
    partner_source: Mapped[str] = mapped_column(String(20))
    partner_feels_safe: Mapped[int | None] = mapped_column(Integer)  # 0 to 10
    partner_abuse_frequency: Mapped[int | None] = mapped_column(Integer)  # 0 to 5
    partner_quality_of_life: Mapped[int | None] = mapped_column(Integer)  # 1 to 5
    children_exposure: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    bump_column: ClassVar[str] = "measured_on"
    record_noun: ClassVar[str] = "outcome measurement"
    change_actions: ClassVar[tuple[str, ...]] = ("case.outcome_recorded", "case.outcome_updated")


RECORD_TYPES = (
    LateReferralDecision,
    Consultation,
    CaseAction,
    OnwardReferral,
    Consent,
    Incident,
    InterventionSession,
    ProfessionalsMeeting,
    DashReview,
    ScenarioPlan,
    Child,
    MaracReferral,
    SafetyPlan,
    SafetyPlanReview,
    CaseNote,
    PartnerSupportContact,
    OutcomeMeasure,
)


# The monthly report (eip.reports.monthly): a month's records as an index range, and a case's
# records in date order (its latest before a day, its first consultation) from the index alone.
Index(
    "ix_consultations_held_on_case_id_outcome",
    Consultation.held_on,
    Consultation.case_id,
    Consultation.outcome,
)
Index("ix_consultations_case_id_held_on", Consultation.case_id, Consultation.held_on)
Index("ix_professionals_meetings_held_on", ProfessionalsMeeting.held_on)
Index(
    "ix_professionals_meetings_case_id_held_on",
    ProfessionalsMeeting.case_id,
    ProfessionalsMeeting.held_on,
)
Index("ix_dash_reviews_completed_on", DashReview.completed_on)
Index(
    "ix_dash_reviews_case_latest_marac",
    DashReview.case_id,
    DashReview.completed_on,
    DashReview.id,
    DashReview.marac,
    DashReview.score,
    DashReview.marac_threshold,
)
# A DASH review that met MARAC: the flag it was saved with, or its score at its own threshold.
DASH_MET_MARAC = or_(DashReview.marac.is_(True), DashReview.score >= DashReview.marac_threshold)
# The reviews that met MARAC, by date (a few of all the reviews): the report's MARAC figures
# start from them rather than from every case in the programme.
Index(
    "ix_dash_reviews_met_marac",
    DashReview.completed_on,
    DashReview.case_id,
    DashReview.id,
    sqlite_where=DASH_MET_MARAC,
    postgresql_where=DASH_MET_MARAC,
)
