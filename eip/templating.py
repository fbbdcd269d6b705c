"""What every template can use: the service name, the demo flag, date formats."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from sqlalchemy.exc import SQLAlchemyError

from eip.extensions import db

SERVICE_NAME = "EIP Tracker"
LONDON = ZoneInfo("Europe/London")


def demo_data_loaded() -> bool:
    """Whether the banner saying "fictional demo data" must show. Cached per request."""
    if "demo_data_loaded" not in g:
        from eip.models import DEMO_DATA_KEY, AppState

        try:
            g.demo_data_loaded = db.session.get(AppState, DEMO_DATA_KEY) is not None
        except SQLAlchemyError:
            db.session.rollback()
            g.demo_data_loaded = False
    return g.demo_data_loaded


def london_datetime(value: datetime | None) -> str:
    """`24 November 2026, 2:05pm` in London time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def london_date(value: datetime | None) -> str:
    """The London calendar date of a moment: `24 November 2026`."""
    if value is None:
        return ""
    return long_date(value.astimezone(LONDON).date())


def long_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def pence(value: int | None) -> str:
    """Whole pence shown as pounds: 1400000 -> £14,000.00."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    pounds, pennies = divmod(abs(int(value)), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def summary_item(message: str) -> dict[str, str]:
    """A form-level error for the error summary; it links to the top of the form."""
    return {"text": message, "href": "#main-content"}


def init_app(app: Flask) -> None:
    from eip.access import can
    from eip.navigation import main_navigation

    app.jinja_env.globals.update(
        service_name=SERVICE_NAME,
        demo_data_loaded=demo_data_loaded,
        main_navigation=main_navigation,
        can=can,
    )
    from eip.audit_labels import action_label, audit_detail
    from eip.cases.rules import status_label

    app.jinja_env.filters.update(
        london_date=london_date,
        status_label=status_label,
        action_label=action_label,
        audit_detail=audit_detail,
        london_datetime=london_datetime,
        long_date=long_date,
        pence=pence,
        summary_item=summary_item,
    )
