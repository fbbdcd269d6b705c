"""keyset paging indexes: the case list, audit trail, notifications and placements read one
page as an index range in their order (key DESC, id DESC), after each equality filter
(eip/paging.py)

Revision ID: f1a2b3c4d5e6
Revises: e5a7c3b9d1f4
Create Date: 2026-12-06 05:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f1a2b3c4d5e6"
down_revision = "e5a7c3b9d1f4"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_cases_received_at_id", "cases", ["received_at", "id"]),
    ("ix_cases_borough_received_at_id", "cases", ["borough_id", "received_at", "id"]),
    (
        "ix_cases_practitioner_received_at_id",
        "cases",
        ["allocated_practitioner_id", "received_at", "id"],
    ),
    ("ix_cases_status_received_at_id", "cases", ["status", "received_at", "id"]),
    ("ix_audit_events_at_id", "audit_events", ["at", "id"]),
    ("ix_audit_events_actor_at_id", "audit_events", ["actor_id", "at", "id"]),
    ("ix_audit_events_case_reference_at_id", "audit_events", ["case_reference", "at", "id"]),
    ("ix_notifications_user_created_at_id", "notifications", ["user_id", "created_at", "id"]),
    ("ix_placements_created_at_id", "placements", ["created_at", "id"]),
    ("ix_placements_borough_created_at_id", "placements", ["borough_id", "created_at", "id"]),
    ("ix_placements_state_created_at_id", "placements", ["state", "created_at", "id"]),
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Built CONCURRENTLY (outside the migration's transaction): on a live audit trail of
        # millions of rows a plain CREATE INDEX would hold up every write while it builds.
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, unique=False, postgresql_concurrently=True)
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
