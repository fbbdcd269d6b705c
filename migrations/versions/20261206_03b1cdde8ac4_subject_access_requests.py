"""subject access requests (UK GDPR Art. 15): the person, who asked, when it was received,
its statutory due date and its completion

Revision ID: 03b1cdde8ac4
Revises: 2a4ef32e16b8
Create Date: 2026-12-06 20:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "03b1cdde8ac4"
down_revision = "2a4ef32e16b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "subject_access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["completed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("subject_access_requests") as batch_op:
        batch_op.create_index("ix_subject_access_requests_person_id", ["person_id"])
        batch_op.create_index("ix_subject_access_requests_case_id", ["case_id"])
        batch_op.create_index("ix_subject_access_requests_due_on", ["due_on"])
        batch_op.create_index("ix_subject_access_requests_status", ["status"])


def downgrade():
    op.drop_table("subject_access_requests")
