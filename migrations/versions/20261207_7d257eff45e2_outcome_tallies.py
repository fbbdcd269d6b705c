"""the cases with a consultation held with each outcome, counted by month and borough
(outcome_tallies), kept by triggers on consultations and cases, so the dashboard's pathway
outcomes read a few rows per month instead of every consultation held in its months

Revision ID: 7d257eff45e2
Revises: 3932dfa831bb
Create Date: 2026-12-07 13:40:00.000000

"""

# ruff: noqa: S608 (the SQL is built from this file's own names, nothing else)

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d257eff45e2"
down_revision = "3932dfa831bb"
branch_labels = None
depends_on = None

# A case counts once per (outcome, month) however many consultations it held with that
# outcome in the month. So a consultation written adds 1 to its (outcome, month, the case's
# borough) only when no other consultation of the case has that outcome in that month, and
# one removed takes 1 only when none is left; a change of a consultation's case, day or
# outcome is the removal of its old key and the addition of its new; a case moved to another
# borough moves each of its (outcome, month) keys. A row that falls to 0 stays; readers skip
# zeros. The DDL lives here only, frozen as a migration must be.


def _month(dialect: str, day: str) -> str:
    if dialect == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS DATE)"
    return f"date({day}, 'start of month')"


def _next_month(dialect: str, day: str) -> str:
    if dialect == "postgresql":
        return f"CAST(date_trunc('month', {day}) + interval '1 month' AS DATE)"
    return f"date({day}, 'start of month', '+1 month')"


def _add_if_alone(dialect: str, row: str, delta: int) -> str:
    """Add `delta` for `row`'s (outcome, month, its case's borough) if no other consultation
    of its case holds that outcome in that month (and `row` counts at all)."""
    return (
        "INSERT INTO outcome_tallies (outcome, month, borough_id, n) "
        f"SELECT {row}.outcome, {_month(dialect, f'{row}.held_on')}, c.borough_id, {delta} "
        f"FROM cases AS c WHERE c.id = {row}.case_id "
        f"AND {row}.held_on IS NOT NULL AND {row}.outcome IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM consultations AS o "
        f"WHERE o.case_id = {row}.case_id AND o.id <> {row}.id AND o.outcome = {row}.outcome "
        f"AND o.held_on >= {_month(dialect, f'{row}.held_on')} "
        f"AND o.held_on < {_next_month(dialect, f'{row}.held_on')}) "
        "ON CONFLICT (outcome, month, borough_id) "
        "DO UPDATE SET n = outcome_tallies.n + excluded.n;"
    )


def _move(dialect: str, case: str, borough: str, delta: int) -> str:
    """Add `delta` for each (outcome, month) the case `case` holds, in `borough`."""
    return (
        "INSERT INTO outcome_tallies (outcome, month, borough_id, n) "
        f"SELECT DISTINCT outcome, {_month(dialect, 'held_on')}, {borough}, {delta} "
        f"FROM consultations WHERE case_id = {case} "
        "AND held_on IS NOT NULL AND outcome IS NOT NULL "
        "ON CONFLICT (outcome, month, borough_id) "
        "DO UPDATE SET n = outcome_tallies.n + excluded.n;"
    )


KEY_MOVED = (
    "OLD.case_id IS NOT NEW.case_id OR OLD.outcome IS NOT NEW.outcome "
    "OR OLD.held_on IS NOT NEW.held_on"
)

SQLITE_TRIGGERS = {
    "outcome_tallies_on_insert": "AFTER INSERT ON consultations BEGIN "
    + _add_if_alone("sqlite", "NEW", 1)
    + " END",
    "outcome_tallies_on_delete": "AFTER DELETE ON consultations BEGIN "
    + _add_if_alone("sqlite", "OLD", -1)
    + " END",
    "outcome_tallies_on_update": "AFTER UPDATE OF case_id, held_on, outcome ON consultations "
    f"WHEN {KEY_MOVED} BEGIN "
    + _add_if_alone("sqlite", "OLD", -1)
    + " "
    + _add_if_alone("sqlite", "NEW", 1)
    + " END",
    "outcome_tallies_on_case_move": "AFTER UPDATE OF borough_id ON cases "
    "WHEN OLD.borough_id IS NOT NEW.borough_id BEGIN "
    + _move("sqlite", "OLD.id", "OLD.borough_id", -1)
    + " "
    + _move("sqlite", "NEW.id", "NEW.borough_id", 1)
    + " END",
}

# PostgreSQL: a change locks its case's row first (FOR NO KEY UPDATE), so two consultations
# of one case written at once take turns, and the second sees the first when it asks whether
# its key is alone.
PG_FUNCTIONS = (
    """
CREATE FUNCTION outcome_tallies_on_consultation() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM 1 FROM cases WHERE id = OLD.case_id FOR NO KEY UPDATE;
    """
    + _add_if_alone("postgresql", "OLD", -1)
    + """
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM 1 FROM cases WHERE id = NEW.case_id FOR NO KEY UPDATE;
    """
    + _add_if_alone("postgresql", "NEW", 1)
    + """
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION outcome_tallies_on_case_move() RETURNS trigger AS $$
BEGIN
  """
    + _move("postgresql", "OLD.id", "OLD.borough_id", -1)
    + """
  """
    + _move("postgresql", "NEW.id", "NEW.borough_id", 1)
    + """
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)
PG_TRIGGERS = (
    "CREATE TRIGGER outcome_tallies_on_insert_delete AFTER INSERT OR DELETE ON consultations "
    "FOR EACH ROW EXECUTE FUNCTION outcome_tallies_on_consultation()",
    "CREATE TRIGGER outcome_tallies_on_update "
    "AFTER UPDATE OF case_id, held_on, outcome ON consultations FOR EACH ROW "
    f"WHEN ({KEY_MOVED.replace('IS NOT', 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION outcome_tallies_on_consultation()",
    "CREATE TRIGGER outcome_tallies_on_case_move AFTER UPDATE OF borough_id ON cases "
    "FOR EACH ROW WHEN (OLD.borough_id IS DISTINCT FROM NEW.borough_id) "
    "EXECUTE FUNCTION outcome_tallies_on_case_move()",
)


def _backfill(dialect: str) -> str:
    month = _month(dialect, "o.held_on")
    return (
        "INSERT INTO outcome_tallies (outcome, month, borough_id, n) "
        f"SELECT o.outcome, {month}, c.borough_id, count(DISTINCT c.id) "
        "FROM consultations AS o JOIN cases AS c ON c.id = o.case_id "
        "WHERE o.held_on IS NOT NULL AND o.outcome IS NOT NULL "
        f"GROUP BY o.outcome, {month}, c.borough_id"
    )


def upgrade():
    op.create_table(
        "outcome_tallies",
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("borough_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_id"], ["boroughs.id"], name=op.f("fk_outcome_tallies_borough_id_boroughs")
        ),
        sa.PrimaryKeyConstraint("outcome", "month", "borough_id", name=op.f("pk_outcome_tallies")),
    )
    dialect = op.get_bind().dialect.name
    # The triggers first, then the count, in one transaction: on PostgreSQL, CREATE TRIGGER
    # holds off writes to consultations and cases until it commits, so none is counted twice.
    if dialect == "postgresql":
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(_backfill(dialect))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER outcome_tallies_on_case_move ON cases")
        op.execute("DROP TRIGGER outcome_tallies_on_update ON consultations")
        op.execute("DROP TRIGGER outcome_tallies_on_insert_delete ON consultations")
        op.execute("DROP FUNCTION outcome_tallies_on_case_move()")
        op.execute("DROP FUNCTION outcome_tallies_on_consultation()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("outcome_tallies")
