"""Twenty SPOC approvals at the same instant can never together overspend the pot.

Each thread has its own application context, so its own session and its own database
connection: on SQLite the file database in WAL mode with a busy timeout (the approvals queue on
BEGIN IMMEDIATE), on PostgreSQL real concurrent transactions queueing on SELECT … FOR UPDATE of
the pot row. Run on both engines by CI.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import event

from accommodation import ledger, store
from accommodation.models import LedgerEntry, Placement
from accommodation.placements import decision_services
from eip.admin.models import ProgrammeSettings
from eip.auth.models import User
from eip.clock import today
from eip.domain import Conflict, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa

THREADS = 20
NIGHTS = 28
RATE = 6_500  # 28 nights x £65.00 = £1,820.00 each; 20 of them need £36,400
POT = 1_400_000  # £14,000.00: room for 7 (£12,740.00), not 8 (£14,560.00)


def _twenty_requests() -> tuple[int, list[tuple[int, int]]]:
    settings = db.session.get(ProgrammeSettings, 1)
    settings.pot_pence = POT
    settings.max_people = 50  # the pot, not the people cap, is what this test races for
    settings.programme_end_date = today() + timedelta(days=200)
    db.session.commit()
    spoc = factories.user("spoc", borough_name="Camden")
    requests = []
    for _ in range(THREADS):
        case = fa.accommodation_case(borough_name="Camden")
        placement = fa.placement(case, "requested", nights=NIGHTS)
        requests.append((placement.id, placement.version))
    return spoc.id, requests


def _approve_all_at_once(app, spoc_id: int, requests: list[tuple[int, int]]):
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def approve(placement_id: int, version: int) -> None:
        with app.app_context():
            try:
                spoc = db.session.get(User, spoc_id)
                _ = (spoc.id, spoc.role, spoc.borough_id)
                # Wait at the barrier holding no transaction: on SQLite an open one would
                # hold the write lock, on PostgreSQL a pooled connection.
                db.session.rollback()
                barrier.wait(timeout=30)
                decision_services.approve(
                    db.session,
                    spoc,
                    placement_id,
                    provider="Fictional Lets Ltd",
                    address="Room 1, 1 Example Street, London N1 0AA",
                    rate_pence=RATE,
                    nights=NIGHTS,
                    version=version,
                )
                result = (placement_id, "approved", "")
            except (RuleBroken, Conflict) as refusal:
                db.session.rollback()
                result = (placement_id, "refused", str(refusal.message))
            except Exception as error:  # anything else would have been a 500
                db.session.rollback()
                result = (placement_id, "error", repr(error))
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=approve, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an approval never finished"
    return outcomes


def test_twenty_approvals_at_once_never_commit_more_than_the_pot(app, app_context):
    spoc_id, requests = _twenty_requests()
    db.session.rollback()  # the main thread must not hold SQLite's write lock meanwhile

    outcomes = _approve_all_at_once(app, spoc_id, requests)

    db.session.expire_all()
    errors = [o for o in outcomes if o[1] == "error"]
    assert errors == []
    approved = [o for o in outcomes if o[1] == "approved"]
    refused = [o for o in outcomes if o[1] == "refused"]
    assert len(outcomes) == THREADS
    # Exactly as many as fit: none lost to a lock error, none squeezed in past the pot.
    assert len(approved) == POT // (NIGHTS * RATE) == 7
    assert len(refused) == THREADS - 7
    for _placement_id, _outcome, message in refused:
        assert message.startswith("There is not enough money in the pot")
    entries = store.entries(db.session)
    totals = ledger.pot_totals(entries, POT)
    assert totals.committed == 7 * NIGHTS * RATE <= POT
    assert totals.available == POT - 7 * NIGHTS * RATE >= 0
    # The ledger reconciles: one commit per approved placement, none for the refused ones.
    commits = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.kind == "commit")).all()
    assert sorted(c.placement_id for c in commits) == sorted(o[0] for o in approved)
    assert all(c.amount_pence == NIGHTS * RATE for c in commits)
    states = {p.id: p.state for p in db.session.scalars(db.select(Placement))}
    assert {pid for pid, state in states.items() if state == "approved"} == {o[0] for o in approved}
    assert {pid for pid, state in states.items() if state == "requested"} == {o[0] for o in refused}


def _first_statement_of_a_pot_transaction(session, placement_id: int, user):
    """What a pot transaction's first statement reads, and whether it locks (FOR UPDATE)."""
    seen: list[tuple[str, bool]] = []

    def watch(state) -> None:
        if state.is_select:
            tables = [mapper.local_table.name for mapper in state.all_mappers]
            seen.append((tables[0] if tables else "", state.statement._for_update_arg is not None))

    event.listen(session, "do_orm_execute", watch)
    try:
        with store.pot_transaction(session, placement_id, user=user):
            pass
    finally:
        event.remove(session, "do_orm_execute", watch)
    return seen[0]


def test_a_pot_transaction_first_locks_the_pot_row(app_context):
    """SQLite serialises every transaction anyway (BEGIN IMMEDIATE), so the race below cannot
    tell on it whether the pot lock is taken; this says it is, on both engines: the pot
    transaction's first statement is the pot row, read FOR UPDATE, before the placement."""
    case = fa.accommodation_case(borough_name="Camden")
    placement = fa.placement(case, "requested", nights=NIGHTS)
    db.session.rollback()
    session = db.session()
    assert _first_statement_of_a_pot_transaction(session, placement.id, None) == (
        "programme_settings",
        True,
    )


def test_a_second_pot_transaction_waits_for_the_first_and_sees_its_entry(app, app_context):
    """Two money steps at once on two placements: the second does not get past the lock
    until the first has committed, and then reads the ledger with the first's entry in it."""
    placements = []
    for _ in range(2):
        case = fa.accommodation_case(borough_name="Camden")
        placements.append(fa.placement(case, "approved", nights=NIGHTS, rate_pence=RATE).id)
    db.session.rollback()
    first_inside = threading.Event()
    times: dict[str, float] = {}
    seen_by_second: list[int] = []
    errors: list[BaseException] = []

    def first() -> None:
        with app.app_context():
            try:
                with store.pot_transaction(db.session, placements[0], user=None) as tx:
                    first_inside.set()
                    # A deliberate pause holding the lock: the second must wait it out.
                    time.sleep(0.5)
                    tx.append(ledger.INVOICE, RATE, effective_on=today())
                    times["first_commits"] = time.monotonic()
                times["first_committed"] = time.monotonic()
            except BaseException as error:  # reported by the main thread
                errors.append(error)
                first_inside.set()
            finally:
                db.session.remove()

    def second() -> None:
        with app.app_context():
            try:
                assert first_inside.wait(timeout=30)
                with store.pot_transaction(db.session, placements[1], user=None) as tx:
                    times["second_inside"] = time.monotonic()
                    seen_by_second.extend(
                        e.amount_pence for e in tx.entries() if e.placement_id == placements[0]
                    )
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert times["second_inside"] >= times["first_commits"]
    # The first's commitment (from the factory) and its invoice, read under the lock.
    assert RATE in seen_by_second
