"""notifications: reminders in the app and by e-mail, and each user's e-mail preference

Revision ID: 832a5d17cb2c
Revises: 3a458b2fc353
Create Date: 2026-11-24 06:47:36.974947

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "832a5d17cb2c"
down_revision = "3a458b2fc353"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_reference", sa.String(length=20), nullable=True),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=10), nullable=True),
        sa.Column("email_status", sa.String(length=10), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_attempted_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_sent_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_error", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_notifications_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_notifications_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placements.id"],
            name=op.f("fk_notifications_placement_id_placements"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe_key"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_email_status"), ["email_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notification_email",
                sa.String(length=10),
                server_default="immediate",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notification_email")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_user_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_email_status"))
        batch_op.drop_index(batch_op.f("ix_notifications_case_id"))

    op.drop_table("notifications")
