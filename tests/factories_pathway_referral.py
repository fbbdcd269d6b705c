"""Test data for referrals: form posts, typed details and recorded cases. All fictional."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from eip.admin.models import ProgrammeSettings
from eip.auth.models import User
from eip.cases import referral_services
from eip.cases.models import Case
from eip.cases.referral_rules import ReferralDetails
from eip.extensions import db
from eip.programme import current_settings
from tests import factories

LONDON = ZoneInfo("Europe/London")
# Saturday 5 September 2026, inside the default referral window (19 Aug to 31 Dec 2026).
SATURDAY = date(2026, 9, 5)


def london(day: date, hour: int = 10, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def set_window(start: date, end: date) -> ProgrammeSettings:
    settings = current_settings(db.session)
    settings.referral_window_start = start
    settings.referral_window_end = end
    db.session.add(settings)
    db.session.commit()
    return settings


def _date_parts(day: date | None) -> list[str]:
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]


def form_data(
    borough_id: int,
    practitioner_id: int,
    *,
    received: date = SATURDAY,
    received_time: str = "10:30",
    client_born: date | None = date(1990, 3, 27),
    partner_born: date | None = date(1991, 11, 14),
    **overrides: Any,
) -> dict[str, Any]:
    """What a browser posts for a complete, valid referral."""
    data: dict[str, Any] = {
        "received_date": _date_parts(received),
        "received_time": received_time,
        "borough": str(borough_id),
        "practitioner": str(practitioner_id),
        "referrer_name": "Sam Okafor",
        "referrer_team": "Children in Need team 2",
        "referrer_email": "sam.okafor@example.org",
        "referrer_phone": "020 7946 0001",
        "client_name": "Alex Marlowe",
        "client_date_of_birth": _date_parts(client_born),
        "client_gender": "man",
        "client_ethnicity": "white_british",
        "client_disability": "no",
        "client_language": "English",
        "client_interpreter": "no",
        "client_address": "Flat 2\n1 Example Road\nLondon N1 0AA",
        "client_phone": "07700 900001",
        "client_email": "alex@example.org",
        "client_safe_contact": "Mobile, weekday mornings",
        "partner_name": "Jordan Reyes",
        "partner_date_of_birth": _date_parts(partner_born),
        "partner_relationship": "partner",
        "partner_living_together": "yes",
        "partner_address": "Flat 2\n1 Example Road\nLondon N1 0AA",
        "partner_phone": "07700 900002",
        "partner_email": "jordan@example.org",
        "partner_safe_contact_times": "Tuesdays after 2pm, at the family centre",
        "partner_code_word": "Bluebell",
        "children_count": "2",
        "childrens_services_status": "child_in_need",
        "police_callouts_12_months": "1",
        "previous_abuse": "no",
        "separation": "not_known",
        "pregnancy": "no",
        "substance_use": "yes",
        "mental_health": "not_known",
        "weapons": "no",
        "dash_score": "",
        "reason_for_referral": "Arguments escalating since lockdown",
        "what_has_been_tried": "Early help parenting course",
    }
    data.update(overrides)
    return data


def details(
    borough_id: int, practitioner_id: int, *, received_at: datetime | None = None, **overrides
) -> ReferralDetails:
    """The same referral as typed values, for calling the services directly."""
    values: dict[str, Any] = {
        "received_at": received_at or london(SATURDAY),
        "borough_id": borough_id,
        "practitioner_id": practitioner_id,
        "referrer_name": "Sam Okafor",
        "referrer_team": "Children in Need team 2",
        "referrer_email": "sam.okafor@example.org",
        "client_name": "Alex Marlowe",
        "client_date_of_birth": date(1990, 3, 27),
        "client_gender": "man",
        "client_ethnicity": "white_british",
        "client_disability": "no",
        "client_language": "English",
        "client_interpreter": "no",
        "client_address": "1 Example Road",
        "partner_name": "Jordan Reyes",
        "partner_date_of_birth": date(1991, 11, 14),
        "partner_relationship": "partner",
        "partner_living_together": "yes",
        "partner_safe_contact_times": "Tuesdays after 2pm",
        "partner_code_word": "Bluebell",
        "children_count": 2,
        "childrens_services_status": "child_in_need",
        "police_callouts_12_months": 1,
        "previous_abuse": "no",
        "separation": "not_known",
        "pregnancy": "no",
        "substance_use": "yes",
        "mental_health": "not_known",
        "weapons": "no",
        "reason_for_referral": "Arguments escalating since lockdown",
    }
    values.update(overrides)
    return ReferralDetails(**values)


def recorded_case(
    practitioner: User | None = None,
    borough_name: str = "Camden",
    *,
    client_choice: str | int | None = None,
    partner_choice: str | int | None = None,
    **overrides,
) -> Case:
    """A referral recorded through the service, as a practitioner would."""
    practitioner = practitioner or factories.user("practitioner")
    borough = factories.borough(borough_name)
    recorded = referral_services.record_referral(
        db.session,
        practitioner,
        details(borough.id, practitioner.id, **overrides),
        client_choice=client_choice,
        partner_choice=partner_choice,
    )
    return db.session.scalar(db.select(Case).where(Case.reference == recorded.reference))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------------------
# Reading pages

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def hidden_inputs(page: str) -> dict[str, Any]:
    """The hidden fields a page would post back (a name given several times is a list)."""
    found: dict[str, Any] = {}
    for name, value in _HIDDEN.findall(page):
        value = html.unescape(value)
        if name in found:
            found[name] = [
                *(found[name] if isinstance(found[name], list) else [found[name]]),
                value,
            ]
        else:
            found[name] = value
    return found


def version_from(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert match, "page has no version field"
    return match.group(1)


def section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]
