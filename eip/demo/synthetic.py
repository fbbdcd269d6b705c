"""Bulk synthetic data for benchmarks (`seed-synthetic`). Fictional and random, never for demos.

`seed_synthetic(session, cases, placements=M)` fills every table the pages read, in the
proportions of a running programme: people, cases at every stage, consultations, consents,
sessions, meetings, DASH reviews, plan actions, reminders, audit events, sign-in sessions, and
M placements with their stays, invoices, payments and ledger entries. It is deterministic for
a seed (one `random.Random`) and fast: rows are built as plain dicts with their ids chosen
here and written with one executemany per few thousand rows (COPY on PostgreSQL), never object
by object.

The ledger is written directly, not through `store.pot_transaction` (one transaction per
entry would take hours at 100,000 cases), so the rows are built to keep the same invariants
the pot lock's checks enforce: each placement's entries in order (commit, then release,
invoice, payment), never releasing more than is committed, invoicing more than is
committed or paying more than is invoiced, and the pot raised (if need be) to at least the
sum of every commitment, so `available` never goes below zero at any entry.
`tests/integration/test_synthetic_data.py` replays the whole ledger through the checks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import JSON, func, select, text
from sqlalchemy.orm import Session

from accommodation.models import Invoice, LedgerEntry, Payment, Placement
from eip import clock
from eip.accounts import create_account
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.auth.models import User, UserSession
from eip.cases import due_store
from eip.cases.models import Case, Person
from eip.cases.records import (
    CaseAction,
    Consent,
    Consultation,
    DashReview,
    InterventionSession,
    ProfessionalsMeeting,
)
from eip.demo import ensure_boroughs, equality_mix
from eip.models import Borough
from eip.notifications.centre import DONE, PENDING, SENT, Notification
from eip.roles import Role

SYNTHETIC_PASSWORD = "synthetic benchmark password 77"  # noqa: S105 (benchmarks only)
BOROUGHS = ("Camden", "Hackney", "Islington", "Lambeth", "Lewisham", "Southwark")
PRACTITIONERS = 5
CHUNK = 5_000

# A running programme: most cases in the intervention or closed, a tail at each early stage.
STATUS_WEIGHTS = {
    "referred": 8,
    "acknowledged": 7,
    "consultation_booked": 8,
    "awaiting_consent": 6,
    "active": 36,
    "consultation_only": 8,
    "closed": 27,
}
OPEN = {"referred", "acknowledged", "consultation_booked", "awaiting_consent", "active"}
CONSULTED = {"awaiting_consent", "active", "consultation_only", "closed"}
IN_INTERVENTION = {"active", "closed"}
# Placements: most have stayed or are staying; some requests are still waiting or came to
# nothing; a few approved stays were cancelled before check-in.
PLACEMENT_WEIGHTS = {
    "ended": 45,
    "checked_in": 15,
    "approved": 5,
    "agreement_signed": 5,
    "requested": 8,
    "declined": 5,
    "withdrawn": 4,
    "no_accommodation": 5,
    "cancelled": 8,
}
APPROVED = {"approved", "agreement_signed", "checked_in", "ended", "cancelled"}
REMINDER_KINDS = ("meeting_due", "dash_review_due", "plan_action_overdue", "meeting_overdue")


def seed_synthetic(
    session: Session,
    cases: int,
    seed: int = 1,
    events_per_case: int = 20,
    placements: int = 0,
) -> dict[str, int]:
    """Add `cases` synthetic cases (and `placements` placements on some of them); returns how
    many rows of each kind were written. Run on an empty database or after an earlier run
    with another seed (references carry the seed)."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    ensure_boroughs(session, active=BOROUGHS)
    session.commit()
    users = _users(session, seed)
    boroughs = dict(session.execute(select(Borough.id, Borough.name).where(Borough.active)).all())
    users["spoc_of"] = {
        borough_id: users["spocs"][BOROUGHS.index(name)]
        for borough_id, name in boroughs.items()
        if name in BOROUGHS
    }
    now = clock.now().replace(microsecond=0)
    today = now.date()
    ids = _Ids(session)
    made: dict[str, int] = {}

    postgres = session.get_bind().dialect.name == "postgresql"

    def write(model, rows: list[dict]) -> None:
        if postgres and rows:
            _copy(session, model.__table__, rows)
        for start in range(0, len(rows) if not postgres else 0, CHUNK):
            session.execute(model.__table__.insert(), rows[start : start + CHUNK])
        made[model.__tablename__] = made.get(model.__tablename__, 0) + len(rows)

    people, case_rows = [], []
    # The equality answers' own sequence: the rest of the data is as before for a seed.
    mix = random.Random(seed + 1_000_003)  # noqa: S311 (reproducible test data, not secrets)
    first_number = (session.scalar(select(func.count()).select_from(Case)) or 0) + 1
    for number in range(first_number, first_number + cases):
        status = _weighted(rng, STATUS_WEIGHTS)
        age = rng.randint(0, 40) if status in OPEN - {"active"} else rng.randint(20, 150)
        received = now - timedelta(days=age, minutes=rng.randint(0, 1_440))
        client = ids.next(Person)
        people.append(_person(client, f"Client {number}", now, mix))
        partner = None
        if rng.random() < 0.7:
            partner = ids.next(Person)
            people.append(_person(partner, f"Partner {number}", now, mix))
        started = (received + timedelta(days=rng.randint(10, 18))).date()
        case_rows.append(
            {
                "id": ids.next(Case),
                "reference": f"SYN-{seed:02d}-{number:05d}",
                "borough_id": rng.choice(list(boroughs)),
                "status": status,
                "allocated_practitioner_id": rng.choice(users["practitioners"]),
                "created_at": received,
                "received_at": received,
                "client_id": client,
                "partner_id": partner,
                "dash_score_at_referral": rng.randint(2, 16),
                "acknowledged_at": None if status == "referred" else received + timedelta(days=1),
                "intervention_started_on": started if status in IN_INTERVENTION else None,
                "closed_at": (received + timedelta(days=age // 2 + 60))
                if status in ("closed", "consultation_only")
                else None,
            }
        )
    write(Person, people)
    write(Case, case_rows)
    records = _case_records(rng, ids, case_rows, users, now)
    for model in (Consultation, Consent, InterventionSession, ProfessionalsMeeting, DashReview):
        write(model, records[model])
    write(CaseAction, records[CaseAction])
    write(Notification, _notifications(rng, ids, case_rows, records[CaseAction], now))
    write(AuditEvent, _audit(rng, case_rows, users["practitioners"], events_per_case, now))
    write(UserSession, _sign_ins(rng, ids, users["all"], now))

    money = _placements(rng, ids, case_rows, users, placements, seed, today)
    write(Placement, money[Placement])
    write(Invoice, money[Invoice])
    write(Payment, money[Payment])
    write(LedgerEntry, money[LedgerEntry])
    if money[Placement]:
        _room_in_the_pot(session)
    ids.advance_sequences(session)
    session.commit()
    # Bulk inserts pass by the listener that keeps each case's due items (eip.cases.due_store):
    # write the new cases' items now, as the app would have.
    due_store.refresh(session, [row["id"] for row in case_rows])
    session.commit()
    made["cases"] = len(case_rows)
    made["events"] = made.get(AuditEvent.__tablename__, 0)
    return made


# ---------------------------------------------------------------------------
# Helpers


class _Ids:
    """The next id of each table, chosen here so that related rows can be built before any
    is written (PostgreSQL's sequences are moved past them at the end)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._next: dict[type, int] = {}

    def next(self, model) -> int:
        if model not in self._next:
            self._next[model] = (self._session.scalar(select(func.max(model.id))) or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def advance_sequences(self, session: Session) -> None:
        if session.get_bind().dialect.name != "postgresql":
            return  # SQLite's INTEGER PRIMARY KEY takes max(id) + 1 by itself
        for model in self._next:
            table = model.__tablename__
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (table names are ours)
                    f"(SELECT max(id) FROM {table}))"
                )
            )


def _copy(session: Session, table, rows: list[dict]) -> None:
    """PostgreSQL's COPY, in the session's transaction: twice as fast as an executemany.
    The values are already what the columns' types would bind (aware UTC datetimes, plain
    ints and dates); a JSON column's value is wrapped for psycopg."""
    from psycopg.types.json import Json

    # COPY skips the columns' Python-side defaults (the database's own still apply).
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.name in rows[0] or default is None or default.is_sequence:
            continue
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    columns = [*defaults, *rows[0]]
    json = {name for name in columns if isinstance(table.c[name].type, JSON)}
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = session.connection().connection.dbapi_connection.cursor()
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            row = defaults | row
            copy.write_row([Json(row[n]) if n in json else row[n] for n in columns])


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _person(person_id: int, name: str, now: datetime, mix: random.Random) -> dict:
    """A person with a fictional mix of equality answers (no date of birth: recorded bands)."""
    full = f"Synthetic {name}"
    return {
        "id": person_id,
        "full_name": full,
        "name_key": full.lower(),
        "created_at": now,
        "gender": mix.choice(("man", "woman", "woman", "non_binary", "not_known")),
        **equality_mix.answers(mix),
    }


def _users(session: Session, seed: int) -> dict[str, list[int]]:
    """Five practitioners, a SPOC per borough, a manager and a finance officer (found again
    on a second run with the same seed)."""
    wanted = [
        (
            f"synthetic.practitioner{seed}.{n}",
            f"Synthetic Practitioner {n}",
            Role.PRACTITIONER,
            None,
        )
        for n in range(PRACTITIONERS)
    ]
    wanted += [
        (f"synthetic.spoc{seed}.{name.lower()}", f"Synthetic SPOC {name}", Role.SPOC, name)
        for name in BOROUGHS
    ]
    wanted += [
        (f"synthetic.manager{seed}", "Synthetic Manager", Role.MANAGER, None),
        (f"synthetic.finance{seed}", "Synthetic Finance", Role.FINANCE, None),
    ]
    found: dict[str, list[int]] = {"all": []}
    first: User | None = None
    for local, name, role, borough in wanted:
        email = f"{local}@example.org"
        user = session.scalar(select(User).where(User.email == email))
        if user is None and first is None:
            user = first = create_account(
                session,
                email=email,
                name=name,
                role=role,
                password=SYNTHETIC_PASSWORD,
                borough_name=borough,
                actor_label="seed-synthetic",
            )
        elif user is None:
            # The same password's hash for the others: argon2id takes most of a second a
            # hash, which would be most of a small seeding's time.
            user = User(
                email=email,
                name=name,
                role=role.value,
                borough_id=session.scalar(select(Borough.id).where(Borough.name == borough))
                if borough
                else None,
                password_hash=(first or user_with_password(session)).password_hash,
            )
            session.add(user)
            session.flush()
        found.setdefault(f"{role.value}s", []).append(user.id)
        found["all"].append(user.id)
    session.commit()
    return found


def user_with_password(session: Session) -> User:
    """A synthetic account made by an earlier run, whose password hash the others share."""
    return session.scalars(
        select(User).where(User.email.like("synthetic.%"), User.password_hash.is_not(None))
    ).first()


def _case_records(rng, ids, case_rows, users, now) -> dict[type, list[dict]]:
    made: dict[type, list[dict]] = {
        m: []
        for m in (
            Consultation,
            Consent,
            InterventionSession,
            ProfessionalsMeeting,
            DashReview,
            CaseAction,
        )
    }
    today = now.date()
    for case in case_rows:
        status, case_id, received = case["status"], case["id"], case["received_at"]
        by = case["allocated_practitioner_id"]
        base = {"case_id": case_id, "created_at": now, "recorded_by_id": by}
        if status == "consultation_booked" or status in CONSULTED:
            held = received.date() + timedelta(days=7) if status in CONSULTED else None
            made[Consultation].append(
                base
                | {
                    "id": ids.next(Consultation),
                    "scheduled_for": received + timedelta(days=7),
                    "medium": "phone",
                    "held_on": held,
                    "outcome": (
                        "consultation_only" if status == "consultation_only" else "intervention"
                    )
                    if held
                    else None,
                    "version": 1,
                }
            )
        if status in IN_INTERVENTION:
            started = case["intervention_started_on"]
            for person in ("client", "partner") if case["partner_id"] else ("client",):
                made[Consent].append(
                    base
                    | {
                        "id": ids.next(Consent),
                        "person_role": person,
                        "kind": "intervention",
                        "state": "given",
                        "recorded_on": started,
                        "version": 1,
                    }
                )
            weeks = max(1, min(14, (today - started).days // 7))
            for week in range(rng.randint(max(1, weeks // 2), weeks)):
                made[InterventionSession].append(
                    base
                    | {
                        "id": ids.next(InterventionSession),
                        "held_on": started + timedelta(days=7 * week),
                        "duration_minutes": 60,
                        "attendance": "attended" if rng.random() < 0.85 else "did_not_attend",
                        "themes": "Triggers and time-outs",
                    }
                )
            for fortnight in range(max(1, weeks // 2)):
                made[ProfessionalsMeeting].append(
                    base
                    | {
                        "id": ids.next(ProfessionalsMeeting),
                        "held_on": started + timedelta(days=14 * fortnight + 3),
                        "attendees": "Practitioner, social worker",
                        "risk_update": "Stable",
                        "progress": "Engaged",
                    }
                )
            for month in range(max(1, weeks // 4)):
                score = rng.randint(2, 16)
                made[DashReview].append(
                    base
                    | {
                        "id": ids.next(DashReview),
                        "completed_on": started + timedelta(days=28 * month),
                        "answers": {},
                        "score": score,
                        "police_callouts_12_months": 0,
                        "professional_judgement_high": False,
                        # Stored thresholds: the server defaults (14 and 14, the old rule).
                        "marac": score >= 14,
                        "risk_level": "high"
                        if score >= 14
                        else "medium"
                        if score >= 10
                        else "standard",
                    }
                )
        if status in OPEN:
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                done = rng.random() < 0.3
                made[CaseAction].append(
                    base
                    | {
                        "id": ids.next(CaseAction),
                        "kind": "plan",
                        "description": "Agree a safety plan step with the client",
                        "owner": "Practitioner",
                        "due_on": today + timedelta(days=rng.randint(-10, 20)),
                        "urgent": False,
                        "completed_at": now if done else None,
                        "completed_by_id": by if done else None,
                    }
                )
    return made


def _notifications(rng, ids, case_rows, actions, now) -> list[dict]:
    """One or two reminders for most open cases, to their practitioner; some read, some
    closed as no longer due, the e-mails mostly sent."""
    rows = []
    for case in case_rows:
        if case["status"] not in OPEN or rng.random() < 0.3:
            continue
        for n, kind in enumerate(rng.sample(REMINDER_KINDS, rng.randint(1, 2))):
            due = now.date() + timedelta(days=rng.randint(-7, 7))
            closed = rng.random() < 0.3
            subject = f"case:{case['id']}"
            rows.append(
                {
                    "id": ids.next(Notification),
                    "user_id": case["allocated_practitioner_id"],
                    "kind": kind,
                    "topic": kind.split("_")[0],
                    "subject": subject,
                    "dedupe_key": f"{kind}|{subject}|{due.isoformat()}|synthetic-{n}",
                    "case_id": case["id"],
                    "case_reference": case["reference"],
                    "due_on": due,
                    "created_at": now - timedelta(days=rng.randint(0, 7)),
                    "read_at": now if rng.random() < 0.4 else None,
                    "closed_at": now if closed else None,
                    "close_reason": DONE if closed else None,
                    "email_status": SENT if rng.random() < 0.9 else PENDING,
                    "email_attempts": 1,
                }
            )
    return rows


def _audit(rng, case_rows, practitioners, per_case, now) -> Iterable[dict]:
    return [
        {
            "at": now - timedelta(minutes=rng.randint(0, 200_000)),
            "actor_id": rng.choice(practitioners),
            "action": rng.choice(("case.viewed", "case.updated", "auth.sign_in")),
            "object_type": "case",
            "case_reference": case["reference"],
        }
        for case in case_rows
        for _ in range(per_case)
    ]


def _sign_ins(rng, ids, users, now) -> list[dict]:
    """Thirty past sign-ins per user, all ended (the bench signs in afresh)."""
    rows = []
    for user_id in users:
        for _ in range(30):
            started = now - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 600))
            rows.append(
                {
                    "id": ids.next(UserSession),
                    "token_hash": f"{rng.getrandbits(256):064x}",
                    "user_id": user_id,
                    "created_at": started,
                    "last_seen_at": started + timedelta(minutes=25),
                    "ended_at": started + timedelta(minutes=40),
                    "end_reason": "signed_out",
                }
            )
    return rows


# ---------------------------------------------------------------------------
# Placements and money


def _placements(rng, ids, case_rows, users, count, seed, today) -> dict[type, list[dict]]:
    made: dict[type, list[dict]] = {m: [] for m in (Placement, Invoice, Payment, LedgerEntry)}
    if not count:
        return made
    # On the cases in (or past) the intervention first, as a real programme's would be.
    candidates = [c for c in case_rows if c["status"] in IN_INTERVENTION]
    candidates += [c for c in case_rows if c["status"] not in IN_INTERVENTION]
    if count > len(candidates):
        raise ValueError(f"{count} placements need at least as many cases")
    for case in candidates[:count]:
        pid = ids.next(Placement)
        state = _weighted(rng, PLACEMENT_WEIGHTS)
        nights = rng.randint(3, 28)  # one placement per client: within the 28-night cap
        rate = rng.randint(40, 120) * 100
        if state == "ended":
            move_in = today - timedelta(days=nights + rng.randint(1, 90))
        elif state == "checked_in":
            move_in = today - timedelta(days=rng.randint(0, nights - 1))
        else:
            move_in = today + timedelta(days=rng.randint(1, 14))
        decided = min(today, move_in - timedelta(days=rng.randint(1, 5)))
        approved = state in APPROVED
        stayed = nights if rng.random() < 0.7 else rng.randint(1, nights)
        placement = {
            "id": pid,
            "case_id": case["id"],
            "client_id": case["client_id"],
            "borough_id": case["borough_id"],
            "state": state,
            "version": 1,
            "created_at": datetime.combine(decided, datetime.min.time(), UTC),
            "requested_by_id": case["allocated_practitioner_id"],
            "move_in_on": move_in,
            "nights": nights,
            "out_of_borough": False,
            "safe_practitioner": True,
            "safe_social_worker": True,
            "decided_at": None
            if state == "requested"
            else datetime.combine(decided, datetime.min.time(), UTC),
            "decided_by_id": None
            if state == "requested"
            else users["spoc_of"].get(case["borough_id"]),
            "provider": "Synthetic Lets Ltd" if approved else None,
            "address": "1 Synthetic Road" if approved else None,
            "nightly_rate_pence": rate if approved else None,
            "approved_nights": nights if approved else None,
            "agreement_signed_on": decided
            if state in ("agreement_signed", "checked_in", "ended")
            else None,
            "checked_in_on": move_in if state in ("checked_in", "ended") else None,
            "moved_out_on": move_in + timedelta(days=stayed) if state == "ended" else None,
            "ended_early": stayed < nights if state == "ended" else None,
            "cancelled_on": decided if state == "cancelled" else None,
            "cancel_reason": "The client found somewhere safe" if state == "cancelled" else None,
        }
        made[Placement].append(placement)
        if approved:
            _money(rng, ids, made, placement, seed, today)
    return made


def _money(rng, ids, made, p, seed, today) -> None:
    """A placement's ledger, entry by entry in the order the services would write it."""
    rate, nights, state = p["nightly_rate_pence"], p["approved_nights"], p["state"]

    def entry(kind: str, amount: int, on: date, **links) -> None:
        made[LedgerEntry].append(
            {
                "id": ids.next(LedgerEntry),
                "placement_id": p["id"],
                "kind": kind,
                "amount_pence": amount,
                "effective_on": on,
                "created_at": datetime.combine(on, datetime.min.time(), UTC),
                "invoice_id": links.get("invoice_id"),
                "payment_id": links.get("payment_id"),
            }
        )

    entry("commit", rate * nights, p["decided_at"].date())
    if state == "cancelled":
        entry("release", rate * nights, p["cancelled_on"])
        return
    if state == "ended":
        used = (p["moved_out_on"] - p["checked_in_on"]).days
        if used < nights:
            entry("release", rate * (nights - used), p["moved_out_on"])
        invoice_on = p["moved_out_on"] + timedelta(days=rng.randint(1, 10))
        if rng.random() < 0.85 and invoice_on <= today:
            _invoice(rng, ids, made, p, seed, used, invoice_on, today, entry)
    elif state == "checked_in":
        used = (today - p["checked_in_on"]).days
        if used >= 1 and rng.random() < 0.4:
            _invoice(rng, ids, made, p, seed, used, today, today, entry)


def _invoice(rng, ids, made, p, seed, nights, on, today, entry) -> None:
    invoice_id = ids.next(Invoice)
    amount = p["nightly_rate_pence"] * nights
    made[Invoice].append(
        {
            "id": invoice_id,
            "placement_id": p["id"],
            "supplier": "Synthetic Lets Ltd",
            "supplier_key": "synthetic lets ltd",
            "number": f"SYN{seed}-{p['id']}",
            "invoice_date": on,
            "first_night": p["checked_in_on"],
            "last_night": p["checked_in_on"] + timedelta(days=nights - 1),
            "amount_pence": amount,
            "created_at": datetime.combine(on, datetime.min.time(), UTC),
        }
    )
    entry("invoice", amount, on, invoice_id=invoice_id)
    paid_on = on + timedelta(days=rng.randint(5, 30))
    if paid_on <= today and rng.random() < 0.8:
        payment_id = ids.next(Payment)
        made[Payment].append(
            {
                "id": payment_id,
                "invoice_id": invoice_id,
                "paid_on": paid_on,
                "amount_pence": amount,
                "reference": f"PAY-{seed}-{invoice_id}",
                "created_at": datetime.combine(paid_on, datetime.min.time(), UTC),
            }
        )
        entry("payment", amount, paid_on, invoice_id=invoice_id, payment_id=payment_id)


def _room_in_the_pot(session: Session) -> None:
    """A national roll-out's pot and people cap: at least every commitment ever made (so no
    entry, in any order, took `available` below zero) and every person accommodated."""
    settings = session.get(ProgrammeSettings, 1)
    committed = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
            LedgerEntry.kind == "commit"
        )
    )
    people = session.scalar(
        select(func.count(func.distinct(Placement.client_id))).where(
            Placement.state.in_(("approved", "agreement_signed", "checked_in", "ended"))
        )
    )
    round_up = 100_000  # to the next £1,000
    settings.pot_pence = max(settings.pot_pence, -(-committed // round_up) * round_up)
    settings.max_people = max(settings.max_people, people)
