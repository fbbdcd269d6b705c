"""The migration that adds persons.sexual_orientation and persons.age_band: everyone keeps
"not known" for sexual orientation (nobody was asked), and a known date of birth gives the
band the person was in on the day of their latest referral (the app's own rule)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from eip.cases.models import Person
from eip.extensions import db
from tests import factories

BEFORE = "b2c6e1a9d4f7"


def test_existing_people_keep_not_known_and_a_known_birth_date_gives_the_band(app_context):
    older = factories.case()
    older.received_at = datetime(2020, 6, 1, 9, 0, tzinfo=UTC)
    older.client = Person(
        full_name="Ash Client", name_key="ash client", date_of_birth=date(2001, 6, 1)
    )
    older.partner = Person(full_name="Ivy Partner", name_key="ivy partner")
    later = factories.case()
    # 25 on this very day: the latest referral decides, and a birthday counts on the day.
    later.received_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    later.client = older.client
    db.session.commit()
    client_id, partner_id = older.client.id, older.partner.id
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        with db.engine.connect() as conn:
            columns = conn.execute(text("SELECT * FROM persons")).keys()
            assert "age_band" not in columns and "sexual_orientation" not in columns
    finally:
        upgrade()
    with db.engine.connect() as conn:
        rows = dict(
            (person_id, (band, orientation))
            for person_id, band, orientation in conn.execute(
                text("SELECT id, age_band, sexual_orientation FROM persons")
            )
        )
    assert rows[client_id] == ("25_34", "not_known")
    assert rows[partner_id] == ("not_known", "not_known")
