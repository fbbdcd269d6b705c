"""per-record versions: the referral details, consultations, consents, onward referrals and the
scenario plan each carry their own version, so that editing one record never conflicts with a
change to another record of the same case; form_submissions, the one-time token of each
addition form, so that a double-click saves a session, meeting, incident, DASH review or action once

Revision ID: d8e3f5a1c9b2
Revises: b7c41e92d5a0
Create Date: 2026-12-06 02:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "d8e3f5a1c9b2"
down_revision = "b7c41e92d5a0"
branch_labels = None
depends_on = None

VERSIONED = ("consultations", "consents", "onward_referrals", "scenario_plans")


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("referral_version", sa.Integer(), nullable=False, server_default="1")
        )
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_form_submissions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
        sa.UniqueConstraint("token", name=op.f("uq_form_submissions_token")),
    )


def downgrade():
    op.drop_table("form_submissions")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("referral_version")
