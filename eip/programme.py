"""Reading the programme's settings (one row, created by the first migration)."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy.orm import Session

from eip.admin.models import ProgrammeSettings


def current_settings(session: Session) -> ProgrammeSettings:
    """The settings row. Within a request it is read once and kept on `flask.g` (a new `g`
    each request, so never across requests or users): a page's panels each ask for it, and
    the session's identity map holds rows only weakly, so each asking was a query. The row
    kept is the session's own object, so a commit in the request expires it as before and
    the next read sees the committed values."""
    if has_request_context():
        kept = g.get("programme_settings")
        if kept is not None and kept in session:
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
    if has_request_context():
        g.programme_settings = settings
    return settings
