"""The budget page and the CSV statements through the real app: the figures reconcile with
the ledger to the penny, the statements' totals equal the ledger's, a SPOC sees only their
own borough's placements, and the page is built in a constant number of queries."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from accommodation import ledger, store
from accommodation.finance import services as finance
from accommodation.models import LedgerEntry
from eip.audit import AuditEvent
from eip.clock import today
from eip.extensions import db
from eip.formatting import format_pence, plain_pounds
from eip.models import Borough
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import sign_in

POT = 1_400_000


@contextmanager
def count_queries(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def money_history():
    """Placements in two boroughs, in several states, with invoices, payments and a
    reversal: odd pence everywhere so that any rounding shows."""
    clerk = factories.user("finance")
    camden_stay = fa.placement(fa.accommodation_case(), "checked_in", rate_pence=7_345)
    camden_ended = fa.placement(
        fa.accommodation_case(), "ended", moved_out_after=9, rate_pence=6_199
    )
    fa.placement(fa.accommodation_case(), "cancelled", rate_pence=5_000)
    fa.placement(fa.accommodation_case(), "requested")
    islington = fa.placement(
        fa.accommodation_case(borough_name="Islington"), "approved", nights=12, rate_pence=8_101
    )

    def invoice(p, number, nights, amount, **kw):
        return finance.record_invoice(
            db.session,
            clerk,
            p.id,
            supplier="Fictional Lets Ltd",
            number=number,
            invoice_date=kw.get("on", today()),
            first_night=p.start_on,
            last_night=p.start_on + timedelta(days=nights - 1),
            amount_pence=amount,
        )

    # Invoices are dated no earlier than the approval: this stay was approved 45 days ago.
    camden_stay.decided_at = datetime.now(UTC) - timedelta(days=45)
    db.session.commit()
    first = invoice(camden_stay, "A-1", 7, 7 * 7_345, on=today() - timedelta(days=40))
    finance.record_payment(
        db.session,
        clerk,
        first.id,
        paid_on=today() - timedelta(days=35),
        amount_pence=30_001,
        reference="BACS-1",
    )
    second = invoice(camden_ended, "A-2", 9, 9 * 6_199)
    finance.record_payment(
        db.session, clerk, second.id, paid_on=today(), amount_pence=9 * 6_199, reference="BACS-2"
    )
    wrong = invoice(islington, "A-3", 2, 999)
    entry = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.invoice_id == wrong.id))
    finance.reverse_entry(db.session, clerk, entry, reason="Wrong placement")
    return {"camden": [camden_stay, camden_ended], "islington": islington}


def figure(page: str, key: str) -> str:
    found = re.search(
        rf'<dt class="govuk-summary-list__key">{key}</dt>\s*'
        r'<dd class="govuk-summary-list__value">([^<]*)',
        page,
    )
    assert found, key
    return found.group(1).strip()


def parsed_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def pot_totals() -> ledger.PotTotals:
    db.session.rollback()
    return ledger.pot_totals(store.entries(db.session), POT)


def test_the_budget_figures_reconcile_with_the_ledger_to_the_penny(signed_in):
    money_history()
    client, _user = signed_in("manager")
    response = client.get("/budget")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    totals = pot_totals()
    assert totals.committed == 28 * 7_345 + 9 * 6_199 + 12 * 8_101
    assert figure(page, "Committed") == format_pence(totals.committed)
    assert figure(page, "Invoiced") == format_pence(totals.invoiced) == "£1,072.06"
    assert figure(page, "Paid") == format_pence(totals.paid) == "£857.92"
    assert figure(page, "Available") == format_pence(totals.available)
    assert figure(page, "Invoiced, not yet paid") == format_pence(totals.invoiced - totals.paid)
    assert figure(page, "People accommodated") == "3 of 10 at most"
    # 10 nights stayed in the Camden stay (3 not yet invoiced) and 9 in the ended one.
    assert figure(page, "Nights") == "19 stayed so far, of 49 approved"
    assert figure(page, "Accrued") == format_pence(3 * 7_345)


def test_the_budget_page_has_the_chart_with_its_table_and_spend_by_borough(signed_in):
    money_history()
    client, _user = signed_in("finance")
    page = client.get("/budget").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert '<title id="budget-chart-title">The accommodation pot over time</title>' in page
    assert "the last planned move-out" in page
    assert "The chart&#39;s figures as a table" in page or "The chart's figures as a table" in page
    assert "(today)" in page and "(forecast)" in page
    borough_table = page[page.index('id="spend-by-borough"') :]
    borough_table = borough_table[: borough_table.index("</table>")]
    assert "Camden" in borough_table and "Islington" in borough_table
    assert "Download the statement per placement (CSV)" in page


def test_the_placement_statement_totals_equal_the_ledger(signed_in):
    money_history()
    client, _user = signed_in("finance")
    rows = parsed_csv(client.get("/budget/placements.csv"))
    totals = pot_totals()
    header, *lines, total = rows
    assert header[:3] == ["Placement", "Case reference", "Borough"]
    assert len(lines) == 4  # the request never approved has no money and no line
    assert total[0] == "Total"
    assert total[9:13] == [
        plain_pounds(totals.committed),
        plain_pounds(totals.invoiced),
        plain_pounds(totals.paid),
        plain_pounds(totals.exposure),
    ]
    committed = sum(round(float(line[9]) * 100) for line in lines)
    assert committed == totals.committed
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.exported"))
    assert event_.details == {"export": "placements", "rows": 4}


def test_the_month_statement_totals_equal_the_ledger(signed_in):
    money_history()
    client, _user = signed_in("manager")
    response = client.get("/budget/months.csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parsed_csv(response)
    totals = pot_totals()
    header, *months, total = rows
    assert header[0] == "Month" and len(months) >= 2  # last month's invoice, then this one's
    assert total[3:6] == [
        plain_pounds(totals.committed),
        plain_pounds(totals.invoiced),
        plain_pounds(totals.paid),
    ]
    assert total[6] == plain_pounds(totals.available)
    assert sum(round(float(m[4]) * 100) for m in months) == totals.invoiced


def test_the_statements_hold_no_names_and_run_no_formulas(signed_in, app_context):
    case = fa.accommodation_case(borough_name='=HYPERLINK("http://evil")')
    p = fa.placement(case, "checked_in")
    client, _user = signed_in("finance")
    text = client.get("/budget/placements.csv").get_data(as_text=True)
    assert "Fictional" not in text  # no client, partner or social worker, not even the provider
    [_, line, _] = list(csv.reader(io.StringIO(text)))
    # Named as on every page (eip.vocabulary.placement_name), never by its number.
    assert line[0] == p.name and line[0].startswith(f"{p.case.reference}, moved in ")
    assert line[1] == p.case.reference
    assert line[2] == '\'=HYPERLINK("http://evil")'


def test_a_spoc_sees_the_pots_figures_but_only_their_boroughs_placements(signed_in):
    history = money_history()
    islington_ref = history["islington"].case.reference
    camden_refs = [p.case.reference for p in history["camden"]]
    client, _user = signed_in("spoc", borough_name="Camden")
    page = client.get("/budget").get_data(as_text=True)
    assert figure(page, "Committed") == format_pence(pot_totals().committed)
    for reference in camden_refs:
        assert reference in page
    assert islington_ref not in page
    borough_table = page[page.index('id="spend-by-borough"') :]
    borough_table = borough_table[: borough_table.index("</table>")]
    assert "Camden" in borough_table and "Islington" not in borough_table
    assert "Download the statement" not in page


@pytest.mark.parametrize("url", ["/budget/placements.csv", "/budget/months.csv"])
@pytest.mark.parametrize("role", ["practitioner", "spoc"])
def test_only_managers_and_finance_export_and_a_refusal_is_audited(signed_in, url, role):
    client, _user = signed_in(role, **({"borough_name": "Camden"} if role == "spoc" else {}))
    assert client.get(url).status_code == 403
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert event_.details["endpoint"].startswith("accommodation.budget_")


@pytest.mark.parametrize("role", ["evaluator", "admin"])
def test_evaluators_and_admins_do_not_see_the_budget(signed_in, role):
    client, _user = signed_in(role)
    assert client.get("/budget").status_code == 403
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "access.refused")
        )
        == 1
    )


@pytest.mark.parametrize("role", ["practitioner", "manager", "spoc", "finance"])
def test_the_budget_page_opens_for_every_role_that_works_with_accommodation(signed_in, role):
    client, _user = signed_in(role, **({"borough_name": "Camden"} if role == "spoc" else {}))
    page = client.get("/budget")
    assert page.status_code == 200
    assert "Nothing has been committed yet" in page.get_data(as_text=True)


def test_the_budget_page_is_built_in_a_constant_number_of_queries(app, signed_in):
    # Counted on the first request after the money changed (the pot's figures worked out)
    # and on the next (kept: accommodation.budget.memo), at one placement and at five. Kept:
    # the session, the settings and the money's mark only (the pot's figures, the chart and
    # the placements table's first page are kept under it).
    fa.placement(fa.accommodation_case(), "checked_in")
    client, _user = signed_in("finance")
    with count_queries(app) as few:
        client.get("/budget")
    with count_queries(app) as few_kept:
        client.get("/budget")
    for state in ("approved", "ended", "cancelled", "checked_in"):
        fa.placement(fa.accommodation_case(borough_name="Islington"), state)
    with count_queries(app) as many:
        client.get("/budget")
    with count_queries(app) as many_kept:
        client.get("/budget")
    assert len(many) == len(few)
    assert len(many_kept) == len(few_kept) == len(few) - 4 == 3


def test_finances_home_answers_committed_spent_left_and_still_to_invoice(signed_in):
    money_history()
    client, _user = signed_in("finance")
    page = client.get("/").get_data(as_text=True)
    totals = pot_totals()
    assert format_pence(totals.committed) in page
    assert format_pence(totals.paid) in page
    assert format_pence(totals.available) in page
    assert "Still to be invoiced" in page
    assert "The pot over time" in page and "<svg" in page
    assert "Invoice A-1" in page and "40 days since the invoice date" in page
    assert 'href="/budget"' in page and 'href="/invoices"' in page


def test_a_borough_spoc_without_placements_sees_an_empty_borough(signed_in):
    money_history()
    factories.borough("Hackney")
    client, _user = signed_in("spoc", borough_name="Hackney")
    page = client.get("/budget").get_data(as_text=True)
    assert "No placement of your borough has been approved yet." in page
    assert db.session.scalar(select(Borough.id).where(Borough.name == "Hackney")) is not None


def test_the_budget_pages_placements_a_page_at_a_time_newest_first(signed_in, monkeypatch):
    from accommodation.budget import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    history = money_history()
    held = [*history["camden"], history["islington"]]
    client, _user = signed_in("manager")
    first = client.get("/budget").get_data(as_text=True)
    table = first[first.index('id="budget-placements"') :]
    table = table[: table.index("</table>")]
    assert table.count('class="govuk-table__row"') == 3  # the header and two rows
    older = re.search(r'href="(/budget\?after=[^"]+)" rel="next"', first)
    assert older, "no link to the older placements"
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    rest = second[second.index('id="budget-placements"') :]
    rest = rest[: rest.index("</table>")]
    # Four placements held money (the cancelled one too): two here, two on the first page.
    assert rest.count('class="govuk-table__row"') == 3
    assert all(p.case.reference in table + rest for p in held)
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # The pot's figures are the whole pot's on every page.
    assert figure(second, "Committed") == figure(first, "Committed")


def test_a_budget_page_link_this_service_did_not_make_is_refused(signed_in):
    client, _user = signed_in("manager")
    assert client.get("/budget?after=not-a-key").status_code == 400


def _placements_table(page: str) -> str:
    table = page[page.index('id="budget-placements"') :]
    return table[: table.index("</table>")]


def test_the_placements_first_page_is_kept_per_scope_and_follows_the_money(signed_in, app):
    # The first page of the placements table is kept between requests while the money has
    # not changed (accommodation.budget.memo), apart for each scope of placements: a SPOC
    # who looks after finance still sees only their borough's.
    history = money_history()
    islington_ref = history["islington"].case.reference
    finance_client, _ = signed_in("finance")
    assert islington_ref in _placements_table(finance_client.get("/budget").get_data(as_text=True))
    spoc_client = app.test_client()
    spoc = factories.user("spoc", borough_name="Camden")
    assert sign_in(spoc_client, spoc.email, factories.PASSWORD).status_code == 302
    spoc_page = spoc_client.get("/budget").get_data(as_text=True)
    assert islington_ref not in _placements_table(spoc_page)
    # A new approval shows on the next view, with its money.
    new = fa.placement(fa.accommodation_case(borough_name="Islington"), "approved", nights=3)
    table = _placements_table(finance_client.get("/budget").get_data(as_text=True))
    assert new.case.reference in table and format_pence(3 * fa.RATE) in table
    assert new.case.reference not in _placements_table(
        spoc_client.get("/budget").get_data(as_text=True)
    )
