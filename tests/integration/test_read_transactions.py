"""The transaction rule (docs/architecture.md): on SQLite a GET request reads in a deferred
transaction, so readers never queue behind the write lock; the few writes a GET makes run in
their own IMMEDIATE transaction (`eip.db.write_now`). Not timed: each test shows what can or
cannot happen while another transaction is open."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.clock import today
from eip.db import WriteInReadTransaction, write_now
from eip.extensions import db
from eip.models import AppState
from tests import factories
from tests.conftest import post_form, sign_in
from tests.factories_pathway_activity import date_parts

READERS = 8


def _in_threads(work, n: int) -> list[str]:
    """Run `work(i)` in n threads at once; what each returned, or the error it raised."""
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(i)
        except Exception as error:  # a 500 or a lock error would be a failure to report
            result = f"error {error!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.sqlite_only
def test_get_requests_read_while_another_transaction_holds_the_write_lock(app, app_context):
    manager = factories.user("manager")
    factories.case()
    browsers = []
    for _ in range(READERS):
        client = app.test_client()
        assert sign_in(client, manager.email, factories.PASSWORD).status_code == 302
        browsers.append(client)
    db.session.rollback()

    # Another process's writer: it takes the write lock and writes, and has not committed.
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO app_state (key, value, updated_at) VALUES ('uncommitted', 'x', ?)",
        (datetime.now(UTC).replace(tzinfo=None).isoformat(" "),),
    )
    try:
        outcomes = _in_threads(lambda i: str(browsers[i].get("/cases/").status_code), READERS)
        # Every reader finished, and the writer's transaction is still open.
        assert writer.in_transaction
        assert outcomes == ["200"] * READERS
        # They read the last commit, not the writer's row (read here as a GET does).
        with app.test_request_context("/", method="GET"):
            assert db.session.get(AppState, "uncommitted") is None
            db.session.rollback()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.sqlite_only
def test_a_write_in_a_get_requests_read_transaction_is_refused(app, app_context):
    with app.test_request_context("/", method="GET"):
        db.session.add(AppState(key="read-only", value="x"))
        with pytest.raises(WriteInReadTransaction):
            db.session.commit()
        db.session.rollback()
        with write_now(db.session):
            db.session.add(AppState(key="read-only", value="x"))
            db.session.commit()
    assert db.session.get(AppState, "read-only").value == "x"


def test_write_now_refuses_changes_made_before_it(app, app_context):
    with app.test_request_context("/", method="GET"):
        db.session.add(AppState(key="early", value="x"))
        if db.engine.dialect.name == "sqlite":
            with pytest.raises(WriteInReadTransaction), write_now(db.session):
                pass
        else:  # PostgreSQL: no rule to keep, nothing changes
            with write_now(db.session):
                db.session.commit()
        db.session.rollback()


def test_viewing_cases_while_others_write_gives_no_error(app, app_context):
    """Each case view writes its audited view (a GET's write) while practitioners add actions
    to the same case: no request fails and every view and action is on record."""
    factories.programme_running()
    practitioner = factories.user("practitioner")
    manager = factories.user("manager")
    case = factories.case(practitioner=practitioner, status="active")
    reference = case.reference
    viewers, writers = [], []
    for _ in range(4):
        client = app.test_client()
        assert sign_in(client, manager.email, factories.PASSWORD).status_code == 302
        viewers.append(client)
    for _ in range(2):
        client = app.test_client()
        assert sign_in(client, practitioner.email, factories.PASSWORD).status_code == 302
        writers.append(client)
    db.session.rollback()
    rounds = 5

    def work(i: int) -> str:
        statuses = set()
        for n in range(rounds):
            if i < len(viewers):
                statuses.add(viewers[i].get(f"/cases/{reference}").status_code)
            else:
                statuses.add(
                    post_form(
                        writers[i - len(viewers)],
                        f"/cases/{reference}/actions/new",
                        {
                            "description": f"Action {i}.{n}",
                            "owner": "Practitioner",
                            "due_on": date_parts(today() + timedelta(days=7)),
                        },
                    ).status_code
                )
        return ",".join(str(s) for s in sorted(statuses))

    outcomes = _in_threads(work, len(viewers) + len(writers))
    assert sorted(outcomes) == ["200"] * len(viewers) + ["302"] * len(writers)
    views = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case.viewed", AuditEvent.case_reference == reference)
    )
    assert views == len(viewers) * rounds
