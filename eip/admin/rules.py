"""Administration rules as pure functions: no Flask, no database.

Who needs a manager's approval, how programme settings are read and bounded,
and what makes a borough name or a non-working day acceptable. Messages are
written to be shown to the user as they are (GOV.UK style).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays

from accommodation import money
from eip.cases import choices
from eip.cases.dash import split_kinds
from eip.formatting import format_pence
from eip.roles import PERSONAL_DATA_ROLES, Role

# ---------------------------------------------------------------------------
# Roles and approvals (DOMAIN.md, "Who uses it and what each may see")


def needs_borough(role: Role | str | None) -> bool:
    return role is not None and Role(role) is Role.SPOC


def role_borough_problem(role: Role | str, borough_id: int | None) -> str | None:
    """A SPOC belongs to exactly one borough; nobody else belongs to any."""
    if needs_borough(role) and borough_id is None:
        return "Select the SPOC's borough"
    if not needs_borough(role) and borough_id is not None:
        return "Only a borough SPOC has a borough. Select “No borough” or change the role"
    return None


# Changing the sign-in address of any account waits for a manager, whatever its role
# (eip.admin.user_accounts): a new address is where reset links go, so it is how an account is
# taken over (finance sees money, an evaluator downloads pseudonymised data).


def grant_needs_approval(role: Role | str | None) -> bool:
    """Granting, or changing to, a role that sees personal data waits for a manager."""
    return role is not None and Role(role) in PERSONAL_DATA_ROLES


# Roles whose re-enabling waits for a manager: those that see personal data, and the
# evaluator, who downloads pseudonymised personal data.
ENABLE_NEEDS_APPROVAL = PERSONAL_DATA_ROLES | {Role.EVALUATOR}


def enable_needs_approval(role: Role | str | None) -> bool:
    """Re-enabling a disabled account that holds such a role waits for a manager."""
    return role is not None and Role(role) in ENABLE_NEEDS_APPROVAL


def normalise_email(email: str) -> str:
    return email.strip().lower()


def account_status(*, active: bool, has_password: bool, locked: bool) -> str:
    """One word for the users list: disabled, invited, locked or active."""
    if not active:
        return "disabled"
    if not has_password:
        return "invited"
    if locked:
        return "locked"
    return "active"


STATUS_LABELS = {
    "active": "Active",
    "invited": "Invited, not accepted",
    "locked": "Sign-in locked",
    "disabled": "Disabled",
}


# ---------------------------------------------------------------------------
# Boroughs

BOROUGH_NAME_MAX = 80


def clean_borough_name(raw: str | None) -> str:
    """Trimmed, inner spaces collapsed. Raises ValueError with the message to show."""
    name = " ".join((raw or "").split())
    if not name:
        raise ValueError("Enter the borough's name")
    if len(name) > BOROUGH_NAME_MAX:
        raise ValueError(f"The borough's name must be {BOROUGH_NAME_MAX} characters or fewer")
    return name


# ---------------------------------------------------------------------------
# Programme settings

POT_MAX_PENCE = 100_000_000  # £1,000,000.00
POT_EXAMPLE = "Enter the pot in pounds, like 14000.00"


def parse_pounds(raw: str | None) -> int:
    """'14,000.00' or '£14000' -> 1400000 pence, read by the one money parser with the pot's
    own words. Raises ValueError with the message to show."""
    try:
        return money.parse_pounds(raw or "", max_pence=POT_MAX_PENCE, allow_zero=True)
    except money.MoneyError as err:
        raise ValueError(_POT_MESSAGES[err.message]) from None


_POT_MESSAGES = {
    money.ENTER_AN_AMOUNT: POT_EXAMPLE,
    money.MORE_THAN_ZERO: "The pot must be £0.00 or more",
    money.TWO_DECIMALS: "Enter the pot to the nearest penny, like 14000.00",
    money.TOO_LARGE: f"The pot must be {format_pence(POT_MAX_PENCE)} or less",
}


RATE_MAX_PENCE = 100_000  # £1,000.00 a night
_RATE_MESSAGES = {
    money.ENTER_AN_AMOUNT: "Enter the default nightly rate in pounds, like 50.00",
    money.MORE_THAN_ZERO: "The default nightly rate must be more than £0.00",
    money.TWO_DECIMALS: "Enter the default nightly rate to the nearest penny, like 50.00",
    money.TOO_LARGE: f"The default nightly rate must be {format_pence(RATE_MAX_PENCE)} or less",
}


def parse_rate(raw: str | None) -> int:
    """The default nightly rate, in pence, read by the one money parser."""
    try:
        return money.parse_pounds(raw or "", max_pence=RATE_MAX_PENCE)
    except money.MoneyError as err:
        raise ValueError(_RATE_MESSAGES[err.message]) from None


def check_rate(pence: int) -> int:
    if pence <= 0:
        raise ValueError(_RATE_MESSAGES[money.MORE_THAN_ZERO])
    if pence > RATE_MAX_PENCE:
        raise ValueError(_RATE_MESSAGES[money.TOO_LARGE])
    return pence


def check_pot(pence: int) -> int:
    if pence < 0:
        raise ValueError(_POT_MESSAGES[money.MORE_THAN_ZERO])
    if pence > POT_MAX_PENCE:
        raise ValueError(_POT_MESSAGES[money.TOO_LARGE])
    return pence


@dataclass(frozen=True)
class WholeNumber:
    """A whole-number setting: its bounds, unit and the words its messages use."""

    name: str
    label: str  # the field's label
    noun: str  # how messages name it, after "Enter"
    lo: int
    hi: int
    unit: str
    hint: str
    example: int

    def amount(self, value: int) -> str:
        """`3 working days`, `1 working day`."""
        unit = self.unit
        if value == 1:
            unit = SINGULAR.get(unit, unit)
        return f"{value} {unit}"

    def parse(self, raw: str | None) -> int:
        text = (raw or "").strip()
        if not text:
            raise ValueError(f"Enter {self.noun}")
        if not text.isascii() or not text.isdigit():
            raise ValueError(f"Enter {self.noun} as a whole number, like {self.example}")
        return self.check(int(text))

    def check(self, value: int) -> int:
        if not self.lo <= value <= self.hi:
            raise ValueError(
                f"{self.noun[0].upper()}{self.noun[1:]} must be between "
                f"{self.lo:,} and {self.hi:,} {self.unit}"
            )
        return value


SINGULAR = {
    "people": "person",
    "nights": "night",
    "weeks": "week",
    "working days": "working day",
    "calendar days": "calendar day",
    "“yes” answers": "“yes” answer",
    "incidents": "incident",
    "months": "month",
    "years": "year",
}

WORKING = (
    "Working days: weekends, bank holidays in England and the extra non-working days "
    "below do not count"
)

WHOLE_NUMBERS: tuple[WholeNumber, ...] = (
    WholeNumber(
        "max_people", "Most people who can be placed", "the most people who can be placed",
        1, 10_000, "people",
        "Different clients with an approved placement, London-wide. A re-referred client counts "
        "once", 10,
    ),
    WholeNumber(
        "max_nights_per_client", "Most nights per client", "the most nights per client",
        1, 90, "nights",
        "Calendar nights of accommodation per client, over all their placements", 28,
    ),
    WholeNumber(
        "acknowledge_working_days", "Acknowledge a referral within",
        "the time to acknowledge a referral", 1, 20, "working days",
        f"Working days after the referral is received. {WORKING}", 3,
    ),
    WholeNumber(
        "consultation_booking_working_days", "Book the case consultation within",
        "the time to book the case consultation", 1, 30, "working days",
        f"Working days after the referral is received, for the reminder. {WORKING}", 5,
    ),
    WholeNumber(
        "meeting_interval_days", "Professionals meeting at least every",
        "the time between professionals meetings", 1, 31, "calendar days",
        "Calendar days since the last meeting, or since the intervention started, while a case "
        "is active", 7,
    ),
    WholeNumber(
        "dash_review_days", "DASH review at least every", "the time between DASH reviews",
        1, 180, "calendar days",
        "Calendar days since the last review while a case is active. A review is also due after "
        "any recorded incident", 28,
    ),
    WholeNumber(
        "outcome_mid_point_weeks", "Mid-point outcome measures after",
        "the time to the mid-point outcome measures", 1, 26, "weeks",
        "Weeks after the intake outcome measures (or after the intervention started, until "
        "they are recorded)", 4,
    ),
    WholeNumber(
        "idva_action_working_days", "IDVA referral within", "the time to refer to the IDVA service",
        1, 10, "working days",
        f"Working days after high risk is identified. {WORKING}", 1,
    ),
    WholeNumber(
        "marac_action_working_days", "MARAC referral within", "the time to refer to MARAC",
        1, 10, "working days",
        f"Working days after the MARAC threshold is met. {WORKING}", 2,
    ),
    WholeNumber(
        "high_risk_threshold_yes", "High-risk threshold", "the high-risk threshold",
        1, 24, "“yes” answers",
        "The number of “yes” answers on the 24-question DASH checklist that means high risk "
        "and an IDVA referral. Local guidance is 10", 10,
    ),
    WholeNumber(
        "marac_threshold_yes", "MARAC threshold", "the MARAC threshold", 1, 24, "“yes” answers",
        "The number of “yes” answers that means a MARAC referral as well. SafeLives guidance "
        "is 14. It cannot be below the high-risk threshold", 14,
    ),
    WholeNumber(
        "escalation_min_incidents", "Escalation: at least", "the incidents that mean escalation",
        1, 99, "incidents",
        "Incidents of the kinds below, within the months below, that mean escalation: high "
        "risk and a MARAC referral whatever the score", 3,
    ),
    WholeNumber(
        "escalation_months", "Escalation: within the last", "the months escalation counts",
        1, 60, "months",
        "Calendar months up to the date of the DASH review", 12,
    ),
    WholeNumber(
        "invoice_unpaid_days", "Remind finance of an unpaid invoice after",
        "the time before an unpaid invoice reminder", 1, 180, "calendar days",
        "Calendar days after the invoice date", 30,
    ),
    WholeNumber(
        "evaluation_k", "Smallest group in evaluation data",
        "the smallest group in evaluation data",
        3, 50, "people",
        "Every combination of age band, gender, ethnic group, borough and referral period in an "
        "evaluation extract is shared by at least this many people, and smaller counts are "
        "hidden in the programme figures. Raising it coarsens later releases; lowering it never "
        "makes them finer", 5,
    ),
    WholeNumber(
        "retain_case_years", "Keep case records after closure for",
        "how long case records are kept after closure", 1, 20, "years",
        "Years after the case closed. Then the case is listed for a manager to review and "
        "anonymise", 6,
    ),
    WholeNumber(
        "retain_child_extra_years", "Keep a case after its youngest child turns 18 for",
        "how long a case is kept after its youngest child turns 18", 1, 20, "years",
        "Years after the youngest child on the case turns 18, when that is later than the "
        "closure rule. A child whose age is not known is reviewed by hand", 7,
    ),
    WholeNumber(
        "retain_audit_years", "Keep audit events for", "how long audit events are kept",
        1, 20, "years",
        "Older events are deleted at night. They hold field names, never case values", 6,
    ),
    WholeNumber(
        "retain_notifications_days", "Keep notifications for", "how long notifications are kept",
        7, 3650, "calendar days",
        "Notifications read or no longer due are deleted this long after they were made", 90,
    ),
    WholeNumber(
        "retain_sessions_days", "Keep ended sign-in sessions for",
        "how long ended sign-in sessions are kept", 1, 365, "calendar days",
        "Sessions signed out or timed out are deleted this long after they ended", 1,
    ),
    WholeNumber(
        "retain_unreleased_extracts_days", "Keep unreleased evaluation extracts for",
        "how long unreleased evaluation extracts are kept", 1, 365, "calendar days",
        "An extract prepared but never released is deleted, file and record, this long after "
        "it was prepared", 30,
    ),
)  # fmt: skip

RETENTION_SETTINGS = (
    "retain_case_years",
    "retain_child_extra_years",
    "retain_audit_years",
    "retain_notifications_days",
    "retain_sessions_days",
    "retain_unreleased_extracts_days",
)
STORAGE_LIMITATION = (
    "UK GDPR Article 5(1)(e), storage limitation: personal data is kept no longer than the "
    "purpose needs."
)
# Each retention setting's legal basis, shown beside it on the settings page. Plain and
# short: the programme confirms its policy with its data protection officer.
RETENTION_BASIS = {
    "retain_case_years": (
        f"{STORAGE_LIMITATION} Six years matches the Limitation Act 1980's six-year limit for "
        "most claims, so the records can answer a complaint or a claim."
    ),
    "retain_child_extra_years": (
        f"{STORAGE_LIMITATION} Safeguarding guidance is to keep records about children until "
        "well into adulthood, so that they can be given to the child or to a later "
        "safeguarding inquiry. The number of years is the programme's policy to confirm."
    ),
    "retain_audit_years": (
        f"{STORAGE_LIMITATION} The trail shows who saw and changed each case (accountability, "
        "Article 5(2)); kept as long as the case records."
    ),
    "retain_notifications_days": (
        f"{STORAGE_LIMITATION} Reminders are only working aids; the case keeps what was done."
    ),
    "retain_sessions_days": (
        f"{STORAGE_LIMITATION} Security of processing (Article 32): a short window to look "
        "into a misuse of an account; sign-ins themselves stay in the audit trail."
    ),
    "retain_unreleased_extracts_days": (
        f"{STORAGE_LIMITATION} An extract never released to the evaluators has no further purpose."
    ),
}
WHOLE_NUMBER_BY_NAME = {spec.name: spec for spec in WHOLE_NUMBERS}

DATE_SETTINGS = ("referral_window_start", "referral_window_end", "programme_end_date")


# ---------------------------------------------------------------------------
# The letterhead and contact details every document prints

PHONE_CHARACTERS = frozenset("0123456789 +()-")
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
ADDRESS_MAX_LINES = 6


@dataclass(frozen=True)
class TextSetting:
    """A line of text printed on every document: its label, hint, length and shape."""

    name: str
    label: str
    noun: str  # how messages name it, after "Enter"
    max_length: int
    hint: str
    example: str
    multiline: bool = False

    def clean(self, raw: str | None) -> str:
        """Trimmed (each line of an address), inner spaces collapsed; ValueError with the
        message to show when it is missing, too long or not the right shape."""
        lines = [" ".join(line.split()) for line in (raw or "").splitlines()]
        lines = [line for line in lines if line]
        text = "\n".join(lines) if self.multiline else " ".join(lines)
        if not text:
            raise ValueError(f"Enter {self.noun}")
        if len(text) > self.max_length:
            raise ValueError(
                f"{self.noun[0].upper()}{self.noun[1:]} must be {self.max_length} characters "
                "or fewer"
            )
        shape = TEXT_SHAPES.get(self.name)
        if shape and (problem := shape(text)):
            raise ValueError(problem)
        if self.multiline and len(lines) > ADDRESS_MAX_LINES:
            raise ValueError(
                f"{self.noun[0].upper()}{self.noun[1:]} must be {ADDRESS_MAX_LINES} lines or fewer"
            )
        return text


def _phone_problem(text: str) -> str | None:
    digits = sum(ch.isdigit() for ch in text)
    if not set(text) <= PHONE_CHARACTERS or not 10 <= digits <= 15:
        return "Enter the phone number in the correct format, like 020 7946 0000"
    return None


def _email_problem(text: str) -> str | None:
    if " " in text or not EMAIL_SHAPE.fullmatch(text):
        return "Enter the e-mail address in the correct format, like eip@example.org"
    return None


TEXT_SHAPES = {"contact_phone": _phone_problem, "contact_email": _email_problem}

TEXT_SETTINGS = (
    TextSetting(
        "letterhead_organisation", "Organisation on the letterhead",
        "the organisation's name for the letterhead", 120,
        "At the top of every page of every document, in place of the software's name",
        "Cranstoun — Early Intervention Project",
    ),
    TextSetting(
        "contact_phone", "Phone number for contact", "the phone number for contact", 40,
        "Printed on letters and agreements for the referrer or the client to call",
        "020 7946 0000",
    ),
    TextSetting(
        "contact_email", "E-mail address for contact", "the e-mail address for contact", 254,
        "A shared, secure mailbox the team reads, printed beside the practitioner's own",
        "eip@example.org",
    ),
    TextSetting(
        "contact_address", "Postal address", "the postal address", 300,
        "Printed on letters and agreements. One line each for the building, street, town "
        "and postcode",
        "Example House, 1 Example Street, London N1 0AA",
        multiline=True,
    ),
)  # fmt: skip
TEXT_SETTING_BY_NAME = {spec.name: spec for spec in TEXT_SETTINGS}

SETTING_NAMES = (
    "pot_pence",
    "default_nightly_rate_pence",
    *(spec.name for spec in WHOLE_NUMBERS),
    *DATE_SETTINGS,
    "escalation_kinds",
    *(spec.name for spec in TEXT_SETTINGS),
)


UNKNOWN_KIND = "Select kinds of incident from the list"


def join_kinds(kinds: Any) -> str:
    """The incident kinds escalation counts, as stored: comma-separated, in the vocabulary's
    order, so the same choice is always the same text (and audits no change). A kind not
    in the vocabulary is refused, never dropped."""
    chosen = set(kinds or ())
    known = choices.values(choices.INCIDENT_SOURCE)
    if chosen - set(known):
        raise ValueError(UNKNOWN_KIND)
    return ",".join(kind for kind in known if kind in chosen)


def kinds_problem(stored: str | None) -> str | None:
    kinds = split_kinds(stored)
    known = set(choices.values(choices.INCIDENT_SOURCE))
    if not kinds:
        return "Select at least one kind of incident that counts towards escalation"
    if any(kind not in known for kind in kinds):
        return UNKNOWN_KIND
    return None


def threshold_order_problems(high_risk: int | None, marac: int | None) -> dict[str, str]:
    """A MARAC case is a high-risk case, so the MARAC threshold is never the lower one."""
    if high_risk is not None and marac is not None and marac < high_risk:
        return {
            "marac_threshold_yes": (
                f"The MARAC threshold must be the same as or more than the high-risk "
                f"threshold ({high_risk})"
            )
        }
    return {}


EARLIEST_YEAR, LATEST_YEAR = 2020, 2099


def date_order_problems(
    window_start: date | None, window_end: date | None, programme_end: date | None
) -> dict[str, str]:
    """The window closes on or after it opens; the programme ends on or after the window."""
    problems: dict[str, str] = {}
    for name, value in zip(DATE_SETTINGS, (window_start, window_end, programme_end), strict=True):
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            problems[name] = f"The year must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
    if problems:
        return problems
    if window_start and window_end and window_end < window_start:
        problems["referral_window_end"] = (
            "The date the referral window closes must be the same as or after the date it opens"
        )
    if window_end and programme_end and programme_end < window_end:
        problems["programme_end_date"] = (
            "The programme end date must be the same as or after the date the referral "
            "window closes"
        )
    return problems


def settings_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Every problem with a complete set of typed setting values, by setting name."""
    problems: dict[str, str] = {}
    missing = [name for name in SETTING_NAMES if values.get(name) is None]
    for name in missing:
        problems[name] = "Enter a value"
    if values.get("pot_pence") is not None:
        try:
            check_pot(int(values["pot_pence"]))
        except ValueError as exc:
            problems["pot_pence"] = str(exc)
    if values.get("default_nightly_rate_pence") is not None:
        try:
            check_rate(int(values["default_nightly_rate_pence"]))
        except ValueError as exc:
            problems["default_nightly_rate_pence"] = str(exc)
    for spec in WHOLE_NUMBERS:
        value = values.get(spec.name)
        if value is not None:
            try:
                spec.check(int(value))
            except ValueError as exc:
                problems[spec.name] = str(exc)
    for text in TEXT_SETTINGS:
        if values.get(text.name) is not None:
            try:
                text.clean(values[text.name])
            except ValueError as exc:
                problems[text.name] = str(exc)
    dates = [values.get(name) for name in DATE_SETTINGS]
    problems.update(date_order_problems(*dates))
    if "escalation_kinds" not in problems and (
        problem := kinds_problem(values["escalation_kinds"])
    ):
        problems["escalation_kinds"] = problem
    if not {"high_risk_threshold_yes", "marac_threshold_yes"} & problems.keys():
        problems.update(
            threshold_order_problems(
                values["high_risk_threshold_yes"], values["marac_threshold_yes"]
            )
        )
    return problems


def setting_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{name: (old, new)} for the settings whose value differs, in the order of SETTING_NAMES."""
    return {name: (old[name], new[name]) for name in SETTING_NAMES if old[name] != new[name]}


def audit_value(value: Any) -> Any:
    """A setting value as the audit trail keeps it (JSON: dates as ISO strings; the
    escalation kinds as they are stored, comma-separated)."""
    return value.isoformat() if isinstance(value, date) else value


# ---------------------------------------------------------------------------
# Extra non-working days

NON_WORKING_REASON_MAX = 120


def bank_holiday_name(day: date) -> str | None:
    """The name of England's bank holiday on this day (substitute days included), if any."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    return calendar.get(day)


def non_working_day_problem(day: date) -> str | None:
    """Weekends and bank holidays already do not count; adding them would mislead."""
    if day.weekday() >= 5:
        return "That is already a weekend"
    name = bank_holiday_name(day)
    if name:
        return f"That is already a bank holiday ({name})"
    return None
