"""each reviewed case's first and latest DASH review (case_dash_levels), kept by triggers on
dash_reviews, so the dashboard's DASH levels and its two risk queues read one row per case
instead of ranking every review at each request

Revision ID: 3159b750bcf3
Revises: f4a9c2e7b1d3
Create Date: 2026-12-07 13:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3159b750bcf3"
down_revision = "f4a9c2e7b1d3"
branch_labels = None
depends_on = None

# Triggers, not the app, keep the rows (as case_tallies, c7e4a2f9d1b3): any write to
# dash_reviews (the web, seeding by COPY, retention, SQL by hand) rewrites its case's row in
# the same transaction, read back from the case's few reviews in the order the dashboard
# ranks them, (completed_on, id), by the index (case_id, completed_on, id, ...) of
# c7d2e9a4b1f6. No foreign key to the latest review: PostgreSQL checks a deleted review's
# references before this table's trigger has moved on from it. The DDL lives here only,
# frozen as a migration must be.

REFRESH = (
    "DELETE FROM case_dash_levels WHERE case_id = {case}; "
    "INSERT INTO case_dash_levels (case_id, intake_level, latest_level, latest_marac, "
    "latest_review_id, latest_completed_on) "
    "SELECT latest.case_id, "
    "(SELECT earliest.risk_level FROM dash_reviews AS earliest "
    "WHERE earliest.case_id = latest.case_id "
    "ORDER BY earliest.completed_on, earliest.id LIMIT 1), "
    "latest.risk_level, latest.marac, latest.id, latest.completed_on "
    "FROM dash_reviews AS latest WHERE latest.case_id = {case} "
    "ORDER BY latest.completed_on DESC, latest.id DESC LIMIT 1;"
)
SQLITE_TRIGGERS = {
    "case_dash_levels_on_insert": "AFTER INSERT ON dash_reviews BEGIN "
    + REFRESH.format(case="NEW.case_id")
    + " END",
    "case_dash_levels_on_delete": "AFTER DELETE ON dash_reviews BEGIN "
    + REFRESH.format(case="OLD.case_id")
    + " END",
    "case_dash_levels_on_update": "AFTER UPDATE OF case_id, completed_on, risk_level, marac "
    "ON dash_reviews BEGIN "
    + REFRESH.format(case="OLD.case_id")
    + " "
    + REFRESH.format(case="NEW.case_id")
    + " END",
}

# PostgreSQL: the case's row is locked first (FOR NO KEY UPDATE: a foreign key's check still
# passes), so two transactions adding reviews to one case take turns, and the second reads
# the first's review when it rewrites the row (each statement of a function reads afresh).
PG_FUNCTIONS = (
    """
CREATE FUNCTION case_dash_levels_refresh(refresh_case integer) RETURNS void AS $$
BEGIN
  PERFORM 1 FROM cases WHERE id = refresh_case FOR NO KEY UPDATE;
  """
    + REFRESH.format(case="refresh_case")
    + """
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION case_dash_levels_on_review() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM case_dash_levels_refresh(OLD.case_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id <> OLD.case_id) THEN
    PERFORM case_dash_levels_refresh(NEW.case_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)
PG_TRIGGERS = (
    "CREATE TRIGGER case_dash_levels_on_insert_delete AFTER INSERT OR DELETE ON dash_reviews "
    "FOR EACH ROW EXECUTE FUNCTION case_dash_levels_on_review()",
    "CREATE TRIGGER case_dash_levels_on_update "
    "AFTER UPDATE OF case_id, completed_on, risk_level, marac ON dash_reviews "
    "FOR EACH ROW EXECUTE FUNCTION case_dash_levels_on_review()",
)

# Every case's at once: the first level by one window, the latest review by another.
BACKFILL = """
INSERT INTO case_dash_levels (case_id, intake_level, latest_level, latest_marac,
                              latest_review_id, latest_completed_on)
SELECT case_id, intake, risk_level, marac, id, completed_on FROM (
  SELECT case_id, id, completed_on, risk_level, marac,
         first_value(risk_level) OVER (PARTITION BY case_id ORDER BY completed_on, id) AS intake,
         row_number() OVER (PARTITION BY case_id ORDER BY completed_on DESC, id DESC) AS i
  FROM dash_reviews
) AS ranked
WHERE i = 1
"""


def upgrade():
    op.create_table(
        "case_dash_levels",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("intake_level", sa.String(length=20), nullable=False),
        sa.Column("latest_level", sa.String(length=20), nullable=False),
        sa.Column("latest_marac", sa.Boolean(), nullable=False),
        sa.Column("latest_review_id", sa.Integer(), nullable=False),
        sa.Column("latest_completed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_dash_levels_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_dash_levels")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The triggers first, then the rows, in one transaction: CREATE TRIGGER holds off
        # writes to dash_reviews until it commits, so no review is missed.
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(BACKFILL)
    # The levels counted by (now, at intake) from the index alone, and the high-risk cases a
    # range; the cases whose latest review met MARAC another.
    op.create_index(
        "ix_case_dash_levels_latest_intake",
        "case_dash_levels",
        ["latest_level", "intake_level", "case_id"],
    )
    op.create_index(
        "ix_case_dash_levels_latest_marac", "case_dash_levels", ["latest_marac", "case_id"]
    )


def downgrade():
    op.drop_index("ix_case_dash_levels_latest_marac", table_name="case_dash_levels")
    op.drop_index("ix_case_dash_levels_latest_intake", table_name="case_dash_levels")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_dash_levels_on_update ON dash_reviews")
        op.execute("DROP TRIGGER case_dash_levels_on_insert_delete ON dash_reviews")
        op.execute("DROP FUNCTION case_dash_levels_on_review()")
        op.execute("DROP FUNCTION case_dash_levels_refresh(integer)")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("case_dash_levels")
