"""two risk thresholds: high risk (an IDVA referral) and MARAC, escalation settings,
the thresholds each DASH review was made under, and the reason for closing a case at
high risk

Existing reviews were assessed under the old rule: one threshold, the programme's
`marac_threshold_yes`, set off both the IDVA and the MARAC referral, and so did a
judgement of high risk and 3 or more police call-outs in 12 months. So that no old
review's level changes, each gets that rule as its stored thresholds: both thresholds
are the programme's MARAC threshold as it stands at migration (14 unless a manager
changed it; the value it had on the review's own day was never stored, and the setting
in force now is the best record of it), escalation is 3 police call-outs in 12 months
counted from its stored call-outs, a judgement of high risk becomes "marac" (it set off
both referrals), and it meets MARAC exactly when it was high.

New settings take the defaults of the new rule: high risk from 10 "yes" answers, and
escalation at 3 police call-outs in 12 months.

Revision ID: a7c4e9d2b6f1
Revises: a7c4e9f2b5d1
Create Date: 2026-12-06 14:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c4e9d2b6f1"
down_revision = "a7c4e9f2b5d1"
branch_labels = None
depends_on = None

REVIEW_COLUMNS = (
    ("professional_judgement", sa.String(length=10), "none"),
    ("escalation_incidents", sa.Integer(), "0"),
    ("marac", sa.Boolean(), sa.false()),
    ("high_risk_threshold", sa.Integer(), "14"),
    ("marac_threshold", sa.Integer(), "14"),
    ("escalation_min_incidents", sa.Integer(), "3"),
    ("escalation_months", sa.Integer(), "12"),
    ("escalation_kinds", sa.String(length=200), "police_callout"),
)
SETTING_COLUMNS = (
    ("high_risk_threshold_yes", sa.Integer(), "10"),
    ("escalation_min_incidents", sa.Integer(), "3"),
    ("escalation_months", sa.Integer(), "12"),
    ("escalation_kinds", sa.String(length=200), "police_callout"),
)


def upgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        for name, kind, default in SETTING_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))
    with op.batch_alter_table("dash_reviews", schema=None) as batch_op:
        for name, kind, default in REVIEW_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closure_risk_reason", sa.Text(), nullable=True))

    op.execute(
        "UPDATE dash_reviews SET "
        "high_risk_threshold = COALESCE("
        "(SELECT marac_threshold_yes FROM programme_settings WHERE id = 1), 14), "
        "marac_threshold = COALESCE("
        "(SELECT marac_threshold_yes FROM programme_settings WHERE id = 1), 14), "
        "escalation_incidents = police_callouts_12_months, "
        "marac = (risk_level = 'high'), "
        "professional_judgement = CASE WHEN professional_judgement_high "
        "THEN 'marac' ELSE 'none' END"
    )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("closure_risk_reason")
    with op.batch_alter_table("dash_reviews", schema=None) as batch_op:
        for name, _kind, _default in reversed(REVIEW_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        for name, _kind, _default in reversed(SETTING_COLUMNS):
            batch_op.drop_column(name)
