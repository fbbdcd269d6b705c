"""Evaluation extracts: one record per extract prepared, with its state and the
generalisation it used (which later releases may only coarsen).

The zip itself is a file in the instance folder (`instance/evaluation/`), named by a
random token; the record keeps its SHA-256. A file rather than a database blob because
the extract is written and read as a stream: a blob would have to pass through memory
whole on the way in and on every download. The digest is checked before each download,
so a file changed or lost on disk is refused rather than served. Withdrawing an extract
deletes its file; the record (who, when, what it held in counts) stays.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eip.auth.models import User
from eip.db import UTCDateTime, utcnow
from eip.extensions import db

STATES = {
    "prepared": "Prepared: waiting for review",
    "released": "Released to the evaluators",
    "withdrawn": "Withdrawn",
}


class EvaluationExtract(db.Model):
    __tablename__ = "evaluation_extracts"
    __table_args__ = (
        CheckConstraint("state IN ('prepared', 'released', 'withdrawn')", name="state_known"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Cases referred from period_start to period_end (London dates, both included).
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="prepared", index=True)
    k: Mapped[int] = mapped_column(Integer)
    # How many cases are in cases.csv, how many were referred in the period, and the
    # counts left out by reason ({"evaluation_consent_declined": 2, ...}).
    case_count: Mapped[int] = mapped_column(Integer)
    referred_count: Mapped[int] = mapped_column(Integer)
    left_out: Mapped[dict[str, int]] = mapped_column(JSON)
    suppressed_count: Mapped[int] = mapped_column(Integer, default=0)
    smallest_group: Mapped[int] = mapped_column(Integer)
    # The generalisation recorded for later releases (evaluation.disclosure.Generalisation).
    generalisation: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The latest released extract when this one was prepared: releasing is refused if
    # another release came in between, since this one was not checked against it.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_extracts.id"))
    key_check: Mapped[str] = mapped_column(String(12))
    file_name: Mapped[str | None] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)

    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "cli" when `flask eip export-evaluation` prepared and released it.
    prepared_by_label: Mapped[str | None] = mapped_column(String(40))
    # 1, 2, 3 … in the order extracts were released; unique, so that two releases at the
    # same instant cannot both pass the check that nothing was released in between.
    release_number: Mapped[int | None] = mapped_column(Integer, unique=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id])
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def label(self) -> str:
        return f"Extract {self.id}"

    @property
    def download_name(self) -> str:
        return (
            f"eip-evaluation-extract-{self.id}-"
            f"{self.period_start.isoformat()}-to-{self.period_end.isoformat()}.zip"
        )

    def __repr__(self) -> str:
        return f"<EvaluationExtract {self.id} {self.state}>"
