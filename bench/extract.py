"""Time the evaluation extract and its peak memory at many cases (issue 16, item 5).

    .venv/bin/python bench/extract.py seed --cases 10000 --db /tmp/extract-10k.sqlite3
    .venv/bin/python bench/extract.py run --db /tmp/extract-10k.sqlite3 [--profile] [--tracemalloc]
    .venv/bin/python bench/extract.py run --db COPY-OF-SYNTHETIC.sqlite3 --today 2026-12-07

`seed` migrates a new SQLite file (or the PostgreSQL database in --db, a URL) and fills it
with tests/evaluation_bulk.py's cases (fixed dates, seed 16); `run` prepares one extract of
every case through the real pipeline (services.prepare: disclosure control, the zip, the
check of k on what was written) with the clock frozen at the data's "today" (so the
zip's SHA-256 is the same for the same code and data), and prints the wall and CPU time
(on a shared machine the CPU time is the steadier) and the process's peak resident
memory (ru_maxrss, the interpreter and app included). --profile prints cProfile's top
functions; --tracemalloc the peak of Python allocations during the extract (slower).
--today freezes the clock at noon (UTC) of another day instead, for a database seeded
otherwise (`flask eip seed-synthetic` refers its cases in the months before it ran): the
extract is of every case referred from 2025-01-01 to that day.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EIP_ENV", "development")

KEY = "bench pseudonym key: fixed, 32 characters or more, not a secret"


def _app(db: str, folder: str):
    from eip import create_app

    url = db if "://" in db else f"sqlite:///{db}"
    return create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": url})


def seed(db: str, cases: int) -> None:
    from flask_migrate import upgrade

    from eip.extensions import db as database
    from tests import evaluation_bulk

    with tempfile.TemporaryDirectory() as folder:
        app = _app(db, folder)
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            counts = evaluation_bulk.build(database.session, cases)
            print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")


def run(db: str, profile: bool, trace: bool, today: date | None = None) -> None:
    import time_machine
    from flask_migrate import upgrade
    from sqlalchemy import delete

    from eip.extensions import db as database
    from eip.programme import current_settings
    from evaluation import services
    from evaluation.models import EvaluationExtract
    from tests import evaluation_bulk

    now = (
        evaluation_bulk.TODAY if today is None else datetime(*today.timetuple()[:3], 12, tzinfo=UTC)
    )
    with tempfile.TemporaryDirectory() as folder:
        app = _app(db, folder)
        config = {**app.config, "EIP_PSEUDONYM_KEY": KEY}
        with app.app_context():
            # A database seeded by an older commit is brought to this commit's schema.
            upgrade()
        with app.app_context(), time_machine.travel(now, tick=False):
            # The same label and time each run, so the zip's SHA-256 compares between runs.
            database.session.execute(delete(EvaluationExtract))
            settings = current_settings(database.session)
            if settings.evaluation_k != 5:
                # Only when it differs: a change of settings refreshes every case's due
                # items at commit (eip.cases.due_store), which at 100k cases took 24 s and
                # 26 MiB before the extract had begun, all counted in its peak.
                settings.evaluation_k = 5
            database.session.commit()
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            profiler = cProfile.Profile() if profile else None
            if trace:
                tracemalloc.start()
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            item = services.prepare(
                database.session,
                None,
                start=date(2025, 1, 1),
                end=now.date(),
                config=config,
                actor_label="bench",
            )
            if profiler:
                profiler.disable()
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            peak_python = tracemalloc.get_traced_memory()[1] if trace else None
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(
                f"extract of {item.case_count} cases ({item.referred_count} referred): "
                f"{took:.2f} s ({cpu:.2f} s CPU); peak RSS {after / 1024:.0f} MiB "
                f"(before the extract {before / 1024:.0f} MiB); {item.size_bytes} bytes, "
                f"SHA-256 {item.sha256[:16]}"
            )
            if peak_python is not None:
                print(f"tracemalloc peak during the extract: {peak_python / 2**20:.0f} MiB")
            print(f"levels {item.generalisation['levels']}, suppressed {item.suppressed_count}")
            if profiler:
                stats = pstats.Stats(profiler).sort_stats("cumulative")
                stats.print_stats(25)
                stats.sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("seed", "run"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.db, args.cases)
    else:
        run(args.db, args.profile, args.tracemalloc, args.today)


if __name__ == "__main__":
    main()
