"""The extract's reader before its one-pass stream (issue 16): cases by batches of ids, each
record type by `case_id IN (...)`, every row through SQLAlchemy's own result. Tests only:
kept as the reference the stream (`evaluation.extract.stream`), which takes the driver's
rows straight, must agree with on every case and record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation.models import Placement
from eip.cases.models import Case
from evaluation.extract import (
    RECORDS,
    _cases,
    _client,
    _costs,
    _partner,
    _record_columns,
)
from evaluation.rows import CaseBundle

BATCH = 5000


def case_ids(session: Session) -> list[int]:
    """Every case's id, in order."""
    return list(session.scalars(select(Case.id).order_by(Case.id)))


def bundles(session: Session, ids: Sequence[int]) -> Iterator[CaseBundle]:
    """Each case with all its records, in the order of `ids`, `BATCH` cases per round of
    queries."""
    connection = session.connection()
    for offset in range(0, len(ids), BATCH):
        chunk = list(ids[offset : offset + BATCH])
        cases = connection.execute(_cases().where(Case.id.in_(chunk))).all()
        found: dict[str, dict[int, list]] = {}
        for name, model in RECORDS.items():
            grouped: dict[int, list] = defaultdict(list)
            for record in connection.execute(
                select(*_record_columns(model)).where(model.case_id.in_(chunk)).order_by(model.id)
            ):
                grouped[record.case_id].append(record)
            found[name] = grouped
        placements: dict[int, list] = defaultdict(list)
        for p in session.scalars(
            select(Placement).where(Placement.case_id.in_(chunk)).order_by(Placement.id)
        ):
            placements[p.case_id].append(p)
        costs = _costs(session, [p.id for ps in placements.values() for p in ps])
        by_id = {case.id: case for case in cases}
        for case in (by_id[i] for i in chunk if i in by_id):
            yield CaseBundle(
                case=case,
                client=_client(case) if case.client_id is not None else None,
                partner=_partner(case),
                borough_name=case.borough_name,
                placements=placements.get(case.id, []),
                placement_cost=costs,
                **{name: grouped.get(case.id, []) for name, grouped in found.items()},
            )
