"""approval requests may ask to enable a disabled account (a personal-data or evaluator
role): the kind check admits 'enable'

Revision ID: b7c1e0a4d2f3
Revises: fa305dc31bde
Create Date: 2026-12-06 01:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c1e0a4d2f3"
down_revision = "fa305dc31bde"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_approval_requests_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_approval_requests_kind_known"), "kind IN ('role','email','enable')"
        )


def downgrade():
    # Requests of the new kind cannot be kept under the old check (their audit events stay).
    op.execute("DELETE FROM approval_requests WHERE kind = 'enable'")
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_approval_requests_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_approval_requests_kind_known"), "kind IN ('role','email')"
        )
