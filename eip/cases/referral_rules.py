"""What a referral must say, as pure functions: no Flask, no database.

The referral form, the edit form, the service that saves them and the CSV
importer all check a referral with `problems()`, so a rule (a client under 16,
a received time in the future, a value not in a fixed list) reads the same
wherever a referral comes in. Each problem is keyed by the form field it
belongs to, so a view can show it beside that field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any

from eip.cases import choices
from eip.workdays import LONDON, london_date

MINIMUM_CLIENT_AGE = 16

# Longest text each field takes (the column width, or a sensible bound for free text).
TEXT_LIMITS = {
    "referrer_name": 120,
    "referrer_team": 120,
    "referrer_email": 254,
    "referrer_phone": 40,
    "client_name": 120,
    "client_language": 60,
    "client_address": 1000,
    "client_phone": 40,
    "client_email": 254,
    "client_safe_contact": 2000,
    "partner_name": 120,
    "partner_address": 1000,
    "partner_phone": 40,
    "partner_email": 254,
    "partner_safe_contact_times": 2000,
    "partner_code_word": 60,
    "reason_for_referral": 5000,
    "what_has_been_tried": 5000,
}

# Field -> (its fixed list, the message when it is missing or not in the list).
CHOICE_FIELDS: dict[str, tuple[choices.Choices, str]] = {
    "client_gender": (choices.GENDER, "Select the client's gender"),
    "client_ethnicity": (choices.ETHNICITY, "Select the client's ethnicity"),
    "client_disability": (choices.DISABILITY, "Select whether the client has a disability"),
    "client_interpreter": (
        choices.LANGUAGE_INTERPRETER,
        "Select whether the client needs an interpreter",
    ),
    "partner_relationship": (
        choices.RELATIONSHIP_TO_CLIENT,
        "Select the partner's relationship to the client",
    ),
    "partner_living_together": (
        choices.LIVING_TOGETHER,
        "Select whether the client and the partner live together",
    ),
    "childrens_services_status": (
        choices.CHILDRENS_SERVICES_STATUS,
        "Select the family's children's services status",
    ),
    "previous_abuse": (choices.YES_NO_NOT_KNOWN, "Select whether there has been previous abuse"),
    "separation": (choices.YES_NO_NOT_KNOWN, "Select whether the couple have separated"),
    "pregnancy": (choices.YES_NO_NOT_KNOWN, "Select whether there is a pregnancy"),
    "substance_use": (choices.YES_NO_NOT_KNOWN, "Select whether there is substance use"),
    "mental_health": (choices.YES_NO_NOT_KNOWN, "Select whether there are mental health needs"),
    "weapons": (choices.YES_NO_NOT_KNOWN, "Select whether weapons have been used or threatened"),
}
RISK_MARKERS = (
    "previous_abuse",
    "separation",
    "pregnancy",
    "substance_use",
    "mental_health",
    "weapons",
)

REQUIRED_TEXT = {
    "referrer_name": "Enter the referrer's name",
    "referrer_email": "Enter the referrer's email address",
    "client_name": "Enter the client's name",
    "partner_name": "Enter the partner's name",
    "reason_for_referral": "Enter the reason for the referral",
}

# Field -> (lowest, highest, what it is called in a message).
NUMBER_RANGES = {
    "children_count": (0, 20, "The number of children"),
    "police_callouts_12_months": (0, 99, "The number of police call-outs"),
    "dash_score": (0, 24, "The DASH score"),
}

EMAIL_FIELDS = {
    "referrer_email": "the referrer's",
    "client_email": "the client's",
    "partner_email": "the partner's",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

LABELS = {
    "received_date": "Date received",
    "received_time": "Time received",
    "referrer_name": "referrer's name",
    "referrer_team": "referrer's team",
    "referrer_email": "referrer's email address",
    "referrer_phone": "referrer's phone number",
    "client_name": "client's name",
    "client_language": "client's language",
    "client_address": "client's address",
    "client_phone": "client's phone number",
    "client_email": "client's email address",
    "client_safe_contact": "client's safe contact arrangements",
    "partner_name": "partner's name",
    "partner_address": "partner's address",
    "partner_phone": "partner's phone number",
    "partner_email": "partner's email address",
    "partner_safe_contact_times": "partner's safe contact times",
    "partner_code_word": "code word",
    "reason_for_referral": "reason for the referral",
    "what_has_been_tried": "what has been tried",
}


@dataclass
class ReferralDetails:
    """Everything a referral records, typed. Borough and practitioner are ids the
    service looks up; text is stripped, and empty optional text is None."""

    received_at: datetime | None = None
    borough_id: int | None = None
    practitioner_id: int | None = None
    referrer_name: str | None = None
    referrer_team: str | None = None
    referrer_email: str | None = None
    referrer_phone: str | None = None
    client_name: str | None = None
    client_date_of_birth: date | None = None
    client_gender: str | None = None
    client_ethnicity: str | None = None
    client_disability: str | None = None
    client_language: str | None = None
    client_interpreter: str | None = None
    client_address: str | None = None
    client_phone: str | None = None
    client_email: str | None = None
    client_safe_contact: str | None = None
    partner_name: str | None = None
    partner_date_of_birth: date | None = None
    partner_relationship: str | None = None
    partner_living_together: str | None = None
    partner_address: str | None = None
    partner_phone: str | None = None
    partner_email: str | None = None
    partner_safe_contact_times: str | None = None
    partner_code_word: str | None = None
    children_count: int | None = None
    childrens_services_status: str | None = None
    police_callouts_12_months: int | None = None
    previous_abuse: str | None = None
    separation: str | None = None
    pregnancy: str | None = None
    substance_use: str | None = None
    mental_health: str | None = None
    weapons: str | None = None
    dash_score: int | None = None
    reason_for_referral: str | None = None
    what_has_been_tried: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def cleaned(self) -> ReferralDetails:
        """A copy with text stripped and empty text turned into None."""
        values: dict[str, Any] = {}
        for name in self.names():
            value = getattr(self, name)
            if isinstance(value, str):
                value = value.strip() or None
            values[name] = value
        if values["referrer_email"]:
            values["referrer_email"] = values["referrer_email"].lower()
        return ReferralDetails(**values)


# Where each detail is stored: on the case, on the client's or the partner's person record.
CASE_COLUMNS = {
    "received_at": "received_at",
    "borough_id": "borough_id",
    "practitioner_id": "allocated_practitioner_id",
    "referrer_name": "referrer_name",
    "referrer_team": "referrer_team",
    "referrer_email": "referrer_email",
    "referrer_phone": "referrer_phone",
    "client_safe_contact": "client_safe_contact",
    "partner_relationship": "partner_relationship",
    "partner_living_together": "living_together",
    "partner_safe_contact_times": "partner_safe_contact_times",
    "partner_code_word": "partner_code_word",
    "children_count": "children_count",
    "childrens_services_status": "childrens_services_status",
    "police_callouts_12_months": "police_callouts_12_months",
    "previous_abuse": "previous_abuse",
    "separation": "separation",
    "pregnancy": "pregnancy",
    "substance_use": "substance_use",
    "mental_health": "mental_health",
    "weapons": "weapons",
    "dash_score": "dash_score_at_referral",
    "reason_for_referral": "reason_for_referral",
    "what_has_been_tried": "what_has_been_tried",
}
CLIENT_COLUMNS = {
    "client_name": "full_name",
    "client_date_of_birth": "date_of_birth",
    "client_gender": "gender",
    "client_ethnicity": "ethnicity",
    "client_disability": "disability",
    "client_language": "language",
    "client_interpreter": "interpreter_needed",
    "client_address": "address",
    "client_phone": "phone",
    "client_email": "email",
}
PARTNER_COLUMNS = {
    "partner_name": "full_name",
    "partner_date_of_birth": "date_of_birth",
    "partner_address": "address",
    "partner_phone": "phone",
    "partner_email": "email",
}


def ethnicity_label(value: str | None) -> str:
    """An ethnicity with its census group, as people read it: "White: Irish"."""
    if not value:
        return ""
    text = choices.label(choices.ETHNICITY, value)
    group = choices.ETHNICITY_GROUP.get(value)
    if group in (None, "not_known", "prefer_not_to_say"):
        return text
    return f"{choices.label(choices.ETHNIC_GROUP, group).split(',')[0]}: {text}"


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day` (a birthday on 29 February counts from 1 March)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def london_moment(day: date, at: time) -> datetime:
    """A London wall-clock date and time as an aware datetime."""
    return datetime.combine(day, at, tzinfo=LONDON)


def is_late(received_on: date, window_start: date, window_end: date) -> bool:
    """Received outside the referral window (both ends are inside it)."""
    return not (window_start <= received_on <= window_end)


def problems(details: ReferralDetails, now: datetime) -> dict[str, str]:
    """Every rule the referral breaks, keyed by form field; empty when it is fine.

    `now` is an aware datetime: the received time may not be after it, and the
    client's age is taken on the London date the referral was received.
    """
    found: dict[str, str] = {}
    for name, message in REQUIRED_TEXT.items():
        if not getattr(details, name):
            found[name] = message
    for name, limit in TEXT_LIMITS.items():
        value = getattr(details, name)
        if value and len(value) > limit and name not in found:
            found[name] = f"The {LABELS[name]} must be {limit} characters or fewer"
    for name, whose in EMAIL_FIELDS.items():
        value = getattr(details, name)
        if value and name not in found and not _EMAIL.match(value):
            found[name] = (
                f"Enter {whose} email address in the correct format, like name@example.org"
            )
    for name, (allowed, message) in CHOICE_FIELDS.items():
        if getattr(details, name) not in choices.values(allowed):
            found[name] = message
    for name, (low, high, what) in NUMBER_RANGES.items():
        value = getattr(details, name)
        if value is not None and not low <= value <= high:
            found[name] = f"{what} must be between {low} and {high}"
    found.update(_date_problems(details, now))
    return found


def _date_problems(details: ReferralDetails, now: datetime) -> dict[str, str]:
    found: dict[str, str] = {}
    received = details.received_at
    if received is None:
        found["received_date"] = "Enter the date and time the referral was received"
    elif received > now:
        found["received_time"] = "The time the referral was received cannot be in the future"
    today = london_date(now)
    received_on = london_date(received) if received is not None else today
    born = details.client_date_of_birth
    if born is None:
        found["client_date_of_birth"] = "Enter the client's date of birth"
    elif born > today:
        found["client_date_of_birth"] = "The client's date of birth must be in the past"
    elif age_on(born, received_on) < MINIMUM_CLIENT_AGE:
        found["client_date_of_birth"] = (
            f"The client must be {MINIMUM_CLIENT_AGE} or older on the date the referral "
            "was received"
        )
    partner_born = details.partner_date_of_birth
    if partner_born is not None and partner_born > today:
        found["partner_date_of_birth"] = "The partner's date of birth must be in the past"
    return found


# ---------------------------------------------------------------------------
# The late-referral decision

AGREEING_ORGANISATIONS = {
    "cranstoun_agreed_by": "Cranstoun",
    "respect_agreed_by": "Respect/SafeLives",
    "camden_agreed_by": "Camden",
}
NAME_LIMIT = 120


def late_agreement_problems(
    names: dict[str, str | None], support_confirmed: bool
) -> dict[str, str]:
    """All three organisations named, and support and move-on confirmed in place."""
    found: dict[str, str] = {}
    for name, organisation in AGREEING_ORGANISATIONS.items():
        value = (names.get(name) or "").strip()
        if not value:
            found[name] = f"Enter who agreed for {organisation}"
        elif len(value) > NAME_LIMIT:
            found[name] = f"The name for {organisation} must be {NAME_LIMIT} characters or fewer"
    if not support_confirmed:
        found["support_confirmed"] = (
            "Confirm that support and move-on are in place before the programme end date"
        )
    return found


def late_refusal_problems(note: str | None) -> dict[str, str]:
    if not (note or "").strip():
        return {"note": "Enter why the late referral was refused"}
    return {}
