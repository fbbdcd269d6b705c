"""`make bench` / `make bench-pg`: each page against a bare Flask page, alternated in one run.

What it does (docs/testing.md, "Benchmarks"):
1. Makes a database with `seed-synthetic` (BENCH_CASES cases, BENCH_PLACEMENTS placements) and
   prints how long the seeding took: a temporary SQLite file, or, for `make bench-pg`, the
   PostgreSQL database in DATABASE_URL (emptied first, so its name must contain "bench").
2. Starts two gunicorn servers on that database: the real app (`bench/serve.py`: `wsgi:app`
   plus a query count per response) and the bare page (`bench/baseline.py`: one query, one
   template, the same number of table rows as the page it is compared with).
3. Signs in through the real form as a practitioner, a SPOC, a manager and finance, and
   requests each page BENCH_REPEATS times over HTTP (http.client, a new connection per
   request, as a browser without keep-alive), alternating app and baseline request by
   request, so both see the same machine at the same moment.
4. Prints per page the median and p95 of each, the ratio of medians and of p95s, and the
   queries the app's request ran.
5. First, per role, the "app floor" (bench/floor.py): a signed-in page with the layout and
   no content, what every page pays. Each page's own requests alternate with that role's
   floor too; "floor" is its median there and "over" the page's median minus it: the part of
   the page that is its own work, the rest being fixed cost.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = int(os.environ.get("BENCH_CASES", "1000"))
PLACEMENTS = int(os.environ.get("BENCH_PLACEMENTS", str(min(1000, CASES))))
REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))
WORKERS = os.environ.get("BENCH_WORKERS", "1")
# Only the pages whose names contain one of these words (comma-separated), e.g. "budget".
ONLY = [w.strip() for w in os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]
# A document takes seconds where a page takes milliseconds: fewer requests of it.
DOCUMENT_REPEATS = min(REPEATS, 5)
HOST = "127.0.0.1"
# Keep the seeded database for the next run: a SQLite file (BENCH_DATABASE) or, for
# bench-pg, DATABASE_URL left as it is when it already holds BENCH_CASES cases. A run at
# 100,000 cases then seeds once (minutes) and later runs only migrate.
KEEP = os.environ.get("BENCH_DATABASE", "")
FLOOR_PATH = "/bench/floor"  # bench/floor.py (importing it would import the app)


# ---------------------------------------------------------------------------
# The database


def _prepare(url: str, folder: str) -> dict[str, object]:
    """Migrate and seed the database; returns what the pages need to know about it."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from eip import create_app
    from eip.cases.models import Case
    from eip.cases.queries import PAGE_SIZE
    from eip.demo.synthetic import seed_synthetic
    from eip.extensions import db
    from eip.paging import Key

    app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if KEEP and _seeded_cases(db) == CASES:
            upgrade()  # the kept data, with any migration added since it was seeded
            made = {"cases": CASES, "events": "(kept)"}
            seconds = 0.0
        else:
            if db.engine.dialect.name == "sqlite" and KEEP:
                db.engine.dispose()  # a kept file of another size: start it again
                Path(KEEP).unlink(missing_ok=True)
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            upgrade()
            started = time.perf_counter()
            made = seed_synthetic(db.session, CASES, placements=PLACEMENTS)
            seconds = time.perf_counter() - started
        practitioner = _synthetic_user(db.session, "synthetic.practitioner1.0@example.org")
        # The case page of a busy case: in the intervention, with a placement if any has one.
        from accommodation.models import Placement

        busy = (
            select(Case.reference)
            .where(Case.allocated_practitioner_id == practitioner, Case.status == "active")
            .order_by(Case.id)
        )
        with_stay = busy.where(Case.id.in_(select(Placement.case_id)))
        reference = db.session.scalar(with_stay.limit(1)) or db.session.scalar(busy.limit(1))
        total = db.session.scalar(select(func.count()).select_from(Case))
        # The case list's last page is reached by key (eip/paging.py): the link "next" on
        # the page before it carries the key of that page's last case.
        before_last = db.session.execute(
            select(Case.received_at, Case.id)
            .order_by(Case.received_at.desc().nulls_last(), Case.id.desc())
            .offset(max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE - 1))
            .limit(1)
        ).first()
        last_page = (
            f"/cases/?after={Key(*before_last).token()}"
            if before_last and total > PAGE_SIZE
            else "/cases/"
        )
        # The practitioner's second page of open cases: "next" from the home carries the key
        # of the first page's last case (queries.caseload_page).
        open_cases = (
            select(Case.received_at, Case.id)
            .where(
                Case.allocated_practitioner_id == practitioner,
                Case.status.not_in(("closed", "not_accepted")),
            )
            .order_by(Case.received_at.desc().nulls_last(), Case.id.desc())
        )
        first_page_last = db.session.execute(open_cases.offset(PAGE_SIZE - 1).limit(1)).first()
        caseload_page_2 = f"/?after={Key(*first_page_last).token()}" if first_page_last else "/"
        filters = db.session.execute(
            select(Case.borough_id, Case.status).order_by(Case.id).limit(1)
        ).first()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return {
        "seconds": seconds,
        "made": made,
        "case": reference,
        "cases": total,
        "last_page": last_page,
        "caseload_page_2": caseload_page_2,
        "practitioner": practitioner,
        "borough": filters.borough_id if filters else "",
        "status": filters.status if filters else "",
    }


def _seeded_cases(db) -> int | None:
    """The cases already in a kept database, or None when it has no schema yet."""
    from sqlalchemy import inspect, text

    if "cases" not in inspect(db.engine).get_table_names():
        return None
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM cases")).scalar()


def _synthetic_user(session, email: str) -> int:
    from sqlalchemy import select

    from eip.auth.models import User

    return session.scalar(select(User.id).where(User.email == email))


# ---------------------------------------------------------------------------
# The servers and the client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def _server(target: str, env: dict[str, str], log: Path, options: tuple[str, ...] = ()):
    """gunicorn serving `target` on a free port; `options` are more of its settings."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "-w", WORKERS, "-b", f"{HOST}:{port}",
        "-c", str(ROOT / "gunicorn.conf.py"), *options, target,
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    raise SystemExit(f"{target} did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


class Browser:
    """One signed-in person: their cookies, and GETs timed from the request to the last byte."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, data, elapsed

    def sign_in(self, email: str, password: str) -> None:
        _response, page, _ = self.request("GET", "/sign-in")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = {"email": email, "password": password, "csrf_token": token.group(1).decode()}
        response, _, _ = self.request("POST", "/sign-in", urlencode(form))
        if response.status != 302:
            raise SystemExit(f"could not sign in as {email}: {response.status}")


def _rows_in(page: bytes) -> int:
    return max(1, page.count(b"<tr"))


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _measure(browser: Browser, baseline: Browser, path: str, repeats: int) -> dict[str, object]:
    response, page, _ = browser.request("GET", path)
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}")
    rows = _rows_in(page)
    bare = f"/rows?n={max(0, rows - 1)}"  # the baseline's header row is one of them
    # Warm both: templates compiled, connections in the pool.
    for _ in range(1 if ".pdf" in path else 2):
        browser.request("GET", path)
        baseline.request("GET", bare)
    # The same person's app floor in the same alternation (page, floor, bare page), so the
    # page's time over the floor is measured under the same load.
    with_floor = path != FLOOR_PATH
    ours, theirs, floor, queries = [], [], [], set()
    for _ in range(repeats):
        response, _, seconds = browser.request("GET", path)
        ours.append(seconds * 1000)
        queries.add(int(response.headers.get("X-Bench-Queries", "-1")))
        if with_floor:
            _, _, seconds = browser.request("GET", FLOOR_PATH)
            floor.append(seconds * 1000)
        _, _, seconds = baseline.request("GET", bare)
        theirs.append(seconds * 1000)
    return {
        "ours": ours,
        "theirs": theirs,
        "floor": floor,
        "queries": queries,
        "rows": rows,
        "kb": len(page) / 1024,
    }


def main() -> None:
    from eip.demo.synthetic import SYNTHETIC_PASSWORD

    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        if url:
            if "bench" not in url.rsplit("/", 1)[-1]:
                raise SystemExit("make bench-pg empties DATABASE_URL: name a database *bench*")
        elif KEEP:
            url = f"sqlite:///{Path(KEEP).resolve()}"
        else:
            url = f"sqlite:///{folder}/bench.sqlite3"
        engine = url.split(":", 1)[0].split("+", 1)[0]
        facts = _prepare(url, folder)
        made = facts["made"]
        print(
            f"{engine}: seeded {made['cases']} cases, {PLACEMENTS} placements, "
            f"{made['events']} audit events in {facts['seconds']:.1f} s"
        )
        env = {
            **os.environ,
            "EIP_ENV": "development",
            "DATABASE_URL": url,
            "EIP_INSTANCE_PATH": folder,
            "PYTHONPATH": str(ROOT),
        }
        logs = Path(folder)
        with (
            _server("bench.serve:app", env, logs / "app.log") as app_port,
            _server("bench.baseline:app", env, logs / "baseline.log") as bare_port,
        ):
            people = {}
            for role, local in (
                ("practitioner", "synthetic.practitioner1.0"),
                ("spoc", "synthetic.spoc1.camden"),
                ("manager", "synthetic.manager1"),
                ("finance", "synthetic.finance1"),
            ):
                people[role] = Browser(app_port)
                people[role].sign_in(f"{local}@example.org", SYNTHETIC_PASSWORD)
            baseline = Browser(bare_port)
            to = date.today()
            since = to - timedelta(days=90)  # the statement asks for day, month and year boxes
            pages = [
                ("case list, page 1", "manager", "/cases/"),
                ("case list, last page", "manager", facts["last_page"]),
                ("case list, overdue only", "manager", "/cases/?overdue=y"),
                ("case list, by status", "manager", f"/cases/?status={facts['status']}"),
                ("case list, by borough", "manager", f"/cases/?borough={facts['borough']}"),
                (
                    "case list, practitioner",
                    "manager",
                    f"/cases/?practitioner={facts['practitioner']}",
                ),
                ("practitioner home", "practitioner", "/"),
                ("practitioner home, page 2", "practitioner", facts["caseload_page_2"]),
                ("work list", "practitioner", "/work"),
                ("SPOC home", "spoc", "/"),
                ("manager home", "manager", "/"),
                ("dashboard", "manager", "/dashboard/"),
                ("finance home", "finance", "/"),
                ("budget page", "finance", "/budget"),
                ("case page", "practitioner", f"/cases/{facts['case']}"),
                (
                    "statement PDF, 90 days",  # DOCUMENT_REPEATS requests
                    "finance",
                    f"/budget/statement.pdf?start={since.day}&start={since.month}"
                    f"&start={since.year}&end={to.day}&end={to.month}&end={to.year}",
                ),
                (
                    "monthly report PDF",  # DOCUMENT_REPEATS requests; this month so far
                    "manager",
                    f"/reports/monthly.pdf?month={to.month}&month={to.year}",
                ),
            ]
            pages = [p for p in pages if not ONLY or any(word in p[0] for word in ONLY)]
            # The floor of each role on its own first (its navigation differs by role).
            roles = list(dict.fromkeys(role for _name, role, _path in pages))
            floors = [(f"app floor, {role}", role, FLOOR_PATH) for role in roles]
            print(
                f"{facts['cases']} cases; {REPEATS} requests each, app and baseline alternated; "
                f"gunicorn -w {WORKERS}; ms"
            )
            head = (
                f"{'page':<26}{'app med':>9}{'p95':>8}{'bare med':>9}{'p95':>8}"
                f"{'x med':>7}{'x p95':>7}{'queries':>9}{'rows':>7}{'KB':>7}{'floor':>7}{'over':>7}"
            )
            print(head)
            for name, role, path in floors + pages:
                repeats = DOCUMENT_REPEATS if path.split("?")[0].endswith(".pdf") else REPEATS
                m = _measure(people[role], baseline, path, repeats)
                ours, theirs = m["ours"], m["theirs"]
                queries = m["queries"]
                counted = (
                    str(min(queries)) if len(queries) == 1 else f"{min(queries)}-{max(queries)}"
                )
                median = statistics.median(ours)
                floor = f"{statistics.median(m['floor']):.1f}" if m["floor"] else ""
                over = f"{median - statistics.median(m['floor']):.1f}" if m["floor"] else ""
                print(
                    f"{name:<26}{median:>9.1f}{_p95(ours):>8.1f}"
                    f"{statistics.median(theirs):>9.1f}{_p95(theirs):>8.1f}"
                    f"{median / statistics.median(theirs):>7.1f}"
                    f"{_p95(ours) / _p95(theirs):>7.1f}{counted:>9}{m['rows']:>7}{m['kb']:>7.0f}"
                    f"{floor:>7}{over:>7}"
                )


if __name__ == "__main__":
    main()
