"""the dashboard's outcome follow-ups due as index ranges: case_due_items by (kind, due_on,
case_id), so counting the cases with a follow-up due reads those items only, not every item
due by today

Revision ID: c7d1e4a9f2b6
Revises: b5f2c8e1d4a7
Create Date: 2026-12-07 19:45:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c7d1e4a9f2b6"
down_revision = "b5f2c8e1d4a7"
branch_labels = None
depends_on = None

NAME, TABLE, COLUMNS = (
    "ix_case_due_items_kind_due_case",
    "case_due_items",
    ["kind", "due_on", "case_id"],
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # CONCURRENTLY, outside the migration's transaction, as f4a9c2e7b1d3: a plain CREATE
        # INDEX would hold up every write to the due items (every write to a case) meanwhile.
        with op.get_context().autocommit_block():
            op.create_index(NAME, TABLE, COLUMNS, postgresql_concurrently=True)
        return
    op.create_index(NAME, TABLE, COLUMNS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name=TABLE, postgresql_concurrently=True)
        return
    op.drop_index(NAME, table_name=TABLE)
