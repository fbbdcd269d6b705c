"""`make bench-concurrency` / `make bench-concurrency-pg`: many people using the app at once.

What it does (docs/testing.md, "Benchmarks"):
1. Seeds a database as `make bench` does (bench/run.py's `_prepare`: BENCH_CASES cases on a
   temporary SQLite file, or DATABASE_URL's PostgreSQL database, emptied first).
2. Starts the real app under gunicorn (bench/run.py's `_server`) with BENCH_WORKERS worker
   processes of BENCH_THREADS threads each (gthread; default 4 x 2): the four processes of
   docs/operations.md, and two threads in each so that eight requests are in the database at
   once, the concurrency the SQLite read/write question is about, with requests waiting on a
   lock or on PostgreSQL not holding a whole process.
3. Signs in BENCH_CLIENTS clients through the real sign-in form, each its own session: the
   synthetic practitioners in turn, every fifth client the manager. Each client is a thread that
   for BENCH_SECONDS requests without pause (a new connection per request, as bench/run.py):
   - reads: its home page, the case list, a case page (the audited view, so a read that writes);
   - writes: the "Add an action" form of one of its cases, read, filled in and posted with its
     CSRF and one-time tokens, as a browser does (a practitioner's; the manager only reads).
   A mixed client writes one request in BENCH_WRITE_SHARE (default 0.2). BENCH_READERS and
   BENCH_WRITERS instead make that many clients that only read and only write (for example 8
   and 0, then 8 and 2, for SQLite's readers behind a writer).
4. Prints, per kind of request, how many, the errors (any 5xx, and any status other than the
   one expected: 200 for a page, 302 after a post), the median, p95 and p99 in ms, and the
   throughput.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, Browser, _prepare, _server

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
READERS = os.environ.get("BENCH_READERS")
WRITERS = os.environ.get("BENCH_WRITERS")
WRITE_SHARE = float(os.environ.get("BENCH_WRITE_SHARE", "0.2"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
THREADS = os.environ.get("BENCH_THREADS", "2")
PRACTITIONERS = 5  # seed-synthetic's practitioners (eip/demo/synthetic.py)
EXPECTED = {"write": 302}  # every other kind is a page: 200

_HIDDEN = re.compile(rb'<input[^>]*type="hidden"[^>]*>')
_ATTR = re.compile(rb'(name|value)="([^"]*)"')


def _hidden_fields(page: bytes) -> dict[str, str]:
    """The hidden inputs of a page's form: the CSRF token and the form's one-time token."""
    fields = {}
    for tag in _HIDDEN.findall(page):
        attrs = dict(_ATTR.findall(tag))
        if b"name" in attrs:
            fields[attrs[b"name"].decode()] = attrs.get(b"value", b"").decode()
    return fields


def _open_cases(url: str, folder: str) -> dict[str, list[str]]:
    """Each synthetic practitioner's active cases (at most 20), and the manager's: any."""
    from sqlalchemy import select

    from eip import create_app
    from eip.auth.models import User
    from eip.cases.models import Case
    from eip.extensions import db

    app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": url})
    cases: dict[str, list[str]] = {}
    with app.app_context():
        for n in range(PRACTITIONERS):
            email = f"synthetic.practitioner1.{n}@example.org"
            cases[email] = list(
                db.session.scalars(
                    select(Case.reference)
                    .join(User, User.id == Case.allocated_practitioner_id)
                    .where(User.email == email, Case.status == "active")
                    .order_by(Case.id)
                    .limit(20)
                )
            )
        cases["synthetic.manager1@example.org"] = list(
            db.session.scalars(select(Case.reference).order_by(Case.id.desc()).limit(50))
        )
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return cases


class Client(threading.Thread):
    """One signed-in person requesting pages (and posting forms) until the deadline."""

    def __init__(self, browser: Browser, cases: list[str], write_share: float, seed: int):
        super().__init__(daemon=True)
        self.browser, self.cases, self.write_share = browser, cases, write_share
        self.random = random.Random(seed)  # noqa: S311 (a load pattern, no secret)
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.deadline = 0.0

    def run(self) -> None:
        reads = ["home", "case list", "case page"]
        while time.monotonic() < self.deadline:
            if self.write_share and self.random.random() < self.write_share:
                self._write()
            else:
                self._read(self.random.choice(reads))

    def _timed(self, kind: str, method: str, path: str, body: str | None = None) -> bytes:
        try:
            response, page, seconds = self.browser.request(method, path, body)
        except OSError as error:
            self.errors[kind].append(type(error).__name__)
            return b""
        self.samples[kind].append(seconds * 1000)
        if response.status != EXPECTED.get(kind, 200):
            self.errors[kind].append(str(response.status))
        elif "sign-in" in (response.getheader("Location") or ""):
            self.errors[kind].append("signed out")
        return page

    def _read(self, kind: str) -> None:
        if kind == "home":
            self._timed(kind, "GET", "/")
        elif kind == "case list":
            self._timed(kind, "GET", "/cases/")
        else:
            self._timed(kind, "GET", f"/cases/{self.random.choice(self.cases)}")

    def _write(self) -> None:
        """Add an action to one of its cases through the real form."""
        path = f"/cases/{self.random.choice(self.cases)}/actions/new"
        page = self._timed("action form", "GET", path)
        fields = _hidden_fields(page)
        if "csrf_token" not in fields:
            return  # counted as the form's error
        due = date.today() + timedelta(days=self.random.randint(1, 60))
        form = [
            *fields.items(),
            ("description", "Call the housing officer about the referral"),
            ("owner", "Practitioner"),
            ("due_on", str(due.day)),
            ("due_on", str(due.month)),
            ("due_on", str(due.year)),
        ]
        self._timed("write", "POST", path, urlencode(form))


def _clients(port: int, cases: dict[str, list[str]]) -> list[Client]:
    from eip.demo.synthetic import SYNTHETIC_PASSWORD

    if READERS is not None or WRITERS is not None:
        plan = [0.0] * int(READERS or 0) + [1.0] * int(WRITERS or 0)
    else:
        plan = [WRITE_SHARE] * CLIENTS
    clients = []
    for i, share in enumerate(plan):
        manager = share < 1 and i % 5 == 4
        email = (
            "synthetic.manager1@example.org"
            if manager
            else f"synthetic.practitioner1.{i % PRACTITIONERS}@example.org"
        )
        browser = Browser(port)
        browser.sign_in(email, SYNTHETIC_PASSWORD)
        clients.append(Client(browser, cases[email], 0.0 if manager else share, seed=i))
    return clients


def _pct(samples: list[float], n: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[n - 1]


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        if url:
            if "bench" not in url.rsplit("/", 1)[-1]:
                raise SystemExit("bench-concurrency-pg empties DATABASE_URL: name it *bench*")
        else:
            url = f"sqlite:///{folder}/bench.sqlite3"
        engine = url.split(":", 1)[0].split("+", 1)[0]
        facts = _prepare(url, folder)
        cases = _open_cases(url, folder)
        env = {
            **os.environ,
            "EIP_ENV": "development",
            "DATABASE_URL": url,
            "EIP_INSTANCE_PATH": folder,
            "PYTHONPATH": str(ROOT),
        }
        options = ("-w", WORKERS, "--threads", THREADS, "--worker-class", "gthread")
        with _server("wsgi:app", env, Path(folder) / "app.log", options) as port:
            clients = _clients(port, cases)
            deadline = time.monotonic() + SECONDS
            started = time.perf_counter()
            for client in clients:
                client.deadline = deadline
                client.start()
            for client in clients:
                client.join()
            elapsed = time.perf_counter() - started
            log = (Path(folder) / "app.log").read_text()
        samples: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, list[str]] = defaultdict(list)
        for client in clients:
            for kind, values in client.samples.items():
                samples[kind].extend(values)
            for kind, values in client.errors.items():
                errors[kind].extend(values)
        readers = sum(1 for c in clients if c.write_share == 0)
        print(
            f"{engine}: {facts['cases']} cases; {len(clients)} clients ({readers} only read); "
            f"{elapsed:.0f} s; gunicorn gthread -w {WORKERS} --threads {THREADS}; ms"
        )
        print(f"{'kind':<14}{'requests':>9}{'errors':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>8}")
        total = failed = 0
        for kind in ("home", "case list", "case page", "action form", "write"):
            values = samples.get(kind, [])
            if not values and not errors.get(kind):
                continue
            total += len(values)
            failed += len(errors.get(kind, []))
            print(
                f"{kind:<14}{len(values):>9}{len(errors.get(kind, [])):>8}"
                f"{_pct(values, 50):>8.1f}{_pct(values, 95):>8.1f}{_pct(values, 99):>8.1f}"
                f"{len(values) / elapsed:>8.1f}"
            )
        every = [v for values in samples.values() for v in values]
        print(
            f"{'all':<14}{total:>9}{failed:>8}{_pct(every, 50):>8.1f}{_pct(every, 95):>8.1f}"
            f"{_pct(every, 99):>8.1f}{total / elapsed:>8.1f}"
        )
        for kind, values in errors.items():
            print(f"errors, {kind}: {dict(sorted((v, values.count(v)) for v in set(values)))}")
        if failed:
            tracebacks = [line for line in log.splitlines() if "Error" in line]
            print("server log, errors:", *tracebacks[-10:], sep="\n  ")
            raise SystemExit(1)


if __name__ == "__main__":
    main()
