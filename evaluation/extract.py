"""Reading the cases for an extract, and turning them into rows as a stream.

Nothing here holds every case at once: each table is read once, in case order, `BATCH` rows
at a time (`stream`), and each case is turned into rows and let go. The only
thing kept for the whole extract is each case's ID and its five quasi-identifier values,
which disclosure control must see together.

Cases and records are read as plain rows of only the columns the extract uses (no ORM
objects, no free text), with the case's borough and client joined in: building an
ORM object per record was most of the cost of a large extract. Placements stay objects
(their nights are a property), and there are few.
"""

from __future__ import annotations

from collections import Counter, defaultdict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from functools import partial
from itertools import groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Date, Select, func, select
from sqlalchemy.orm import Session, aliased

from accommodation import ledger, store
from accommodation.models import Placement
from eip.cases import outcomes
from eip.cases.consent_state import latest_records, state_of
from eip.cases.models import Case, Person
from eip.cases.records import (
    CaseAction,
    Child,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    LateReferralDecision,
    OnwardReferral,
    OutcomeMeasure,
    ProfessionalsMeeting,
)
from eip.db import UTCDateTime
from eip.models import Borough
from eip.workdays import london_date, london_day_start
from evaluation import pseudonym
from evaluation.disclosure import Candidate, QuasiValues
from evaluation.rows import CaseBundle, Client, finest_cells

BATCH = 5000

# bundle attribute -> the record type that fills it
RECORDS = {
    "consultations": Consultation,
    "late_decisions": LateReferralDecision,
    "consents": Consent,
    "sessions": InterventionSession,
    "meetings": ProfessionalsMeeting,
    "dash_reviews": DashReview,
    "incidents": Incident,
    "onward_referrals": OnwardReferral,
    "actions": CaseAction,
    "children": Child,
    "outcomes": OutcomeMeasure,
}

# The columns of each record that rows.py reads (and current_consents, for the consents):
# nothing else is read, free text least of all.
RECORD_COLUMNS: dict[type, tuple[str, ...]] = {
    Consultation: ("held_on", "outcome"),
    LateReferralDecision: ("decided_on", "decision"),
    Consent: ("created_at", "person_role", "kind", "state", "recorded_on", "withdrawn_on"),
    InterventionSession: ("held_on", "attendance"),
    ProfessionalsMeeting: ("held_on",),
    DashReview: (
        "completed_on",
        "score",
        "risk_level",
        "professional_judgement_high",
        "police_callouts_12_months",
        "high_risk_threshold",
        "marac_threshold",
    ),
    Incident: ("occurred_on", "source", "police_callout"),
    OnwardReferral: ("agency", "referred_on", "status"),
    CaseAction: ("kind", "completed_at", "due_on", "source_id", "resolution"),
    Child: ("age_years", "age_band"),
    # Every answer (all on fixed scales: outcome measures hold no free text) and the day.
    OutcomeMeasure: ("point", "measured_on", *outcomes.ANSWER_COLUMNS),
}

# The partner is a person record too: read beside the client in the case's row.
Partner = aliased(Person, name="partner_person")

# The case's columns the rows are built from (rows.py), and its borough and client.
CASE_COLUMNS = (
    Case.id,
    Case.reference,
    Case.client_id,
    Case.status,
    Case.created_at,
    Case.received_at,
    Case.acknowledged_at,
    Case.acknowledgement_method,
    Case.intervention_started_on,
    Case.closed_at,
    Case.closure_outcome,
    Case.closure_risk_level,
    Case.closure_living_arrangements,
    Case.closure_childrens_services_status,
    Case.childrens_services_status,
    Case.police_callouts_12_months,
    Borough.name.label("borough_name"),
    Person.date_of_birth.label("client_date_of_birth"),
    Person.gender.label("client_gender"),
    Person.ethnicity.label("client_ethnicity"),
    Person.age_band.label("client_age_band"),
    Case.anonymised_at,
    Case.partner_id,
    Partner.date_of_birth.label("partner_date_of_birth"),
    Partner.gender.label("partner_gender"),
    Partner.ethnicity.label("partner_ethnicity"),
    Partner.age_band.label("partner_age_band"),
)


def _cases():
    """A select of CASE_COLUMNS, with the borough, the client and the partner joined."""
    return (
        select(*CASE_COLUMNS)
        .join(Borough, Borough.id == Case.borough_id, isouter=True)
        .join(Person, Person.id == Case.client_id, isouter=True)
        .join(Partner, Partner.id == Case.partner_id, isouter=True)
    )


def _client(case) -> Client:
    """The client's quasi-identifiers from a row of CASE_COLUMNS."""
    kept = case.client_age_band if case.anonymised_at is not None else None
    return Client(case.client_date_of_birth, case.client_gender, case.client_ethnicity, kept)


def _partner(case) -> Client | None:
    """The partner's: the band as recorded stands in when the date of birth is not known."""
    if case.partner_id is None:
        return None
    return Client(
        case.partner_date_of_birth,
        case.partner_gender,
        case.partner_ethnicity,
        case.partner_age_band,
    )


def _record_columns(model) -> list:
    """The columns of a record that rows.py reads (every record: its id and case)."""
    return [model.id, model.case_id, *(getattr(model, name) for name in RECORD_COLUMNS[model])]


def _referred_in(query, start: date | None, end: date | None):
    """`query` (which reads `cases`) narrowed to the cases referred from `start` to `end`."""
    referred_at = func.coalesce(Case.received_at, Case.created_at)
    if start is not None:
        query = query.where(referred_at >= london_day_start(start))
    if end is not None:
        query = query.where(referred_at < london_day_start(end + timedelta(days=1)))
    return query


def first_referral_on(session: Session) -> date | None:
    """The London date of the earliest referral ever recorded."""
    first = session.scalar(select(func.min(func.coalesce(Case.received_at, Case.created_at))))
    if first is None:
        return None
    if first.tzinfo is None:  # SQLite's MIN() bypasses the column type: naive UTC
        first = first.replace(tzinfo=UTC)
    return london_date(first)


def _costs(session: Session, placement_ids: list[int]) -> dict[int, int]:
    """What each placement cost the pot: the ledger's exposure (committed or invoiced)."""
    if not placement_ids:
        return {}
    entries = store.entries(session, placement_ids)
    return {pid: totals.exposure for pid, totals in ledger.all_placement_totals(entries).items()}


class _ByCase:
    """A stream of records ordered by case, taken one case at a time."""

    def __init__(self, records: Iterable[Any]) -> None:
        self._groups = groupby(records, attrgetter("case_id"))
        self._advance()

    def _advance(self) -> None:
        self.case_id, self._records = next(self._groups, (None, iter(())))

    def take(self) -> list[Any]:
        """The records of the case the stream is at (`case_id`), moving on to the next."""
        found = list(self._records)
        self._advance()
        return found


def plain_rows(connection: Connection, query: Select) -> Iterator[Any]:
    """The rows of `query` as named tuples, read from the driver's cursor `BATCH` at a time.

    SQLAlchemy binds the parameters and opens the cursor (server-side where the database
    has one); the rows are then taken from the driver straight, with each column's own
    result conversion applied only where its type has one (SQLite's dates and times are
    text, every engine's timestamps are made UTC). A Row object per record and a call per
    cell were a third of a large extract; a day's date is converted once, as days repeat,
    and a column of timestamps with no NULL is made UTC with no Python call per cell
    (`UTCDateTime.column_results`).
    """
    columns = list(query.selected_columns)
    dialect = connection.dialect
    # tuple.__new__ of the named tuple's class: its _make without a Python call per row.
    make = partial(tuple.__new__, namedtuple("Record", [column.key for column in columns]))
    # Each converted column's conversion, of all its cells at once.
    convert: list[tuple[int, Callable[[Sequence[Any]], Iterable[Any]]]] = []
    for i, column in enumerate(columns):
        if isinstance(column.type, UTCDateTime):
            convert.append((i, column.type.column_results(dialect)))
            continue
        processor = column.type._cached_result_processor(dialect, None)
        if processor is None:
            continue
        if isinstance(column.type, Date):
            processor = _Converted(processor).__getitem__
        convert.append((i, partial(map, processor)))
    result = connection.execute(query.execution_options(stream_results=True))
    try:
        # The result's own fetching gives the driver's rows as they are, the row it reads
        # ahead when it opens a server-side cursor included (the cursor alone would skip
        # it); asked afresh each time, as it changes once the cursor is used up.
        while part := result.cursor_strategy.fetchmany(result, result.cursor, BATCH):
            if not convert:
                yield from map(make, part)
                continue
            # Column by column: only the converted columns cost a call per cell.
            cells: list[Any] = list(zip(*part, strict=True))
            for i, conversion in convert:
                cells[i] = conversion(cells[i])
            yield from map(make, zip(*cells, strict=True))
    finally:
        result.close()


class _Converted(dict):
    """A processor's results by value, each worked out once (dates: a few hundred), so
    that a value seen before costs a dictionary look-up and no call."""

    def __init__(self, processor: Callable[[Any], Any]) -> None:
        super().__init__()
        self._processor = processor

    def __missing__(self, value: Any) -> Any:
        self[value] = found = self._processor(value)
        return found


def stream(
    session: Session, start: date | None, end: date | None, *, only: tuple[str, ...] | None = None
) -> Iterator[CaseBundle]:
    """Every case referred from `start` to `end` with its records, in case-id order; `only`
    names the record lists to read (all when None, "placements" among them), so that a pass
    that needs only the consents does not read every session's row.

    Each table is read once, ordered by case and streamed (a server-side cursor where the
    database has one), and the streams are merged case by case: no list of ids, no query
    per batch, and nothing held but the current case (and the placements, which are few).
    """
    wanted = RECORDS if only is None else {name: RECORDS[name] for name in only if name in RECORDS}
    with_placements = only is None or "placements" in only
    connection = session.connection()

    def rows(query) -> Iterator[Any]:
        return plain_rows(connection, query)

    cases = rows(_referred_in(_cases().order_by(Case.id), start, end))
    records = {
        name: _ByCase(
            rows(
                _referred_in(
                    select(*_record_columns(model))
                    .join(Case, Case.id == model.case_id)
                    .order_by(model.case_id, model.id),
                    start,
                    end,
                )
            )
        )
        for name, model in wanted.items()
    }
    placements: dict[int, list] = defaultdict(list)
    costs: dict[int, int] = {}
    if with_placements:
        for p in session.scalars(
            _referred_in(
                select(Placement).join(Case, Case.id == Placement.case_id).order_by(Placement.id),
                start,
                end,
            )
        ):
            placements[p.case_id].append(p)
        costs = _costs(session, [p.id for ps in placements.values() for p in ps])
    for case in cases:
        client = None
        if case.client_id is not None:
            client = _client(case)
        yield CaseBundle(
            case=case,
            client=client,
            partner=_partner(case),
            borough_name=case.borough_name,
            placements=placements.get(case.id, []),
            placement_cost=costs,
            # Most cases have none of most kinds of record: checked here, not by a call.
            **{
                name: grouped.take() if grouped.case_id == case.id else []
                for name, grouped in records.items()
            },
        )


@dataclass
class Population:
    """Who may go in the extract, and who is left out and why (counts only)."""

    candidates: list[Candidate] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)
    referred: int = 0


def population(session: Session, key: bytes, start: date | None, end: date | None) -> Population:
    """The candidates for disclosure control: every case referred from `start` to `end`
    except those whose client or partner declined or withdrew the use of their data in the
    evaluation. Read from the cases and their consents alone, in one pass of `stream`."""
    return _collect(stream(session, start, end, only=("consents",)), key)


def read_population(
    session: Session,
    key: bytes,
    start: date | None,
    end: date | None,
    keep: Callable[[CaseBundle, Candidate], None],
) -> Population:
    """`population` of the cases referred from `start` to `end`, read in one pass of
    `stream`; `keep` is given each candidate with its records while they are at hand, so
    that the caller need not read them again."""
    return _collect(stream(session, start, end), key, keep)


def _collect(
    found_bundles: Iterable[CaseBundle],
    key: bytes,
    keep: Callable[[CaseBundle, Candidate], None] | None = None,
) -> Population:
    found = Population()
    for bundle in found_bundles:
        found.referred += 1
        reason = left_out_reason(bundle.consents)
        if reason:
            found.left_out[reason] += 1
            continue
        cid = pseudonym.case_id(key, bundle.case.reference)
        person = f"person:{bundle.case.client_id}" if bundle.case.client_id else f"case:{cid}"
        candidate = Candidate(cid, person, QuasiValues.of_cells(finest_cells(bundle)))
        found.candidates.append(candidate)
        if keep is not None:
            keep(bundle, candidate)
    return found


def left_out_reason(consents: Iterable[Any]) -> str | None:
    """Why a case stays out of every extract: the client or the partner declined, or
    withdrew, the use of their anonymised data. Never asked is not a decline."""
    # The two records that matter, not every state (this runs once per case of an extract).
    latest = latest_records(consents)
    found = {state_of(latest.get((person, "evaluation"))) for person in ("client", "partner")}
    if "declined" in found:
        return "evaluation_consent_declined"
    if "withdrawn" in found:
        return "evaluation_consent_withdrawn"
    return None
