"""the retention schedule's settings, legal holds on cases, the record of cases anonymised
after review, and the one way old audit events may be deleted (the retention purge)

Revision ID: 4db304b3164a
Revises: 03b1cdde8ac4
Create Date: 2026-12-06 20:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "4db304b3164a"
down_revision = "03b1cdde8ac4"
branch_labels = None
depends_on = None

SETTINGS = (
    ("retain_case_years", "6"),
    ("retain_child_extra_years", "7"),
    ("retain_audit_years", "6"),
    ("retain_notifications_days", "90"),
    ("retain_sessions_days", "1"),
    ("retain_unreleased_extracts_days", "30"),
)

APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  {allow}
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql
"""
# The retention purge writes its cut-off into audit_purges in the same transaction as the
# delete: only events older than it may go, and nothing else can delete any.
ALLOW_PURGE_PG = (
    "IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_purges p WHERE OLD.at < p.before) "
    "THEN RETURN OLD; END IF;"
)
NO_DELETE_SQLITE = (
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events {when}"
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)
WHEN_NOT_PURGED_SQLITE = "WHEN NOT EXISTS (SELECT 1 FROM audit_purges p WHERE OLD.at < p.before) "


def upgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        for name, default in SETTINGS:
            batch_op.add_column(
                sa.Column(name, sa.Integer(), server_default=default, nullable=False)
            )
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("placed_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removal_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["placed_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["removed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "retention_disposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("anonymised_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_table(
        "audit_purges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("before", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retention_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_holds_case_id"), ["case_id"])
    # The due list's range: closed cases by closure time.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_closed_at_id", ["closed_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG.format(allow=ALLOW_PURGE_PG))
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute(NO_DELETE_SQLITE.format(when=WHEN_NOT_PURGED_SQLITE))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG.format(allow=""))
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute(NO_DELETE_SQLITE.format(when=""))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_closed_at_id")
    with op.batch_alter_table("retention_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_holds_case_id"))
    op.drop_table("audit_purges")
    op.drop_table("retention_disposals")
    op.drop_table("retention_holds")
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        for name, _default in reversed(SETTINGS):
            batch_op.drop_column(name)
