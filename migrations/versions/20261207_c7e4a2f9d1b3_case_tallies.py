"""running counts of cases by status and borough (case_tallies), kept by triggers on cases,
so the manager's and the SPOC's home read a few rows instead of counting every case

Revision ID: c7e4a2f9d1b3
Revises: c4d8e2f6a9b1
Create Date: 2026-12-07 02:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7e4a2f9d1b3"
down_revision = "c4d8e2f6a9b1"
branch_labels = None
depends_on = None

# Triggers, not the app, keep the tallies: every write to cases moves them in its own
# transaction, whichever path made it (the web, the CSV import, seeding by COPY, retention,
# a later migration, SQL by hand). Each change is one upsert adding +1 or -1, so the first
# case of a status in a borough makes its row; a row that falls to 0 stays (readers skip
# zeros), so no change ever deletes a row another transaction is about to add to.
# The DDL lives here only, frozen as a migration must be: the tests and every database
# are built by migrating, never by create_all.

SQLITE_ADD = (
    "INSERT INTO case_tallies (status, borough_id, n) VALUES ({status}, {borough}, {delta}) "
    "ON CONFLICT (status, borough_id) DO UPDATE SET n = case_tallies.n + excluded.n;"
)
SQLITE_TRIGGERS = {
    "case_tallies_on_insert": "AFTER INSERT ON cases BEGIN "
    + SQLITE_ADD.format(status="NEW.status", borough="NEW.borough_id", delta=1)
    + " END",
    "case_tallies_on_delete": "AFTER DELETE ON cases BEGIN "
    + SQLITE_ADD.format(status="OLD.status", borough="OLD.borough_id", delta=-1)
    + " END",
    # SQLAlchemy's version bump rewrites status with its own value: only a real move counts.
    "case_tallies_on_move": "AFTER UPDATE OF status, borough_id ON cases "
    "WHEN OLD.status IS NOT NEW.status OR OLD.borough_id IS NOT NEW.borough_id BEGIN "
    + SQLITE_ADD.format(status="OLD.status", borough="OLD.borough_id", delta=-1)
    + " "
    + SQLITE_ADD.format(status="NEW.status", borough="NEW.borough_id", delta=1)
    + " END",
}

# PostgreSQL: an upsert takes the tally row's lock until commit, so a move takes its two rows
# in key order: two cases moving opposite ways at once then wait for each other, never
# deadlock.
PG_FUNCTIONS = (
    """
CREATE FUNCTION case_tallies_add(tally_status varchar, tally_borough integer, delta integer)
RETURNS void AS $$
BEGIN
  INSERT INTO case_tallies (status, borough_id, n) VALUES (tally_status, tally_borough, delta)
  ON CONFLICT (status, borough_id) DO UPDATE SET n = case_tallies.n + excluded.n;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION case_tallies_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM case_tallies_add(NEW.status, NEW.borough_id, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM case_tallies_add(OLD.status, OLD.borough_id, -1);
  ELSIF (OLD.status, OLD.borough_id) < (NEW.status, NEW.borough_id) THEN
    PERFORM case_tallies_add(OLD.status, OLD.borough_id, -1);
    PERFORM case_tallies_add(NEW.status, NEW.borough_id, 1);
  ELSE
    PERFORM case_tallies_add(NEW.status, NEW.borough_id, 1);
    PERFORM case_tallies_add(OLD.status, OLD.borough_id, -1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)
PG_TRIGGERS = (
    "CREATE TRIGGER case_tallies_on_insert_delete AFTER INSERT OR DELETE ON cases "
    "FOR EACH ROW EXECUTE FUNCTION case_tallies_count()",
    "CREATE TRIGGER case_tallies_on_move AFTER UPDATE OF status, borough_id ON cases "
    "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.borough_id IS DISTINCT FROM NEW.borough_id) EXECUTE FUNCTION case_tallies_count()",
)


def upgrade():
    op.create_table(
        "case_tallies",
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("borough_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_id"], ["boroughs.id"], name=op.f("fk_case_tallies_borough_id_boroughs")
        ),
        sa.PrimaryKeyConstraint("status", "borough_id", name=op.f("pk_case_tallies")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The triggers first, then the count, in one transaction: CREATE TRIGGER holds off
        # writes to cases until it commits, so no case is counted twice or missed.
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT INTO case_tallies (status, borough_id, n) "
        "SELECT status, borough_id, count(*) FROM cases GROUP BY status, borough_id"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_tallies_on_move ON cases")
        op.execute("DROP TRIGGER case_tallies_on_insert_delete ON cases")
        op.execute("DROP FUNCTION case_tallies_count()")
        op.execute("DROP FUNCTION case_tallies_add(varchar, integer, integer)")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("case_tallies")
