"""the money's mark (budget_marks) changed by every write to invoices and payments too, so the
finance home can keep its unpaid invoices between requests as it keeps the pot's figures

Revision ID: b5f2c8e1d4a7
Revises: 693d18eb8c0f
Create Date: 2026-12-07 16:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b5f2c8e1d4a7"
down_revision = "693d18eb8c0f"
branch_labels = None
depends_on = None

# The app writes a ledger entry beside every invoice and payment (and their reversals), so
# the mark already moved with them; the triggers make that hold for any write (retention, a
# later migration, SQL by hand), as e8b4d1f6a2c9 does for the ledger's own tables. Its
# functions are reused; the statements are written out, as a migration keeps what it was
# made with.
TABLES = ("invoices", "payments")

SQLITE_TOUCH = (
    "INSERT INTO budget_marks (id, mark) VALUES (1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET mark = excluded.mark;"
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(
                f"CREATE TRIGGER budget_marks_written AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION budget_marks_written()"
            )
            op.execute(
                "CREATE CONSTRAINT TRIGGER budget_marks_touch AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION budget_marks_touch()"
            )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER budget_marks_on_{table}_{event.lower()} "
                f"AFTER {event} ON {table} BEGIN {SQLITE_TOUCH} END"
            )


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER budget_marks_touch ON {table}")
            op.execute(f"DROP TRIGGER budget_marks_written ON {table}")
            continue
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER budget_marks_on_{table}_{event}")
