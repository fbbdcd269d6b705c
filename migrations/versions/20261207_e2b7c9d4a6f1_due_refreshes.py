"""due_refreshes: a rewrite of every case's stored due items in batches, by the scheduler,
after a change to the deadline settings or the non-working days at a scale one request
should not hold

Revision ID: e2b7c9d4a6f1
Revises: d5a1c8e3f7b2
Create Date: 2026-12-07 05:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

from eip.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "e2b7c9d4a6f1"
down_revision = "d5a1c8e3f7b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "due_refreshes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("after_case_id", sa.Integer(), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_refreshes")),
    )


def downgrade():
    op.drop_table("due_refreshes")
