"""Reading the programme's settings (one row, created by the first migration)."""

from __future__ import annotations

from datetime import date
from functools import cache

from flask import g, has_request_context
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from eip.admin.models import NonWorkingDay, ProgrammeSettings


def current_settings(session: Session) -> ProgrammeSettings:
    """The settings row. Within a request it is read once and kept on `flask.g` (a new `g`
    each request, so never across requests or users): a page's panels each ask for it, and
    the session's identity map holds rows only weakly, so each asking was a query. The row
    kept is the session's own object, so a commit in the request expires it as before and
    the next read sees the committed values."""
    if (kept := _kept(session)) is not None:
        return kept
    settings = session.get(ProgrammeSettings, 1)
    if settings is None:
        # Only before the first migration has run; never written from here.
        settings = ProgrammeSettings(id=1)
        for column in ProgrammeSettings.__table__.columns:
            if column.default is not None and getattr(settings, column.key) is None:
                default = column.default.arg
                setattr(settings, column.key, default(None) if callable(default) else default)
        return settings
    _keep(settings)
    return settings


def settings_and_non_working_days(session: Session) -> tuple[ProgrammeSettings, frozenset[date]]:
    """The settings row and the managers' non-working days, in one query when the request has
    not read the settings yet (what every due date needs): a row per day, each carrying the
    settings (a few dozen days at most), or the settings alone on a row when there are none."""
    if _kept(session) is None:
        rows = session.execute(_settings_and_days()).all()
        if rows:
            _keep(rows[0][0])
            return rows[0][0], frozenset(day for _, day in rows if day is not None)
    return current_settings(session), frozenset(session.scalars(select(NonWorkingDay.day)))


@cache
def _settings_and_days():
    """Built once: building it and its cache key cost more than running it (issue 16)."""
    return (
        select(ProgrammeSettings, NonWorkingDay.day)
        .outerjoin(NonWorkingDay, true())
        .where(ProgrammeSettings.id == 1)
    )


def _kept(session: Session) -> ProgrammeSettings | None:
    if has_request_context():
        kept = g.get("programme_settings")
        if kept is not None and kept in session:
            return kept
    return None


def _keep(settings: ProgrammeSettings) -> None:
    if has_request_context():
        g.programme_settings = settings
