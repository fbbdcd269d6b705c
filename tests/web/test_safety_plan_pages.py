"""Safety plans through the real app and its forms (CSRF on): a practitioner writes and
changes one, the case page shows it (with the safe contact arrangements) to practitioners
and managers only and every view is audited, bad input writes nothing, and the meeting
form records which plans were reviewed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.records import Child, SafetyPlan, SafetyPlanReview
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from, post_form

RISKS = "Fictional risk at the school gate"
SAFE_CONTACT = "Fictional: call the landline of the aunt after 6pm"


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def plan_form(**overrides) -> dict:
    data = {
        "person": "partner",
        "risks": RISKS,
        "protective_steps": "Fictional protective step",
        "agencies": "Fictional agency",
        "safe_contact": SAFE_CONTACT,
    }
    for n in range(1, 5):
        data.update({f"step{n}_action": "", f"step{n}_by_whom": "", f"step{n}_by_when": ""})
    data.update(
        {
            "step1_action": "Fictional step one",
            "step1_by_whom": "The IDVA",
            "step1_by_when": _parts(date(2026, 12, 20)),
        }
    )
    data.update(overrides)
    return data


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def section(html: str) -> str:
    start = html.index('<section id="safety-plans"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def case_with_child(signed_in):
    client, practitioner = signed_in("practitioner")
    case = fa.case("active", practitioner=practitioner)
    child = Child(case_id=case.id, position=2, age_years=7)
    db.session.add(child)
    db.session.commit()
    return client, practitioner, case, child


def _write(client, case, **overrides):
    return post_form(client, f"/cases/{case.reference}/safety-plans/new", plan_form(**overrides))


def test_a_practitioner_writes_a_childs_plan_and_the_case_page_shows_it(case_with_child):
    client, _, case, child = case_with_child
    response = _write(client, case, person=f"child:{child.id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    (plan,) = db.session.scalars(select(SafetyPlan)).all()
    assert (plan.person, plan.child_id, plan.risks) == ("child", child.id, RISKS)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    shown = section(page)
    assert "Safety plan for Child 2" in shown
    assert RISKS in shown and SAFE_CONTACT in shown and "Fictional step one" in shown
    assert "Review the safety plan for Child 2" in page  # due, in "What is due"


def test_bad_input_shows_every_problem_and_writes_nothing(case_with_child):
    client, *_, case, _ = case_with_child
    response = _write(
        client,
        case,
        person="child:987654",
        risks="",
        step2_action="Half a step",
        step1_by_when=["31", "2", "2026"],
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    for message in (
        "Select who the safety plan is for",
        "Enter the risks to this person",
        "Enter who does step 2",
        "The date of step 1 must be a real date",
    ):
        assert message in html
    assert count(SafetyPlan) == 0


def test_a_plan_is_changed_from_its_page_and_an_older_page_is_refused(case_with_child):
    client, _, case, _ = case_with_child
    _write(client, case)
    plan = db.session.scalars(select(SafetyPlan)).one()
    url = f"/cases/{case.reference}/safety-plans/{plan.id}"
    form = plan_form(risks="Changed fictional risks")
    form.pop("person")
    assert post_form(client, url, form).status_code == 302
    db.session.expire_all()
    assert db.session.get(SafetyPlan, plan.id).risks == "Changed fictional risks"
    stale = client.post(
        url,
        data={
            **form,
            "risks": "Mine",
            "version": "1",
            "csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)),
        },
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(SafetyPlan, plan.id).risks == "Changed fictional risks"


def test_every_view_of_the_plans_is_audited(case_with_child):
    client, practitioner, case, _ = case_with_child
    _write(client, case)
    before = count(AuditEvent)
    client.get(f"/cases/{case.reference}")
    client.get(f"/cases/{case.reference}")
    views = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "case.viewed", AuditEvent.actor_id == practitioner.id
        )
    ).all()
    assert len(views) >= 2 and count(AuditEvent) == before + 2


def test_a_manager_sees_the_plans_but_does_not_write_them(signed_in, case_with_child):
    client, _, case, _ = case_with_child
    _write(client, case)
    manager, _ = signed_in("manager")
    shown = section(manager.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert RISKS in shown and SAFE_CONTACT in shown
    assert "Write a safety plan" not in shown and "Change the safety plan" not in shown
    plan = db.session.scalars(select(SafetyPlan)).one()
    for url in ("new", str(plan.id)):
        assert manager.get(f"/cases/{case.reference}/safety-plans/{url}").status_code == 403


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_other_roles_never_see_a_plan_nor_reach_its_forms(signed_in, case_with_child, role):
    client, _, case, _ = case_with_child
    _write(client, case)
    plan = db.session.scalars(select(SafetyPlan)).one()
    other, _ = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    page = other.get(f"/cases/{case.reference}")
    assert page.status_code == (200 if role == "spoc" else 403)
    body = page.get_data(as_text=True)
    assert RISKS not in body and SAFE_CONTACT not in body and "Safety plans" not in body
    token = csrf_token_from(other.get("/").get_data(as_text=True))
    for url in ("new", str(plan.id)):
        address = f"/cases/{case.reference}/safety-plans/{url}"
        assert other.get(address).status_code == 403
        posted = other.post(address, data={**plan_form(risks="Forged"), "csrf_token": token})
        assert posted.status_code == 403
        assert RISKS not in posted.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SafetyPlan, plan.id).risks == RISKS


def test_the_meeting_form_records_which_plans_were_reviewed(case_with_child):
    client, _, case, child = case_with_child
    _write(client, case)
    _write(client, case, person=f"child:{child.id}", risks="Fictional child risk")
    partner_plan, child_plan = db.session.scalars(select(SafetyPlan).order_by(SafetyPlan.id))
    url = f"/cases/{case.reference}/meetings/new"
    page = client.get(url).get_data(as_text=True)
    assert "The safety plan for the partner was reviewed at this meeting" in page
    assert "The safety plan for Child 2, aged 7 was reviewed at this meeting" in page
    data = fa.meeting_form(
        today(),
        **{
            f"plan{child_plan.id}_reviewed": "y",
            f"plan{child_plan.id}_change": "Fictional change",
            f"plan{partner_plan.id}_change": "",
        },
    )
    assert fa.submit(client, url, data).status_code == 302
    (review,) = db.session.scalars(select(SafetyPlanReview)).all()
    assert (review.plan_id, review.change) == (child_plan.id, "Fictional change")
    shown = section(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert "Fictional change" in shown


def test_a_change_with_the_plan_unticked_is_refused_on_the_meeting_form(case_with_child):
    client, _, case, _ = case_with_child
    _write(client, case)
    plan = db.session.scalars(select(SafetyPlan)).one()
    url = f"/cases/{case.reference}/meetings/new"
    data = fa.meeting_form(today(), **{f"plan{plan.id}_change": "Fictional change"})
    response = fa.submit(client, url, data)
    assert response.status_code == 400
    assert "Tick that the safety plan was reviewed" in response.get_data(as_text=True)
    assert count(SafetyPlanReview) == 0


def test_an_overdue_review_shows_on_the_practitioners_home_and_work_list(case_with_child):
    from datetime import UTC, datetime, timedelta

    client, _, case, child = case_with_child
    _write(client, case, person=f"child:{child.id}")
    plan = db.session.scalars(select(SafetyPlan)).one()
    plan.created_at = datetime.now(UTC) - timedelta(days=10)
    db.session.commit()  # the stored due items are rewritten in this commit
    for address in ("/", "/work"):
        page = client.get(address).get_data(as_text=True)
        assert "Review the safety plan for Child 2" in page, address
