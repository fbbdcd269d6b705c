"""`make bench`: time the pages people wait for, against a baseline measured in the same run.

Each timing is the median of repeated requests through the real app (test
client, SQLite file, synthetic data). Ratios are against GET /healthz, a
request that touches the database and renders nothing, so that a faster or
slower machine moves both and the ratio stays comparable between runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EIP_ENV", "development")

CASES = int(os.environ.get("BENCH_CASES", "500"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))


def timed(client, url: str, repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        response.close()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples) * 1000


def main() -> None:
    from flask_migrate import upgrade

    from eip import create_app
    from eip.extensions import db
    from eip.synthetic import SYNTHETIC_PASSWORD, seed_synthetic

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            made = seed_synthetic(db.session, CASES)
            db.session.remove()
        print(
            f"synthetic data: {made['cases']} cases, {made['events']} audit events; "
            f"median of {REPEATS} requests"
        )
        client = app.test_client()
        started = time.perf_counter()
        client.post(
            "/sign-in",
            data={"email": "synthetic.practitioner1.0@example.org", "password": SYNTHETIC_PASSWORD},
        )
        sign_in_ms = (time.perf_counter() - started) * 1000
        manager = app.test_client()
        with app.app_context():
            from eip.accounts import create_account

            create_account(
                db.session,
                email="bench.manager@example.org",
                name="Bench Manager",
                role="manager",
                password=SYNTHETIC_PASSWORD,
            )
            db.session.remove()
        manager.post(
            "/sign-in", data={"email": "bench.manager@example.org", "password": SYNTHETIC_PASSWORD}
        )

        baseline = timed(client, "/healthz")
        rows = [
            ("GET /healthz (baseline)", baseline),
            ("practitioner home", timed(client, "/")),
            ("case list", timed(client, "/cases/")),
            ("case page with access log", timed(client, "/cases/SYN-01-00001")),
            ("manager home", timed(manager, "/")),
            ("audit trail, first page", timed(manager, "/audit/")),
            ("audit trail, one case", timed(manager, "/audit/?case_reference=SYN-01-00002")),
        ]
        print(f"{'page':<32}{'median ms':>10}{'x baseline':>12}")
        for name, ms in rows:
            print(f"{name:<32}{ms:>10.1f}{ms / baseline:>12.1f}")
        label = "sign-in (argon2id), one request"
        print(f"{label:<32}{sign_in_ms:>10.1f}{sign_in_ms / baseline:>12.1f}")


if __name__ == "__main__":
    main()
