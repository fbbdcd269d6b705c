"""a mark of the money's state (budget_marks), changed by triggers on every write to what the
budget's figures are worked out from, so the pages can keep those figures between requests

Revision ID: e8b4d1f6a2c9
Revises: e8b3f1a6c2d4
Create Date: 2026-12-07 05:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8b4d1f6a2c9"
down_revision = "e8b3f1a6c2d4"
branch_labels = None
depends_on = None

# Every table the whole pot's figures, forecast and chart are read from (and the boroughs'
# names, which the spend by borough shows). Written out: a migration keeps what it was made
# with.
TABLES = ("ledger_entries", "placements", "placement_extensions", "boroughs")

# Triggers, not the app, change the mark: every write in any way (the web, seeding, retention,
# a later migration, SQL by hand) gives it a new random value in its own transaction, so a
# figure kept under the old mark is never read again. A random value, not a counter: two
# databases (a copy, a test's) never share a mark with different contents.
SQLITE_TOUCH = (
    "INSERT INTO budget_marks (id, mark) VALUES (1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET mark = excluded.mark;"
)

# PostgreSQL: the mark's row is locked by whoever changes it until they commit, so the change
# waits for the commit (a deferred trigger, once per transaction): taken last, the lock never
# closes a cycle with another transaction's locks (no deadlock) and is held for an instant.
# Until then the transaction's own reads must not trust the old mark: a statement trigger
# notes (transaction-local, no lock) that this transaction wrote, and readers skip the kept
# figures when it did.
PG_FUNCTIONS = (
    """
CREATE FUNCTION budget_marks_written() RETURNS trigger AS $$
BEGIN
  PERFORM set_config('eip.budget_written', txid_current()::text, true);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION budget_marks_touch() RETURNS trigger AS $$
BEGIN
  IF current_setting('eip.budget_marked', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('eip.budget_marked', txid_current()::text, true);
    INSERT INTO budget_marks (id, mark)
    VALUES (1, md5(random()::text || clock_timestamp()::text || txid_current()::text))
    ON CONFLICT (id) DO UPDATE SET mark = excluded.mark;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)


def _pg_triggers(table):
    return (
        f"CREATE TRIGGER budget_marks_written AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION budget_marks_written()",
        f"CREATE CONSTRAINT TRIGGER budget_marks_touch AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION budget_marks_touch()",
    )


def upgrade():
    op.create_table(
        "budget_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_marks")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_FUNCTIONS:
            op.execute(statement)
        for table in TABLES:
            for statement in _pg_triggers(table):
                op.execute(statement)
        op.execute("INSERT INTO budget_marks (id, mark) VALUES (1, md5(random()::text))")
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER budget_marks_on_{table}_{event.lower()} "
                    f"AFTER {event} ON {table} BEGIN {SQLITE_TOUCH} END"
                )
        op.execute(SQLITE_TOUCH.removesuffix(";"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER budget_marks_touch ON {table}")
            op.execute(f"DROP TRIGGER budget_marks_written ON {table}")
        op.execute("DROP FUNCTION budget_marks_touch()")
        op.execute("DROP FUNCTION budget_marks_written()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER budget_marks_on_{table}_{event}")
    op.drop_table("budget_marks")
