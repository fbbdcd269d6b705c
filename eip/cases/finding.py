"""Finding a case by the client's name, date of birth or (part of) its reference.

Practitioners and managers only (`case.search`), and only among `visible_cases`. One box
takes all three: the text is matched as a name (every word part of the client's folded name,
so "jos" finds "José"), as a date of birth when it reads as one, and as part of a reference
when it has digits in it; a case matching any of them is listed.

What was typed is personal data: it is never stored, logged or put in a URL. The search is
audited as having happened, with how many cases it found, and nothing of what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case, Person, fold
from eip.domain import NotAllowed
from eip.policy import can, visible_cases

# Enough to choose from; more than this asks for a closer search.
MAX_RESULTS = 50

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[\s/.\-]+(\d{1,2})[\s/.\-]+(\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\s+(\d{4})")
_REFERENCE = re.compile(r"(?:eip)?[\s\-]*([0-9][0-9\-]*)", re.IGNORECASE)


def typed_date(text: str) -> date | None:
    """The date in `text` as people type one: GOV.UK's day month year ("12 3 1985"),
    "12/03/1985", "12.3.1985", "12-03-1985", "1985-03-12" or "12 March 1985"; else None."""
    text = " ".join(text.strip().lower().replace(",", " ").split())
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YEAR_MONTH_DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif (match := _WORDED.fullmatch(text)) and match.group(2) in MONTHS:
        day, month, year = int(match.group(1)), MONTHS[match.group(2)], int(match.group(3))
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def reference_part(text: str) -> str | None:
    """The part of a case reference in `text` ("0012", "2026-001", "EIP-2026-0012"), in
    the references' own form (upper case), or None when the text has no digits to match."""
    if match := _REFERENCE.fullmatch(text.strip()):
        digits = match.group(1).strip("-")
        prefix = "EIP-" if text.strip().upper().startswith("EIP") else ""
        return f"{prefix}{digits}" if digits else None
    return None


@dataclass(frozen=True)
class FoundCase:
    reference: str
    first_name: str
    date_of_birth: date | None
    status: str


@dataclass(frozen=True)
class SearchResult:
    cases: list[FoundCase]
    more: bool  # more than MAX_RESULTS matched: only the first are listed


def matching(text: str) -> list:
    """The conditions a case may meet to match `text` (any of them)."""
    conditions = []
    if words := fold(text).split():
        conditions.append(and_(*(Person.search_key.contains(w, autoescape=True) for w in words)))
    if (born := typed_date(text)) is not None:
        conditions.append(Person.date_of_birth == born)
    if (part := reference_part(text)) is not None:
        conditions.append(Case.reference.contains(part, autoescape=True))
    return conditions


def find_cases(session: Session, user: User, text: str) -> SearchResult:
    """The cases this user may see whose client's name or date of birth, or whose reference,
    matches `text`; the search (not the text) is audited."""
    if not can(user, "case.search"):
        raise NotAllowed("You may not search for cases")
    conditions = matching(text)
    found: list[Case] = []
    if conditions:
        found = list(
            session.scalars(
                visible_cases(user)
                .outerjoin(Person, Case.client_id == Person.id)
                .where(or_(*conditions))
                .order_by(Case.received_at.desc().nulls_last(), Case.id.desc())
                .limit(MAX_RESULTS + 1)
            )
        )
    more = len(found) > MAX_RESULTS
    found = found[:MAX_RESULTS]
    people = {
        person.id: person
        for person in session.scalars(
            select(Person).where(Person.id.in_([c.client_id for c in found if c.client_id]))
        )
    }
    rows = []
    for case in found:
        person = people.get(case.client_id) if case.client_id else None
        rows.append(
            FoundCase(
                case.reference,
                person.first_name if person else "",
                person.date_of_birth if person else None,
                case.status,
            )
        )
    # What was typed is not recorded: only that a search ran and what it found.
    record(
        session,
        "case.searched",
        actor=user,
        details={"results": len(rows), "more": more} if more else {"results": len(rows)},
    )
    session.commit()
    return SearchResult(rows, more)


# How many references a partial one lists to choose from.
MAX_CHOICES = 20


@dataclass(frozen=True)
class ReferenceChoice:
    """What a typed (part of a) reference names: `chosen` when it is one case (typed in full,
    or the only case whose reference contains it), else the references to choose from
    (`choices`, at most MAX_CHOICES, `more` when there are others)."""

    chosen: str | None
    choices: list[str]
    more: bool = False


def choose_reference(session: Session, user: User, typed: str) -> ReferenceChoice:
    """Every form that asks for a case reference takes part of one: the cases this user may
    see whose reference contains `typed` ("0012", "2026-001", any case)."""
    part = " ".join(typed.split()).upper()
    if not part:
        return ReferenceChoice(None, [])
    visible = visible_cases(user).with_only_columns(Case.reference)
    if session.scalar(visible.where(Case.reference == part)) is not None:
        return ReferenceChoice(part, [part])
    references = list(
        session.scalars(
            visible.where(Case.reference.contains(part, autoescape=True))
            .order_by(Case.reference)
            .limit(MAX_CHOICES + 1)
        )
    )
    if len(references) == 1:
        return ReferenceChoice(references[0], references)
    return ReferenceChoice(None, references[:MAX_CHOICES], len(references) > MAX_CHOICES)
