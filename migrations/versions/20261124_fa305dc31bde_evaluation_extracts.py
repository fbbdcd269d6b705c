"""evaluation extracts: one row per extract prepared (its state, counts, the recorded
generalisation, the file's SHA-256), and the evaluation's k in the programme settings

Revision ID: fa305dc31bde
Revises: 832a5d17cb2c
Create Date: 2026-11-24 07:26:38.938083

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "fa305dc31bde"
down_revision = "832a5d17cb2c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evaluation_extracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("case_count", sa.Integer(), nullable=False),
        sa.Column("referred_count", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("suppressed_count", sa.Integer(), nullable=False),
        sa.Column("smallest_group", sa.Integer(), nullable=False),
        sa.Column("generalisation", sa.JSON(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("key_check", sa.String(length=12), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("prepared_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("prepared_by_label", sa.String(length=40), nullable=True),
        sa.Column("release_number", sa.Integer(), nullable=True),
        sa.Column("released_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", eip.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('prepared', 'released', 'withdrawn')",
            name=op.f("ck_evaluation_extracts_state_known"),
        ),
        sa.CheckConstraint(
            "period_end >= period_start", name=op.f("ck_evaluation_extracts_period_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["evaluation_extracts.id"],
            name=op.f("fk_evaluation_extracts_based_on_id_evaluation_extracts"),
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"],
            ["users.id"],
            name=op.f("fk_evaluation_extracts_prepared_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"],
            ["users.id"],
            name=op.f("fk_evaluation_extracts_released_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["users.id"],
            name=op.f("fk_evaluation_extracts_withdrawn_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_extracts")),
        sa.UniqueConstraint("release_number", name=op.f("uq_evaluation_extracts_release_number")),
    )
    with op.batch_alter_table("evaluation_extracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_extracts_state"), ["state"], unique=False)

    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evaluation_k", sa.Integer(), server_default="5", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        batch_op.drop_column("evaluation_k")

    with op.batch_alter_table("evaluation_extracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_extracts_state"))

    op.drop_table("evaluation_extracts")
