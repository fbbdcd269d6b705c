"""the letterhead and contact details every document prints: the organisation's name,
phone, e-mail and postal address, as programme settings (fictional until a manager enters
the real ones, and marked so)

Revision ID: b3c9e1d7f2a4
Revises: b7d2e4f6a8c1
Create Date: 2026-12-06 22:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3c9e1d7f2a4"
down_revision = "b7d2e4f6a8c1"
branch_labels = None
depends_on = None

# The model's defaults as they were when this ran (eip.admin.models.DEMO_*).
COLUMNS = (
    ("letterhead_organisation", 120, "Cranstoun — Early Intervention Project (demo)"),
    ("contact_phone", 40, "020 7946 0000"),
    ("contact_email", 254, "eip@example.org"),
    ("contact_address", 300, "Example House, 1 Example Street, London N1 0AA"),
)


def upgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        for name, length, default in COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length), server_default=default, nullable=False)
            )


def downgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        for name, _length, _default in reversed(COLUMNS):
            batch_op.drop_column(name)
