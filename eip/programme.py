"""Reading the programme's settings (one row, created by the first migration)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eip.admin.models import ProgrammeSettings


def current_settings(session: Session) -> ProgrammeSettings:
    settings = session.get(ProgrammeSettings, 1)
    if settings is None:
        # Only before the first migration has run; never written from here.
        settings = ProgrammeSettings(id=1)
        for column in ProgrammeSettings.__table__.columns:
            if column.default is not None and getattr(settings, column.key) is None:
                default = column.default.arg
                setattr(settings, column.key, default(None) if callable(default) else default)
    return settings
