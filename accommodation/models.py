"""Placements, their extensions and return-home reviews, invoices, payments and the ledger.

The money lives only in `LedgerEntry`: append-only rows (the database refuses an UPDATE or
DELETE, see the migration) from which `accommodation.ledger` computes every figure. The
other tables hold facts about the stay and about Camden's paperwork; a placement's
`approved_nights` is the one number that moves (with each approved extension) and it is
not money.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accommodation import rules
from eip.auth.models import User
from eip.cases.models import Case, Person
from eip.db import UTCDateTime, utcnow
from eip.extensions import db
from eip.models import Borough
from eip.vocabulary import placement_name


class Placement(db.Model):
    """One request for temporary accommodation, and the stay it became (if it did)."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("nights > 0", name="nights_positive"),
        CheckConstraint(
            "nightly_rate_pence IS NULL OR nightly_rate_pence > 0", name="rate_positive"
        ),
        CheckConstraint("approved_nights IS NULL OR approved_nights > 0", name="approved_nights"),
        # The placement list's order (created_at DESC, id DESC) as an index range, alone and
        # after a SPOC's borough or the state filter (eip/paging.py).
        Index("ix_placements_created_at_id", "created_at", "id"),
        Index("ix_placements_borough_created_at_id", "borough_id", "created_at", "id"),
        Index("ix_placements_state_created_at_id", "state", "created_at", "id"),
        # The SPOC home's waiting requests, oldest first, and how many: an index range of
        # the borough's requested placements, however many others it has.
        Index(
            "ix_placements_borough_state_created_at_id", "borough_id", "state", "created_at", "id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The client at the time of the request: the nights and people caps are per person,
    # over all their placements and referrals (a re-referral links to the same person).
    client_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # The case's (referring) borough, fixed at referral; its SPOC decides.
    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The request (practitioner).
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    move_in_on: Mapped[date] = mapped_column(Date)
    nights: Mapped[int] = mapped_column(Integer)
    location_preference: Mapped[str | None] = mapped_column(Text)
    # Typed by the practitioner as areas, never the partner's address.
    areas_to_avoid: Mapped[str | None] = mapped_column(Text)
    booking_needs: Mapped[str | None] = mapped_column(Text)
    out_of_borough: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_borough_safety: Mapped[str | None] = mapped_column(Text)
    out_of_borough_mitigation: Mapped[str | None] = mapped_column(Text)
    # The practitioner's and the social worker's judgement that it is safe and suitable.
    safe_practitioner: Mapped[bool] = mapped_column(Boolean, default=False)
    safe_social_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    social_worker_name: Mapped[str | None] = mapped_column(String(120))
    safety_judged_on: Mapped[date | None] = mapped_column(Date)

    # The one recorded outcome of the request, and who recorded it.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome_reason: Mapped[str | None] = mapped_column(Text)

    # Approval (SPOC): where, at what rate (pence a night, VAT included), for how long.
    provider: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(Text)
    nightly_rate_pence: Mapped[int | None] = mapped_column(Integer)
    # Nights approved so far: the approval's, plus each approved extension's.
    approved_nights: Mapped[int | None] = mapped_column(Integer)

    # The stay.
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    checked_in_on: Mapped[date | None] = mapped_column(Date)
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    ended_early: Mapped[bool | None] = mapped_column(Boolean)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    client: Mapped[Person] = relationship()
    borough: Mapped[Borough] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    extensions: Mapped[list[PlacementExtension]] = relationship(
        back_populates="placement", order_by="PlacementExtension.id"
    )
    return_home_review: Mapped[ReturnHomeReview | None] = relationship(
        back_populates="placement", uselist=False
    )
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="placement", order_by="Invoice.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    # What eip.versioning.bump marks changed when only a related row changed.
    bump_column: ClassVar[str] = "state"

    @property
    def state_label(self) -> str:
        return rules.STATE_LABELS[self.state]

    @property
    def start_on(self) -> date:
        """The first night: the check-in date once known, else the planned move-in."""
        return self.checked_in_on or self.move_in_on

    @property
    def name(self) -> str:
        """`EIP-2026-0012, moving in 3 March 2027`: how every page names a placement
        (eip.vocabulary), never "Placement 10"."""
        return placement_name(
            self.case.reference, self.start_on, moved_in=self.checked_in_on is not None
        )

    @property
    def planned_move_out_on(self) -> date | None:
        """The morning after the last approved night."""
        if self.approved_nights is None:
            return None
        return self.start_on + timedelta(days=self.approved_nights)

    @property
    def nights_used(self) -> int:
        """Nights that count against the client's allowance (DOMAIN.md: over all placements).

        An ended stay counts the nights actually used (move-out minus check-in); a live
        approved one counts all its approved nights, because they are promised; a request, a
        refused request or a cancellation counts none.
        """
        if self.state == "ended" and self.checked_in_on and self.moved_out_on:
            return (self.moved_out_on - self.checked_in_on).days
        if self.state in rules.COUNTS_TOWARDS_PEOPLE_CAP and self.approved_nights:
            return self.approved_nights
        return 0

    def __repr__(self) -> str:
        return f"<Placement {self.id} {self.state}>"


class PlacementExtension(db.Model):
    """More nights for a stay: asked for by the practitioner, decided by the SPOC."""

    __tablename__ = "placement_extensions"
    __table_args__ = (
        CheckConstraint("nights > 0", name="nights_positive"),
        # The extensions waiting for a decision (the SPOC home), without reading the others.
        Index("ix_placement_extensions_state_placement_id", "state", "placement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    nights: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="requested")  # approved/declined
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    placement: Mapped[Placement] = relationship(back_populates="extensions")


class ReturnHomeReview(db.Model):
    """Before the client goes home: risks to the children and adults reviewed, and either the
    support package agreed or, where return is unsafe, the protective steps taken."""

    __tablename__ = "return_home_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), unique=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    children_risks_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    adults_risks_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    return_safe: Mapped[bool] = mapped_column(Boolean)
    support_package: Mapped[str | None] = mapped_column(Text)
    protective_steps: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    placement: Mapped[Placement] = relationship(back_populates="return_home_review")


class Invoice(db.Model):
    """A supplier's invoice for nights of one placement, recorded by Camden finance."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("last_night >= first_night", name="nights_in_order"),
        # An invoice number is unique per supplier among invoices not reversed: a reversed
        # (mistaken) invoice frees its number for the corrected one.
        Index(
            "uq_invoices_supplier_number_live",
            "supplier_key",
            "number",
            unique=True,
            sqlite_where=text("reversed_at IS NULL"),
            postgresql_where=text("reversed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(120))
    # The supplier's name folded (case and spacing) so that "Acme  Lets" is "acme lets".
    supplier_key: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(60))
    invoice_date: Mapped[date] = mapped_column(Date)
    first_night: Mapped[date] = mapped_column(Date)
    last_night: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    placement: Mapped[Placement] = relationship(back_populates="invoices")
    payments: Mapped[list[Payment]] = relationship(back_populates="invoice", order_by="Payment.id")


class Payment(db.Model):
    """Camden's payment of (part of) an invoice."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


class LedgerEntry(db.Model):
    """One append-only line of the budget ledger (see `accommodation.ledger`).

    `effective_on` is the business date the entry belongs to (the approval, move-out,
    invoice or payment date), which the burn-down chart and the monthly export use;
    `created_at` is when it was written. The links say what the entry came from.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint(
            "kind IN ('commit', 'release', 'invoice', 'payment', 'reversal')", name="kind"
        ),
        CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_names_entry"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount_pence: Mapped[int] = mapped_column(Integer)
    # A reversal names the one entry it undoes; the unique constraint stops a second one.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    effective_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("placement_extensions.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))

    placement: Mapped[Placement] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class BudgetMark(db.Model):
    """One row: a random mark that triggers (migration e8b4d1f6a2c9) change on every write to
    the ledger, the placements, their extensions and the boroughs, in the writing
    transaction. The budget's pages keep the whole pot's figures and chart under it
    (`accommodation.budget.memo`) and work them out again only when it has changed. Never
    written by the app."""

    __tablename__ = "budget_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mark: Mapped[str] = mapped_column(String(32))
