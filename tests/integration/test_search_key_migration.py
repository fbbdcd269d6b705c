"""The migration that adds persons.search_key fills it for the names already stored, with the
same folding the app applies when a name is written."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from eip.extensions import db

BEFORE = "d8e3f5a1c9b2"


def test_existing_names_are_backfilled_folded(app_context):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO persons (full_name, name_key, gender, ethnicity, disability,"
                    " interpreter_needed, created_at)"
                    " VALUES (:name, :key, 'not_known', 'not_known', 'not_known', 'not_known', :at)"
                ),
                # A plain timestamp text, as both engines read it (no driver adapter needed).
                {
                    "name": "José Ilić-Ørsted",
                    "key": "josé ilić-ørsted",
                    "at": "2026-01-01 00:00:00",
                },
            )
    finally:
        upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT search_key FROM persons")).scalar_one() == (
            "jose ilic orsted"
        )
