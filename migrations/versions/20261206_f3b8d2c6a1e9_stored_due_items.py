"""what is due on each open case, stored (case_due_items) so the home pages ask SQL for
what is overdue or due soon with a limit; backfilled from the deadline rules; a
practitioner's open cases counted from an index

Revision ID: f3b8d2c6a1e9
Revises: f1a2b3c4d5e6
Create Date: 2026-12-06 05:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3b8d2c6a1e9"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_due_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("soon_from", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_due_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_case_due_items_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_due_items")),
    )
    with op.batch_alter_table("case_due_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_due_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_due_items_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            "ix_case_due_items_practitioner_due",
            ["practitioner_id", "due_on", "soon_from"],
            unique=False,
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_practitioner_status", ["allocated_practitioner_id", "status"], unique=False
        )
    _backfill()


def _backfill():
    """Every existing case's items, by the same function the app keeps them with (run under
    `flask db upgrade`, so the app and its features' hooks are loaded). An empty database
    (a new install, the tests) has nothing to write."""
    from sqlalchemy.orm import Session

    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM cases LIMIT 1")).first():
        return
    from eip.cases.due_store import refresh_all

    session = Session(bind=bind)
    refresh_all(session)
    session.commit()


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_practitioner_status")
    with op.batch_alter_table("case_due_items", schema=None) as batch_op:
        batch_op.drop_index("ix_case_due_items_practitioner_due")
        batch_op.drop_index(batch_op.f("ix_case_due_items_due_on"))
        batch_op.drop_index(batch_op.f("ix_case_due_items_case_id"))
    op.drop_table("case_due_items")
