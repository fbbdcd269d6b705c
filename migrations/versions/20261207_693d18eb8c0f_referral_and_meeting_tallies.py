"""the referrals received counted by borough and London month (referral_tallies) and the
professionals meetings held counted by day (meeting_tallies), kept by triggers, so the
dashboard's referrals and meetings held read a few rows per month or day instead of every
case and meeting of its months

Revision ID: 693d18eb8c0f
Revises: 7d257eff45e2
Create Date: 2026-12-07 13:45:00.000000

"""

# ruff: noqa: S608 (the SQL is built from this file's own names, nothing else)

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "693d18eb8c0f"
down_revision = "7d257eff45e2"
branch_labels = None
depends_on = None

# As case_tallies (c7e4a2f9d1b3): each write adds +1 or -1 to its key's row by an upsert; a
# move takes one from the old key and adds one to the new (on PostgreSQL in key order, so
# two moves the opposite way wait, never deadlock); a row that falls to 0 stays and readers
# skip zeros. The meetings by day, not month: the dashboard counts those held up to today.
# The DDL lives here only, frozen as a migration must be (the London date written out).


def _london_month(dialect: str, instant: str) -> str:
    """The first day of the Europe/London month of a stored instant (eip.reports.london_day,
    by its rule: a trigger reads one instant at a time)."""
    if dialect == "postgresql":
        return f"CAST(date_trunc('month', timezone('Europe/London', {instant})) AS DATE)"

    def change(month: str) -> str:
        return (
            f"datetime(date(strftime('%Y', {instant}) || '-{month}-25', 'weekday 0'), '+1 hours')"
        )

    summer = f"{instant} >= {change('03')} AND {instant} < {change('10')}"
    shift = f"CASE WHEN {summer} THEN '+1 hours' ELSE '+0 hours' END"
    return f"date(substr({instant}, 1, 19), {shift}, 'start of month')"


def _sqlite_referral(row: str, delta: int) -> str:
    return (
        "INSERT INTO referral_tallies (borough_id, month, n) "
        f"SELECT {row}.borough_id, {_london_month('sqlite', f'{row}.received_at')}, {delta} "
        f"WHERE {row}.received_at IS NOT NULL "
        "ON CONFLICT (borough_id, month) DO UPDATE SET n = referral_tallies.n + excluded.n;"
    )


def _sqlite_meeting(row: str, delta: int) -> str:
    return (
        f"INSERT INTO meeting_tallies (held_on, n) VALUES ({row}.held_on, {delta}) "
        "ON CONFLICT (held_on) DO UPDATE SET n = meeting_tallies.n + excluded.n;"
    )


SQLITE_TRIGGERS = {
    "referral_tallies_on_insert": "AFTER INSERT ON cases BEGIN "
    + _sqlite_referral("NEW", 1)
    + " END",
    "referral_tallies_on_delete": "AFTER DELETE ON cases BEGIN "
    + _sqlite_referral("OLD", -1)
    + " END",
    "referral_tallies_on_move": "AFTER UPDATE OF received_at, borough_id ON cases "
    "WHEN OLD.received_at IS NOT NEW.received_at OR OLD.borough_id IS NOT NEW.borough_id "
    "BEGIN " + _sqlite_referral("OLD", -1) + " " + _sqlite_referral("NEW", 1) + " END",
    "meeting_tallies_on_insert": "AFTER INSERT ON professionals_meetings BEGIN "
    + _sqlite_meeting("NEW", 1)
    + " END",
    "meeting_tallies_on_delete": "AFTER DELETE ON professionals_meetings BEGIN "
    + _sqlite_meeting("OLD", -1)
    + " END",
    "meeting_tallies_on_move": "AFTER UPDATE OF held_on ON professionals_meetings "
    "WHEN OLD.held_on IS NOT NEW.held_on BEGIN "
    + _sqlite_meeting("OLD", -1)
    + " "
    + _sqlite_meeting("NEW", 1)
    + " END",
}

PG_FUNCTIONS = (
    """
CREATE FUNCTION referral_tallies_add(tally_borough integer, received timestamptz, delta integer)
RETURNS void AS $$
BEGIN
  IF received IS NOT NULL THEN
    INSERT INTO referral_tallies (borough_id, month, n)
    VALUES (tally_borough, """
    + _london_month("postgresql", "received")
    + """, delta)
    ON CONFLICT (borough_id, month) DO UPDATE SET n = referral_tallies.n + excluded.n;
  END IF;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION referral_tallies_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM referral_tallies_add(NEW.borough_id, NEW.received_at, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM referral_tallies_add(OLD.borough_id, OLD.received_at, -1);
  ELSIF (OLD.borough_id, OLD.received_at) < (NEW.borough_id, NEW.received_at) THEN
    PERFORM referral_tallies_add(OLD.borough_id, OLD.received_at, -1);
    PERFORM referral_tallies_add(NEW.borough_id, NEW.received_at, 1);
  ELSE
    PERFORM referral_tallies_add(NEW.borough_id, NEW.received_at, 1);
    PERFORM referral_tallies_add(OLD.borough_id, OLD.received_at, -1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION meeting_tallies_add(day date, delta integer) RETURNS void AS $$
BEGIN
  INSERT INTO meeting_tallies (held_on, n) VALUES (day, delta)
  ON CONFLICT (held_on) DO UPDATE SET n = meeting_tallies.n + excluded.n;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION meeting_tallies_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM meeting_tallies_add(NEW.held_on, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM meeting_tallies_add(OLD.held_on, -1);
  ELSIF OLD.held_on < NEW.held_on THEN
    PERFORM meeting_tallies_add(OLD.held_on, -1);
    PERFORM meeting_tallies_add(NEW.held_on, 1);
  ELSE
    PERFORM meeting_tallies_add(NEW.held_on, 1);
    PERFORM meeting_tallies_add(OLD.held_on, -1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)
PG_TRIGGERS = (
    "CREATE TRIGGER referral_tallies_on_insert_delete AFTER INSERT OR DELETE ON cases "
    "FOR EACH ROW EXECUTE FUNCTION referral_tallies_count()",
    "CREATE TRIGGER referral_tallies_on_move AFTER UPDATE OF received_at, borough_id ON cases "
    "FOR EACH ROW WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at "
    "OR OLD.borough_id IS DISTINCT FROM NEW.borough_id) "
    "EXECUTE FUNCTION referral_tallies_count()",
    "CREATE TRIGGER meeting_tallies_on_insert_delete AFTER INSERT OR DELETE "
    "ON professionals_meetings FOR EACH ROW EXECUTE FUNCTION meeting_tallies_count()",
    "CREATE TRIGGER meeting_tallies_on_move AFTER UPDATE OF held_on ON professionals_meetings "
    "FOR EACH ROW WHEN (OLD.held_on IS DISTINCT FROM NEW.held_on) "
    "EXECUTE FUNCTION meeting_tallies_count()",
)


def _backfill(dialect: str) -> list[str]:
    month = _london_month(dialect, "received_at")
    return [
        "INSERT INTO referral_tallies (borough_id, month, n) "
        f"SELECT borough_id, {month}, count(*) FROM cases WHERE received_at IS NOT NULL "
        f"GROUP BY borough_id, {month}",
        "INSERT INTO meeting_tallies (held_on, n) "
        "SELECT held_on, count(*) FROM professionals_meetings GROUP BY held_on",
    ]


def upgrade():
    op.create_table(
        "referral_tallies",
        sa.Column("borough_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_id"], ["boroughs.id"], name=op.f("fk_referral_tallies_borough_id_boroughs")
        ),
        sa.PrimaryKeyConstraint("borough_id", "month", name=op.f("pk_referral_tallies")),
    )
    op.create_table(
        "meeting_tallies",
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("held_on", name=op.f("pk_meeting_tallies")),
    )
    dialect = op.get_bind().dialect.name
    # The triggers first, then the count, in one transaction: on PostgreSQL, CREATE TRIGGER
    # holds off writes to cases and meetings until it commits, so none is counted twice.
    if dialect == "postgresql":
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    for statement in _backfill(dialect):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER meeting_tallies_on_move ON professionals_meetings")
        op.execute("DROP TRIGGER meeting_tallies_on_insert_delete ON professionals_meetings")
        op.execute("DROP TRIGGER referral_tallies_on_move ON cases")
        op.execute("DROP TRIGGER referral_tallies_on_insert_delete ON cases")
        op.execute("DROP FUNCTION meeting_tallies_count()")
        op.execute("DROP FUNCTION meeting_tallies_add(date, integer)")
        op.execute("DROP FUNCTION referral_tallies_count()")
        op.execute("DROP FUNCTION referral_tallies_add(integer, timestamptz, integer)")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("meeting_tallies")
    op.drop_table("referral_tallies")
