"""The whole pot's figures, forecast inputs and chart, kept between requests while the money
has not changed.

They are worked out from every placement and every ledger entry, the same for whoever looks,
and change only when one of those is written; a finance page is read far more often than the
money moves. `budget_marks` holds a random mark that triggers change on every write to the
tables they are read from (migration e8b4d1f6a2c9), so this process keeps what it worked out
under (the mark, today, ...) and reads one short row per request to know whether it still
holds. A write anywhere (another worker, a job, SQL by hand) changes the mark: nothing kept
is ever shown after it. tests/conftest.py checks after every test that what is kept under the
current mark equals working it out afresh.

Kept per app (`app.extensions`), a bounded number of entries: one mark and day is all a page
needs, with an entry per scope or borough for the pages that show one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")

# Entries kept: a few marks' figures and charts, each scope's spend and placements' first page,
# each borough's placements on its SPOC's home (33 boroughs), the forms drawn once.
KEPT = 128

_READ = {
    # PostgreSQL: the mark changes when its writer commits; a transaction that has written
    # to the money's tables itself must work its figures out (None).
    "postgresql": text(
        "SELECT CASE WHEN current_setting('eip.budget_written', true)"
        " = txid_current_if_assigned()::text THEN NULL ELSE"
        " (SELECT mark FROM budget_marks WHERE id = 1) END"
    ),
    # SQLite: the triggers change the mark at once, in the writing transaction.
    "sqlite": text("SELECT mark FROM budget_marks WHERE id = 1"),
}


def mark(session: Session) -> str | None:
    """The money's current mark; None when there is none (a database emptied without its
    triggers, or a transaction that has written the money itself): then nothing is kept."""
    return session.execute(_READ[session.get_bind().dialect.name]).scalar()


class _Kept:
    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, object] = OrderedDict()
        self.lock = threading.Lock()


def _kept() -> _Kept:
    found = current_app.extensions.get("eip_budget_memo")
    if found is None:
        found = current_app.extensions.setdefault("eip_budget_memo", _Kept())
    return found


def get(key: Hashable) -> object | None:
    """What is kept under `key`, or None (a key holding None is never kept)."""
    if key is None:
        return None
    kept = _kept()
    with kept.lock:
        value = kept.entries.get(key)
        if value is not None:
            kept.entries.move_to_end(key)
        return value


def put(key: Hashable, value: object) -> None:
    if key is None or value is None:
        return
    kept = _kept()
    with kept.lock:
        kept.entries[key] = value
        kept.entries.move_to_end(key)
        while len(kept.entries) > KEPT:
            kept.entries.popitem(last=False)


def kept(key: Hashable, make: Callable[[], T]) -> T:
    """What is kept under `key`, or `make()` kept there (never kept when `key` is None)."""
    value = get(key)
    if value is None:
        value = make()
        put(key, value)
    return value  # type: ignore[return-value]


def entries() -> list[tuple[Hashable, object]]:
    """Everything kept, for the tests' check."""
    kept_ = _kept()
    with kept_.lock:
        return list(kept_.entries.items())
