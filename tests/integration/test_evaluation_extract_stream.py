"""The extract's one-pass stream reads each record from the driver's rows (issue 16): every
case and record must come out with the values, and the types, that SQLAlchemy's own
result conversion gives (SQLite keeps dates and times as text and flags as 0 and 1), across
batch boundaries and with nothing lost at the first or last row of a cursor."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from eip import querycount
from eip.extensions import db
from evaluation import extract
from tests import evaluation_bulk
from tests import factories_evaluation as fe
from tests.extract_reference import bundles, case_ids

pytestmark = pytest.mark.usefixtures("app_context")


def _values(rows) -> list[tuple]:
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("batch", [1, 7, 5000])
def test_the_stream_reads_every_case_and_record_as_sqlalchemy_would(monkeypatch, batch):
    fe.many(12)
    evaluation_bulk.build(db.session, 40, 16)
    db.session.commit()
    ids = case_ids(db.session)
    # The reference: the batched reader, whose rows go through SQLAlchemy's result.
    expected = {b.case.id: b for b in bundles(db.session, ids)}
    monkeypatch.setattr(extract, "BATCH", batch)

    found = list(extract.stream(db.session, None, None))

    assert [b.case.id for b in found] == ids
    for bundle in found:
        reference = expected[bundle.case.id]
        assert tuple(bundle.case) == tuple(reference.case)
        assert bundle.case._fields == tuple(reference.case._fields)
        for name in extract.RECORDS:
            assert _values(getattr(bundle, name)) == _values(getattr(reference, name)), name
        assert bundle.client == reference.client and bundle.partner == reference.partner
    # The types a rule reads: aware UTC times, dates, true flags (not 1), whatever the engine.
    cases = [b.case for b in found]
    assert all(c.created_at.tzinfo is not None for c in cases)
    assert all(c.created_at.utcoffset().total_seconds() == 0 for c in cases)
    assert {type(c.created_at) for c in cases} == {datetime}
    held = [s.held_on for b in found for s in b.sessions]
    assert held and {type(day) for day in held} == {date}
    callouts = [i.police_callout for b in found for i in b.incidents]
    assert callouts and {type(flag) for flag in callouts} <= {bool, type(None)}
    consents = [c.created_at for b in found for c in b.consents]
    assert consents and all(moment.tzinfo is not None for moment in consents)
    assert all(moment == moment.astimezone(UTC) for moment in consents)


def test_a_stream_of_no_cases_is_empty():
    fe.many(3)
    db.session.commit()

    assert list(extract.stream(db.session, date(2001, 1, 1), date(2001, 1, 31))) == []


def _streamed(**options) -> tuple[list, list[str]]:
    """Every case of `extract.stream`, and the SELECTs sent while reading them."""
    with querycount.counting() as counted:
        found = list(extract.stream(db.session, None, None, **options))
    return found, [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]


def test_the_stream_reads_each_table_once_whatever_the_number_of_cases(monkeypatch):
    fe.many(12)
    db.session.commit()
    monkeypatch.setattr(extract, "BATCH", 5)
    found, selects = _streamed()
    assert len(found) == 12
    # cases, each record type, placements, their ledger entries: never one per batch or case
    assert len(selects) <= 1 + len(extract.RECORDS) + 2


def test_a_stream_of_only_the_consents_reads_no_other_record_and_no_placement():
    fe.many(5)
    evaluation_bulk.build(db.session, 20, 16)
    db.session.commit()
    everything = list(extract.stream(db.session, None, None))
    found, selects = _streamed(only=("consents",))

    assert [b.case.id for b in found] == [b.case.id for b in everything]
    assert len(selects) == 2  # the cases, and the consents
    assert any(b.consents for b in found)
    for bundle, full in zip(found, everything, strict=True):
        assert _values(bundle.consents) == _values(full.consents)
        assert tuple(bundle.case) == tuple(full.case)
        assert not (bundle.sessions or bundle.dash_reviews or bundle.placements)
