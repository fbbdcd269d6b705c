"""The audit trail pages: managers search everything, admins see account events only."""

import html as html_text
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from eip.audit import record
from eip.auth.models import User
from eip.extensions import db
from tests import factories


def test_a_manager_searches_the_trail_by_case_reference(signed_in):
    case = factories.case("Camden")
    client, _manager = signed_in("manager")
    client.get(f"/cases/{case.reference}")
    record(db.session, "auth.sign_in", actor_label="cli")
    db.session.commit()
    html = client.get(f"/audit/?case_reference={case.reference.lower()}").get_data(as_text=True)
    assert "1 event," in html
    assert "Viewed the case" in html


def test_the_trail_names_a_command_in_words_not_by_its_code_name(signed_in):
    client, _manager = signed_in("manager")
    record(db.session, "settings.updated", actor_label="seed-demo")
    db.session.commit()
    html = client.get("/audit/").get_data(as_text=True)
    assert "The demo data loader" in html
    assert "seed-demo" not in html


def test_part_of_a_reference_goes_straight_to_the_only_case_that_has_it(signed_in):
    case = factories.case("Camden", reference="EIP-2026-0412")
    factories.case("Camden", reference="EIP-2026-0500")
    client, _manager = signed_in("manager")
    client.get(f"/cases/{case.reference}")
    html = client.get("/audit/?case_reference=0412").get_data(as_text=True)
    assert "Showing case EIP-2026-0412" in html
    assert "1 event," in html and "Viewed the case" in html


def test_part_of_a_reference_shared_by_several_cases_lists_them_to_choose_from(signed_in):
    first = factories.case("Camden", reference="EIP-2026-0701")
    second = factories.case("Lambeth", reference="EIP-2026-0702")
    factories.case("Camden", reference="EIP-2025-0800")
    client, _manager = signed_in("manager")
    client.get(f"/cases/{first.reference}")
    html = client.get("/audit/?case_reference=2026-07").get_data(as_text=True)
    assert "2 cases match: choose one" in html
    assert "events, newest first" not in html and "event, newest first" not in html
    links = [html_text.unescape(link) for link in re.findall(r'href="(/audit/\?[^"]*)"', html)]
    chosen_references = {parse_qs(urlsplit(link).query)["case_reference"][0] for link in links}
    assert chosen_references == {first.reference, second.reference}
    chosen = client.get(html_text.unescape(links[0])).get_data(as_text=True)
    assert "1 event," in chosen and "Viewed the case" in chosen


def test_a_reference_no_case_has_is_said_beside_the_field(signed_in):
    factories.case("Camden", reference="EIP-2026-0901")
    client, _manager = signed_in("manager")
    response = client.get("/audit/?case_reference=0999")
    assert response.status_code == 400
    assert "No case reference contains what you typed" in response.get_data(as_text=True)


def test_a_manager_filters_by_user_chosen_from_a_list(signed_in):
    client, _manager = signed_in("manager")
    other = factories.user("practitioner")
    record(db.session, "auth.sign_in", actor=other)
    db.session.commit()
    page = client.get("/audit/").get_data(as_text=True)
    assert f'value="{other.id}"' in page
    html = client.get(f"/audit/?user={other.id}").get_data(as_text=True)
    assert "1 event," in html and other.name in html


def test_a_date_range_that_ends_before_it_starts_is_refused_with_a_message(signed_in):
    client, _ = signed_in("manager")
    # The three parts of a GOV.UK date input share the field's name.
    query = "date_from=5&date_from=11&date_from=2026&date_to=1&date_to=11&date_to=2026"
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.get_data(
        as_text=True
    )


def test_an_impossible_date_is_refused_with_a_message(signed_in):
    client, _ = signed_in("manager")
    response = client.get("/audit/?date_from=31&date_from=2&date_from=2026")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)


def test_admins_see_account_events_but_never_case_events(signed_in):
    case = factories.case("Camden")
    reader, _ = signed_in("practitioner")
    reader.get(f"/cases/{case.reference}")
    client, _admin = signed_in("admin")
    html = client.get("/audit/account-events").get_data(as_text=True)
    assert "Signed in" in html
    assert "Viewed the case" not in html and case.reference not in html


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_only_managers_reach_the_full_trail(signed_in, role):
    client, _ = signed_in(role)
    assert client.get("/audit/").status_code == 403


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator"])
def test_only_admins_and_managers_reach_account_events(signed_in, role):
    client, _ = signed_in(role)
    assert client.get("/audit/account-events").status_code == 403


def test_the_page_number_is_clamped(signed_in):
    client, _ = signed_in("manager")
    assert client.get("/audit/?page=999").status_code == 200
    assert client.get("/audit/?page=abc").status_code == 200
    assert db.session.scalar(select(User.id)) is not None


def test_the_trail_shows_labels_never_internal_names(signed_in):
    client, manager = signed_in("manager")
    case = factories.case("Camden")
    record(
        db.session,
        "case.closed",
        actor=manager,
        case_reference=case.reference,
        details={"fields": ["closed_by_id", "closure_outcome", "status_before_closure"]},
    )
    record(db.session, "document.downloaded", actor=manager, details={"document": "meeting_pack"})
    record(
        db.session,
        "settings.updated",
        actor=manager,
        details={"changes": {"marac_threshold_yes": [14, 10]}},
    )
    record(db.session, "placement.commitment_reversed", actor=manager)
    db.session.commit()
    page = client.get("/audit/").get_data(as_text=True)
    for label in ("who closed it", "professionals meeting pack", "MARAC threshold", "Reversed a"):
        assert label in page
    for raw in (
        "closed by id",
        "meeting_pack",
        "marac threshold yes",
        "status_before",
        "commitment_",
    ):
        assert raw not in page
