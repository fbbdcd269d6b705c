"""Recording a referral through the real form, the possible-duplicates step included."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from eip.cases.models import Case, Person
from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf
from tests.conftest import post_form

NEW = "/cases/new"


@pytest.fixture
def practitioner_client(signed_in):
    return signed_in("practitioner", name="Priya Shah")


@pytest.fixture
def camden(app_context):
    return factories.borough("Camden")


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def _post(client, data):
    return post_form(client, NEW, data)


def test_the_form_offers_active_boroughs_and_defaults_to_the_signed_in_practitioner(
    practitioner_client, camden
):
    client, user = practitioner_client
    factories.borough("Barnet", active=False)
    page = client.get(NEW).get_data(as_text=True)
    assert "Camden" in page and "Barnet" not in page
    assert f'<option value="{user.id}" selected>Priya Shah</option>' in page
    for legend in ("The referral", "Referrer (social worker)", "Client", "Partner", "Children"):
        heading = rf'<h2 class="govuk-fieldset__heading" id="group-[a-z]+">{re.escape(legend)}</h2>'
        assert re.search(heading, page), legend
    assert "London time, for example 14:30 or 2:30pm" in page
    assert re.search(r'class="govuk-hint">\s*None\s*<', page) is None  # no empty hints


def test_a_referral_received_on_saturday_is_due_for_acknowledgement_on_thursday(
    practitioner_client, camden
):
    client, user = practitioner_client
    response = _post(client, rf.form_data(camden.id, user.id, received=rf.SATURDAY))
    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/EIP-2026-0001"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Referral EIP-2026-0001 recorded. Acknowledge it by Thursday 10 September 2026." in page
    case = db.session.scalar(select(Case))
    assert case.status == "referred"
    assert case.received_at == rf.london(rf.SATURDAY, 10, 30)
    assert case.client.address == "Flat 2\n1 Example Road\nLondon N1 0AA"
    assert case.children_count == 2 and case.dash_score_at_referral is None


def test_the_time_received_may_be_typed_on_the_12_hour_clock(practitioner_client, camden):
    client, user = practitioner_client
    response = _post(client, rf.form_data(camden.id, user.id, received_time="2:30pm"))
    assert response.status_code == 302
    assert db.session.scalar(select(Case)).received_at == rf.london(rf.SATURDAY, 14, 30)


def test_the_banner_carries_no_names(practitioner_client, camden):
    client, user = practitioner_client
    response = _post(client, rf.form_data(camden.id, user.id))
    with client.session_transaction() as session:
        flashes = repr(session.get("_flashes"))
    assert "EIP-2026-0001" in flashes
    assert "Alex" not in flashes and "Marlowe" not in flashes
    assert response.status_code == 302


def test_a_referral_outside_the_window_says_it_waits_for_agreement(practitioner_client, camden):
    client, user = practitioner_client
    response = _post(client, rf.form_data(camden.id, user.id, received=date(2026, 8, 10)))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "waits for the agreement of Cranstoun, Respect/SafeLives and Camden" in page
    referral = rf.section(page, "referral")
    assert "Received outside the referral window" in referral
    assert db.session.scalar(select(Case.status)) == "awaiting_late_agreement"


def _refused(client, data, field: str, message: str):
    response = _post(client, data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert f'href="#{field}' in page
    assert _cases() == 0
    return page


def test_a_client_under_16_is_refused_with_the_reason_beside_the_date(practitioner_client, camden):
    client, user = practitioner_client
    page = _refused(
        client,
        rf.form_data(camden.id, user.id, client_born=date(2010, 9, 6)),
        "client_date_of_birth",
        "The client must be 16 or older on the date the referral was received",
    )
    assert 'value="Alex Marlowe"' in page  # what was typed is kept


def test_a_received_time_in_the_future_is_refused(practitioner_client, camden):
    client, user = practitioner_client
    _refused(
        client,
        rf.form_data(camden.id, user.id, received=date(2030, 1, 1)),
        "received_time",
        "The time the referral was received cannot be in the future",
    )


def test_an_inactive_borough_is_refused(practitioner_client):
    client, user = practitioner_client
    closed = factories.borough("Barnet", active=False)
    _refused(client, rf.form_data(closed.id, user.id), "borough", "Select the referring borough")


def test_a_time_that_is_not_a_time_is_refused(practitioner_client, camden):
    client, user = practitioner_client
    _refused(
        client,
        rf.form_data(camden.id, user.id, received_time="25:00"),
        "received_time",
        "Enter the time received as hours and minutes, like 14:30 or 2:30pm",
    )


def test_an_empty_form_asks_for_everything_required(practitioner_client, camden):
    client, _ = practitioner_client
    page = _refused(client, {}, "received_date", "Enter the date the referral was received")
    for message in (
        "Enter the time the referral was received",
        "Select the referring borough",
        "Select the allocated practitioner",
        "Enter the referrer's name",
        "Enter the client's name",
        "Enter the client's date of birth",
        "Select the client's gender",
        "Enter the partner's name",
        "Select whether weapons have been used or threatened",
        "Enter the reason for the referral",
    ):
        assert message in page
    # The error summary lists the problems in the order the page asks the questions.
    summary = page[: page.index("</ul>", page.index("govuk-error-summary__list"))]
    order = ["received_date", "borough", "practitioner", "referrer_name", "client_name"]
    positions = [summary.index(f'href="#{name}') for name in order]
    assert positions == sorted(positions)


def test_numbers_must_be_whole_and_in_range(practitioner_client, camden):
    client, user = practitioner_client
    page = _refused(
        client,
        rf.form_data(camden.id, user.id, children_count="two", dash_score="30"),
        "children_count",
        "Enter the number of children as a whole number, like 2",
    )
    assert "The DASH score must be between 0 and 24" in page


def test_a_referral_without_the_csrf_token_is_refused(practitioner_client, camden):
    client, user = practitioner_client
    response = client.post(NEW, data=rf.form_data(camden.id, user.id))
    assert response.status_code == 400
    assert _cases() == 0


# ---------------------------------------------------------------------------
# Possible duplicates


def _first_referral(client, user, camden) -> Case:
    assert _post(client, rf.form_data(camden.id, user.id)).status_code == 302
    return db.session.scalar(select(Case))


def test_someone_already_on_record_is_shown_before_saving_with_a_link_to_their_case(
    practitioner_client, camden
):
    client, user = practitioner_client
    first = _first_referral(client, user, camden)
    response = _post(client, rf.form_data(camden.id, user.id, client_name="ALEX  marlowe"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check whether these people are already on record" in page
    assert f'href="/cases/{first.reference}"' in page
    assert "Is this the client already on record?" in page
    assert "Is this the partner already on record?" in page
    assert _cases() == 1
    # Only case references are shown: no details of the people already on record.
    visible = re.sub(r'<input type="hidden"[^>]*>', "", page)
    for detail in ("Alex", "Jordan", "07700", "Example Road", "Bluebell"):
        assert detail not in visible


def _duplicates_step(client, user, camden, **overrides) -> dict:
    """Post the form, then take what the possible-duplicates page would post back."""
    page = _post(client, rf.form_data(camden.id, user.id, **overrides)).get_data(as_text=True)
    carried = rf.hidden_inputs(page)
    carried["duplicates_shown"] = "1"
    return carried


def test_linking_to_the_existing_people_records_a_re_referral(practitioner_client, camden):
    client, user = practitioner_client
    first = _first_referral(client, user, camden)
    carried = _duplicates_step(client, user, camden)
    # Everything typed travelled through the step, line breaks included.
    assert carried["client_address"] == "Flat 2\n1 Example Road\nLondon N1 0AA"
    assert carried["received_date"] == ["5", "9", "2026"]
    carried.update(client_person=str(first.client_id), partner_person=str(first.partner_id))
    response = post_form(client, NEW, carried)
    assert response.status_code == 302
    again = db.session.scalar(select(Case).where(Case.reference == "EIP-2026-0002"))
    assert (again.client_id, again.partner_id) == (first.client_id, first.partner_id)
    assert again.partner_code_word == "Bluebell"
    assert db.session.scalar(select(func.count()).select_from(Person)) == 2


def test_choosing_a_new_record_makes_new_people(practitioner_client, camden):
    client, user = practitioner_client
    first = _first_referral(client, user, camden)
    carried = _duplicates_step(client, user, camden)
    carried.update(client_person="new", partner_person="new")
    assert post_form(client, NEW, carried).status_code == 302
    again = db.session.scalar(select(Case).where(Case.reference == "EIP-2026-0002"))
    assert again.client_id != first.client_id and again.partner_id != first.partner_id
    assert db.session.scalar(select(func.count()).select_from(Person)) == 4


def test_the_duplicates_step_must_be_answered_for_each_person(practitioner_client, camden):
    client, user = practitioner_client
    _first_referral(client, user, camden)
    carried = _duplicates_step(client, user, camden)
    carried.update(client_person="new")
    response = post_form(client, NEW, carried)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Select whether this is the same partner or a different person" in page
    assert 'href="#partner_person"' in page
    assert _cases() == 1


def test_going_back_from_the_duplicates_step_shows_the_form_as_typed(practitioner_client, camden):
    client, user = practitioner_client
    _first_referral(client, user, camden)
    carried = _duplicates_step(client, user, camden, referrer_team="Team Seven")
    carried["change"] = "1"
    response = post_form(client, NEW, carried)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Record a referral</h1>' in page
    assert 'value="Team Seven"' in page and "There is a problem" not in page
    assert _cases() == 1


def test_linking_to_someone_who_is_not_a_match_is_refused_on_the_duplicates_step(
    practitioner_client, camden
):
    client, user = practitioner_client
    _first_referral(client, user, camden)
    carried = _duplicates_step(client, user, camden)
    carried.update(client_person="999999", partner_person="new")
    response = post_form(client, NEW, carried)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the people listed for the client, or a new person record" in page
    assert "Check whether these people are already on record" in page
    assert _cases() == 1
