"""Bulk import of existing referrals from a CSV file: all rows or none.

    flask --app wsgi eip import-referrals FILE.csv

The file is UTF-8 (a byte-order mark is fine) with a header row naming the columns.
Every row is checked with the same rules as the referral form; if any row has a
problem nothing is loaded, and each bad row is reported with its line number
(the header is line 1) and the reason. Each case gets a new reference
(`EIP-<year received>-NNNN`); each is audited as `case.imported`.

Columns (* required). Fixed-list columns take the codes listed in
`docs/import-referrals.md` (the values of `eip/cases/choices.py`).

    received_at*                ISO date and time, London time: 2026-09-01T10:30
    borough*                    the referring borough's name, as on the Boroughs page; it must be
                                taking part in the programme
    practitioner_email*         the allocated practitioner's sign-in e-mail
    referrer_name*              the social worker who referred
    referrer_team
    referrer_email*
    referrer_phone
    client_name*
    client_date_of_birth*       ISO date: 1990-03-27; the client must be 16 or older when received
    client_gender*              GENDER code, such as woman, man, not_known
    client_ethnicity*           ETHNICITY code, such as white_british, not_known
    client_disability*          DISABILITY code: yes, no, not_known, prefer_not_to_say
    client_language
    client_interpreter*         LANGUAGE_INTERPRETER code: yes, no, not_known
    client_address
    client_phone
    client_email
    client_safe_contact
    partner_name*
    partner_date_of_birth       ISO date
    partner_relationship*       RELATIONSHIP_TO_CLIENT code, such as partner, ex_partner
    partner_living_together*    LIVING_TOGETHER code: yes, no, sometimes, not_known
    partner_address
    partner_phone
    partner_email
    partner_safe_contact_times
    partner_code_word
    children_count              whole number, 0 to 20
    children_ages               text, such as "3 and 7": each child becomes a record; where the
                                ages cannot all be read or do not match the count, the
                                children are flagged for review on the case page
    childrens_services_status*  CHILDRENS_SERVICES_STATUS code, such as none, child_in_need
    police_callouts_12_months   whole number, 0 to 99
    previous_abuse*             yes, no or not_known (likewise the next five)
    separation*
    pregnancy*
    substance_use*
    mental_health*
    weapons*
    dash_score                  whole number, 0 to 24
    reason_for_referral*
    what_has_been_tried

A client or partner whose name and date of birth match exactly one person already
on record (or an earlier row of the same file) is linked to that person, as a
re-referral; when several people match, the row is refused so that it can be
recorded through the form, which asks which one it is.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases import notices as case_notices
from eip.cases.children import rows_from_count_and_ages
from eip.cases.models import name_key
from eip.cases.referral_rules import ReferralDetails, problems
from eip.cases.referral_services import (
    build_case,
    find_matches,
    organisation_problems,
    starting_status,
)
from eip.clock import now
from eip.models import Borough
from eip.workdays import LONDON

INTEGER_COLUMNS = ("children_count", "police_callouts_12_months", "dash_score")
DATE_COLUMNS = ("client_date_of_birth", "partner_date_of_birth")
OPTIONAL_COLUMNS = (
    "referrer_team",
    "referrer_phone",
    "client_language",
    "client_address",
    "client_phone",
    "client_email",
    "client_safe_contact",
    "partner_date_of_birth",
    "partner_address",
    "partner_phone",
    "partner_email",
    "partner_safe_contact_times",
    "partner_code_word",
    "children_count",
    "children_ages",
    "police_callouts_12_months",
    "dash_score",
    "what_has_been_tried",
)
_DETAIL_COLUMNS = tuple(
    name
    for name in ReferralDetails.names()
    if name not in ("received_at", "borough_id", "practitioner_id")
)
_AGES_AFTER = _DETAIL_COLUMNS.index("children_count") + 1
# In the order the documentation lists them. children_ages is read into child records
# (eip.cases.children), not kept as text.
COLUMNS = (
    "received_at",
    "borough",
    "practitioner_email",
    *_DETAIL_COLUMNS[:_AGES_AFTER],
    "children_ages",
    *_DETAIL_COLUMNS[_AGES_AFTER:],
)
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)
# A problem found by the referral rules, keyed by form field -> the CSV column it is about.
FIELD_TO_COLUMN = {
    "received_date": "received_at",
    "received_time": "received_at",
    "borough": "borough",
    "practitioner": "practitioner_email",
}


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: Mapping[str, str]


@dataclass(frozen=True)
class RowError:
    line: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.problems)


@dataclass
class ImportReport:
    loaded: list[str] = field(default_factory=list)  # references, in file order
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------
# Reading


def read_rows(stream: IO[str]) -> tuple[list[str], list[CsvRow]]:
    """The header and the rows, each with the line it starts on (the header is line 1)."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return [], []
    columns = [name.strip() for name in header]
    rows = []
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            padded = [*cells, *[""] * (len(columns) - len(cells))]
            rows.append(CsvRow(start, dict(zip(columns, padded, strict=False))))
        start = reader.line_num + 1
    return columns, rows


def _header_problems(columns: Iterable[str]) -> list[str]:
    columns = list(columns)
    found = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found.append("missing columns: " + ", ".join(missing))
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        found.append("unknown columns: " + ", ".join(unknown))
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        found.append("columns given twice: " + ", ".join(repeated))
    return found


# ---------------------------------------------------------------------------
# Checking one row


def _received_at(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


class _Lookups:
    """Boroughs and practitioners by name and e-mail, read once for the whole file."""

    def __init__(self, session: Session) -> None:
        self.boroughs = {b.name.lower(): b.id for b in session.scalars(select(Borough))}
        self.users = {
            email.lower(): user_id
            for user_id, email in session.execute(select(User.id, func.lower(User.email)))
        }


def parse_row(values: Mapping[str, str], lookups: _Lookups) -> tuple[ReferralDetails, dict]:
    """Typed details from one row, and the columns that could not be read."""
    text = {k: (v or "").strip() for k, v in values.items() if k}
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {}
    try:
        typed["received_at"] = (
            _received_at(text["received_at"]) if text.get("received_at") else None
        )
        if typed["received_at"] is None:
            errors["received_at"] = "Enter the date and time the referral was received"
    except ValueError:
        errors["received_at"] = "Enter the date and time received like 2026-09-01T10:30"
    borough = text.get("borough", "")
    typed["borough_id"] = lookups.boroughs.get(borough.lower())
    if typed["borough_id"] is None:
        errors["borough"] = "No borough has this name" if borough else "Enter the referring borough"
    email = text.get("practitioner_email", "").lower()
    typed["practitioner_id"] = lookups.users.get(email)
    if typed["practitioner_id"] is None:
        errors["practitioner_email"] = (
            "No user has this e-mail" if email else "Enter the practitioner's e-mail"
        )
    for name in ReferralDetails.names():
        if name in typed:
            continue
        raw = text.get(name, "")
        if name in INTEGER_COLUMNS:
            if raw and not raw.isdigit():
                errors[name] = "Enter a whole number"
            typed[name] = int(raw) if raw.isdigit() else None
        elif name in DATE_COLUMNS:
            try:
                typed[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[name] = "Enter the date like 1990-03-27"
                typed[name] = None
        else:
            typed[name] = raw or None
    return ReferralDetails(**typed).cleaned(), errors


def _row_problems(session: Session, details: ReferralDetails, errors: dict) -> dict[str, str]:
    found = dict(errors)
    checked = problems(details, now())
    checked.update(organisation_problems(session, details))
    if "practitioner" in checked and details.practitioner_id is not None:
        checked["practitioner"] = "The user with this e-mail is not an active practitioner"
    for key, message in checked.items():
        column = FIELD_TO_COLUMN.get(key, key)
        if column not in found:
            found[column] = message
    return found


# ---------------------------------------------------------------------------
# Importing


def _person_key(name: str | None, born: date | None):
    return (name_key(name), born) if name and born else None


def import_referrals(
    session: Session,
    rows: Iterable[Mapping[str, str] | CsvRow],
    actor_label: str = "import",
    *,
    columns: Iterable[str] | None = None,
) -> ImportReport:
    """Check every row; load them all in one transaction only if none has a problem.

    `rows` are mappings of column to text (line numbers then count from 2) or `CsvRow`s.
    """
    numbered = [
        row if isinstance(row, CsvRow) else CsvRow(index + 2, row) for index, row in enumerate(rows)
    ]
    report = ImportReport()
    header = list(columns) if columns is not None else list(numbered[0].values if numbered else [])
    header_problems = _header_problems(header) if header else ["the file has no header row"]
    if header_problems:
        report.errors.append(RowError(1, tuple(header_problems)))
        return report
    if not numbered:
        report.errors.append(RowError(1, ("the file has no referrals in it",)))
        return report
    lookups = _Lookups(session)
    checked: list[tuple[CsvRow, ReferralDetails, dict[str, int | None]]] = []
    for row in numbered:
        details, errors = parse_row(row.values, lookups)
        found = _row_problems(session, details, errors)
        links: dict[str, int | None] = {}
        for who in ("client", "partner"):
            name, born = getattr(details, f"{who}_name"), getattr(details, f"{who}_date_of_birth")
            matches = find_matches(session, name, born)
            if len(matches) > 1:
                found[f"{who}_name"] = (
                    f"Several people on record share the {who}'s name and date of birth: "
                    "record this referral through the form, which asks which one it is"
                )
            links[who] = matches[0].person_id if len(matches) == 1 else None
        if found:
            report.errors.append(
                RowError(
                    row.line, tuple(f"{column}: {message}" for column, message in found.items())
                )
            )
        checked.append((row, details, links))
    if report.errors:
        session.rollback()
        return report
    for attempt in (1, 2):
        try:
            report.loaded = _load(session, checked, actor_label)
            session.commit()
            return report
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _load(session: Session, checked, actor_label: str) -> list[str]:
    loaded = []
    made: dict[tuple, int] = {}  # people first met earlier in this file
    for row, details, links in checked:
        ids = {}
        for who in ("client", "partner"):
            key = _person_key(
                getattr(details, f"{who}_name"), getattr(details, f"{who}_date_of_birth")
            )
            ids[who] = links[who] or (made.get(key) if key else None)
        case = build_case(
            session,
            details,
            status=starting_status(session, details),
            client_id=ids["client"],
            partner_id=ids["partner"],
            children=rows_from_count_and_ages(
                details.children_count, (row.values.get("children_ages") or "").strip() or None
            ),
        )
        for who in ("client", "partner"):
            key = _person_key(
                getattr(details, f"{who}_name"), getattr(details, f"{who}_date_of_birth")
            )
            if key:
                made.setdefault(key, getattr(case, f"{who}_id"))
        given = [name for name in ReferralDetails.names() if getattr(details, name) is not None]
        if (row.values.get("children_ages") or "").strip():
            given.append("children_ages")
        record(
            session,
            "case.imported",
            actor_label=actor_label,
            object_type="case",
            object_id=case.id,
            case_reference=case.reference,
            details={"line": row.line, "status": case.status, "fields": sorted(given)},
        )
        case_notices.late_referral_received(session, None, case)
        loaded.append(case.reference)
    return loaded


# ---------------------------------------------------------------------------
# The command


@click.command("import-referrals")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_referrals_command(file: Path) -> None:
    """Load referrals from a CSV file: every row, or none if any row has a problem."""
    from eip.extensions import db

    try:
        with file.open(newline="", encoding="utf-8-sig") as stream:
            columns, rows = read_rows(stream)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise click.ClickException(
            f"The file could not be read as a UTF-8 CSV file: {exc}"
        ) from None
    report = import_referrals(db.session, rows, columns=columns)
    if not report.ok:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(
            f"Nothing was loaded: {len(report.errors)} line(s) have problems. "
            "Correct them and run the import again.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Loaded {len(report.loaded)} referral(s): {', '.join(report.loaded)}")
