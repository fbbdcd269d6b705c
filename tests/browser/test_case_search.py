"""Finding a case by name in a real browser, every page checked with axe: from the home page,
a name typed without its accent finds the client, the URL never carries what was typed, and
the case opens from the list."""

from datetime import date

from eip.cases.models import Person
from eip.extensions import db
from tests import factories
from tests.browser.test_referral_journey import sign_in


def test_a_practitioner_finds_a_client_by_a_name_typed_without_accents(page, app_context):
    user = factories.user("practitioner")
    case = factories.case("Camden", practitioner=user)
    person = Person(full_name="Zoë Barnes", name_key="zoë barnes", date_of_birth=date(1988, 5, 4))
    db.session.add(person)
    db.session.flush()
    case.client_id = person.id
    db.session.commit()
    email, reference = user.email, case.reference
    db.session.rollback()

    sign_in(page, email)
    assert "Zoë" in page.locator("main").inner_text()  # the first name beside the reference
    page.get_by_role("link", name="Find a case by name, date of birth or reference").click()
    page.get_by_role("button", name="Find a case").click()
    assert "Enter a name, a date of birth or part of a case reference" in page.content()

    page.get_by_label("Name, date of birth or case reference").fill("zoe")
    page.get_by_role("button", name="Find a case").click()
    results = page.locator("main").inner_text()
    assert "1 case found" in results and "Zoë" in results and "4 May 1988" in results
    assert "Barnes" not in results
    assert page.url.endswith("/cases/search")  # nothing typed in the address

    page.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/cases/{reference}")
    assert len(page.axe_checked) >= 4
