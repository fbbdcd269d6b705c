"""A rectification or erasure request (UK GDPR Art. 16 and 17): who asked, what, and the
manager's decision. The request names its case and which person it is about; who asked is
a role, never a name, so the request itself adds no personal data to keep."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eip.cases.models import Case
from eip.db import UTCDateTime, utcnow
from eip.extensions import db


class DataRequest(db.Model):
    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_role: Mapped[str] = mapped_column(String(10))  # client / partner
    asked_by: Mapped[str] = mapped_column(String(20))  # requests.ASKED_BY
    kind: Mapped[str] = mapped_column(String(20))  # rectification / erasure
    what: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    # One calendar month from receipt (requests.due_on), fixed when recorded.
    due_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(10))  # granted / refused
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the granted request was carried out: the case anonymised, or the correction made.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_open(self) -> bool:
        """Still to be answered: waiting for a decision, or granted and not yet carried out."""
        return self.decision is None or (self.decision == "granted" and self.done_at is None)
