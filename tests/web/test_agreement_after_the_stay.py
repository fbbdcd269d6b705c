"""A signed accommodation agreement stays printable from the placement page after the stay
has ended (issue 20: "cannot be reprinted after the stay"); one never signed does not."""

from __future__ import annotations

from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa

LINK = "Download the accommodation agreement (PDF)"


def test_an_ended_stay_offers_its_signed_agreement_and_it_downloads(signed_in):
    """Defect: once the stay had ended, the agreement could not be printed again."""
    client, practitioner = signed_in("practitioner")
    placement = fa.placement(fa.accommodation_case(practitioner), "ended")
    page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert LINK in page
    response = client.get(f"/placements/{placement.id}/agreement.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"


def test_an_ended_stay_never_signed_offers_no_agreement(signed_in):
    client, practitioner = signed_in("practitioner")
    placement = fa.placement(fa.accommodation_case(practitioner), "ended")
    placement.agreement_signed_on = None
    db.session.commit()
    page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert LINK not in page


def test_a_manager_may_reprint_it_and_a_spoc_may_not(signed_in):
    practitioner = factories.user("practitioner")
    placement = fa.placement(fa.accommodation_case(practitioner), "ended")
    manager_client, _ = signed_in("manager")
    assert manager_client.get(f"/placements/{placement.id}/agreement.pdf").status_code == 200
    spoc_client, _ = signed_in("spoc", borough_name="Camden")
    assert spoc_client.get(f"/placements/{placement.id}/agreement.pdf").status_code == 403
