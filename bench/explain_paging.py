"""The query plans of the keyset-paged lists (eip/paging.py), page 1 and deep pages.

    .venv/bin/python bench/explain_paging.py sqlite:////tmp/plans.sqlite3 10000
    .venv/bin/python bench/explain_paging.py postgresql+psycopg://u:p@host/eip_bench 100000

Seeds the database with `seed-synthetic` (a PostgreSQL database is emptied first, so its name
must contain "bench" or "test"), then runs the case list (alone and with each filter), the
notification centre, the placements list and the audit trail once each, and prints each
paging statement's plan:
`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN ANALYZE` on PostgreSQL. Every part should read an
index range ("SEARCH … USING … INDEX ix_…", "Index … Scan Backward using ix_…"), never sort
the table. "Overdue only" reads the cases in order and probes each one's stored due items
(ix_case_due_items_case_due); a practitioner's caseload reads the partial index of open
cases (ix_cases_open_practitioner_received_at_id); the work list (a page, a deep page, and its
capped counts) reads ranges of ix_case_due_items_practitioner_work, in its order.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(url: str, cases: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import event, func, select, text

    from accommodation.models import Placement
    from accommodation.placements import queue_page
    from eip import create_app, paging
    from eip.audit import AuditEvent, search
    from eip.auth.models import User
    from eip.cases import queries
    from eip.cases.deadlines import CLOSED
    from eip.cases.due_store import overdue
    from eip.cases.models import Case, CaseDueItem
    from eip.demo.synthetic import seed_synthetic
    from eip.extensions import db
    from eip.notifications import centre
    from eip.notifications.centre import Notification

    app = create_app({"INSTANCE_PATH": tempfile.mkdtemp(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        pg = db.engine.dialect.name == "postgresql"
        if pg:
            name = url.rsplit("/", 1)[-1]
            if "bench" not in name and "test" not in name:
                raise SystemExit("this empties the database: name one *bench* or *test*")
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        started = time.perf_counter()
        seed_synthetic(db.session, cases, placements=min(cases, 1000))
        print(f"seeded {cases} cases in {time.perf_counter() - started:.1f} s")
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        manager = db.session.scalar(
            select(User).where(User.email == "synthetic.manager1@example.org")
        )
        order = (Case.received_at.desc().nulls_last(), Case.id.desc())
        ordered = select(Case.received_at, Case.id).order_by(*order)
        total = db.session.scalar(select(func.count()).select_from(Case))

        def key_at(query, offset):
            return paging.Key(*db.session.execute(query.offset(offset).limit(1)).one())

        borough = db.session.scalar(select(Case.borough_id).limit(1))
        practitioner = db.session.scalar(
            select(Case.allocated_practitioner_id)
            .where(Case.allocated_practitioner_id.is_not(None))
            .limit(1)
        )
        busiest = db.session.scalar(
            select(Notification.user_id)
            .group_by(Notification.user_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        trail = select(AuditEvent.at, AuditEvent.id).order_by(
            AuditEvent.at.desc(), AuditEvent.id.desc()
        )
        placements = db.session.scalar(select(func.count()).select_from(Placement))
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        last = key_at(ordered, total - 30)
        today = date.today()
        overdue_total = db.session.scalar(
            select(func.count()).select_from(Case).where(overdue(today))
        )
        mine = db.session.scalar(
            select(User).where(User.email == "synthetic.practitioner1.0@example.org")
        )
        open_mine = ordered.where(
            Case.allocated_practitioner_id == mine.id, Case.status.not_in(CLOSED)
        )

        window = queries.work_window(db.session, today)
        mine_items = select(CaseDueItem).where(
            CaseDueItem.practitioner_id == mine.id, window.shown()
        )
        work_total = db.session.scalar(select(func.count()).select_from(mine_items.subquery()))

        def work_key_at(offset):
            rows = queries.work_items(db.session, mine, window, limit=offset + 1)
            return rows[-1][3] if rows else None

        def cases_page(**fields):
            return lambda: queries.list_cases(
                db.session, manager, queries.CaseFilters(**fields), today
            )

        runs = [
            ("case list, page 1", cases_page()),
            ("case list, last page", cases_page(position=paging.Position(last))),
            ("case list, previous from the last page", cases_page(
                position=paging.Position(last, backwards=True))),
            ("case list, borough, deep page", cases_page(
                borough_id=borough, position=paging.Position(
                    key_at(ordered.where(Case.borough_id == borough), total // 40)))),
            ("case list, practitioner, deep page", cases_page(
                practitioner_id=practitioner, position=paging.Position(key_at(
                    ordered.where(Case.allocated_practitioner_id == practitioner), 100)))),
            ("case list, overdue only, page 1", cases_page(overdue_only=True)),
            ("case list, overdue only, deep page", cases_page(
                overdue_only=True, position=paging.Position(key_at(
                    ordered.where(overdue(today)), overdue_total // 2)))),
            ("caseload, page 2", lambda: queries.caseload_page(
                db.session, mine, queries.work_window(db.session, today),
                paging.Position(key_at(open_mine, queries.PAGE_SIZE - 1)))),
            ("work list, page 1", lambda: queries.work_page(
                db.session, mine, queries.work_window(db.session, today), paging.FIRST_PAGE, 50)),
            ("work list, deep page", lambda: queries.work_page(
                db.session, mine, queries.work_window(db.session, today), paging.Position(
                    work_key_at(work_total // 2)), 50)),
            ("work list, its counts (capped)", lambda: queries.work_counts(
                db.session, mine, queries.work_window(db.session, today))),
            ("case list, status, deep page", cases_page(
                status="closed", position=paging.Position(
                    key_at(ordered.where(Case.status == "closed"), total // 10)))),
            ("notifications, new then earlier", lambda: centre.centre(
                db.session, db.session.get(User, busiest) if busiest else manager)),
            ("placements, page 1", lambda: queue_page.placement_list_page(
                db.session, manager, None, paging.FIRST_PAGE)),
            ("placements, deep page", lambda: queue_page.placement_list_page(
                db.session, manager, None, paging.Position(paging.Key(*db.session.execute(
                    select(Placement.created_at, Placement.id)
                    .order_by(Placement.created_at.desc(), Placement.id.desc())
                    .offset(max(0, placements - 10)).limit(1)).one())))),
            ("audit trail, page 1", lambda: search.search_events(
                db.session, search.AuditQuery())),
            ("audit trail, last page", lambda: search.search_events(
                db.session, search.AuditQuery(
                    position=paging.Position(key_at(trail, events - 60))))),
        ]  # fmt: skip
        captured = []

        def before(conn, cursor, statement, params, context, executemany):
            captured.append((statement, params))

        event.listen(db.engine, "before_cursor_execute", before)
        for name, run in runs:
            captured.clear()
            run()
            shown = [(s, p) for s, p in captured if "JOIN (" in s or "case_due_items" in s]
            for statement, params in shown:
                print(f"\n=== {db.engine.dialect.name}: {name}")
                raw = db.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    explain = (
                        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if pg else "EXPLAIN QUERY PLAN "
                    )
                    cursor.execute(explain + statement, params)
                    for row in cursor.fetchall():
                        print("  ", row[0] if pg else f"{row[0]:>3} {row[1]:>3} {row[3]}")
                finally:
                    raw.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
