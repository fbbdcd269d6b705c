"""the SPOC home's waiting decisions as index ranges: the borough's requested placements by
(borough_id, state, created_at, id), and the extensions waiting by (state, placement_id), so
the page no longer reads every placement of the borough to find the waiting ones

Revision ID: f4a9c2e7b1d3
Revises: e8b4d1f6a2c9
Create Date: 2026-12-07 05:15:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f4a9c2e7b1d3"
down_revision = "e8b4d1f6a2c9"
branch_labels = None
depends_on = None

# Written out, not imported from the app: a migration keeps the columns it was made with.
INDEXES = [
    (
        "ix_placements_borough_state_created_at_id",
        "placements",
        ["borough_id", "state", "created_at", "id"],
    ),
    (
        "ix_placement_extensions_state_placement_id",
        "placement_extensions",
        ["state", "placement_id"],
    ),
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # CONCURRENTLY (outside the migration's transaction), as the paging indexes
        # (f1a2b3c4d5e6): a plain CREATE INDEX would hold up every write meanwhile.
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, postgresql_concurrently=True)
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, _columns in INDEXES:
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
        return
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
