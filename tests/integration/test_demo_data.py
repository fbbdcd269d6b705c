"""seed-demo: fictional data, loaded once, never in production."""

import pytest
from sqlalchemy import func, select

from eip.extensions import db
from eip.models import DEMO_DATA_KEY, AppState, Borough
from tests.conftest import run_seed_demo


def test_seed_demo_loads_boroughs_and_marks_the_data_as_fictional(runner, app_context):
    output = run_seed_demo(runner)
    assert "Demo data loaded (fictional)." in output
    assert db.session.get(AppState, DEMO_DATA_KEY) is not None
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33


def test_seed_demo_run_twice_neither_fails_nor_duplicates(runner, app_context):
    run_seed_demo(runner)
    assert "Demo data already loaded." in run_seed_demo(runner)
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33


def test_seed_demo_refuses_in_production(app, make_app):
    production_app = make_app(EIP_ENV="production")
    result = production_app.test_cli_runner().invoke(args=["eip", "seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run when EIP_ENV=production" in result.output
    with production_app.app_context():
        assert db.session.get(AppState, DEMO_DATA_KEY) is None


def test_the_demo_holds_at_least_30_cases_in_every_state_and_a_re_referral(runner, app_context):
    from eip.cases.models import Case
    from eip.cases.rules import STATES

    run_seed_demo(runner)
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) >= 30
    assert {case.status for case in cases} == set(STATES)
    assert len({case.borough_id for case in cases}) >= 5
    clients = [case.client_id for case in cases]
    assert len(clients) > len(set(clients)), "a re-referral links to the same person"


def test_every_demo_case_page_opens_for_a_practitioner(runner, app, app_context):
    from eip.cases.models import Case
    from eip.demo import DEMO_PASSWORD
    from tests.conftest import sign_in

    run_seed_demo(runner)
    references = db.session.scalars(select(Case.reference)).all()
    client = app.test_client()
    assert sign_in(client, "amara.okafor@cranstoun.example", DEMO_PASSWORD).status_code == 302
    for reference in references:
        assert client.get(f"/cases/{reference}").status_code == 200, reference
    assert client.get("/").status_code == 200


def test_a_failing_seed_demo_fails_the_tests_that_load_it(app, make_app, tmp_path):
    """The demo tests above stand on run_seed_demo: a refusal or a crash must not pass."""
    production = make_app(EIP_ENV="production").test_cli_runner()
    with pytest.raises(AssertionError, match="refuses to run when EIP_ENV=production"):
        run_seed_demo(production)
    # A database with no tables: the command crashes inside seed_demo.
    unmigrated = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(AssertionError, match="seed-demo raised") as failure:
        run_seed_demo(unmigrated.test_cli_runner())
    assert failure.value.__cause__ is not None
