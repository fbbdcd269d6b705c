"""The database layer shared by both engines.

SQLite is the local default and PostgreSQL the production engine; the code
above this module should not need to know which one it is talking to.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache, partial
from operator import methodcaller
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from eip.files import make_private

# Stable constraint names, so that Alembic batch mode on SQLite can find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Callable column default: evaluated per row, never once at import."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC and returned aware on both engines.

    SQLite has no time zone type, so values are stored as naive UTC there;
    PostgreSQL gets `timestamptz`. Naive values are refused on the way in:
    guessing their zone is how audit trails end up an hour out after a clock change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: give a timezone-aware value")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def column_results(self, dialect: Any) -> Callable[[Sequence[Any]], Iterable[Any]]:
        """The conversion of a whole column of the driver's values (a bulk reader's, such
        as the evaluation extract's): the values SQLAlchemy's own result conversion gives
        cell by cell, with no Python call per cell when the column holds no NULL. SQLite's
        values are stored naive (`process_bind_param`) and PostgreSQL's come back aware."""
        one = self._cached_result_processor(dialect, None)
        impl = self.dialect_impl(dialect).impl_instance._cached_result_processor(dialect, None)
        if dialect.name == "sqlite":
            to_utc: Callable[[datetime], datetime] = partial(datetime.replace, tzinfo=UTC)
        else:
            to_utc = methodcaller("astimezone", UTC)

        def convert(cells: Sequence[Any]) -> Iterable[Any]:
            if None in cells:
                return map(one, cells)
            return map(to_utc, cells if impl is None else map(impl, cells))

        return convert


# A request that only asks (GET, HEAD, OPTIONS) reads; any other request may write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Inside `write_now()`: the next transaction takes SQLite's write lock at BEGIN.
_writing: ContextVar[bool] = ContextVar("eip_writing", default=False)
_WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)


class WriteInReadTransaction(RuntimeError):
    """A GET wrote in its deferred read transaction: put the write in `write_now()`."""


def _begins_deferred() -> bool:
    """True when the transaction about to begin only reads: a GET (HEAD, OPTIONS) request's,
    outside `write_now()`. Everything else (other requests, the CLI, jobs, tests' own
    set-up) writes or may, and takes the write lock at BEGIN."""
    if _writing.get():
        return False
    from flask import has_request_context, request

    return has_request_context() and request.method in READ_METHODS


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, and the transaction rule (docs/architecture.md).

    The web server and the scheduler share one file. With SQLite's default deferred
    transactions, a transaction that read first and then writes fails at once with "database
    is locked" (SQLITE_BUSY_SNAPSHOT, in WAL mode) when another writer committed in between,
    and the busy timeout cannot help. So a transaction that may write takes the write lock at
    BEGIN (BEGIN IMMEDIATE) and waits its turn instead; this also serialises the budget ledger
    (see accommodation/store.py), which on PostgreSQL takes `SELECT ... FOR UPDATE`.
    A GET request's transaction only reads: it begins deferred (plain BEGIN), so that readers
    never queue behind the write lock (WAL lets them read the last commit while a writer
    writes). The few writes a GET makes (the audited case view, the session's touch) run in
    `write_now()`, their own short IMMEDIATE transaction; a write in a deferred transaction
    is refused with `WriteInReadTransaction`, so a GET that forgets fails in every test run
    rather than now and then under load.
    """
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if path.parent.is_dir():
            # The file holds every case: owner-only, before SQLite creates it with the umask.
            make_private(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Stop pysqlite from issuing its own BEGIN, so that ours is the only one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        deferred = _begins_deferred()
        connection.info["eip_deferred"] = deferred
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_write_in_read(connection: Any, _cursor, statement: str, *_args: Any) -> None:
        if connection.info.get("eip_deferred") and _WRITE_STATEMENT.match(statement):
            raise WriteInReadTransaction(
                "a write in a GET request's read transaction: make it inside eip.db.write_now()"
            )


@contextmanager
def write_now(session: Any) -> Iterator[None]:
    """Make a GET request's write, and commit it, inside this block: on SQLite it ends the
    request's read transaction (nothing is expired) and the block's statements begin a new one
    that takes the write lock at BEGIN. Anywhere else (other requests, the CLI, PostgreSQL) it
    changes nothing: the transaction there already may write. Objects read before the block
    are from the read transaction: a write that depends on a value read (a counter, a state)
    reads it again inside the block. Takes a Session or the app's scoped session."""
    real = session() if hasattr(session, "registry") else session
    if _writing.get() or real.get_bind().dialect.name != "sqlite" or not _begins_deferred():
        yield
        return
    if real.new or real.dirty or real.deleted:
        raise WriteInReadTransaction("make the changes inside write_now(), not before it")
    if real.in_transaction():
        commit_keeping_loaded(real)  # ends the reads: there is nothing to write yet
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def commit_keeping_loaded(session: Any) -> None:
    """Commit without expiring the objects the session holds, for a commit that wrote only
    a new row (an audit event) and changed nothing already loaded: the request goes on using
    them without reading them again. Takes a Session or the app's scoped session."""
    real = session() if hasattr(session, "registry") else session
    expire = real.expire_on_commit
    real.expire_on_commit = False
    try:
        real.commit()
    finally:
        real.expire_on_commit = expire


# A statement that reads and cannot write: a SELECT (or a WITH of SELECTs) naming no write.
# A false "writes" only costs the prepared statements (the request then rolls back as before).
_READS = re.compile(r"\s*(SELECT|WITH)\b", re.I)
_WRITES_ANYWHERE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|INTO)\b", re.I)


@lru_cache(maxsize=4096)
def only_reads(statement: str) -> bool:
    return bool(_READS.match(statement)) and not _WRITES_ANYWHERE.search(statement)


def configure_postgresql(engine: Engine) -> None:
    """Note on each connection whether its transaction has run anything but reads, for
    `end_read_transaction`. psycopg prepares a statement the sixth time a connection runs it,
    and PostgreSQL then skips planning it; but psycopg forgets every prepared statement at a
    ROLLBACK, and every request's session used to end with one, so no page ever ran a
    prepared statement (issue 16: the case page's statements took 21 ms planned each time
    against 6 ms prepared, on the 100,000-case database)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.info["eip_only_read"] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(connection: Any, _cursor, statement: str, *_args: Any) -> None:
        if connection.info.get("eip_only_read") and not only_reads(statement):
            connection.info["eip_only_read"] = False


def end_read_transaction(session: Any) -> bool:
    """End the request's transaction with COMMIT when it only read (PostgreSQL), so that the
    connection keeps its prepared statements; the session's own teardown then closes it as
    before. Anything else (a write, pending changes, a failed transaction, SQLite) is left to
    that teardown's ROLLBACK. Returns whether it committed."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not connection.info.get("eip_only_read"):
        return False
    from psycopg.pq import TransactionStatus

    if connection.connection.dbapi_connection.info.transaction_status != TransactionStatus.INTRANS:
        return False
    try:
        session.commit()
    except Exception:  # a read's commit failing loses nothing: roll back as before
        session.rollback()
        return False
    return True
