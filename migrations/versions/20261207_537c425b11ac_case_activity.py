"""each case's last activity (case_activity): the latest of its creation, receipt,
acknowledgement and every record and placement written for it, and whether it is open, kept
by triggers, so the dashboard's "nothing recorded for 14 days" queue is an index range

Revision ID: 537c425b11ac
Revises: 3159b750bcf3
Create Date: 2026-12-07 13:05:00.000000

"""

# ruff: noqa: S608 (the SQL is built from this file's own table names, nothing else)

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "537c425b11ac"
down_revision = "3159b750bcf3"
branch_labels = None
depends_on = None

# Written out, not imported from the app: a migration keeps what it was made with. The
# record tables are the case page's (eip.cases.page.RECORD_LISTS), then the placements.
TABLES = (
    "late_referral_decisions",
    "consultations",
    "case_actions",
    "onward_referrals",
    "consents",
    "incidents",
    "intervention_sessions",
    "professionals_meetings",
    "dash_reviews",
    "scenario_plans",
    "children",
    "marac_referrals",
    "safety_plans",
    "safety_plan_reviews",
    "case_notes",
    "partner_support_contacts",
    "outcome_measures",
    "placements",
)
OPEN = "cases.status NOT IN ('closed', 'not_accepted')"
CASE_MOVED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at "
    "OR OLD.received_at IS DISTINCT FROM NEW.received_at "
    "OR OLD.acknowledged_at IS DISTINCT FROM NEW.acknowledged_at"
)

# Triggers, not the app, keep the rows (as case_tallies, c7e4a2f9d1b3): a new record or
# placement moves its case's instant on (the later of the two); anything else (a case
# written, a record deleted or moved) works the case's row out afresh from its own rows,
# an index search per table by case_id. Every case has a row from its insert on.


def _latest(dialect: str, case: str) -> str:
    """The latest instant of the case `case` (an id expression), over `cases` in scope."""
    latest = [f"(SELECT max(created_at) FROM {table} WHERE case_id = {case})" for table in TABLES]
    if dialect == "postgresql":  # GREATEST skips NULLs
        return (
            "GREATEST("
            + ", ".join(("cases.received_at", "cases.acknowledged_at", *latest))
            + ", cases.created_at)"
        )
    # SQLite's max() of several is NULL if any is: each falls back to the case's creation.
    others = ("cases.received_at", "cases.acknowledged_at", *latest)
    return (
        "max(cases.created_at, "
        + ", ".join(f"coalesce({o}, cases.created_at)" for o in others)
        + ")"
    )


def _refresh(dialect: str, case: str) -> str:
    return (
        "INSERT INTO case_activity (case_id, is_open, last_at) "
        f"SELECT cases.id, {OPEN}, {_latest(dialect, 'cases.id')} FROM cases WHERE cases.id = {case} "
        "ON CONFLICT (case_id) DO UPDATE SET is_open = excluded.is_open, last_at = excluded.last_at;"
    )


def _sqlite_triggers() -> dict[str, str]:
    refresh = lambda case: _refresh("sqlite", case)  # noqa: E731
    moved = CASE_MOVED.replace("IS DISTINCT FROM", "IS NOT")
    triggers = {
        "case_activity_on_case_insert": f"AFTER INSERT ON cases BEGIN {refresh('NEW.id')} END",
        "case_activity_on_case_update": "AFTER UPDATE OF status, created_at, received_at, "
        f"acknowledged_at ON cases WHEN {moved} BEGIN {refresh('NEW.id')} END",
    }
    for table in TABLES:
        triggers[f"case_activity_on_{table}_insert"] = (
            f"AFTER INSERT ON {table} BEGIN UPDATE case_activity "
            "SET last_at = max(last_at, NEW.created_at) WHERE case_id = NEW.case_id; END"
        )
        triggers[f"case_activity_on_{table}_delete"] = (
            f"AFTER DELETE ON {table} BEGIN {refresh('OLD.case_id')} END"
        )
        triggers[f"case_activity_on_{table}_update"] = (
            f"AFTER UPDATE OF case_id, created_at ON {table} "
            f"BEGIN {refresh('OLD.case_id')} {refresh('NEW.case_id')} END"
        )
    return triggers


# PostgreSQL: every change locks the case's row first (FOR NO KEY UPDATE: a foreign key's
# check still passes), so changes to one case's instant take turns, and a refresh reads the
# rows committed before it (each statement of a function reads afresh): a new record's move
# is never overwritten by a refresh that did not see it.
PG_FUNCTIONS = (
    """
CREATE FUNCTION case_activity_refresh(refresh_case integer) RETURNS void AS $$
BEGIN
  PERFORM 1 FROM cases WHERE id = refresh_case FOR NO KEY UPDATE;
  """
    + _refresh("postgresql", "refresh_case")
    + """
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION case_activity_on_case() RETURNS trigger AS $$
BEGIN
  PERFORM case_activity_refresh(NEW.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION case_activity_on_record() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM 1 FROM cases WHERE id = NEW.case_id FOR NO KEY UPDATE;
    UPDATE case_activity SET last_at = GREATEST(last_at, NEW.created_at)
    WHERE case_id = NEW.case_id;
    RETURN NULL;
  END IF;
  PERFORM case_activity_refresh(OLD.case_id);
  IF TG_OP = 'UPDATE' AND NEW.case_id <> OLD.case_id THEN
    PERFORM case_activity_refresh(NEW.case_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)


def _pg_triggers() -> list[str]:
    triggers = [
        "CREATE TRIGGER case_activity_on_case_insert AFTER INSERT ON cases "
        "FOR EACH ROW EXECUTE FUNCTION case_activity_on_case()",
        "CREATE TRIGGER case_activity_on_case_update "
        "AFTER UPDATE OF status, created_at, received_at, acknowledged_at ON cases "
        f"FOR EACH ROW WHEN ({CASE_MOVED}) EXECUTE FUNCTION case_activity_on_case()",
    ]
    for table in TABLES:
        triggers += [
            f"CREATE TRIGGER case_activity_on_{table}_insert_delete "
            f"AFTER INSERT OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION case_activity_on_record()",
            f"CREATE TRIGGER case_activity_on_{table}_update "
            f"AFTER UPDATE OF case_id, created_at ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION case_activity_on_record()",
        ]
    return triggers


def backfill(dialect: str) -> str:
    """Every case's row at once: each table's latest per case, grouped, joined to the cases.
    (The tests check the kept rows against this after every test.)"""
    written = " UNION ALL ".join(f"SELECT case_id, created_at FROM {table}" for table in TABLES)
    if dialect == "postgresql":
        latest = "GREATEST(cases.created_at, cases.received_at, cases.acknowledged_at, r.last)"
    else:
        latest = (
            "max(cases.created_at, coalesce(cases.received_at, cases.created_at), "
            "coalesce(cases.acknowledged_at, cases.created_at), coalesce(r.last, cases.created_at))"
        )
    return (
        f"SELECT cases.id, {OPEN}, {latest} FROM cases LEFT JOIN "
        f"(SELECT case_id, max(created_at) AS last FROM ({written}) AS w GROUP BY case_id) AS r "
        "ON r.case_id = cases.id"
    )


def upgrade():
    op.create_table(
        "case_activity",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("last_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_activity_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_activity")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # The triggers first, then the rows, in one transaction: CREATE TRIGGER holds off
        # writes to each table until it commits, so nothing is missed.
        for statement in (*PG_FUNCTIONS, *_pg_triggers()):
            op.execute(statement)
    else:
        for name, body in _sqlite_triggers().items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(f"INSERT INTO case_activity (case_id, is_open, last_at) {backfill(dialect)}")
    # The quiet queue: the open cases whose last activity is before a day, a range.
    op.create_index("ix_case_activity_is_open_last_at", "case_activity", ["is_open", "last_at"])


def downgrade():
    op.drop_index("ix_case_activity_is_open_last_at", table_name="case_activity")
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER case_activity_on_{table}_update ON {table}")
            op.execute(f"DROP TRIGGER case_activity_on_{table}_insert_delete ON {table}")
        op.execute("DROP TRIGGER case_activity_on_case_update ON cases")
        op.execute("DROP TRIGGER case_activity_on_case_insert ON cases")
        op.execute("DROP FUNCTION case_activity_on_record()")
        op.execute("DROP FUNCTION case_activity_on_case()")
        op.execute("DROP FUNCTION case_activity_refresh(integer)")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("case_activity")
