"""a practitioner's open cases paged by key on a partial index in the caseload's order; the
case list's "overdue only" probes each case's stored due items by (case_id, due_on), which
replaces the index on case_id alone

Revision ID: a7c4e9f2b5d1
Revises: f3b8d2c6a1e9
Create Date: 2026-12-06 14:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c4e9f2b5d1"
down_revision = "f3b8d2c6a1e9"
branch_labels = None
depends_on = None

# Written out, not imported from the app: a migration keeps the condition it was made with.
OPEN_CASE_SQL = "status NOT IN ('closed', 'not_accepted')"
INDEXES = [
    (
        "ix_cases_open_practitioner_received_at_id",
        "cases",
        ["allocated_practitioner_id", "received_at", "id"],
        OPEN_CASE_SQL,
    ),
    ("ix_case_due_items_case_due", "case_due_items", ["case_id", "due_on"], None),
]


def _where(condition):
    if condition is None:
        return {}
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade():
    _create_indexes()
    # (case_id, due_on) serves every lookup by case that (case_id) did.
    op.drop_index("ix_case_due_items_case_id", table_name="case_due_items")


def _create_indexes():
    if op.get_bind().dialect.name == "postgresql":
        # Built CONCURRENTLY (outside the migration's transaction), as the paging indexes
        # (f1a2b3c4d5e6): a plain CREATE INDEX would hold up every write to cases meanwhile.
        with op.get_context().autocommit_block():
            for name, table, columns, condition in INDEXES:
                op.create_index(
                    name,
                    table,
                    columns,
                    unique=False,
                    postgresql_concurrently=True,
                    **_where(condition),
                )
        return
    for name, table, columns, condition in INDEXES:
        op.create_index(name, table, columns, unique=False, **_where(condition))


def downgrade():
    op.create_index("ix_case_due_items_case_id", "case_due_items", ["case_id"], unique=False)
    for name, table, _columns, _condition in reversed(INDEXES):
        op.drop_index(name, table_name=table)
