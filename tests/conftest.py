"""Shared fixtures: one migrated database per test session, a clean state per test.

The suite runs on SQLite by default and on PostgreSQL when
EIP_TEST_DATABASE_URL is set. With EIP_FORBID_SKIPS=1 (set by .ci/run) any
skipped test fails the run: in CI a skip is an error, not a pass.

EIP_TEST_CLOCK=2027-06-01 (or --clock=2027-06-01, or a full ISO date and time)
runs the whole session with the clock moved to that moment, ticking on from
there, so that a test which only passes near the day it was written shows up.
The browser tests are deselected in such a run: Chromium keeps the real clock.
"""

from __future__ import annotations

import html as html_text
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError

os.environ["EIP_ENV"] = "test"
for _name in ("DATABASE_URL", "SECRET_KEY", "EIP_PSEUDONYM_KEY", "SMTP_HOST"):
    os.environ.pop(_name, None)

from eip import create_app  # noqa: E402
from eip.config import normalise_database_url  # noqa: E402
from eip.extensions import db  # noqa: E402

POSTGRES_URL = os.environ.get("EIP_TEST_DATABASE_URL")


def on_postgres() -> bool:
    return bool(POSTGRES_URL)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("EIP_TEST_CLOCK") or None,
        help="run the session with the clock moved to this ISO date or date and time "
        "(default: $EIP_TEST_CLOCK; the browser tests are deselected)",
    )


def _clock_destination(value: str) -> datetime:
    """An ISO date means noon UTC that day (a London working hour in any season)."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--clock/EIP_TEST_CLOCK: not an ISO date: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("clock")
    if not value:
        return
    import time_machine

    destination = _clock_destination(value)
    # The whole session travels, ticking on: tests that travel again nest inside it.
    traveller = time_machine.travel(destination, tick=True)
    traveller.start()
    config._eip_clock = (destination, traveller)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    clock = getattr(config, "_eip_clock", None)
    if clock is not None:
        clock[1].stop()


def _moved_clock(config: pytest.Config) -> datetime | None:
    clock = getattr(config, "_eip_clock", None)
    return clock[0] if clock else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Engine-specific tests are deselected, not skipped, on the other engine; with the clock
    moved, so are the browser tests (a real Chromium cannot travel with the server)."""
    unwanted = "postgres_only" if not on_postgres() else "sqlite_only"
    moved = _moved_clock(config) is not None
    keep, drop = [], []
    for item in items:
        in_browser = item.nodeid.startswith("tests/browser/")
        unwanted_here = item.get_closest_marker(unwanted) or (moved and in_browser)
        (drop if unwanted_here else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"EIP Tracker database under test: {'PostgreSQL' if on_postgres() else 'SQLite'}"]
    moved = _moved_clock(config)
    if moved is not None:
        lines.append(f"EIP Tracker clock moved to {moved.isoformat()} (browser tests deselected)")
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("EIP_FORBID_SKIPS") == "1" and skipped:
        terminalreporter.write_line(
            f"EIP_FORBID_SKIPS=1: {len(skipped)} test(s) skipped; in CI a skip is a failure",
            red=True,
        )
        config._eip_forbidden_skips = True  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if getattr(session.config, "_eip_forbidden_skips", False):
        session.exitstatus = 1


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        url = normalise_database_url(POSTGRES_URL)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("instance")


class IsolatedClient(FlaskClient):
    """A test client whose every request behaves like a separate browser request.

    Tests often hold an app context to build data; Flask then reuses it for the
    client's requests, so `g` (where Flask-Login caches the user and Flask-WTF
    the CSRF token) would leak from one request into the next. Each request gets
    a fresh `g`, and before and after it the shared database session drops any
    open transaction, so the test reads what the request committed.
    """

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is not None:
            # End the test's own read transaction first: on SQLite it holds the
            # write lock (BEGIN IMMEDIATE) that the request is about to need.
            db.session.rollback()
        if ctx is None or ctx.app is not self.application:
            return super().open(*args, **kwargs)
        saved = ctx.g
        ctx.g = self.application.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.g = saved
            db.session.rollback()


def build_app(database_url: str, instance_path, **overrides) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_path),
    }
    settings.update(overrides)
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    return application


def dispose_engines(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, instance_path) -> Iterator[Flask]:
    """The app on the session's migrated database."""
    from flask_migrate import upgrade

    application = build_app(database_url, instance_path)
    with application.app_context():
        upgrade()
        if db.engine.dialect.name == "postgresql":
            _no_autovacuum()
    restore_programme_settings(application)
    yield application
    dispose_engines(application)


@pytest.fixture
def make_app(app: Flask, database_url: str, instance_path):
    """Build another app on the same database with extra settings."""
    built: list[Flask] = []

    def _make(**overrides) -> Flask:
        application = build_app(database_url, instance_path, **overrides)
        built.append(application)
        return application

    yield _make
    for application in built:
        dispose_engines(application)


def _postgres_tables_used(conn, tables: list[str]) -> list[str]:
    """The tables a test touched: those holding rows or whose id sequence has moved (a row
    added and deleted again still moves it, and `_postgres_empty` must put it back)."""
    holding = " UNION ALL ".join(
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})"  # noqa: S608 (our table names)
        for table in tables
    )
    used = {row[0] for row in conn.execute(text(holding))}
    moved = conn.execute(
        text(
            "SELECT DISTINCT owner.relname FROM pg_sequences AS s"
            " JOIN pg_class AS seq ON seq.relname = s.sequencename"
            " JOIN pg_namespace AS ns ON ns.oid = seq.relnamespace AND ns.nspname = s.schemaname"
            " JOIN pg_depend AS dep ON dep.objid = seq.oid AND dep.deptype IN ('a', 'i')"
            " JOIN pg_class AS owner ON owner.oid = dep.refobjid"
            " WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL"
        )
    )
    used.update(row[0] for row in moved)
    return [table for table in tables if table in used]


def _sqlite_tables_holding_rows(conn, tables: list[str]) -> list[str]:
    """The tables holding rows, in the order given (children before parents)."""
    holding = " UNION ALL ".join(
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})"  # noqa: S608 (our table names)
        for table in tables
    )
    held = {row[0] for row in conn.execute(text(holding))}
    return [table for table in tables if table in held]


def _no_autovacuum() -> None:
    """Each test's rows are deleted after it (`_postgres_empty`), leaving free space that
    autovacuum would hand to the next test's inserts anywhere in the table: rows read without
    an ORDER BY would then come back in another order from one run to the next. Without it the
    tables grow by the dead rows, a few thousand pages by the end of the run, and new rows go
    at their end, in the order written, as after the TRUNCATE used before."""
    with db.engine.begin() as conn:
        for table in inspect(conn).get_table_names():
            conn.execute(
                text(
                    f"ALTER TABLE {table} SET"
                    " (autovacuum_enabled = false, toast.autovacuum_enabled = false)"
                )
            )


def _postgres_empty(conn, used: list[str]) -> None:
    """Empties `used` (children before parents) and puts their id sequences back to 1.
    DELETE, not TRUNCATE: TRUNCATE gives each table and index new files, 130-190 ms after
    every test, against about 20 ms to delete a test's few rows. The tables' own triggers
    are lifted meanwhile, as on SQLite: the append-only ones would refuse, and the kept
    figures' would write as rows go."""
    triggered = set(
        conn.scalars(
            text(
                "SELECT DISTINCT c.relname FROM pg_trigger AS t JOIN pg_class AS c"
                " ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relname = ANY(:names)"
            ),
            {"names": used},
        )
    )
    for table in used:
        if table in triggered:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    for table in used:
        conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (table names are ours)
    for table in used:
        if table in triggered:
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    conn.execute(
        text(
            "SELECT setval(seq.oid, 1, false) FROM pg_class AS seq"
            " JOIN pg_depend AS dep ON dep.objid = seq.oid AND dep.deptype IN ('a', 'i')"
            " JOIN pg_class AS owner ON owner.oid = dep.refobjid"
            " WHERE seq.relkind = 'S' AND owner.relname = ANY(:names)"
        ),
        {"names": used},
    )


def truncate_all(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                used = _postgres_tables_used(conn, tables)
                if used:
                    _postgres_empty(conn, used)
            else:
                # Only the tables holding rows are emptied, and only their triggers lifted (the
                # append-only ones would refuse; the tallies' would write as rows go): a trigger
                # fires only for its own table's rows. Dropping and re-creating all 99 triggers
                # after every test cost 94 ms a test, against 14 ms with the 19 before them.
                held = _sqlite_tables_holding_rows(conn, tables)
                triggers = [
                    (name, sql)
                    for name, table, sql in conn.execute(
                        text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
                    )
                    if table in held
                ]
                for name, _sql in triggers:
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
                for table in held:
                    conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (table names are ours)
                for _name, sql in triggers:
                    conn.execute(text(sql))
        restore_programme_settings(application)


def restore_programme_settings(application: Flask) -> None:
    """The settings row that the migration creates, back to its defaults, with the programme's
    dates stretched around today (factories.programme_running) so no test expires."""
    from eip.admin.models import ProgrammeSettings
    from eip.programme import current_settings
    from tests.factories import programme_running

    with application.app_context():
        db.session.add(current_settings(db.session))
        db.session.commit()
        assert db.session.get(ProgrammeSettings, 1) is not None
        programme_running()
        db.session.remove()


@pytest.fixture
def programme_as_migrated(app: Flask) -> None:
    """For a test about the settings' own values: the programme's dates as the migration sets
    them (19 August 2026 to 31 March 2027), not stretched around today."""
    from eip.admin.models import ProgrammeSettings

    with app.app_context():
        settings = db.session.get(ProgrammeSettings, 1)
        for name in ("referral_window_start", "referral_window_end", "programme_end_date"):
            setattr(settings, name, ProgrammeSettings.__table__.c[name].default.arg)
        db.session.commit()
        db.session.remove()


def tally_mismatches(conn) -> list:
    """Where the running case counts (case_tallies, kept by triggers) differ from counting the
    cases afresh: (status, borough_id, tallied, counted) rows, none when they agree."""
    return conn.execute(
        text(
            "SELECT status, borough_id, SUM(tallied), SUM(counted) FROM ("
            " SELECT status, borough_id, n AS tallied, 0 AS counted FROM case_tallies"
            " UNION ALL SELECT status, borough_id, 0, COUNT(*) FROM cases"
            " GROUP BY status, borough_id) AS both_counts"
            " GROUP BY status, borough_id HAVING SUM(tallied) <> SUM(counted)"
        )
    ).all()


# Each reviewed case's first level and latest review, ranked afresh as the dashboard once did.
DASH_LEVELS_AFRESH = (
    "SELECT case_id, intake, risk_level, marac, id, completed_on FROM ("
    " SELECT case_id, id, completed_on, risk_level, marac,"
    " first_value(risk_level) OVER (PARTITION BY case_id ORDER BY completed_on, id) AS intake,"
    " row_number() OVER (PARTITION BY case_id ORDER BY completed_on DESC, id DESC) AS i"
    " FROM dash_reviews) AS ranked WHERE i = 1"
)
DASH_LEVELS_KEPT = (
    "SELECT case_id, intake_level, latest_level, latest_marac, latest_review_id,"
    " latest_completed_on FROM case_dash_levels"
)
DASH_LEVELS_DIFFER = (
    f"SELECT 'kept', d.* FROM ({DASH_LEVELS_KEPT} EXCEPT {DASH_LEVELS_AFRESH}) AS d"  # noqa: S608
    f" UNION ALL SELECT 'afresh', a.* FROM ({DASH_LEVELS_AFRESH} EXCEPT {DASH_LEVELS_KEPT}) AS a"
)


def dash_level_mismatches(conn) -> list:
    """Where the first and latest DASH review kept per case (case_dash_levels, kept by
    triggers) differ from ranking the reviews afresh: the rows of either not in the other."""
    return conn.execute(text(DASH_LEVELS_DIFFER)).all()


def activity_mismatches(conn) -> list:
    """Where each case's kept last activity (case_activity, kept by triggers) differs from
    working it out afresh from the case and every table the case page lists
    (eip.cases.page.RECORD_LISTS) and the placements: the rows of either not in the other."""
    from accommodation.models import Placement
    from eip.cases.page import RECORD_LISTS

    tables = [model.__tablename__ for model in (*RECORD_LISTS.values(), Placement)]
    written = " UNION ALL ".join(f"SELECT case_id, created_at FROM {t}" for t in tables)  # noqa: S608
    instants = ("c.received_at", "c.acknowledged_at", "r.last")
    if conn.dialect.name == "postgresql":
        latest = f"GREATEST(c.created_at, {', '.join(instants)})"
    else:  # SQLite's max() of several is NULL when any is
        latest = f"max(c.created_at, {', '.join(f'coalesce({i}, c.created_at)' for i in instants)})"
    afresh = (
        f"SELECT c.id, c.status NOT IN ('closed', 'not_accepted'), {latest} FROM cases AS c"  # noqa: S608
        f" LEFT JOIN (SELECT case_id, max(created_at) AS last FROM ({written}) AS w"
        " GROUP BY case_id) AS r ON r.case_id = c.id"
    )
    kept = "SELECT case_id, is_open, last_at FROM case_activity"
    return conn.execute(
        text(
            f"SELECT 'kept', k.* FROM ({kept} EXCEPT {afresh}) AS k"  # noqa: S608 (our names)
            f" UNION ALL SELECT 'afresh', a.* FROM ({afresh} EXCEPT {kept}) AS a"
        )
    ).all()


def timeliness_mismatches(session) -> list:
    """Where the referrals counted by their days (timeliness_tallies, kept by triggers)
    differ from the dashboard's lists' own rows of every referral received, counted afresh:
    (days key, tallied, counted), none when they agree."""
    from collections import Counter

    from eip.cases.models import NOT_YET, TimelinessTally
    from eip.reports import dashboard_timeliness, tagged_rows

    def day(value):
        return None if value == NOT_YET else value

    every = dashboard_timeliness._received_part(date(2000, 1, 1), date(2100, 1, 1))
    rows = tagged_rows.read(session, [every])["received"]
    # (closed, late, agreed, received, acknowledged, booked), as the lists read them
    counted = Counter(row[1:3] + row[4:] for row in rows)
    tallied = {}
    for t in session.scalars(select(TimelinessTally).where(TimelinessTally.n != 0)):
        key = (t.closed, t.late, day(t.agreed_on), t.received_on)
        tallied[(*key, day(t.acknowledged_on), day(t.booked_on))] = t.n
    keys = set(counted) | set(tallied)
    return [
        (key, tallied.get(key, 0), counted.get(key, 0))
        for key in keys
        if tallied.get(key, 0) != counted.get(key, 0)
    ]


def outcome_mismatches(conn) -> list:
    """Where the cases counted by consultation outcome, month and borough (outcome_tallies,
    kept by triggers) differ from counting the consultations held afresh: (outcome, month,
    borough_id, tallied, counted) rows, none when they agree."""
    if conn.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', o.held_on) AS DATE)"
    else:
        month = "date(o.held_on, 'start of month')"
    return conn.execute(
        text(
            "SELECT outcome, month, borough_id, SUM(tallied), SUM(counted) FROM ("  # noqa: S608
            " SELECT outcome, month, borough_id, n AS tallied, 0 AS counted FROM outcome_tallies"
            f" UNION ALL SELECT o.outcome, {month}, c.borough_id, 0, COUNT(DISTINCT c.id)"
            " FROM consultations AS o JOIN cases AS c ON c.id = o.case_id"
            " WHERE o.held_on IS NOT NULL AND o.outcome IS NOT NULL"
            f" GROUP BY o.outcome, {month}, c.borough_id) AS both_counts"
            " GROUP BY outcome, month, borough_id HAVING SUM(tallied) <> SUM(counted)"
        )
    ).all()


def month_tally_mismatches(session) -> list:
    """Where the referrals counted by borough and London month (referral_tallies) or the
    meetings counted by day (meeting_tallies), kept by triggers, differ from counting the
    cases and meetings afresh (the London date by eip.reports.london_day): the keys that
    differ with (tallied, counted), none when they agree."""
    from collections import Counter

    from sqlalchemy import func

    from eip.cases.models import Case, MeetingTally, ReferralTally
    from eip.cases.records import ProfessionalsMeeting
    from eip.reports.london_day import london_day

    counted: Counter = Counter()
    days = london_day(Case.received_at)
    for borough, day, n in session.execute(
        select(Case.borough_id, days, func.count())
        .where(Case.received_at.is_not(None))
        .group_by(Case.borough_id, days)
    ):
        counted[("referrals", borough, day.replace(day=1))] += n
    for day, n in session.execute(
        select(ProfessionalsMeeting.held_on, func.count()).group_by(ProfessionalsMeeting.held_on)
    ):
        counted[("meetings", day)] += n
    tallied = {
        ("referrals", t.borough_id, t.month): t.n
        for t in session.scalars(select(ReferralTally).where(ReferralTally.n != 0))
    }
    for t in session.scalars(select(MeetingTally).where(MeetingTally.n != 0)):
        tallied[("meetings", t.held_on)] = t.n
    keys = set(counted) | set(tallied)
    return [
        (key, tallied.get(key, 0), counted.get(key, 0))
        for key in keys
        if tallied.get(key, 0) != counted.get(key, 0)
    ]


# What the checks below compare with the cases: with no case there is nothing to count, so
# only a kept row left behind could differ. Most tests make no case; one statement then
# stands for the checks' seven (about 17 ms after every test on PostgreSQL, 9 on SQLite).
_KEPT_TABLES = (
    "case_tallies",
    "case_dash_levels",
    "case_activity",
    "case_timeliness",
    "timeliness_tallies",
    "outcome_tallies",
    "referral_tallies",
    "meeting_tallies",
)


def _nothing_kept(conn) -> bool:
    """True when there is no case and no kept row; False too when a table is missing (a
    migration test left the schema below it: the checks then see which are there)."""
    tables = ("cases", *_KEPT_TABLES)
    held = " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in tables)  # noqa: S608
    try:
        return not conn.execute(text(f"SELECT {held}")).scalar()
    except DBAPIError:
        conn.rollback()
        return False


def _check_case_tallies(application: Flask) -> None:
    """After every test that used the database: whatever it wrote to cases, records and
    placements (every service, import and job the suite drives), the tallies, the kept DASH
    levels, the cases' last activity, the referrals counted by their days and by month, the
    cases counted by consultation outcome and the meetings by day still match working them
    out afresh."""
    with application.app_context():
        db.session.remove()
        with db.engine.connect() as conn:
            if _nothing_kept(conn):
                return
            tables = inspect(conn).get_table_names()
            if "case_tallies" not in tables:
                return  # a migration test left the schema below the tallies' migration
            mismatches = tally_mismatches(conn)
            levels = dash_level_mismatches(conn) if "case_dash_levels" in tables else []
            activity = activity_mismatches(conn) if "case_activity" in tables else []
            outcome = outcome_mismatches(conn) if "outcome_tallies" in tables else []
        timeliness = timeliness_mismatches(db.session) if "timeliness_tallies" in tables else []
        months = month_tally_mismatches(db.session) if "meeting_tallies" in tables else []
        db.session.remove()
    assert mismatches == [], f"case_tallies differ from the cases: {mismatches}"
    assert timeliness == [], f"timeliness_tallies differ from the referrals: {timeliness}"
    assert months == [], f"referral_tallies or meeting_tallies differ: {months}"
    assert levels == [], f"case_dash_levels differ from the DASH reviews: {levels}"
    assert activity == [], f"case_activity differs from the cases and records: {activity}"
    assert outcome == [], f"outcome_tallies differ from the consultations: {outcome}"


def kept_budget_mismatches(application: Flask) -> list:
    """Where the whole pot's figures, forecast inputs and chart kept between requests under
    the money's current mark (accommodation.budget.memo) differ from working them out afresh:
    the keys whose kept value is stale, none when all agree."""
    from sqlalchemy import select

    from accommodation.budget import memo, queries
    from accommodation.finance.views import unpaid_in_scope
    from accommodation.placements.page import whole_pot
    from accommodation.placements.queue_page import placed_section
    from eip.auth.models import User
    from eip.programme import current_settings

    stale = []
    with application.app_context():
        kept = memo.entries()
        if not kept:
            return []
        application.extensions.pop("eip_budget_memo", None)
        db.session.remove()
        if "budget_marks" not in inspect(db.engine).get_table_names():
            return []  # a migration test left the schema below the marks' migration
        mark = memo.mark(db.session)
        settings = current_settings(db.session)
        now = (settings.pot_pence, settings.max_people)
        current = [(k, v) for k, v in kept if k[:2] == (mark, "pot") and k[3:] == now]
        for key, value in current:
            application.extensions.pop("eip_budget_memo", None)  # nothing kept: afresh
            queries.build(db.session, None, key[2])
            if memo.get(key) != value:
                stale.append(key)
        # The SPOC home's whole-pot part (accommodation.placements.page.pot_snapshot) and its
        # borough's placements, drawn (queue_page.placed_section), as a SPOC of that borough.
        for key, value in kept:
            if key == (mark, "pot snapshot") and whole_pot(db.session) != value:
                stale.append(key)
            # The finance home's unpaid invoices: (mark, "pot", day, ..., scope, limit).
            if key[:2] == (mark, "pot") and key[5:6] == ("unpaid invoices",):
                scope, limit = key[6:]
                if unpaid_in_scope(db.session, scope, key[2], limit) != value:
                    stale.append(key)
            if key[:2] == (mark, "spoc placements"):
                (_scope, borough), limit, root = key[2:]
                spoc = db.session.scalar(
                    select(User).where(User.role == "spoc", User.borough_id == borough).limit(1)
                )
                with application.test_request_context(base_url=f"http://localhost{root}"):
                    if spoc is None or placed_section(db.session, spoc, limit) != value:
                        stale.append(key)
        application.extensions.pop("eip_budget_memo", None)
        db.session.remove()
    return stale


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames or "client" in request.fixturenames:
        application = request.getfixturevalue("app")
        try:
            _check_case_tallies(application)
            stale = kept_budget_mismatches(application)
            assert stale == [], f"budget figures kept past a change of the money: {stale}"
        finally:
            truncate_all(application)


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def run_seed_demo(cli_runner) -> str:
    """`flask eip seed-demo`; the test fails, with the traceback, if the command does."""
    result = cli_runner.invoke(args=["eip", "seed-demo"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"seed-demo raised:\n{result.output}") from result.exception
    assert result.exit_code == 0, f"seed-demo exited {result.exit_code}:\n{result.output}"
    return result.output


_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    field = _CSRF_INPUT.search(html)
    assert field, "page has no CSRF token field"
    return _VALUE.search(field.group(0)).group(1)


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(make_app, app, smtp_sink):
    """An app whose mail goes to the SMTP sink."""
    sink, port = smtp_sink
    application = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
    application.smtp_sink = sink  # type: ignore[attr-defined]
    return application


def sign_in(client: FlaskClient, email: str, password: str, *, follow: bool = False):
    """Sign in through the real form, CSRF token and all."""
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


@pytest.fixture
def signed_in(app: Flask, app_context):
    """Returns a function: signed_in(role, **user_fields) -> (client, user)."""
    from tests import factories

    def _sign_in(role="practitioner", **fields):
        account = factories.user(role, **fields)
        client = app.test_client()
        response = sign_in(client, account.email, factories.PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, account

    return _sign_in


_KEPT_HIDDEN = re.compile(
    r'<input(?=[^>]*type="hidden")(?=[^>]*name="(version|submission)")[^>]*value="([^"]*)"'
)


def hidden_fields(page: str) -> dict[str, str]:
    """The version and one-time submission token a form page carries, as a browser sends them."""
    return {name: html_text.unescape(value) for name, value in _KEPT_HIDDEN.findall(page)}


def post_form(client: FlaskClient, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page, take its CSRF token and the hidden
    version or one-time submission token it carries (unless `data` gives its own), submit."""
    page = client.get(form_url or url).get_data(as_text=True)
    hidden = {name: html_text.unescape(value) for name, value in _KEPT_HIDDEN.findall(page)}
    return client.post(url, data={**hidden, **data, "csrf_token": csrf_token_from(page)}, **kwargs)
