"""Issue 16, item 8: a page runs the same number of SQL statements at 3 cases as at 300, and
no more than its budget. Counted, not timed (`eip.querycount`, the counter `make bench` uses),
on `seed-synthetic`'s data, as the signed-in people `make bench` signs in as.

What every signed-in page pays whatever it shows: one query for the server-side session row,
its user, the header's unread notifications and the demo banner (eip/layout.py; three queries
before). On SQLite a GET reads in a deferred `BEGIN`, and a write it makes (the case page's
audited view) runs in its own `BEGIN IMMEDIATE` (eip.db.write_now), each counted.

The case page's own statements (eip/cases/page.py), six whatever the case holds:
1. the case, with its client, partner and allocated practitioner (joined);
2. the INSERT of its audited view;
3. every kind of the case's records (`RECORD_LISTS`: children, safety plans, MARAC referrals among
   them) in one UNION ALL (with the names of the people who
   completed its actions);
4. accommodation's records of the case: every placement of the case or its client, with
   their return-home reviews (the panel, the nights left and the stays read these);
5. the programme settings with the managers' non-working days (joined);
6. the access log, its actors joined.
So 6 + 1 (the session check) = 7 on PostgreSQL, and 10 on SQLite with its three BEGINs (the
GET's reads, the audited view's write, the reads after it).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from accommodation.models import Placement
from eip import querycount
from eip.auth.models import User
from eip.cases.deadlines import CLOSED
from eip.cases.due_store import overdue
from eip.cases.models import Case, CaseDueItem
from eip.cases.queries import WorkKey
from eip.clock import today
from eip.demo.synthetic import SYNTHETIC_PASSWORD, seed_synthetic
from eip.extensions import db
from eip.paging import Key
from tests.conftest import sign_in

MANAGER = "synthetic.manager1@example.org"
FINANCE = "synthetic.finance1@example.org"
SPOC = "synthetic.spoc1.camden@example.org"

# Page -> (who, address, most statements allowed), at most ten (the goal); the case page
# its count held (the docstring's arithmetic; 26 before it read its records in one query, 44
# before issue 16). On SQLite it sends one BEGIN more than other pages (its audited view).
# The SPOC home keeps the whole pot's figures and its borough's placements, drawn, between
# requests while the money's mark holds (9 before): the session, its borough's cases, the
# waiting decisions with their own money, the settings, the mark; a BEGIN.
# The manager home reads its counts by status and by borough from the case tallies, one
# statement (6 before), and what waits for a manager in another: with the session and a BEGIN, 4.
# The budget page's first page keeps its placements' rows under the money's mark, beside the
# pot's figures and chart: the session, the settings and the mark, and a BEGIN (6 before); a
# later page reads its rows (the page's keys, then their facts and money).
# `{…}` in an address or a person is filled from `_facts` at each size: the practitioner is
# the one with the newest open case, the filters' values those of the newest case, so every
# page shows rows at 3 cases as at 300 (an empty page skips the query of its rows' items).
PAGES = {
    "manager home": (MANAGER, "/", 4),
    "finance home": (FINANCE, "/", 6),
    "budget page": (FINANCE, "/budget", 4),
    "budget page, placements' second page": (FINANCE, "/budget?after={budget_after}", 6),
    "budget page as a SPOC": ("{spoc}", "/budget", 4),
    "case page": (MANAGER, "{case}", 10),
    # The practitioner's pages read whether every case's due dates are being rewritten
    # (due_store.progress, one primary-key read) to say the dates may be behind.
    "practitioner home": ("{practitioner}", "/", 8),
    "caseload, page 2": ("{practitioner}", "/?after={caseload_after}", 8),
    "work list": ("{practitioner}", "/work", 6),
    "work list, page 2": ("{practitioner}", "/work?after={work_after}", 6),
    "SPOC home": ("{spoc}", "/", 6),
    "case list, page 1": (MANAGER, "/cases/", 7),
    "case list, deep page": (MANAGER, "/cases/?after={deep_after}", 7),
    "case list, by status": (MANAGER, "/cases/?status={status}", 7),
    "case list, by borough": (MANAGER, "/cases/?borough={borough}", 7),
    "case list, by practitioner": (MANAGER, "/cases/?practitioner={practitioner_id}", 7),
    "case list, by reference": (MANAGER, "/cases/?reference={reference}", 7),
    "case list, overdue only": (MANAGER, "/cases/?overdue=y", 7),
    "case list, overdue on a deep page": (MANAGER, "/cases/?overdue=y&after={deep_after}", 7),
    # The manager's dashboard: the settings with the non-working days; every count (boroughs,
    # referrals, outcomes, DASH pairs, queues, outcome measures, meetings held) in one UNION
    # ALL; the rows the working-day and meeting rules read in another (eip.reports.tagged_rows);
    # the budget's two and the forecast's one. 8 on SQLite (20 before).
    "dashboard": (MANAGER, "/dashboard/", 8),
    "dashboard, the cases behind a figure": (MANAGER, "/dashboard/cases/referrals", 7),
}


def _case_to_view() -> str:
    """A case far along the pathway (the most records), with a placement if any has one."""
    along = select(Case.reference).where(Case.status == "active").order_by(Case.id)
    with_stay = along.where(Case.id.in_(select(Placement.case_id)))
    first = select(Case.reference).order_by(Case.id).limit(1)
    return (
        db.session.scalar(with_stay.limit(1))
        or db.session.scalar(along.limit(1))
        or db.session.scalar(first)
    )


def _in_list_order():
    return select(Case).order_by(Case.received_at.desc().nulls_last(), Case.id.desc())


def _facts(reference: str) -> dict[str, object]:
    """What the addresses above name, read from the data at this size."""
    cases = db.session.scalars(_in_list_order()).all()
    newest = cases[0]
    open_cases = _in_list_order().where(
        Case.status.not_in(CLOSED), Case.allocated_practitioner_id.is_not(None)
    )
    mine = db.session.scalars(open_cases.limit(1)).first()
    # A key just above my newest open case: a page reached by its link, with rows after it.
    above = Key(mine.received_at + timedelta(microseconds=1), mine.id)
    deep = cases[max(0, len(cases) - 30)]  # the last pages at 300 cases, page 1 at 3
    overdue_first = db.session.scalar(
        _in_list_order().where(overdue(today())).with_only_columns(Case.id).limit(1)
    )
    assert overdue_first is not None, "no case is overdue: the overdue pages would be empty"
    # A SPOC of a borough with an approved placement, so the home's placement rows show.
    placed = select(Placement.borough_id).where(Placement.nightly_rate_pence.is_not(None))
    spoc = db.session.scalar(
        select(User.email)
        .where(User.email.like("synthetic.spoc%"), User.borough_id.in_(placed))
        .order_by(User.id)
        .limit(1)
    )
    # Just above the newest approved placement: its page of the budget's table starts there.
    newest_placement = db.session.scalars(
        select(Placement)
        .where(Placement.nightly_rate_pence.is_not(None))
        .order_by(Placement.created_at.desc(), Placement.id.desc())
        .limit(1)
    ).one()
    # A key before my soonest item: its page is reached by a "next" link, with rows after it.
    soonest = db.session.scalars(
        select(CaseDueItem)
        .where(CaseDueItem.practitioner_id == mine.allocated_practitioner_id)
        .order_by(CaseDueItem.due_on)
        .limit(1)
    ).one()
    work_after = WorkKey(soonest.due_on - timedelta(days=1), False, 0, 0).token()
    return {
        "work_after": work_after,
        "budget_after": Key(
            newest_placement.created_at + timedelta(microseconds=1), newest_placement.id
        ).token(),
        "case": f"/cases/{reference}",
        "spoc": spoc,
        "practitioner": db.session.get(User, mine.allocated_practitioner_id).email,
        "practitioner_id": newest.allocated_practitioner_id or "",
        "caseload_after": above.token(),
        "deep_after": Key(deep.received_at, deep.id).token(),
        "status": newest.status,
        "borough": newest.borough_id,
        "reference": newest.reference,
    }


def _count(app, pages: dict, facts: dict) -> dict[str, int]:
    clients, counts = {}, {}
    for name, (who, url, _budget) in pages.items():
        email = who.format(**facts)
        if email not in clients:
            clients[email] = app.test_client()
            assert sign_in(clients[email], email, SYNTHETIC_PASSWORD).status_code == 302
        client, path = clients[email], url.format(**facts)
        assert client.get(path).status_code == 200, (name, path)  # warm: first-time work
        with querycount.counting() as counted:
            response = client.get(path)
        assert response.status_code == 200, (name, path)
        counts[name] = counted.n
    return counts


def counts_at_3_and_300(app, pages: dict) -> tuple[dict[str, int], dict[str, int]]:
    """Each page's statements with 3 cases, then with 297 more (another seed, so the same
    people and the same case are looked at, among a hundred times as many cases)."""
    with app.app_context():
        seed_synthetic(db.session, 3, placements=3)
        reference = _case_to_view()
        facts = _facts(reference)
        db.session.remove()
    small = _count(app, pages, facts)
    with app.app_context():
        seed_synthetic(db.session, 297, seed=2, placements=297)
        facts = {**_facts(reference), **{k: facts[k] for k in ("practitioner", "spoc")}}
        db.session.remove()
    return small, _count(app, pages, facts)


def test_each_page_runs_as_many_queries_at_300_cases_as_at_3_and_within_its_budget(app):
    small, large = counts_at_3_and_300(app, PAGES)
    for name, (_email, _url, budget) in PAGES.items():
        assert large[name] == small[name], (
            f"{name}: {small[name]} queries at 3 cases, {large[name]} at 300"
        )
        assert large[name] <= budget, f"{name}: {large[name]} queries, more than {budget}"


def _admin_home_queries(admin_client) -> int:
    with querycount.counting() as counted:
        assert admin_client.get("/").status_code == 200
    return counted.n


def test_the_admin_homes_recent_account_events_name_their_actors_in_one_query(signed_in):
    from eip.audit import record
    from tests import factories

    client, _admin = signed_in("admin")
    client.get("/")
    with_one_actor = _admin_home_queries(client)
    for n in range(6):
        record(db.session, "account.updated", actor=factories.user("manager", name=f"Actor {n}"))
    db.session.commit()
    db.session.remove()
    client.get("/")
    page = client.get("/").get_data(as_text=True)
    assert "by Actor 5" in page and "by Actor 0" in page
    assert _admin_home_queries(client) == with_one_actor


def test_the_case_page_runs_as_many_queries_for_every_case_whatever_it_holds(app):
    """Every kind of case seed-synthetic makes (each status, with and without placements,
    consents, actions, meetings, DASH reviews): the same count as the case held above."""
    with app.app_context():
        seed_synthetic(db.session, 40, placements=20)
        references = db.session.scalars(select(Case.reference).order_by(Case.id)).all()
        db.session.remove()
    client = app.test_client()
    assert sign_in(client, MANAGER, SYNTHETIC_PASSWORD).status_code == 302
    client.get(f"/cases/{references[0]}")  # warm: first-time work
    counts = {}
    for reference in references:
        with querycount.counting() as counted:
            assert client.get(f"/cases/{reference}").status_code == 200
        counts.setdefault(counted.n, reference)
    assert len(counts) == 1, f"the case page's count depends on the case: {counts}"
    assert next(iter(counts)) <= PAGES["case page"][2]


def test_the_monthly_report_runs_as_many_queries_at_300_cases_as_at_3(app):
    """The monthly report (a download, not a page: its budget is its time, ≤150 ms at 1,000
    placements in `make bench`) reads the ledger added up by the database and sends its
    figures in a few statements, so its count too is the same whatever the programme holds."""
    on = today()
    report = {
        "monthly report": (MANAGER, f"/reports/monthly.pdf?month={on.month}&month={on.year}", 0)
    }
    small, large = counts_at_3_and_300(app, report)
    assert large == small
    # Its figures in five statements (eip.reports.monthly); the rest is the signed-in
    # request's, the settings, and the download's audit.
    assert large["monthly report"] <= 13, large
