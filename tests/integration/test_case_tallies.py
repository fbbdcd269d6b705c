"""The running counts of cases by status and borough (case_tallies, kept by triggers on
cases; the manager's and the SPOC's home read them) equal a fresh count of the cases after
every kind of write: a referral recorded and moved on through the services, a case moved to
another borough, deleted, imported from CSV, seeded, a transaction rolled back, cases moved
at once by several connections, random sequences of SQL, and the migration that fills them
from the cases already stored. (tests/conftest.py also checks them after every test of the
suite that used the database, so every service and job the suite drives is covered.)"""

from __future__ import annotations

import threading
import time

from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, inspect, select, text, update

from eip.cases import closure_services, referral_steps
from eip.cases.importer import import_referrals
from eip.cases.models import Case, CaseTally
from eip.clock import now
from eip.demo.synthetic import seed_synthetic
from eip.extensions import db
from tests import factories
from tests import factories_pathway_progress as pf
from tests import factories_pathway_referral as rf
from tests.conftest import run_seed_demo, tally_mismatches
from tests.integration.test_import_referrals import row

BEFORE_TALLIES = "c4d8e2f6a9b1"


def tallies() -> dict[tuple[str, int], int]:
    db.session.expire_all()
    rows = db.session.execute(select(CaseTally.status, CaseTally.borough_id, CaseTally.n))
    return {(status, borough): n for status, borough, n in rows if n != 0}


def counted() -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        select(Case.status, Case.borough_id, func.count()).group_by(Case.status, Case.borough_id)
    )
    return {(status, borough): n for status, borough, n in rows}


def assert_tallies_match() -> dict[tuple[str, int], int]:
    found = tallies()
    assert found == counted()
    assert tally_mismatches(db.session.connection()) == []
    return found


def _new_case(status: str, borough_id: int, n: int) -> None:
    db.session.execute(
        insert(Case).values(reference=f"EIP-T-{n:06d}", status=status, borough_id=borough_id)
    )


def test_a_referral_moved_along_the_pathway_is_counted_in_each_status(app_context):
    practitioner = factories.user("practitioner")
    camden = factories.borough("Camden").id
    case = rf.recorded_case(practitioner)
    assert assert_tallies_match() == {("referred", camden): 1}

    referral_steps.acknowledge(
        db.session, practitioner, case, acknowledged_at=now(), method="secure_email"
    )
    db.session.commit()
    assert assert_tallies_match() == {("acknowledged", camden): 1}

    active = pf.active_case(practitioner)  # built through referred, booked, consulted, active
    assert assert_tallies_match() == {("acknowledged", camden): 1, ("active", camden): 1}
    closure_services.close_case(
        db.session,
        practitioner,
        active,
        outcome="completed",
        risk_level="medium",
        living_arrangements="living_apart",
        childrens_services_status="child_in_need",
        police_callouts=0,
        reason="Intervention completed",
    )
    db.session.commit()
    assert assert_tallies_match() == {("acknowledged", camden): 1, ("closed", camden): 1}
    closure_services.reopen_case(
        db.session, factories.user("manager"), active, reason="New information"
    )
    db.session.commit()
    assert assert_tallies_match() == {("acknowledged", camden): 1, ("active", camden): 1}


def test_a_version_bump_that_rewrites_the_same_status_counts_nothing(app_context):
    case = factories.case("Camden", status="active")
    before = assert_tallies_match()
    db.session.execute(update(Case).where(Case.id == case.id).values(status="active"))
    db.session.commit()
    assert assert_tallies_match() == before


def test_a_case_moved_to_another_borough_and_deleted_moves_its_count(app_context):
    case = factories.case("Camden", status="acknowledged")
    factories.case("Camden", status="acknowledged")
    camden, hackney = factories.borough("Camden").id, factories.borough("Hackney").id
    db.session.execute(update(Case).where(Case.id == case.id).values(borough_id=hackney))
    db.session.commit()
    assert assert_tallies_match() == {("acknowledged", camden): 1, ("acknowledged", hackney): 1}
    # Both at once: another status and another borough.
    db.session.execute(
        update(Case).where(Case.id == case.id).values(borough_id=camden, status="closed")
    )
    db.session.commit()
    assert assert_tallies_match() == {("acknowledged", camden): 1, ("closed", camden): 1}
    db.session.execute(delete(Case))
    db.session.commit()
    # The three rows stay at zero; no reader counts them.
    assert assert_tallies_match() == {}
    assert db.session.scalar(select(func.count()).select_from(CaseTally)) == 3


def test_a_rolled_back_transaction_leaves_the_tallies_as_they_were(app_context):
    factories.case("Camden")
    before = assert_tallies_match()
    camden = factories.borough("Camden").id
    _new_case("referred", camden, 1)
    db.session.execute(update(Case).values(status="closed"))
    db.session.flush()
    assert tallies() != before  # the triggers ran inside the transaction...
    db.session.rollback()
    assert assert_tallies_match() == before  # ...and went with it


def test_a_csv_import_is_counted(app_context):
    camden, hackney = factories.borough("Camden").id, factories.borough("Hackney").id
    factories.user("practitioner", email="priya@example.org")  # row()'s practitioner
    report = import_referrals(
        db.session,
        [row(), row(client_name="Robin Hale", borough="Hackney", received_at="2026-10-01T09:00")],
    )
    assert report.ok, report.errors
    assert assert_tallies_match() == {("referred", camden): 1, ("referred", hackney): 1}


def test_the_demo_is_counted(app, app_context, runner):
    db.session.remove()
    run_seed_demo(runner)
    found = assert_tallies_match()
    assert sum(found.values()) == db.session.scalar(select(func.count()).select_from(Case)) > 0


def test_synthetic_data_is_counted(app_context):
    seed_synthetic(db.session, cases=40, events_per_case=2)
    db.session.commit()
    found = assert_tallies_match()
    assert sum(found.values()) == 40
    assert len({status for status, _ in found}) > 1


def test_cases_moved_at_once_on_several_connections_are_all_counted(app, app_context):
    """Each connection moves its own case back and forth between two statuses, half of them
    the opposite way round, holding its transaction open a moment: on PostgreSQL the tally
    rows' locks are taken in one order, so they wait for each other and never deadlock; on
    SQLite the transactions queue for the write lock."""
    camden = factories.borough("Camden").id
    ids = [factories.case("Camden", status=("active", "closed")[i % 2]).id for i in range(6)]
    db.session.commit()
    engine = db.engine
    barrier = threading.Barrier(len(ids))
    errors: list[str] = []

    def move(case_id: int, first: str) -> None:
        other = "closed" if first == "active" else "active"
        try:
            barrier.wait(timeout=30)
            for status in (other, first) * 3:
                with engine.begin() as conn:
                    conn.execute(update(Case).where(Case.id == case_id).values(status=status))
                    time.sleep(0.01)
        except Exception as error:  # a deadlock or a lock timeout would land here
            errors.append(repr(error))

    threads = [
        threading.Thread(target=move, args=(case_id, ("active", "closed")[i % 2]))
        for i, case_id in enumerate(ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert assert_tallies_match() == {("active", camden): 3, ("closed", camden): 3}


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("insert"), st.sampled_from(["referred", "active", "closed"]), st.integers(0, 2)
        ),
        st.tuples(
            st.just("status"), st.sampled_from(["referred", "active", "closed"]), st.integers(0, 9)
        ),
        st.tuples(st.just("borough"), st.integers(0, 2), st.integers(0, 9)),
        st.tuples(st.just("delete"), st.integers(0, 9), st.booleans()),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_random_inserts_updates_and_deletes_keep_the_tallies_exact(app_context, operations):
    boroughs = [factories.borough(name).id for name in ("Camden", "Hackney", "Barnet")]
    db.session.execute(delete(Case))
    db.session.commit()
    for n, (kind, a, b) in enumerate(operations):
        ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
        if kind == "insert":
            _new_case(a, boroughs[b], n)
        elif ids and kind == "status":
            db.session.execute(update(Case).where(Case.id == ids[b % len(ids)]).values(status=a))
        elif ids and kind == "borough":
            chosen = ids[b % len(ids)]
            db.session.execute(update(Case).where(Case.id == chosen).values(borough_id=boroughs[a]))
        elif ids and kind == "delete":
            # One case, or every case in a status in one statement.
            chosen = ids[a % len(ids)]
            if b:
                status = db.session.scalar(select(Case.status).where(Case.id == chosen))
                db.session.execute(delete(Case).where(Case.status == status))
            else:
                db.session.execute(delete(Case).where(Case.id == chosen))
        if n % 3 == 2:
            db.session.commit()
    db.session.commit()
    assert_tallies_match()
    db.session.execute(delete(Case))
    db.session.commit()


def test_the_triggers_are_in_place_at_the_head(app_context):
    """A later migration that rebuilds the cases table (SQLite's batch mode copies it) would
    drop its triggers silently: this says so."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            names = conn.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'cases'::regclass")
            ).scalars()
        else:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases'")
            ).scalars()
        found = {name for name in names if name.startswith("case_tallies")}
    expected = (
        {"case_tallies_on_insert_delete", "case_tallies_on_move"}
        if db.engine.dialect.name == "postgresql"
        else {"case_tallies_on_insert", "case_tallies_on_delete", "case_tallies_on_move"}
    )
    assert found == expected


def test_the_migration_counts_the_cases_already_stored_and_its_downgrade_drops_them(
    app_context,
):
    camden, hackney = factories.borough("Camden").id, factories.borough("Hackney").id
    db.session.remove()
    downgrade(revision=BEFORE_TALLIES)
    try:
        with db.engine.connect() as conn:
            assert "case_tallies" not in inspect(conn).get_table_names()
        for n, (status, borough) in enumerate(
            [("referred", camden), ("referred", camden), ("closed", camden), ("active", hackney)]
        ):
            _new_case(status, borough, n)
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    assert assert_tallies_match() == {
        ("referred", camden): 2,
        ("closed", camden): 1,
        ("active", hackney): 1,
    }
    _new_case("active", hackney, 99)  # and the triggers count from there
    db.session.commit()
    assert assert_tallies_match()[("active", hackney)] == 2
