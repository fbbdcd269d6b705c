"""Tables that belong to the whole app rather than to one feature."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eip.db import UTCDateTime, utcnow
from eip.extensions import db


class Borough(db.Model):
    """A London borough that may refer cases; inactive ones stay for history."""

    __tablename__ = "boroughs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Borough {self.name}>"


class AppState(db.Model):
    """Small facts about this installation, such as whether demo data is loaded."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


DEMO_DATA_KEY = "demo_data_loaded_at"


class FormSubmission(db.Model):
    """The one-time token an addition form carried (eip/submissions.py): the unique index
    makes a second POST of the same page (a double-click, a resent form) a no-op instead of
    a second session, meeting, incident, DASH review or action."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
