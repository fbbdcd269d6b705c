"""The case list and the practitioner's caseload: filters, overdue flags, constant queries."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from eip.cases.records import CaseAction
from eip.extensions import db
from tests import factories


@contextmanager
def count_queries(app):
    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def received(case, days_ago):
    case.received_at = datetime.now(UTC) - timedelta(days=days_ago)
    db.session.commit()
    return case


def make_cases(n, practitioner, borough="Camden"):
    cases = [
        received(factories.case(borough, practitioner=practitioner), days_ago=i) for i in range(n)
    ]
    for case in cases:
        db.session.add(
            CaseAction(
                case_id=case.id,
                kind="plan",
                description="Call the school",
                due_on=datetime.now(UTC).date(),
            )
        )
    db.session.commit()
    return cases


def test_the_case_list_and_caseload_make_the_same_number_of_queries_for_3_or_30_cases(
    app, signed_in
):
    client, user = signed_in("practitioner")
    make_cases(3, user)
    with count_queries(app) as few:
        assert client.get("/cases/").status_code == 200
        assert client.get("/").status_code == 200
    make_cases(27, user)
    with count_queries(app) as many:
        assert client.get("/cases/").status_code == 200
        assert client.get("/").status_code == 200
    assert len(many) == len(few)


def test_the_case_list_pages_through_long_lists(signed_in):
    client, user = signed_in("practitioner")
    cases = make_cases(30, user)
    first = client.get("/cases/").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    after = first.split('href="/cases/?after=', 1)[1].split('"', 1)[0]
    second = client.get(f"/cases/?after={after}").get_data(as_text=True)
    assert cases[-1].reference in second and cases[-1].reference not in first
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_the_case_list_filters_by_status_borough_practitioner_and_reference(signed_in):
    client, user = signed_in("practitioner")
    other = factories.user("practitioner")
    camden = received(factories.case("Camden", practitioner=user, status="active"), 1)
    hackney = received(factories.case("Hackney", practitioner=other, status="referred"), 2)
    by_status = client.get("/cases/?status=active").get_data(as_text=True)
    assert camden.reference in by_status and hackney.reference not in by_status
    borough_id = hackney.borough_id
    by_borough = client.get(f"/cases/?borough={borough_id}").get_data(as_text=True)
    assert hackney.reference in by_borough and camden.reference not in by_borough
    by_person = client.get(f"/cases/?practitioner={other.id}").get_data(as_text=True)
    assert hackney.reference in by_person and camden.reference not in by_person
    by_reference = client.get(f"/cases/?reference={camden.reference[-4:]}").get_data(as_text=True)
    assert camden.reference in by_reference and hackney.reference not in by_reference


def test_overdue_cases_are_flagged_and_can_be_filtered(signed_in):
    client, user = signed_in("practitioner")
    late = received(
        factories.case("Camden", practitioner=user), days_ago=20
    )  # acknowledgement overdue
    fresh = received(factories.case("Camden", practitioner=user), days_ago=0)
    html = client.get("/cases/?overdue=y").get_data(as_text=True)
    assert late.reference in html and fresh.reference not in html
    assert "Overdue" in html


def test_the_caseload_groups_what_is_overdue_due_today_and_due_soon(signed_in):
    client, user = signed_in("practitioner")
    overdue = received(factories.case("Camden", practitioner=user), days_ago=20)
    html = client.get("/").get_data(as_text=True)
    section = html.split("Overdue", 1)[1].split("Due today", 1)[0]
    assert overdue.reference in section
    assert "Acknowledge the referral" in section


def test_a_deadline_met_by_one_form_links_straight_to_it_from_home(signed_in):
    """Acknowledging from home is three clicks (the item, the method, save), not four
    through the case page."""
    client, user = signed_in("practitioner")
    case = received(factories.case("Camden", practitioner=user), days_ago=20)
    html = client.get("/").get_data(as_text=True)
    assert f'href="/cases/{case.reference}/acknowledge">Acknowledge the referral' in html
    form = client.get(f"/cases/{case.reference}/acknowledge")
    assert form.status_code == 200 and "Acknowledge" in form.get_data(as_text=True)


def test_a_spoc_sees_only_their_boroughs_cases_in_the_list(signed_in):
    mine = received(factories.case("Hackney"), 1)
    theirs = received(factories.case("Camden"), 1)
    client, _ = signed_in("spoc", borough_name="Hackney")
    html = client.get("/cases/").get_data(as_text=True)
    assert mine.reference in html and theirs.reference not in html
