"""outcome measures: one measurement per case per point (intake, mid-point, exit, 3 and 6
months after closure), and the programme setting for the mid-point's week

Revision ID: b7d2e4f6a8c1
Revises: a750702c7e6e
Create Date: 2026-12-06 22:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "b7d2e4f6a8c1"
down_revision = "a750702c7e6e"
branch_labels = None
depends_on = None

BEHAVIOURS = (
    "physical",
    "sexual",
    "coercive",
    "emotional",
    "economic",
    "stalking",
    "technology",
    "children",
)


def upgrade():
    op.create_table(
        "outcome_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("point", sa.String(length=12), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        *(sa.Column(f"client_{name}", sa.Integer(), nullable=True) for name in BEHAVIOURS),
        sa.Column("partner_source", sa.String(length=20), nullable=False),
        sa.Column("partner_feels_safe", sa.Integer(), nullable=True),
        sa.Column("partner_abuse_frequency", sa.Integer(), nullable=True),
        sa.Column("partner_quality_of_life", sa.Integer(), nullable=True),
        sa.Column("children_exposure", sa.String(length=20), nullable=False),
        sa.Column("updated_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_outcome_measures_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_outcome_measures_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_measures")),
        sa.UniqueConstraint("case_id", "point", name=op.f("uq_outcome_measures_case_id")),
    )
    with op.batch_alter_table("outcome_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_measures_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outcome_mid_point_weeks", sa.Integer(), server_default="4", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        batch_op.drop_column("outcome_mid_point_weeks")
    op.drop_table("outcome_measures")
