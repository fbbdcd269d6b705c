"""case notes and contact attempts for the client (a note may be sensitive), the partner
support log (contacts and attempted contacts with the partner or their support worker), and
the closure's choice to put the sensitive notes on the closure summary

Revision ID: b3fc2c6ae3d6
Revises: 5e8d1c3b7a92
Create Date: 2026-12-06 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "b3fc2c6ae3d6"
down_revision = "5e8d1c3b7a92"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
    ]


def _record_keys() -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade():
    op.create_table(
        "case_notes",
        *_record_columns(),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("contact", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        *_record_keys(),
    )
    op.create_table(
        "partner_support_contacts",
        *_record_columns(),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("made_by", sa.String(length=120), nullable=False),
        sa.Column("with_whom", sa.String(length=20), nullable=False),
        sa.Column("contact", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("risk_change", sa.String(length=20), nullable=False),
        sa.Column("onward_support", sa.Text(), nullable=True),
        *_record_keys(),
    )
    for table in ("case_notes", "partner_support_contacts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "closure_sensitive_notes", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("closure_sensitive_notes")
    for table in ("partner_support_contacts", "case_notes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_case_id"))
        op.drop_table(table)
