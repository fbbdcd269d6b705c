"""monthly report indexes: the report's figures are index ranges of the month (referrals,
consultations, meetings, DASH reviews) and counts from covering indexes, never every case's row
(eip/reports/monthly.py)

Revision ID: c7d2e9a4b1f6
Revises: b3c9e1d7f2a4
Create Date: 2026-12-07 03:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c7d2e9a4b1f6"
down_revision = "b3c9e1d7f2a4"
branch_labels = None
depends_on = None

INDEXES = [
    (
        "ix_cases_received_at_borough_closed_acknowledged",
        "cases",
        ["received_at", "borough_id", "closed_at", "acknowledged_at"],
    ),
    ("ix_cases_intervention_closed_at_id", "cases", ["intervention_started_on", "closed_at", "id"]),
    (
        "ix_consultations_held_on_case_id_outcome",
        "consultations",
        ["held_on", "case_id", "outcome"],
    ),
    ("ix_consultations_case_id_held_on", "consultations", ["case_id", "held_on"]),
    ("ix_professionals_meetings_held_on", "professionals_meetings", ["held_on"]),
    ("ix_professionals_meetings_case_id_held_on", "professionals_meetings", ["case_id", "held_on"]),
    ("ix_dash_reviews_completed_on", "dash_reviews", ["completed_on"]),
    (
        "ix_dash_reviews_case_latest_marac",
        "dash_reviews",
        ["case_id", "completed_on", "id", "marac", "score", "marac_threshold"],
    ),
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Built CONCURRENTLY (outside the migration's transaction), so that a live database's
        # writes are not held up while they build.
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, unique=False, postgresql_concurrently=True)
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
