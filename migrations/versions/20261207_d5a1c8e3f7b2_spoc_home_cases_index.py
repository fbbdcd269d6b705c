"""the SPOC home's newest cases of the borough as an index range: (borough_id, created_at, id),
so the page no longer sorts every case of the borough on each request

Revision ID: d5a1c8e3f7b2
Revises: c7e4a2f9d1b3
Create Date: 2026-12-07 03:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d5a1c8e3f7b2"
down_revision = "c7e4a2f9d1b3"
branch_labels = None
depends_on = None

NAME = "ix_cases_borough_created_at_id"
# Written out, not imported from the app: a migration keeps the columns it was made with.
COLUMNS = ["borough_id", "created_at", "id"]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # CONCURRENTLY (outside the migration's transaction), as the paging indexes
        # (f1a2b3c4d5e6): a plain CREATE INDEX would hold up every write to cases meanwhile.
        with op.get_context().autocommit_block():
            op.create_index(NAME, "cases", COLUMNS, postgresql_concurrently=True)
        return
    op.create_index(NAME, "cases", COLUMNS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name="cases", postgresql_concurrently=True)
        return
    op.drop_index(NAME, table_name="cases")
