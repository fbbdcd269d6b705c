"""the header's unread count as an index range: (user_id, read_at, closed_at), so every
signed-in page reads at most the count's cap of a user's unread notifications, not every
notification of theirs

Revision ID: e8b3f1a6c2d4
Revises: e8b3f1a6c2d9
Create Date: 2026-12-07 05:20:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e8b3f1a6c2d4"
down_revision = "e8b3f1a6c2d9"
branch_labels = None
depends_on = None

NAME = "ix_notifications_user_read_at_closed_at"
# Written out, not imported from the app: a migration keeps the columns it was made with.
COLUMNS = ["user_id", "read_at", "closed_at"]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # CONCURRENTLY (outside the migration's transaction), as the paging indexes
        # (f1a2b3c4d5e6): a plain CREATE INDEX would hold up every write to notifications.
        with op.get_context().autocommit_block():
            op.create_index(NAME, "notifications", COLUMNS, postgresql_concurrently=True)
        return
    op.create_index(NAME, "notifications", COLUMNS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name="notifications", postgresql_concurrently=True)
        return
    op.drop_index(NAME, table_name="notifications")
