"""seed-demo: fictional data, loaded once, never in production."""

from sqlalchemy import func, select

from eip.extensions import db
from eip.models import DEMO_DATA_KEY, AppState, Borough


def test_seed_demo_loads_boroughs_and_marks_the_data_as_fictional(runner, app_context):
    result = runner.invoke(args=["eip", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "fictional" in result.output
    assert db.session.get(AppState, DEMO_DATA_KEY) is not None
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33


def test_seed_demo_run_twice_neither_fails_nor_duplicates(runner, app_context):
    runner.invoke(args=["eip", "seed-demo"])
    second = runner.invoke(args=["eip", "seed-demo"])
    assert second.exit_code == 0
    assert "already loaded" in second.output
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33


def test_seed_demo_refuses_in_production(app, make_app):
    production_app = make_app(EIP_ENV="production")
    result = production_app.test_cli_runner().invoke(args=["eip", "seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run when EIP_ENV=production" in result.output
    with production_app.app_context():
        assert db.session.get(AppState, DEMO_DATA_KEY) is None
