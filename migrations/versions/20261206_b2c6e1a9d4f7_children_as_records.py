"""children as records: one row per child (age or age band, who they live with, their
children's-services status, whether a school or nursery is known)

The table only; turning each case's count and free-text ages into rows is the next
migration's work.

Revision ID: b2c6e1a9d4f7
Revises: a7c4e9d2b6f1
Create Date: 2026-12-06 19:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "b2c6e1a9d4f7"
down_revision = "a7c4e9d2b6f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("lives_with", sa.String(length=30), nullable=False),
        sa.Column("childrens_services_status", sa.String(length=30), nullable=False),
        sa.Column("school_known", sa.String(length=20), nullable=False),
        sa.Column("needs_review", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_children_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_case_id"))
    op.drop_table("children")
