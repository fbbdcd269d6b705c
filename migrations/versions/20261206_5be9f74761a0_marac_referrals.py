"""marac referrals: the referral prepared from a DASH review (what the practitioner
completed, the partner it was for) and the date it was sent

Revision ID: 5be9f74761a0
Revises: c9d4e2f7a3b8
Create Date: 2026-12-06 19:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "5be9f74761a0"
down_revision = "c9d4e2f7a3b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "marac_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", eip.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("dash_review_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("agencies_involved", sa.Text(), nullable=False),
        sa.Column("safe_contact", sa.Text(), nullable=True),
        sa.Column("partner_aware", sa.String(length=20), nullable=False),
        sa.Column("referrer_phone", sa.String(length=40), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["dash_review_id"], ["dash_reviews.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("marac_referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marac_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_marac_referrals_partner_id"), ["partner_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("marac_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marac_referrals_partner_id"))
        batch_op.drop_index(batch_op.f("ix_marac_referrals_case_id"))
    op.drop_table("marac_referrals")
