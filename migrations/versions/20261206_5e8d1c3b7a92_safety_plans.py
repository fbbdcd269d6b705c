"""safety plans: one per person at risk (the partner, or a child), with who does what by
when, and each review of a plan at a professionals meeting

Revision ID: 5e8d1c3b7a92
Revises: a7dde49dcbf1
Create Date: 2026-12-06 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "5e8d1c3b7a92"
down_revision = "a7dde49dcbf1"
branch_labels = None
depends_on = None


def _record_columns():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
    ]


def upgrade():
    op.create_table(
        "safety_plans",
        *_record_columns(),
        sa.Column("person", sa.String(length=10), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("protective_steps", sa.Text(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("agencies", sa.Text(), nullable=True),
        sa.Column("safe_contact", sa.Text(), nullable=True),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("last_reviewed_meeting_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"]),
        sa.ForeignKeyConstraint(["last_reviewed_meeting_id"], ["professionals_meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safety_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_plans_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_safety_plans_child_id"), ["child_id"], unique=False)
    op.create_table(
        "safety_plan_reviews",
        *_record_columns(),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["safety_plans.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["professionals_meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safety_plan_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safety_plan_reviews_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safety_plan_reviews_plan_id"), ["plan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safety_plan_reviews_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    op.drop_table("safety_plan_reviews")
    op.drop_table("safety_plans")
