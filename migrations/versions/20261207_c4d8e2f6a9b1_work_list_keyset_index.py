"""the practitioner's work list paged by key: an index in its very order (due date, urgent
first, newer case, position), which replaces the one on (practitioner, due date, soon from)
and still serves the work list's counts from the index alone

Revision ID: c4d8e2f6a9b1
Revises: c7d2e9a4b1f6
Create Date: 2026-12-07 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d8e2f6a9b1"
down_revision = "c7d2e9a4b1f6"
branch_labels = None
depends_on = None

NEW = "ix_case_due_items_practitioner_work"
OLD = "ix_case_due_items_practitioner_due"
# Written out, not imported from the app: a migration keeps the columns it was made with.
NEW_COLUMNS = [
    "practitioner_id",
    "due_on",
    sa.text("urgent DESC"),
    sa.text("case_id DESC"),
    "position",
    "soon_from",
]
OLD_COLUMNS = ["practitioner_id", "due_on", "soon_from"]


def _swap(create, create_columns, drop):
    if op.get_bind().dialect.name == "postgresql":
        # CONCURRENTLY (outside the migration's transaction), as the paging indexes
        # (f1a2b3c4d5e6): a plain CREATE INDEX would hold up every write meanwhile.
        with op.get_context().autocommit_block():
            op.create_index(create, "case_due_items", create_columns, postgresql_concurrently=True)
            op.drop_index(drop, table_name="case_due_items", postgresql_concurrently=True)
        return
    op.create_index(create, "case_due_items", create_columns)
    op.drop_index(drop, table_name="case_due_items")


def upgrade():
    _swap(NEW, NEW_COLUMNS, OLD)


def downgrade():
    _swap(OLD, OLD_COLUMNS, NEW)
