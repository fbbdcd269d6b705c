"""Legal holds, the cases anonymised after a retention review, and the retention purge's
permission to delete old audit events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eip.auth.models import User
from eip.cases.models import Case
from eip.db import UTCDateTime, utcnow
from eip.extensions import db


class RetentionHold(db.Model):
    """A legal hold keeps a case out of the retention review (litigation, an inquiry, a
    police request). Removing it is recorded on the same row, never a deletion."""

    __tablename__ = "retention_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removal_reason: Mapped[str | None] = mapped_column(String(500))

    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])


class RetentionDisposal(db.Model):
    """A case a manager confirmed past retention, anonymised in place: it leaves the due
    list for good."""

    __tablename__ = "retention_disposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    due_on: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(20))  # closure / children / review
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditPurge(db.Model):
    """Written by the retention purge in the transaction that deletes audit events: the
    database's append-only trigger lets through only events older than `before`."""

    __tablename__ = "audit_purges"

    id: Mapped[int] = mapped_column(primary_key=True)
    before: Mapped[datetime] = mapped_column(UTCDateTime)


# The due list's range: closed cases by closure time (eip.privacy.retention).
Index("ix_cases_closed_at_id", Case.closed_at, Case.id)
