"""An id no database row can have is simply not found, on every engine (PostgreSQL's
INTEGER stops at 2**31 - 1; binding a larger one would fail in the driver with a 500)."""

import pytest

from tests import factories

TOO_LARGE = [2**31, 2**40, 2**63, 10**25]


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize(
    "path",
    [
        "/placements/{n}",
        "/placements/{n}/agreement.pdf",
        "/invoices/{n}/payments/new",
        "/ledger/{n}/reverse",
        "/cases/{ref}/documents/meetings/{n}/minutes.pdf",
    ],
)
def test_an_id_too_large_for_any_row_is_not_found(signed_in, path, number):
    client, user = signed_in("practitioner")
    case = factories.case("Camden", user)
    response = client.get(path.format(n=number, ref=case.reference))
    assert response.status_code == 404


def test_the_largest_id_a_row_can_have_is_looked_up(signed_in):
    client, _user = signed_in("practitioner")
    assert client.get(f"/placements/{2**31 - 1}").status_code == 404
