"""Cases and the people in them.

A case is one referral of one client; the client and the partner are person
records, so that a re-referral links to the same people. Details that belong
to this referral (safe-contact arrangements, the code word, risk markers) sit
on the case; details that belong to the person (name, date of birth) on the person.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from eip.auth.models import User
from eip.db import UTCDateTime, utcnow
from eip.extensions import db
from eip.models import Borough

# An open case, as the partial index of open cases says it (and queries._open_caseload).
OPEN_CASE_SQL = "status NOT IN ('closed', 'not_accepted')"


def name_key(name: str) -> str:
    """How names are compared when looking for the same person: case and spacing ignored."""
    return " ".join(name.lower().split())


# Letters NFKD does not split into a base letter and an accent.
_UNSPLIT = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})
_APOSTROPHES = re.compile("['\u2019\u2018`]")  # straight and curly apostrophes
_NOT_LETTERS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """A name as searched: accents stripped (NFKD), case folded, apostrophes dropped and any
    other punctuation a space, so "José O'Brien-Hart" is "jose obrien hart". Computed in
    Python when the name is written (`Person.search_key`), so both engines compare plain
    lower-case text and no query runs a function per row."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNSPLIT)
    return " ".join(_NOT_LETTERS.sub(" ", _APOSTROPHES.sub("", bare)).split())


def first_name(full_name: str | None) -> str:
    """The first word of a full name ("" for none)."""
    return next(iter((full_name or "").split()), "")


class Person(db.Model):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    # The name folded for searching (`fold`), set whenever full_name is written.
    search_key: Mapped[str] = mapped_column(String(120), index=True, default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    gender: Mapped[str] = mapped_column(String(30), default="not_known")
    ethnicity: Mapped[str] = mapped_column(String(40), default="not_known")
    disability: Mapped[str] = mapped_column(String(20), default="not_known")
    sexual_orientation: Mapped[str] = mapped_column(String(30), default="not_known")
    # The band at the person's latest referral: from the date of birth when known, else as
    # recorded (eip.cases.equality.age_band); kept so the figures can GROUP BY it.
    age_band: Mapped[str] = mapped_column(String(20), default="not_known")
    language: Mapped[str | None] = mapped_column(String(60))
    interpreter_needed: Mapped[str] = mapped_column(String(20), default="not_known")
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("full_name")
    def _keep_search_key(self, key: str, value: str) -> str:
        self.search_key = fold(value or "")
        return value

    @property
    def first_name(self) -> str:
        """What a work list shows beside the reference (practitioners and managers only)."""
        return first_name(self.full_name)


class Case(db.Model):
    __tablename__ = "cases"
    # The case list's order (received_at DESC NULLS LAST, id DESC) as an index range, alone
    # and after each of its filters; eip/paging.py reads them backwards, one page at a time.
    __table_args__ = (
        Index("ix_cases_received_at_id", "received_at", "id"),
        Index("ix_cases_borough_received_at_id", "borough_id", "received_at", "id"),
        # The SPOC home's newest cases of the borough (created_at DESC, id DESC), read
        # backwards as a range: without it every request sorted the borough's cases.
        Index("ix_cases_borough_created_at_id", "borough_id", "created_at", "id"),
        Index(
            "ix_cases_practitioner_received_at_id",
            "allocated_practitioner_id",
            "received_at",
            "id",
        ),
        Index("ix_cases_status_received_at_id", "status", "received_at", "id"),
        # A practitioner's open cases in the caseload's order (queries.caseload_page).
        Index(
            "ix_cases_open_practitioner_received_at_id",
            "allocated_practitioner_id",
            "received_at",
            "id",
            sqlite_where=text(OPEN_CASE_SQL),
            postgresql_where=text(OPEN_CASE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # EIP-2026-0001: used everywhere instead of names.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The referring borough, fixed at referral: its SPOC approves placements.
    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"), index=True)
    status: Mapped[str] = mapped_column(String(40), default="referred", index=True)
    status_before_closure: Mapped[str | None] = mapped_column(String(40))
    allocated_practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The row's version (SQLAlchemy's counter, moved by every write to the row): no form
    # carries it; it makes two writes racing on the row one save and one Conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The referral details' own version, moved only by their edits (referral_edit.py): the
    # edit form carries it, so a consent or a closure meanwhile does not refuse the edit.
    referral_version: Mapped[int] = mapped_column(Integer, default=1)

    # The referral.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    referrer_name: Mapped[str | None] = mapped_column(String(120))
    referrer_team: Mapped[str | None] = mapped_column(String(120))
    referrer_email: Mapped[str | None] = mapped_column(String(254))
    referrer_phone: Mapped[str | None] = mapped_column(String(40))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    client_safe_contact: Mapped[str | None] = mapped_column(Text)
    partner_relationship: Mapped[str | None] = mapped_column(String(30))
    living_together: Mapped[str | None] = mapped_column(String(20))
    partner_safe_contact_times: Mapped[str | None] = mapped_column(Text)
    partner_code_word: Mapped[str | None] = mapped_column(String(60))
    children_count: Mapped[int | None] = mapped_column(Integer)
    children_ages: Mapped[str | None] = mapped_column(String(120))
    childrens_services_status: Mapped[str | None] = mapped_column(String(30))
    police_callouts_12_months: Mapped[int | None] = mapped_column(Integer)
    previous_abuse: Mapped[str | None] = mapped_column(String(20))
    separation: Mapped[str | None] = mapped_column(String(20))
    pregnancy: Mapped[str | None] = mapped_column(String(20))
    substance_use: Mapped[str | None] = mapped_column(String(20))
    mental_health: Mapped[str | None] = mapped_column(String(20))
    weapons: Mapped[str | None] = mapped_column(String(20))
    dash_score_at_referral: Mapped[int | None] = mapped_column(Integer)
    reason_for_referral: Mapped[str | None] = mapped_column(Text)
    what_has_been_tried: Mapped[str | None] = mapped_column(Text)

    # Acknowledgement of the referral.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledgement_method: Mapped[str | None] = mapped_column(String(30))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Set when both intervention consents are in force and the case becomes active:
    # the weekly meeting clock starts here.
    intervention_started_on: Mapped[date | None] = mapped_column(Date)

    # Closure.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_outcome: Mapped[str | None] = mapped_column(String(30))
    closure_risk_level: Mapped[str | None] = mapped_column(String(20))
    closure_living_arrangements: Mapped[str | None] = mapped_column(String(40))
    closure_childrens_services_status: Mapped[str | None] = mapped_column(String(30))
    closure_police_callouts: Mapped[int | None] = mapped_column(Integer)
    closure_reason: Mapped[str | None] = mapped_column(Text)
    # Why the case closed while high risk or with a referral open (closure_services).
    closure_risk_reason: Mapped[str | None] = mapped_column(Text)
    # The practitioner closing the case chose to put the sensitive case notes on the closure
    # summary (the one document they may ever appear in).
    closure_sensitive_notes: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    # When the case was anonymised in place (eip.privacy.anonymise): from then on it keeps
    # its facts and figures only, and nothing on it may change.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    borough: Mapped[Borough] = relationship(lazy="joined")
    allocated_practitioner: Mapped[User | None] = relationship(
        foreign_keys=[allocated_practitioner_id]
    )
    client: Mapped[Person | None] = relationship(foreign_keys=[client_id])
    partner: Mapped[Person | None] = relationship(foreign_keys=[partner_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    # What eip.versioning.bump marks changed when only a child record was added.
    bump_column: ClassVar[str] = "status"

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


# A practitioner's open cases, counted from the index alone (the home's open-cases table).
Index("ix_cases_practitioner_status", Case.allocated_practitioner_id, Case.status)
# The monthly report (eip.reports.monthly) counts from these alone, never reading a case's row:
# the referrals of a range of months by borough, their acknowledgements, the cases open at a
# month's end; and the cases in intervention during a month.
Index(
    "ix_cases_received_at_borough_closed_acknowledged",
    Case.received_at,
    Case.borough_id,
    Case.closed_at,
    Case.acknowledged_at,
)
Index("ix_cases_intervention_closed_at_id", Case.intervention_started_on, Case.closed_at, Case.id)


class CaseTally(db.Model):
    """How many cases hold each status in each borough: the manager's and the SPOC's home
    read their counts here, a few rows whatever the number of cases, instead of counting
    every case at each request. Kept by triggers on `cases` (migration c7e4a2f9d1b3), so
    every write (the web, imports, seeding, retention, SQL by hand) moves it in the same
    transaction. A pair whose cases have all gone keeps its row at 0; readers skip zeros.
    Never written by the app."""

    __tablename__ = "case_tallies"

    status: Mapped[str] = mapped_column(String(40), primary_key=True)
    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<CaseTally {self.status} {self.borough_id}: {self.n}>"


class CaseActivity(db.Model):
    """Each case's last activity: the latest of its creation, receipt, acknowledgement and
    the creation of every record on its page (eip.cases.page.RECORD_LISTS) and placement,
    and whether it is open. The dashboard's "nothing recorded for 14 days" queue is then an
    index range (open, before the day) instead of a search of every table for each open
    case. Kept by triggers on cases, the record tables and placements (migration
    537c425b11ac), so every write moves it in the same transaction. Never written by the
    app."""

    __tablename__ = "case_activity"
    __table_args__ = (Index("ix_case_activity_is_open_last_at", "is_open", "last_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    is_open: Mapped[bool] = mapped_column(Boolean)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseTimeliness(db.Model):
    """A received referral's days, as the dashboard's acknowledgement and booking measures
    read them: closed or not, late or not, the London days agreed (the latest agreement),
    received, acknowledged and its first consultation recorded. Kept by triggers on cases,
    consultations and late-referral decisions (migration 3932dfa831bb); its changes move
    TimelinessTally. Never written by the app."""

    __tablename__ = "case_timeliness"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    closed: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    booked_on: Mapped[date | None] = mapped_column(Date)


# A day not yet reached in a TimelinessTally's key (which cannot hold NULL).
NOT_YET = date(1, 1, 1)


class TimelinessTally(db.Model):
    """How many received referrals have exactly these days (CaseTimeliness; NOT_YET for a
    day not reached): the dashboard's acknowledgement and booking read the tallies of the
    days received in its months, a few rows per day whatever the number of cases. Kept by
    triggers on case_timeliness (migration 3932dfa831bb). A key whose referrals have all
    moved on keeps its row at 0; readers skip zeros. Never written by the app."""

    __tablename__ = "timeliness_tallies"

    received_on: Mapped[date] = mapped_column(Date, primary_key=True)
    closed: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    late: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agreed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    acknowledged_on: Mapped[date] = mapped_column(Date, primary_key=True)
    booked_on: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class OutcomeTally(db.Model):
    """How many cases held a case consultation with each outcome in each month, by the
    case's borough (a case once per outcome and month, however many it held): the
    dashboard's pathway outcomes read the tallies of its months, a few rows whatever the
    number of cases. Kept by triggers on consultations and cases (migration 7d257eff45e2).
    A key whose cases have all gone keeps its row at 0; readers skip zeros. Never written by
    the app."""

    __tablename__ = "outcome_tallies"

    outcome: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ReferralTally(db.Model):
    """How many referrals each borough made in each London month (the month `received_at`
    falls in): the dashboard's referrals read the tallies of its months. Kept by triggers on
    cases (migration 693d18eb8c0f); a row at 0 stays, readers skip zeros. Never written by
    the app."""

    __tablename__ = "referral_tallies"

    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    n: Mapped[int] = mapped_column(Integer)


class MeetingTally(db.Model):
    """How many professionals meetings were held on each day: the dashboard's meetings held
    per month read the days of its months up to today. Kept by triggers on
    professionals_meetings (migration 693d18eb8c0f); a row at 0 stays, readers skip zeros.
    Never written by the app."""

    __tablename__ = "meeting_tallies"

    held_on: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class CaseDueItem(db.Model):
    """What is due on an open case, stored so the home pages can ask SQL for what is
    overdue or due soon with a limit instead of computing every open case's deadlines.

    Derived data: `eip.cases.due_store.refresh` rewrites a case's rows from
    `deadlines.due_items` in the same transaction as any write to the case's facts, and
    `flask eip refresh-due-items` (also the nightly job) rewrites them all."""

    __tablename__ = "case_due_items"
    __table_args__ = (
        # "Has this case anything overdue?" (due_store.overdue) from the index alone.
        Index("ix_case_due_items_case_due", "case_id", "due_on"),
        # The dashboard's cases with an outcome follow-up due, by kind: a range per kind,
        # not every item due by today (1.4 s at 100,000 cases on SQLite).
        Index("ix_case_due_items_kind_due_case", "kind", "due_on", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_case_due_items_case_due (case_id first), which serves the lookups by case.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # The case's allocated practitioner, copied (a new allocation changes the case, which
    # rewrites its items): the work list then needs no join to filter and sort.
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The item's place in `due_items`' order (due date, urgent first, label).
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    action_id: Mapped[int | None] = mapped_column(Integer)
    soon_from: Mapped[date | None] = mapped_column(Date)


class DueRefresh(db.Model):
    """A rewrite of every case's stored due items, running in batches after a change to the
    deadline settings or the non-working days (`eip.cases.due_store.request_refresh_all`).

    One row (id 1). A request that would rewrite more cases than one commit should hold
    (EIP_DUE_REFRESH_IN_COMMIT) saves its change and this row; the scheduler's "due-items" job
    then rewrites the cases in id order, a batch per transaction, moving `after_case_id` on.
    A new change while it runs raises `generation`, which sends the job back to the start."""

    __tablename__ = "due_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    # The last case rewritten: the next batch starts after it.
    after_case_id: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# A practitioner's work list: their items in its order (queries._WORK_ORDER: due date,
# urgent first, newer case, position), so each page is a range of it read with a limit;
# soon_from too, so counting the work list's groups reads the index alone.
Index(
    "ix_case_due_items_practitioner_work",
    CaseDueItem.practitioner_id,
    CaseDueItem.due_on,
    CaseDueItem.urgent.desc(),
    CaseDueItem.case_id.desc(),
    CaseDueItem.position,
    CaseDueItem.soon_from,
)
