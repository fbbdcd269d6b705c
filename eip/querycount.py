"""Counting the SQL statements sent to the database: what `make bench` reports per page
(bench/serve.py) and what the page tests hold flat (tests/web/test_query_counts.py).

One SQLAlchemy `before_cursor_execute` listener on every engine counts each statement the
driver is given, per thread (a gunicorn worker thread, or the test's own thread, which is the
one the test client runs the request in). Nothing in the app reads the count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

_counted = threading.local()


@dataclass
class Counted:
    """The statements sent while counting: how many, and their SQL (to say which)."""

    statements: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.statements)


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    _counted.n = getattr(_counted, "n", 0) + 1
    for counted in getattr(_counted, "open", ()):
        counted.statements.append(statement)


def install() -> None:
    """Start counting (once per process; calling it again changes nothing)."""
    if not event.contains(Engine, "before_cursor_execute", _count):
        event.listen(Engine, "before_cursor_execute", _count)


def so_far() -> int:
    """Statements this thread has sent since `install()`."""
    return getattr(_counted, "n", 0)


@contextmanager
def counting() -> Iterator[Counted]:
    """The statements this thread sends inside the `with` block."""
    install()
    counted = Counted()
    opened = getattr(_counted, "open", None)
    if opened is None:
        opened = _counted.open = []
    opened.append(counted)
    try:
        yield counted
    finally:
        opened.remove(counted)
