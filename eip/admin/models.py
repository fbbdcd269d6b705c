"""Role and e-mail approvals, programme settings, extra non-working days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eip.auth.models import User
from eip.db import UTCDateTime, utcnow
from eip.extensions import db
from eip.models import Borough


class ApprovalRequest(db.Model):
    """A grant of a personal-data role, an e-mail change of any account, or the
    re-enabling of an account with a personal-data or evaluator role, waiting for a
    manager. It takes effect only when approved."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('role','email','enable')", name="kind_known"),
        CheckConstraint(
            "status IN ('pending','approved','rejected','cancelled')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    requested_role: Mapped[str | None] = mapped_column(String(20))
    requested_borough_id: Mapped[int | None] = mapped_column(ForeignKey("boroughs.id"))
    requested_email: Mapped[str | None] = mapped_column(String(254))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    requested_borough: Mapped[Borough | None] = relationship()


# Fictional until a manager enters the real ones, and marked so on every document: the
# phone number is in Ofcom's range for drama, the e-mail domain is reserved for examples.
DEMO_ORGANISATION = "Cranstoun — Early Intervention Project (demo)"
DEMO_PHONE = "020 7946 0000"
DEMO_EMAIL = "eip@example.org"
DEMO_ADDRESS = "Example House, 1 Example Street, London N1 0AA"


class ProgrammeSettings(db.Model):
    """The programme's settings, one row: money in whole pence, DOMAIN.md's deadlines in days."""

    __tablename__ = "programme_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    pot_pence: Mapped[int] = mapped_column(Integer, default=1_400_000)
    max_people: Mapped[int] = mapped_column(Integer, default=10)
    max_nights_per_client: Mapped[int] = mapped_column(Integer, default=28)
    # The nightly rate the pot's forecast and typical stay assume before any placement has
    # been approved at a rate (accommodation.forecast). £50.00: the default pot shared evenly
    # among the default people cap for 28 nights.
    default_nightly_rate_pence: Mapped[int] = mapped_column(
        Integer, default=5_000, server_default="5000"
    )
    referral_window_start: Mapped[date] = mapped_column(Date, default=date(2026, 8, 19))
    referral_window_end: Mapped[date] = mapped_column(Date, default=date(2026, 12, 31))
    programme_end_date: Mapped[date] = mapped_column(Date, default=date(2027, 3, 31))
    acknowledge_working_days: Mapped[int] = mapped_column(Integer, default=3)
    consultation_booking_working_days: Mapped[int] = mapped_column(Integer, default=5)
    meeting_interval_days: Mapped[int] = mapped_column(Integer, default=7)
    dash_review_days: Mapped[int] = mapped_column(Integer, default=28)
    # The mid-point outcome measures: weeks after the intake measures (eip.cases.outcomes).
    outcome_mid_point_weeks: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    idva_action_working_days: Mapped[int] = mapped_column(Integer, default=1)
    marac_action_working_days: Mapped[int] = mapped_column(Integer, default=2)
    marac_threshold_yes: Mapped[int] = mapped_column(Integer, default=14)
    # High risk (an IDVA referral) and escalation: eip.cases.dash.
    high_risk_threshold_yes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    escalation_min_incidents: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    escalation_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    # Incident kinds (choices.INCIDENT_SOURCE values), comma-separated in the vocabulary's order.
    escalation_kinds: Mapped[str] = mapped_column(
        String(200), default="police_callout", server_default="police_callout"
    )
    invoice_unpaid_days: Mapped[int] = mapped_column(Integer, default=30)
    # The evaluation's k: every combination of quasi-identifiers in an extract is shared by
    # at least this many people, and smaller counts are hidden in figures.
    evaluation_k: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # The retention schedule (eip.privacy.retention): years after closure, years after the
    # youngest child on the case turns 18, and how long the other records are kept.
    retain_case_years: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    retain_child_extra_years: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    retain_audit_years: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    retain_notifications_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    retain_sessions_days: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    retain_unreleased_extracts_days: Mapped[int] = mapped_column(
        Integer, default=30, server_default="30"
    )
    # The letterhead and the contact details every document prints (eip.pdf.page.Letterhead):
    # the organisation the documents come from, and how a referrer or a client reaches it.
    # The defaults are fictional and say so, until a manager enters the real ones.
    letterhead_organisation: Mapped[str] = mapped_column(
        String(120), default=DEMO_ORGANISATION, server_default=DEMO_ORGANISATION
    )
    contact_phone: Mapped[str] = mapped_column(
        String(40), default=DEMO_PHONE, server_default=DEMO_PHONE
    )
    contact_email: Mapped[str] = mapped_column(
        String(254), default=DEMO_EMAIL, server_default=DEMO_EMAIL
    )
    contact_address: Mapped[str] = mapped_column(
        String(300), default=DEMO_ADDRESS, server_default=DEMO_ADDRESS
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class NonWorkingDay(db.Model):
    """A day the managers add on top of weekends and England's bank holidays."""

    __tablename__ = "non_working_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
