"""Time the retention due list on a database already seeded (a copy: it is migrated).

    .venv/bin/python bench/retention_due.py /tmp/copy-of-100k.sqlite3

Prints the counts, `due_count` and pages 1 and 100 of `due_cases` for a day with nothing due
and days with every closed case due, and the plan of one page's statement (SQLite)."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date

from sqlalchemy import func, select, text

from eip import create_app
from eip.cases.models import Case
from eip.cases.records import Child
from eip.extensions import db
from eip.privacy import retention
from eip.programme import current_settings


def main(path: str) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "INSTANCE_PATH": tempfile.mkdtemp()}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        closed = select(func.count(Case.id)).where(Case.closed_at.is_not(None))
        print(
            "cases", db.session.scalar(select(func.count(Case.id))),
            "closed", db.session.scalar(closed),
            "children", db.session.scalar(select(func.count(Child.id))),
        )  # fmt: skip
        for day in (date(2026, 12, 6), date(2033, 6, 1), date(2050, 1, 1)):
            runs = {
                "count": lambda day=day: retention.due_count(db.session, day),
                "page 1": lambda day=day: len(retention.due_cases(db.session, day)[0]),
                "page 100": lambda day=day: len(retention.due_cases(db.session, day, page=100)[0]),
            }
            for label, run in runs.items():
                started = time.perf_counter()
                found = run()
                print(day, label, found, f"{(time.perf_counter() - started) * 1000:.0f} ms")
        query = retention.due_query(date(2033, 6, 1), current_settings(db.session)).limit(51)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)):
            print(row[-1])


if __name__ == "__main__":
    main(sys.argv[1])
