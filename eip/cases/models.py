"""Cases. Foundation 2 holds only what the access policy needs; the pathway extends it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eip.auth.models import User
from eip.db import UTCDateTime, utcnow
from eip.extensions import db
from eip.models import Borough


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # EIP-2026-0001: used everywhere instead of names.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The referring borough, fixed at referral: its SPOC approves placements.
    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"), index=True)
    status: Mapped[str] = mapped_column(String(40), default="referred")
    allocated_practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    borough: Mapped[Borough] = relationship(lazy="joined")
    allocated_practitioner: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"
