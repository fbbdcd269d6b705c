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
from datetime import date, timedelta
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


def _busy_case(session, reference: str) -> None:
    """Make one synthetic case a busy one, so the meeting pack has everything to lay out:
    both people (consenting to information sharing), the consultation, a dozen actions,
    sessions and meetings, and DASH reviews for the trend chart."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from eip.cases.models import Case, Person
    from eip.cases.records import (
        CaseAction,
        Consent,
        Consultation,
        DashReview,
        InterventionSession,
        ProfessionalsMeeting,
    )

    case = session.scalar(select(Case).where(Case.reference == reference))
    start = date.today() - timedelta(days=70)
    client = Person(full_name="Bench Client", name_key="bench client", phone="07700 900001")
    partner = Person(full_name="Bench Partner", name_key="bench partner")
    session.add_all([client, partner])
    session.flush()
    case.client_id, case.partner_id = client.id, partner.id
    case.status, case.intervention_started_on = "active", start + timedelta(days=10)
    case.received_at = datetime.combine(start, datetime.min.time(), UTC)
    session.add(
        Consultation(
            case_id=case.id,
            scheduled_for=case.received_at + timedelta(days=5),
            medium="phone",
            held_on=start + timedelta(days=5),
            outcome="intervention",
            plan_risks="Arguments escalate when money is short\n" * 4,
            plan_protective_factors="Grandmother nearby\n" * 3,
        )
    )
    for person in ("client", "partner"):
        for kind in ("intervention", "information_sharing"):
            session.add(
                Consent(case_id=case.id, person_role=person, kind=kind, state="given",
                        recorded_on=start + timedelta(days=6))
            )  # fmt: skip
    for n in range(12):
        day = start + timedelta(days=12 + 5 * n)
        session.add(CaseAction(case_id=case.id, kind="plan", description=f"Action {n} " * 8,
                               owner="Practitioner", due_on=day))  # fmt: skip
        session.add(InterventionSession(case_id=case.id, held_on=day, duration_minutes=60,
                                        attendance="attended", themes="Triggers"))  # fmt: skip
    for n in range(8):
        day = start + timedelta(days=10 + 7 * n)
        session.add(ProfessionalsMeeting(case_id=case.id, held_on=day, attendees="Practitioner",
                                         risk_update="Stable", progress="Engaged"))  # fmt: skip
        session.add(DashReview(case_id=case.id, completed_on=day, answers={}, score=4 + n,
                               risk_level="standard"))  # fmt: skip
    session.commit()


def _placements(session, count: int) -> None:
    """Approved stays on `count` synthetic cases, each with its commitment, an invoice and
    a payment written through the ledger, for the finance statement."""
    from sqlalchemy import select

    from accommodation import store
    from accommodation.models import Invoice, Payment, Placement
    from eip.cases.models import Case, Person

    cases = session.scalars(select(Case).order_by(Case.id).offset(10).limit(count)).all()
    for n, case in enumerate(cases):
        approved = date.today() - timedelta(days=80 - n)
        client = Person(full_name=f"Bench Stay {n}", name_key=f"bench stay {n}")
        session.add(client)
        session.flush()
        placement = Placement(
            case_id=case.id, client_id=client.id, borough_id=case.borough_id, state="ended",
            move_in_on=approved, nights=7, provider="Bench Lets Ltd", address="1 Bench Road",
            nightly_rate_pence=6_000, approved_nights=7, checked_in_on=approved,
            moved_out_on=approved + timedelta(days=7),
        )  # fmt: skip
        session.add(placement)
        session.flush()
        store.append(session, None, "commit", placement, 42_000, effective_on=approved)
        invoice = Invoice(
            placement_id=placement.id, supplier="Bench Lets Ltd", supplier_key="bench lets ltd",
            number=f"B-{n}", invoice_date=approved + timedelta(days=8), first_night=approved,
            last_night=approved + timedelta(days=6), amount_pence=42_000,
        )  # fmt: skip
        session.add(invoice)
        session.flush()
        store.append(session, None, "invoice", placement, 42_000,
                     effective_on=invoice.invoice_date, invoice_id=invoice.id)  # fmt: skip
        paid = Payment(invoice_id=invoice.id, paid_on=invoice.invoice_date + timedelta(days=9),
                       amount_pence=42_000, reference=f"PAY-{n}")  # fmt: skip
        session.add(paid)
        session.flush()
        store.append(session, None, "payment", placement, 42_000, effective_on=paid.paid_on,
                     invoice_id=invoice.id, payment_id=paid.id)  # fmt: skip
    session.commit()


def main() -> None:
    from flask_migrate import upgrade

    from eip import create_app
    from eip.demo.synthetic import SYNTHETIC_PASSWORD, seed_synthetic
    from eip.extensions import db

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
            _busy_case(db.session, "SYN-01-00003")
            _placements(db.session, min(20, CASES - 10))
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

        pack_url = "/cases/SYN-01-00003/documents/meeting-pack.pdf"
        to = date.today()
        since = to - timedelta(days=90)
        statement_url = (
            f"/budget/statement.pdf?start={since.day}&start={since.month}&start={since.year}"
            f"&end={to.day}&end={to.month}&end={to.year}"
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
            ("meeting pack PDF, busy case", timed(client, pack_url)),
            ("finance statement PDF, 90 days", timed(manager, statement_url)),
        ]
        print(f"{'page':<32}{'median ms':>10}{'x baseline':>12}")
        for name, ms in rows:
            print(f"{name:<32}{ms:>10.1f}{ms / baseline:>12.1f}")
        label = "sign-in (argon2id), one request"
        print(f"{label:<32}{sign_in_ms:>10.1f}{sign_in_ms / baseline:>12.1f}")


if __name__ == "__main__":
    main()
