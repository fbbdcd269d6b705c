"""The pages `make bench` times open on `seed-synthetic`'s data, for every role it signs in as."""

from __future__ import annotations

from sqlalchemy import select

from eip.cases.models import Case, Person
from eip.demo.synthetic import SYNTHETIC_PASSWORD, seed_synthetic
from eip.extensions import db
from tests.conftest import sign_in


def test_the_pages_open_on_synthetic_data_and_new_rows_follow_it(app, app_context):
    seed_synthetic(db.session, 60, placements=40)
    reference = db.session.scalar(
        select(Case.reference).where(Case.allocated_practitioner_id.is_not(None)).limit(1)
    )
    db.session.remove()
    pages = {
        "synthetic.practitioner1.0": ["/", "/cases/"],
        "synthetic.spoc1.camden": ["/"],
        "synthetic.manager1": ["/", "/cases/", f"/cases/{reference}"],
        "synthetic.finance1": ["/", "/budget"],
    }
    for local, urls in pages.items():
        client = app.test_client()
        assert sign_in(client, f"{local}@example.org", SYNTHETIC_PASSWORD).status_code == 302
        for url in urls:
            assert client.get(url).status_code == 200, (local, url)
    # The sequences were moved past the chosen ids (PostgreSQL): the app's own inserts work.
    db.session.add(Person(full_name="After Seeding", name_key="after seeding"))
    db.session.commit()
