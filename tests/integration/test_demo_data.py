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


def test_the_demo_holds_at_least_30_cases_in_every_state_and_a_re_referral(runner, app_context):
    from eip.cases.models import Case
    from eip.cases.rules import STATES

    runner.invoke(args=["eip", "seed-demo"])
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

    runner.invoke(args=["eip", "seed-demo"])
    references = db.session.scalars(select(Case.reference)).all()
    client = app.test_client()
    assert sign_in(client, "amara.okafor@cranstoun.example", DEMO_PASSWORD).status_code == 302
    for reference in references:
        assert client.get(f"/cases/{reference}").status_code == 200, reference
    assert client.get("/").status_code == 200


def test_the_demo_has_an_email_change_and_an_enable_waiting_for_a_manager(runner, app_context):
    from eip.admin.models import ApprovalRequest

    assert runner.invoke(args=["eip", "seed-demo"]).exit_code == 0
    pending = db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.status == "pending")
    ).all()
    by_kind = {request.kind: request.user for request in pending}
    assert by_kind["email"].role == "finance"
    assert by_kind["enable"].role == "evaluator" and not by_kind["enable"].active
