"""the referrals received counted by the days the dashboard's acknowledgement and booking
measures read (timeliness_tallies), from each referral's days kept per case
(case_timeliness), both by triggers, so the measures read a few rows per day of the period
instead of every referral with its first consultation

Revision ID: 3932dfa831bb
Revises: 537c425b11ac
Create Date: 2026-12-07 13:15:00.000000

"""

# ruff: noqa: S608 (the SQL is built from this file's own names, nothing else)

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3932dfa831bb"
down_revision = "537c425b11ac"
branch_labels = None
depends_on = None

# Two levels of triggers. Writes to cases (status, late flag, receipt, acknowledgement), to
# consultations (the first one recorded) and to late-referral decisions (the latest agreed)
# rewrite the case's row of case_timeliness, worked out afresh from its own rows; a change
# to that row moves the tallies: -1 for its old days, +1 for its new, so each tally row holds
# how many referrals have exactly those days. A tally's key cannot hold NULL (its primary
# key), so a day not yet reached (not acknowledged, no consultation, no agreement) is NONE
# there. A row that falls to 0 stays; readers skip zeros. The DDL lives here only, frozen as
# a migration must be (so the London date is written out, not imported).
NONE = "'0001-01-01'"
CLOSED = "('closed', 'not_accepted')"
KEY = ("received_on", "closed", "late", "agreed_on", "acknowledged_on", "booked_on")
OPTIONAL = ("agreed_on", "acknowledged_on", "booked_on")


def _london_day(dialect: str, instant: str) -> str:
    """The Europe/London date of a stored instant (eip.reports.london_day, by its rule only:
    a trigger reads a few instants at a time)."""
    if dialect == "postgresql":
        return f"CAST(timezone('Europe/London', {instant}) AS DATE)"

    def change(month: str) -> str:
        return (
            f"datetime(date(strftime('%Y', {instant}) || '-{month}-25', 'weekday 0'), '+1 hours')"
        )

    summer = f"{instant} >= {change('03')} AND {instant} < {change('10')}"
    return f"date(substr({instant}, 1, 19), CASE WHEN {summer} THEN '+1 hours' ELSE '+0 hours' END)"


def _days(dialect: str, case: str) -> str:
    """The SELECT of the case `case`'s row, if it has been received."""
    first = f"(SELECT min(created_at) FROM consultations WHERE case_id = {case})"
    return (
        f"SELECT c.id, CASE WHEN c.status IN {CLOSED} THEN 1 ELSE 0 END, "
        "CASE WHEN c.late_referral THEN 1 ELSE 0 END, "
        "(SELECT max(decided_on) FROM late_referral_decisions "
        f"WHERE case_id = {case} AND decision = 'agreed'), "
        f"{_london_day(dialect, 'c.received_at')}, {_london_day(dialect, 'c.acknowledged_at')}, "
        f"{_london_day(dialect, first)} "
        f"FROM cases AS c WHERE c.id = {case} AND c.received_at IS NOT NULL"
    )


def _refresh(dialect: str, case: str) -> str:
    columns = "case_id, closed, late, agreed_on, received_on, acknowledged_on, booked_on"
    changed = " OR ".join(
        f"case_timeliness.{c} IS DISTINCT FROM excluded.{c}"
        if dialect == "postgresql"
        else f"case_timeliness.{c} IS NOT excluded.{c}"
        for c in columns.split(", ")[1:]
    )
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", ")[1:])
    return (
        f"INSERT INTO case_timeliness ({columns}) {_days(dialect, case)} "
        f"ON CONFLICT (case_id) DO UPDATE SET {updates} WHERE {changed}; "
        f"DELETE FROM case_timeliness WHERE case_id = {case} AND NOT EXISTS "
        f"(SELECT 1 FROM cases WHERE id = {case} AND received_at IS NOT NULL);"
    )


def _key(row: str) -> str:
    return ", ".join(f"coalesce({row}.{c}, {NONE})" if c in OPTIONAL else f"{row}.{c}" for c in KEY)


def _sqlite_add(row: str, delta: int) -> str:
    return (
        f"INSERT INTO timeliness_tallies ({', '.join(KEY)}, n) VALUES ({_key(row)}, {delta}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = timeliness_tallies.n + excluded.n;"
    )


SOURCES = {  # table: the columns whose change moves its case's row
    "consultations": "case_id, created_at",
    "late_referral_decisions": "case_id, decision, decided_on",
}
CASE_COLUMNS = ("status", "late_referral", "received_at", "acknowledged_at")


def _sqlite_triggers() -> dict[str, str]:
    refresh = lambda case: _refresh("sqlite", case)  # noqa: E731
    moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in CASE_COLUMNS)
    key_moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in KEY)
    triggers = {
        "case_timeliness_on_case_insert": f"AFTER INSERT ON cases BEGIN {refresh('NEW.id')} END",
        "case_timeliness_on_case_update": f"AFTER UPDATE OF {', '.join(CASE_COLUMNS)} ON cases "
        f"WHEN {moved} BEGIN {refresh('NEW.id')} END",
        "timeliness_tallies_on_insert": "AFTER INSERT ON case_timeliness BEGIN "
        + _sqlite_add("NEW", 1)
        + " END",
        "timeliness_tallies_on_delete": "AFTER DELETE ON case_timeliness BEGIN "
        + _sqlite_add("OLD", -1)
        + " END",
        "timeliness_tallies_on_update": f"AFTER UPDATE ON case_timeliness WHEN {key_moved} BEGIN "
        + _sqlite_add("OLD", -1)
        + " "
        + _sqlite_add("NEW", 1)
        + " END",
    }
    for table, columns in SOURCES.items():
        triggers[f"case_timeliness_on_{table}_insert"] = (
            f"AFTER INSERT ON {table} BEGIN {refresh('NEW.case_id')} END"
        )
        triggers[f"case_timeliness_on_{table}_delete"] = (
            f"AFTER DELETE ON {table} BEGIN {refresh('OLD.case_id')} END"
        )
        triggers[f"case_timeliness_on_{table}_update"] = (
            f"AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {refresh('OLD.case_id')} {refresh('NEW.case_id')} END"
        )
    return triggers


# PostgreSQL: a refresh locks the case's row first (as case_activity), so one case's changes
# take turns and each reads the rows committed before it; a move of the tallies takes its
# two rows in key order (as case_tallies), so two moves the opposite way wait, never
# deadlock.
PG_FUNCTIONS = (
    """
CREATE FUNCTION case_timeliness_refresh(refresh_case integer) RETURNS void AS $$
BEGIN
  PERFORM 1 FROM cases WHERE id = refresh_case FOR NO KEY UPDATE;
  """
    + _refresh("postgresql", "refresh_case")
    + """
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION case_timeliness_on_case() RETURNS trigger AS $$
BEGIN
  PERFORM case_timeliness_refresh(NEW.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION case_timeliness_on_record() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM case_timeliness_refresh(OLD.case_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id <> OLD.case_id) THEN
    PERFORM case_timeliness_refresh(NEW.case_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    f"""
CREATE FUNCTION timeliness_tallies_add(
  t_received date, t_closed integer, t_late integer, t_agreed date, t_acknowledged date,
  t_booked date, delta integer
) RETURNS void AS $$
BEGIN
  INSERT INTO timeliness_tallies ({", ".join(KEY)}, n)
  VALUES (t_received, t_closed, t_late, coalesce(t_agreed, {NONE}),
          coalesce(t_acknowledged, {NONE}), coalesce(t_booked, {NONE}), delta)
  ON CONFLICT ({", ".join(KEY)}) DO UPDATE SET n = timeliness_tallies.n + excluded.n;
END;
$$ LANGUAGE plpgsql
""",
    f"""
CREATE FUNCTION timeliness_tallies_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM timeliness_tallies_add({", ".join(f"NEW.{c}" for c in KEY)}, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM timeliness_tallies_add({", ".join(f"OLD.{c}" for c in KEY)}, -1);
  ELSIF ROW({_key("OLD")}) < ROW({_key("NEW")}) THEN
    PERFORM timeliness_tallies_add({", ".join(f"OLD.{c}" for c in KEY)}, -1);
    PERFORM timeliness_tallies_add({", ".join(f"NEW.{c}" for c in KEY)}, 1);
  ELSE
    PERFORM timeliness_tallies_add({", ".join(f"NEW.{c}" for c in KEY)}, 1);
    PERFORM timeliness_tallies_add({", ".join(f"OLD.{c}" for c in KEY)}, -1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)


def _pg_triggers() -> list[str]:
    moved = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CASE_COLUMNS)
    key_moved = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in KEY)
    triggers = [
        "CREATE TRIGGER case_timeliness_on_case_insert AFTER INSERT ON cases "
        "FOR EACH ROW EXECUTE FUNCTION case_timeliness_on_case()",
        f"CREATE TRIGGER case_timeliness_on_case_update AFTER UPDATE OF "
        f"{', '.join(CASE_COLUMNS)} ON cases FOR EACH ROW WHEN ({moved}) "
        "EXECUTE FUNCTION case_timeliness_on_case()",
        "CREATE TRIGGER timeliness_tallies_on_insert_delete AFTER INSERT OR DELETE "
        "ON case_timeliness FOR EACH ROW EXECUTE FUNCTION timeliness_tallies_count()",
        "CREATE TRIGGER timeliness_tallies_on_update AFTER UPDATE ON case_timeliness "
        f"FOR EACH ROW WHEN ({key_moved}) EXECUTE FUNCTION timeliness_tallies_count()",
    ]
    for table, columns in SOURCES.items():
        triggers += [
            f"CREATE TRIGGER case_timeliness_on_{table}_insert_delete "
            f"AFTER INSERT OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION case_timeliness_on_record()",
            f"CREATE TRIGGER case_timeliness_on_{table}_update "
            f"AFTER UPDATE OF {columns} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION case_timeliness_on_record()",
        ]
    return triggers


def _backfill(dialect: str) -> list[str]:
    """Every received case's row at once (grouped first consultations and agreements), then
    the tallies counted from the rows."""
    first = _london_day(dialect, "b.at")
    return [
        "INSERT INTO case_timeliness (case_id, closed, late, agreed_on, received_on, "
        "acknowledged_on, booked_on) "
        f"SELECT c.id, CASE WHEN c.status IN {CLOSED} THEN 1 ELSE 0 END, "
        "CASE WHEN c.late_referral THEN 1 ELSE 0 END, a.on_day, "
        f"{_london_day(dialect, 'c.received_at')}, {_london_day(dialect, 'c.acknowledged_at')}, "
        f"{first} FROM cases AS c "
        "LEFT JOIN (SELECT case_id, max(decided_on) AS on_day FROM late_referral_decisions "
        "WHERE decision = 'agreed' GROUP BY case_id) AS a ON a.case_id = c.id "
        "LEFT JOIN (SELECT case_id, min(created_at) AS at FROM consultations "
        "GROUP BY case_id) AS b ON b.case_id = c.id "
        "WHERE c.received_at IS NOT NULL",
        f"INSERT INTO timeliness_tallies ({', '.join(KEY)}, n) "
        f"SELECT {_key('t')}, count(*) FROM case_timeliness AS t GROUP BY {_key('t')}",
    ]


def upgrade():
    op.create_table(
        "case_timeliness",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("booked_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_timeliness_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_timeliness")),
    )
    op.create_table(
        "timeliness_tallies",
        *(
            sa.Column(c, sa.Integer() if c in ("closed", "late") else sa.Date(), nullable=False)
            for c in KEY
        ),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_timeliness_tallies")),
    )
    dialect = op.get_bind().dialect.name
    # The triggers that write the rows first, then the rows and their count, then the
    # triggers that count (so the backfill's rows are counted once), in one transaction: on
    # PostgreSQL, CREATE TRIGGER holds off writes to cases, consultations and decisions until
    # it commits, so nothing reaches the rows in between.
    if dialect == "postgresql":
        writing = [*PG_FUNCTIONS, *_pg_triggers()]
        counting = [t for t in writing if t.startswith("CREATE TRIGGER timeliness_tallies")]
        writing = [t for t in writing if t not in counting]
    else:
        triggers = _sqlite_triggers()
        writing = [
            f"CREATE TRIGGER {name} {body}"
            for name, body in triggers.items()
            if not name.startswith("timeliness_tallies")
        ]
        counting = [
            f"CREATE TRIGGER {name} {body}"
            for name, body in triggers.items()
            if name.startswith("timeliness_tallies")
        ]
    for statement in (*writing, *_backfill(dialect), *counting):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in SOURCES:
            op.execute(f"DROP TRIGGER case_timeliness_on_{table}_update ON {table}")
            op.execute(f"DROP TRIGGER case_timeliness_on_{table}_insert_delete ON {table}")
        op.execute("DROP TRIGGER timeliness_tallies_on_update ON case_timeliness")
        op.execute("DROP TRIGGER timeliness_tallies_on_insert_delete ON case_timeliness")
        op.execute("DROP TRIGGER case_timeliness_on_case_update ON cases")
        op.execute("DROP TRIGGER case_timeliness_on_case_insert ON cases")
        op.execute("DROP FUNCTION timeliness_tallies_count()")
        op.execute(
            "DROP FUNCTION timeliness_tallies_add(date, integer, integer, date, date, date, integer)"
        )
        op.execute("DROP FUNCTION case_timeliness_on_record()")
        op.execute("DROP FUNCTION case_timeliness_on_case()")
        op.execute("DROP FUNCTION case_timeliness_refresh(integer)")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("timeliness_tallies")
    op.drop_table("case_timeliness")
