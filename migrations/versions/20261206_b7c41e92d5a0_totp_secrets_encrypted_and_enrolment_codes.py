"""TOTP keys encrypted at rest; two-factor set-up codes; sessions that may enrol

Existing plaintext TOTP keys of enrolled accounts are encrypted with the key the app uses
(EIP_TOTP_ENCRYPTION_KEY, or the one derived from SECRET_KEY): run this upgrade with the
production settings. Unconfirmed keys (an enrolment page visited but never finished) are
dropped: the next visit makes a new one.

Revision ID: b7c41e92d5a0
Revises: c4d2a9e8f1b6
Create Date: 2026-12-06 01:40:00.000000

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from eip.auth import secretbox

# revision identifiers, used by Alembic.
revision = "b7c41e92d5a0"
down_revision = "c4d2a9e8f1b6"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("totp_secret", sa.String),
    sa.column("totp_enabled_at", sa.DateTime),
)


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=255),
            existing_nullable=True,
        )
    conn = op.get_bind()
    conn.execute(users.update().where(users.c.totp_enabled_at.is_(None)).values(totp_secret=None))
    rows = conn.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    for user_id, secret in rows:
        if not secret.startswith(secretbox.TOKEN_PREFIX):
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(totp_secret=secretbox.encrypt(secret, current_app.config))
            )

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "may_enrol_two_factor", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_account_tokens_purpose_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_account_tokens_purpose_known"),
            "purpose IN ('invite','reset','enrol')",
        )


def downgrade():
    account_tokens = sa.table("account_tokens", sa.column("purpose", sa.String))
    conn = op.get_bind()
    conn.execute(account_tokens.delete().where(account_tokens.c.purpose == "enrol"))
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_account_tokens_purpose_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_account_tokens_purpose_known"), "purpose IN ('invite','reset')"
        )

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_column("may_enrol_two_factor")

    rows = conn.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    for user_id, secret in rows:
        if secret.startswith(secretbox.TOKEN_PREFIX):
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(totp_secret=secretbox.decrypt(secret, current_app.config))
            )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=255),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
