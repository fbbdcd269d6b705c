"""The database layer behaves the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, StatementError

from eip.db import configure_sqlite
from eip.extensions import db
from eip.models import AppState


def test_aware_datetimes_come_back_aware_and_in_utc(app_context):
    london = datetime(2026, 7, 1, 14, 5, 30, tzinfo=ZoneInfo("Europe/London"))
    db.session.add(AppState(key="t", value="v", updated_at=london))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AppState, "t").updated_at
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 7, 1, 13, 5, 30, tzinfo=UTC)


def test_other_offsets_are_converted_to_utc(app_context):
    db.session.add(
        AppState(
            key="t",
            value="v",
            updated_at=datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=5))),
        )
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AppState, "t").updated_at == datetime(2026, 1, 1, 4, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused(app_context):
    db.session.add(AppState(key="t", value="v", updated_at=datetime(2026, 1, 1, 9, 0)))
    with pytest.raises(StatementError, match="naive datetime refused"):
        db.session.commit()
    db.session.rollback()


def test_default_timestamps_are_taken_per_row(app_context):
    db.session.add(AppState(key="a", value="1"))
    db.session.commit()
    db.session.add(AppState(key="b", value="2"))
    db.session.commit()
    first, second = db.session.get(AppState, "a"), db.session.get(AppState, "b")
    assert second.updated_at >= first.updated_at
    assert abs(datetime.now(UTC) - first.updated_at) < timedelta(minutes=1)


def test_the_models_and_the_migrations_agree(app_context):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


@pytest.mark.sqlite_only
def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app_context, app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert timeout == app.config["EIP_SQLITE_BUSY_TIMEOUT_MS"]


@pytest.mark.sqlite_only
def test_sqlite_transactions_take_the_write_lock_at_begin(database_url):
    """A second transaction waits for the first instead of failing half-way."""
    engine = create_engine(database_url)
    configure_sqlite(engine, busy_timeout_ms=100)
    with engine.connect() as first, engine.connect() as second:
        first.execute(text("SELECT 1"))
        assert first.in_transaction()
        with pytest.raises(OperationalError, match="database is locked"):
            second.execute(text("SELECT 1"))
        second.rollback()
        first.rollback()
        assert second.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


@pytest.mark.postgres_only
def test_postgres_connects_through_psycopg_3(app_context):
    assert db.engine.dialect.driver == "psycopg"
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW server_version")).scalar()
