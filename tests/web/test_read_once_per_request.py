"""What a request reads once and keeps (issue 16, item 4) is kept for that request only: the
next request, by the same person or another, sees what changed in between."""

from __future__ import annotations

import pytest

from eip.admin.models import ProgrammeSettings
from eip.extensions import db
from tests.web.test_admin_pages import html_of, post_settings


def _set_pot(pence: int) -> None:
    db.session.get(ProgrammeSettings, 1).pot_pence = pence
    db.session.commit()


def test_a_settings_change_shows_on_the_next_request_of_every_user(signed_in):
    manager_client, _manager = signed_in("manager")
    other_client, _other = signed_in("manager")
    assert "£14,000.00" in html_of(manager_client.get("/admin/settings"))
    _set_pot(1_500_000)
    assert "£15,000.00" in html_of(manager_client.get("/admin/settings"))
    assert "£15,000.00" in html_of(other_client.get("/admin/settings"))
    _set_pot(1_600_000)
    assert "£16,000.00" in html_of(manager_client.get("/admin/settings"))


@pytest.mark.usefixtures("programme_as_migrated")
def test_a_change_saved_in_a_request_shows_on_the_page_it_leads_to(signed_in):
    client, _manager = signed_in("manager")
    assert "£14,000.00" in html_of(client.get("/admin/settings"))
    response = post_settings(client, pot_pence="15,000.50")
    assert response.status_code == 302
    assert "£15,000.50" in html_of(client.get(response.headers["Location"]))
