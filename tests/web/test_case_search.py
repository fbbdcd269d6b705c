"""Finding a case by name, date of birth or reference (issue 15, item 5), and the client's first
name in the work lists: practitioners and managers only, accents and capitals ignored, the
search audited without what was typed, and the text never in a URL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.cases import finding
from eip.cases.models import Person, fold
from eip.domain import NotAllowed
from eip.extensions import db
from tests import factories
from tests.conftest import csrf_token_from, run_seed_demo


def client_case(name: str, born: date | None = None, reference: str | None = None, **kwargs):
    case = factories.case(reference=reference, **kwargs)
    person = Person(full_name=name, name_key=name.lower(), date_of_birth=born)
    db.session.add(person)
    db.session.flush()
    case.client_id = person.id
    db.session.commit()
    return case


def search(client, text: str):
    page = client.get("/cases/search")
    assert page.status_code == 200
    return client.post(
        "/cases/search",
        data={"text": text, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )


def found_references(response) -> set[str]:
    import re

    return set(re.findall(r'href="/cases/(EIP-[0-9-]+)"', response.get_data(as_text=True)))


def test_the_name_is_folded_when_it_is_written():
    assert fold("José O'Brien-Hart") == "jose obrien hart"
    assert fold("  ZOË   Łukasz Ørsted ") == "zoe lukasz orsted"
    person = Person(full_name="Zoë Barnes", name_key="zoë barnes")
    assert person.search_key == "zoe barnes"
    person.full_name = "Renée Ilić"
    assert person.search_key == "renee ilic"


@pytest.mark.parametrize(
    "typed", ["jose", "JOSE", "Jos", "josé", "JOSÉ MART", "martins", "  jose  "]
)
def test_a_practitioner_finds_an_accented_name_typed_any_way(signed_in, typed):
    client, _ = signed_in("practitioner")
    wanted = client_case("José Martins", date(1985, 3, 12))
    client_case("Maria Santos", date(1990, 1, 2))
    response = search(client, typed)
    assert response.status_code == 200
    assert found_references(response) == {wanted.reference}
    page = response.get_data(as_text=True)
    # The list shows the reference, the first name and the date of birth; never the surname.
    assert "José" in page and "12 March 1985" in page and "Martins" not in page


@pytest.mark.parametrize(
    "typed", ["12 3 1985", "12/03/1985", "12.3.1985", "12-03-1985", "1985-03-12", "12 March 1985"]
)
def test_a_date_of_birth_finds_the_case_however_it_is_typed(signed_in, typed):
    client, _ = signed_in("manager")
    wanted = client_case("José Martins", date(1985, 3, 12))
    client_case("Maria Santos", date(1985, 12, 3))
    assert found_references(search(client, typed)) == {wanted.reference}


def test_part_of_a_reference_lists_every_case_that_has_it(signed_in):
    client, _ = signed_in("practitioner")
    first = client_case("Ann One", reference="EIP-2026-0012")
    second = client_case("Bea Two", reference="EIP-2026-0120")
    client_case("Cat Three", reference="EIP-2025-0300")
    assert found_references(search(client, "0012")) == {first.reference}
    assert found_references(search(client, "2026-01")) == {second.reference}
    assert found_references(search(client, "2026-0")) == {first.reference, second.reference}
    assert found_references(search(client, "eip-2026-0012")) == {first.reference}


def test_nothing_found_says_so_and_an_empty_search_asks_for_text(signed_in):
    client, _ = signed_in("practitioner")
    client_case("José Martins")
    nothing = search(client, "Zebedee")
    assert nothing.status_code == 200 and "No cases found" in nothing.get_data(as_text=True)
    empty = search(client, "   ")
    assert empty.status_code == 400
    assert "Enter a name, a date of birth or part of a case reference" in empty.get_data(
        as_text=True
    )


def test_the_search_is_audited_without_what_was_typed_and_kept_out_of_the_url(signed_in):
    client, user = signed_in("practitioner")
    client_case("José Martins", date(1985, 3, 12))
    form = client.get("/cases/search").get_data(as_text=True)
    assert 'method="post"' in form
    response = search(client, "Martins")
    # The results come back on the POST itself: nothing to follow, nothing in a query string.
    assert response.status_code == 200 and response.request.url.endswith("/cases/search")
    assert response.headers["Cache-Control"] == "no-store"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.searched"))
    (event,) = events.all()
    assert event.actor_id == user.id and event.details == {"results": 1}
    everything = db.session.scalars(select(AuditEvent)).all()
    assert not any("martins" in repr(vars(e)).lower() for e in everything)


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_roles_that_may_not_see_names_cannot_search(signed_in, role):
    client, user = signed_in(role)
    client_case("José Martins")
    assert client.get("/cases/search").status_code == 403
    with pytest.raises(NotAllowed):
        finding.find_cases(db.session, user, "jose")


def test_the_search_only_looks_among_the_cases_the_user_may_see(signed_in):
    """Practitioners and managers may see every case (DOMAIN.md), so the search's scope is
    `visible_cases`: a case of any borough is found, and a SPOC's own borough is not enough."""
    client, _ = signed_in("practitioner")
    camden = client_case("José Martins", borough_name="Camden")
    lambeth = client_case("Josie Grant", borough_name="Lambeth")
    assert found_references(search(client, "jos")) == {camden.reference, lambeth.reference}


def test_many_matches_are_cut_to_a_list_that_asks_for_more(signed_in, monkeypatch):
    client, _ = signed_in("practitioner")
    monkeypatch.setattr(finding, "MAX_RESULTS", 2)
    for n in range(3):
        client_case(f"Sam Person{n}")
    page = search(client, "sam").get_data(as_text=True)
    assert "2 cases found" in page and "narrow the search" in page


def test_work_lists_show_the_first_name_to_practitioners_and_managers_only(signed_in):
    client, practitioner = signed_in("practitioner")
    case = client_case("Zoë Barnes", practitioner=practitioner)
    assert "Zoë" in client.get("/cases/").get_data(as_text=True)
    assert "Zoë" in client.get("/").get_data(as_text=True)
    manager, _ = signed_in("manager")
    assert "Zoë" in manager.get("/cases/").get_data(as_text=True)
    spoc, _ = signed_in("spoc", borough_name="Camden")
    for url in ("/cases/", "/"):
        page = spoc.get(url).get_data(as_text=True)
        assert case.reference in page and "Zoë" not in page and "Barnes" not in page


def test_the_demo_client_with_an_accented_name_is_found_without_accents(app, runner, signed_in):
    run_seed_demo(runner)
    client, _ = signed_in("practitioner")
    for typed, name in (("jose", "José"), ("ZOE", "Zoë"), ("ilic", "Stefan")):
        page = search(client, typed).get_data(as_text=True)
        assert "1 case found" in page or "cases found" in page, typed
        assert name in page, typed
