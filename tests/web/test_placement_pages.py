"""Placement requests and the SPOC's decisions through the real app and real forms: the
request, the approval and its effect on the pot, the other outcomes, extensions and added
commitments; each bad input (message shown, 400, nothing written), a stale save (409); the
placement list, the placement page, the case page's panel and the SPOC's home."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accommodation.models import LedgerEntry, Placement, PlacementExtension
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.clock import today
from eip.extensions import db
from eip.formatting import long_date
from tests import factories_accommodation as fa
from tests.conftest import csrf_token_from, post_form


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _fresh(placement: Placement) -> Placement:
    db.session.expire_all()
    return db.session.get(Placement, placement.id)


def _ledger_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def _request_form(case: Case, **changes) -> dict:
    data = {
        "move_in_on": _date(today() + timedelta(days=3)),
        "nights": "14",
        "location_preference": "Near the children's school in Kentish Town",
        "areas_to_avoid": "Holloway Road",
        "booking_needs": "Ground floor room",
        "out_of_borough": "no",
        "safe_practitioner": "y",
        "safe_social_worker": "y",
        "social_worker_name": "Mira Fictional",
        "safety_judged_on": _date(today() - timedelta(days=1)),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _approve_form(placement: Placement, **changes) -> dict:
    data = {
        "version": str(placement.version),
        "provider": "Fictional Lets Ltd",
        "address": "Flat 2, 10 Example Road, London N1 0AA",
        "rate": "£65.00",
        "nights": "14",
    }
    data.update(changes)
    return data


def _url(placement: Placement, path: str = "") -> str:
    return f"/placements/{placement.id}{path}"


@pytest.fixture
def waiting(app_context):
    """A Camden request for 14 nights, waiting for the SPOC."""
    return fa.placement(state="requested", nights=14)


# ---------------------------------------------------------------------------
# The request


def test_a_practitioner_requests_accommodation_through_the_form(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.accommodation_case()
    url = f"/cases/{case.reference}/placements/new"
    form = client.get(url).get_data(as_text=True)
    assert "The client has 28 of the 28 nights allowed left" in form
    response = post_form(client, url, _request_form(case))
    assert response.status_code == 302
    placement = db.session.scalar(select(Placement))
    assert response.headers["Location"] == f"/placements/{placement.id}"
    assert (placement.state, placement.nights) == ("requested", 14)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Request sent to the borough&#39;s SPOC" in page
    assert "Near the children&#39;s school in Kentish Town" in page


def test_the_request_page_lists_what_is_missing_instead_of_a_form(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.accommodation_case(accommodation_consents=False, scenario_plan=False)
    page = client.get(f"/cases/{case.reference}/placements/new").get_data(as_text=True)
    assert "The request still needs:" in page
    assert "The client&#39;s consent to temporary accommodation has not been asked yet" in page
    assert "Write the scenario plan" in page
    assert 'name="nights"' not in page


def test_a_request_without_consents_or_safety_judgement_is_refused_listing_all_of_it(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.accommodation_case(accommodation_consents=False)
    url = f"/cases/{case.reference}/placements/new"
    data = _request_form(
        case,
        safe_practitioner=None,
        safe_social_worker=None,
        social_worker_name="",
        safety_judged_on=["", "", ""],
    )
    response = post_form(client, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "The client&#39;s consent to temporary accommodation has not been asked yet",
        "The partner&#39;s consent to temporary accommodation has not been asked yet",
        "The practitioner must judge the placement safe and suitable",
        "The social worker must judge the placement safe and suitable",
        "Enter the name of the social worker who judged it",
        "Enter the date it was judged safe and suitable",
    ):
        assert message in body
    assert 'href="#safe_practitioner"' in body
    assert db.session.scalar(select(func.count()).select_from(Placement)) == 0


def test_nights_over_the_clients_allowance_are_refused_beside_the_nights(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.accommodation_case()
    fa.placement(case, "ended", nights=20)
    url = f"/cases/{case.reference}/placements/new"
    response = post_form(client, url, _request_form(db.session.get(Case, case.id), nights="10"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The client has 8 of the 28 nights allowed left" in body
    assert 'href="#nights"' in body


def test_nights_that_are_not_a_whole_number_are_refused_beside_the_field(signed_in):
    client, _ = signed_in("practitioner")
    case = fa.accommodation_case()
    url = f"/cases/{case.reference}/placements/new"
    response = post_form(client, url, _request_form(case, nights="two weeks"))
    assert response.status_code == 400
    assert "The number of nights must be a whole number, like 14" in response.get_data(as_text=True)


def test_a_request_is_not_refused_by_a_change_to_the_case_but_a_second_request_is(signed_in):
    first, _ = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = fa.accommodation_case()
    url = f"/cases/{case.reference}/placements/new"
    opened = csrf_token_from(second.get(url).get_data(as_text=True))
    # Meanwhile the case row changes (the referral details corrected, as that edit writes it).
    case.weapons, case.referral_version = "no", case.referral_version + 1
    db.session.commit()
    saved = second.post(url, data={**_request_form(case), "csrf_token": opened})
    assert saved.status_code == 302
    late = post_form(first, url, _request_form(case))
    assert late.status_code == 400
    assert "already has the placement" in late.get_data(as_text=True)


# ---------------------------------------------------------------------------
# Approval


def test_the_spoc_sees_the_pot_and_approves_which_commits_the_money(signed_in, waiting):
    client, _ = signed_in("spoc", borough_name="Camden")
    page = client.get(_url(waiting, "/approve")).get_data(as_text=True)
    assert "Available now: <strong>£14,000.00</strong>" in page
    assert "the nightly rate can be at most <strong>£1,000.00</strong>" in page
    response = post_form(client, _url(waiting, "/approve"), _approve_form(waiting))
    assert response.status_code == 302
    placement = _fresh(waiting)
    assert (placement.state, placement.nightly_rate_pence, placement.approved_nights) == (
        "approved",
        6_500,
        14,
    )
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.kind, entry.amount_pence) == ("commit", 91_000)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Placement approved and the money committed" in shown
    assert "Fictional Lets Ltd" in shown and "£65.00" in shown


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("sixty five", "Enter an amount in pounds, like 1,234.50"),
        ("65.001", "The amount can have at most 2 decimal places"),
        ("-65", "The amount must be more than £0"),
        ("0", "The amount must be more than £0"),
        ("1500", "The nightly rate must be £1,000.00 or less"),
    ],
)
def test_a_rate_that_does_not_parse_is_refused_beside_the_field(signed_in, waiting, typed, message):
    client, _ = signed_in("spoc", borough_name="Camden")
    response = post_form(client, _url(waiting, "/approve"), _approve_form(waiting, rate=typed))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert 'href="#rate"' in body
    assert _ledger_count() == 0
    assert _fresh(waiting).state == "requested"


def test_approval_past_the_pot_shows_the_need_and_what_is_left_and_changes_nothing(
    signed_in, waiting
):
    db.session.get(ProgrammeSettings, 1).pot_pence = 50_000
    db.session.commit()
    client, _ = signed_in("spoc", borough_name="Camden")
    response = post_form(client, _url(waiting, "/approve"), _approve_form(waiting))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "There is not enough money in the pot: this needs £910.00 and only £500.00 "
        "is available" in body
    )
    # What was typed stays, with its effect on the pot.
    assert "This would commit <strong>£910.00</strong>" in body
    assert _ledger_count() == 0


def test_approval_past_the_people_cap_is_refused(signed_in, waiting):
    db.session.get(ProgrammeSettings, 1).max_people = 1
    db.session.commit()
    fa.placement(state="checked_in", nights=5)
    client, _ = signed_in("spoc", borough_name="Camden")
    response = post_form(client, _url(waiting, "/approve"), _approve_form(waiting))
    assert response.status_code == 400
    assert "The programme has already accommodated the maximum of 1 people" in response.get_data(
        as_text=True
    )
    assert _fresh(waiting).state == "requested"


def test_approval_from_a_stale_page_is_a_conflict(signed_in, waiting):
    client, _ = signed_in("spoc", borough_name="Camden")
    data = _approve_form(waiting, version=str(waiting.version + 1))
    response = post_form(client, _url(waiting, "/approve"), data)
    assert response.status_code == 409
    assert "Someone else changed this placement" in response.get_data(as_text=True)
    assert _ledger_count() == 0


def test_an_approved_request_shows_why_it_cannot_be_approved_again(signed_in):
    placement = fa.placement(state="approved")
    client, _ = signed_in("spoc", borough_name="Camden")
    page = client.get(_url(placement, "/approve")).get_data(as_text=True)
    assert "The SPOC has already approved this request" in page
    assert 'name="rate"' not in page


@pytest.mark.parametrize(
    ("path", "state"),
    [("/decline", "declined"), ("/no-accommodation", "no_accommodation")],
)
def test_the_spoc_records_an_outcome_with_a_reason(signed_in, waiting, path, state):
    client, _ = signed_in("spoc", borough_name="Camden")
    empty = post_form(client, _url(waiting, path), {"version": str(waiting.version), "reason": ""})
    assert empty.status_code == 400
    assert "Enter the reason" in empty.get_data(as_text=True)
    data = {"version": str(waiting.version), "reason": "Nothing suitable near the family"}
    assert post_form(client, _url(waiting, path), data).status_code == 302
    assert _fresh(waiting).state == state


def test_the_practitioner_withdraws_a_request(signed_in, waiting):
    client, _ = signed_in("practitioner")
    data = {"version": str(waiting.version), "reason": "The couple reconciled with support"}
    assert post_form(client, _url(waiting, "/withdraw"), data).status_code == 302
    assert _fresh(waiting).state == "withdrawn"


# ---------------------------------------------------------------------------
# Extensions and added commitments


def test_an_extension_is_asked_for_and_approved_through_the_forms(signed_in):
    placement = fa.placement(state="checked_in", nights=14)
    practitioner, _ = signed_in("practitioner")
    data = {"version": str(placement.version), "nights": "7", "reason": "Housing offer next week"}
    assert post_form(practitioner, _url(placement, "/extensions/new"), data).status_code == 302
    extension = db.session.scalar(select(PlacementExtension))
    spoc, _ = signed_in("spoc", borough_name="Camden")
    home = spoc.get("/").get_data(as_text=True)
    assert f"Extension: placement {placement.name}" in home
    assert "£455.00 of £13,090.00, leaving £12,635.00" in home
    decide = _url(placement, f"/extensions/{extension.id}")
    data = {"version": str(_fresh(placement).version), "decision": "approve", "reason": ""}
    assert post_form(spoc, decide, data).status_code == 302
    assert _fresh(placement).approved_nights == 21
    assert _ledger_count() == 2


def test_an_added_commitment_amount_that_does_not_parse_is_refused_beside_the_field(signed_in):
    placement = fa.placement(state="checked_in", nights=14)
    client, _ = signed_in("spoc", borough_name="Camden")
    url = _url(placement, "/commitments/new")
    data = {"version": str(placement.version), "amount": "12.3.4", "reason": "Invoice 9"}
    response = post_form(client, url, data)
    assert response.status_code == 400
    assert "Enter an amount in pounds, like 1,234.50" in response.get_data(as_text=True)
    data["amount"] = "£1,300.50"
    assert post_form(client, url, data).status_code == 302
    assert _ledger_count() == 2


# ---------------------------------------------------------------------------
# Lists, pages and panels


def test_the_spoc_list_shows_their_borough_only_with_requests_waiting_first_oldest_first(
    signed_in,
):
    older = fa.placement(state="requested", nights=5)
    approved = fa.placement(state="approved", nights=5)
    newer = fa.placement(state="requested", nights=5)
    elsewhere = fa.placement(fa.accommodation_case(borough_name="Hackney"), "requested", nights=5)
    client, _ = signed_in("spoc", borough_name="Camden")
    body = client.get("/placements").get_data(as_text=True)
    order = [body.index(f"{p.name}<") for p in (older, newer, approved)]
    assert order == sorted(order)
    assert f"{elsewhere.name}<" not in body


def test_the_list_filters_by_state(signed_in):
    requested = fa.placement(state="requested", nights=5)
    ended = fa.placement(state="ended", nights=5)
    client, _ = signed_in("manager")
    body = client.get("/placements?state=ended").get_data(as_text=True)
    assert f"{ended.name}<" in body and f"{requested.name}<" not in body
    assert client.get("/placements?state=nonsense").status_code == 400


def test_finance_sees_approved_placements_by_reference_and_borough_only(signed_in):
    approved = fa.placement(state="approved", nights=5)
    requested = fa.placement(state="requested", nights=5)
    client, _ = signed_in("finance")
    body = client.get("/placements").get_data(as_text=True)
    assert approved.case.reference in body and "Fictional Lets Ltd" in body
    assert requested.case.reference not in body


def test_viewing_a_placement_is_audited_like_a_case_view(signed_in, waiting):
    client, user = signed_in("manager")
    assert client.get(_url(waiting)).status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.viewed"))
    assert (event.actor_id, event.case_reference) == (user.id, waiting.case.reference)
    assert event.details == {"view": "placement page"}


def test_the_case_page_shows_its_placements_and_the_request_button_when_ready(signed_in):
    client, _ = signed_in("practitioner")
    ready = fa.accommodation_case()
    page = client.get(f"/cases/{ready.reference}").get_data(as_text=True)
    assert f'href="/cases/{ready.reference}/placements/new"' in page
    placed = fa.accommodation_case()
    placement = fa.placement(placed, "checked_in", nights=14)
    page = client.get(f"/cases/{placed.reference}").get_data(as_text=True)
    assert f'href="/placements/{placement.id}"' in page
    assert "A placement request still needs" not in page
    waiting = fa.accommodation_case(accommodation_consents=False)
    page = client.get(f"/cases/{waiting.reference}").get_data(as_text=True)
    assert "A placement request still needs:" in page
    assert "The client&#39;s consent to temporary accommodation has not been asked yet" in page
    assert f'href="/cases/{placed.reference}/placements/new"' not in page


def test_the_spoc_home_shows_what_is_waiting_with_what_they_need_to_decide(signed_in, waiting):
    fa.placement(state="approved", nights=10)
    client, _ = signed_in("spoc", borough_name="Camden")
    home = client.get("/").get_data(as_text=True)
    assert f"Request: placement {waiting.name}" in home
    assert waiting.move_in_on.strftime("%B") in home
    assert "Close to the children&#39;s school in Kentish Town" in home
    assert "Areas to avoid: Anywhere in Holloway" in home
    assert "Available in the pot now: <strong>£13,350.00</strong>" in home
    assert "At most £953.57 a night for 14 nights" in home
    assert "Committed £650.00, invoiced £0.00, paid £0.00" in home


def test_each_spoc_home_adds_up_only_their_own_boroughs_spend(signed_in):
    # The spend is scoped by the access policy (visible_placements), as every placement
    # query is: Camden's SPOC sees Camden's committed money and not Hackney's, and the
    # other way round, one after the other in the same process.
    fa.placement(fa.accommodation_case(borough_name="Camden"), "approved", nights=10)
    fa.placement(fa.accommodation_case(borough_name="Camden"), "approved", nights=2)
    fa.placement(fa.accommodation_case(borough_name="Hackney"), "approved", nights=3)
    hackneys = fa.placement(fa.accommodation_case(borough_name="Hackney"), "requested", nights=40)
    camden, _ = signed_in("spoc", borough_name="Camden")
    hackney, _ = signed_in("spoc", borough_name="Hackney")
    islington, _ = signed_in("spoc", borough_name="Islington")
    for _ in range(2):  # and again, once each statement has been built
        camden_home = camden.get("/").get_data(as_text=True)
        hackney_home = hackney.get("/").get_data(as_text=True)
        islington_home = islington.get("/").get_data(as_text=True)
        assert "Committed £780.00, invoiced £0.00, paid £0.00" in camden_home
        assert "£195.00" not in camden_home
        # A request not yet approved commits nothing.
        assert "Committed £195.00, invoiced £0.00, paid £0.00" in hackney_home
        assert "£780.00" not in hackney_home and "£650.00" not in hackney_home
        assert "Islington has no approved placements yet." in islington_home
        # Each SPOC's waiting decisions are their own borough's too.
        assert f"Request: placement {hackneys.name}" in hackney_home
        assert hackneys.name not in camden_home and hackneys.name not in islington_home
        assert "No placement requests are waiting for your decision." in camden_home
        assert "£780.00" not in islington_home and "£195.00" not in islington_home


def test_a_placement_is_named_by_its_case_reference_and_move_in_date_everywhere(signed_in):
    # Never "Placement 10": the case page, the list, the placement's own page and the
    # SPOC's queue all say "EIP-…, moving in 3 March 2027".
    client, user = signed_in("practitioner")
    move_in = today() + timedelta(days=10)
    placement = fa.placement(fa.accommodation_case(user), "requested", move_in_on=move_in)
    name = f"{placement.case.reference}, moving in {long_date(move_in)}"
    assert placement.name == name
    case_page = client.get(f"/cases/{placement.case.reference}").get_data(as_text=True)
    own_page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    listed = client.get("/placements").get_data(as_text=True)
    spoc, _ = signed_in("spoc", borough_name="Camden")
    queue = spoc.get("/").get_data(as_text=True)
    for page in (case_page, own_page, listed, queue):
        assert name in page
        assert f"Placement {placement.id}<" not in page
