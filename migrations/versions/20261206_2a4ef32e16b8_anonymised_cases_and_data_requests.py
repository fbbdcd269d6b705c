"""cases anonymised in place (when), and the rectification and erasure requests managers decide

Revision ID: 2a4ef32e16b8
Revises: b3fc2c6ae3d6
Create Date: 2026-12-06 20:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "2a4ef32e16b8"
down_revision = "b3fc2c6ae3d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(
            sa.Column("anonymised_at", eip.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_role", sa.String(length=10), nullable=False),
        sa.Column("asked_by", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("done_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_data_requests_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_data_requests_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_data_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_data_requests_done_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    op.create_index(op.f("ix_data_requests_case_id"), "data_requests", ["case_id"])
    op.create_index(op.f("ix_data_requests_due_on"), "data_requests", ["due_on"])


def downgrade():
    op.drop_index(op.f("ix_data_requests_due_on"), table_name="data_requests")
    op.drop_index(op.f("ix_data_requests_case_id"), table_name="data_requests")
    op.drop_table("data_requests")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("anonymised_at")
