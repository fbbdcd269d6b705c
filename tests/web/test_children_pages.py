"""A case's children through the real app and real forms: practitioners add, change and
remove them; managers see them; other roles get neither the pages nor the section; bad
input is explained and saves nothing; a stale save is refused (409)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.cases.records import Child
from eip.extensions import db
from tests import factories_pathway_progress as pf
from tests.conftest import csrf_token_from, post_form

CHILD = {
    "age_years": "7",
    "lives_with": "client",
    "childrens_services_status": "child_in_need",
    "school_known": "yes",
}


def _url(case: Case, path: str = "") -> str:
    return f"/cases/{case.reference}/children{path}"


def _add(case: Case, position: int, **values) -> Child:
    child = Child(
        case_id=case.id,
        position=position,
        age_years=values.pop("age_years", None),
        age_band=values.pop("age_band", None),
        lives_with=values.pop("lives_with", "client"),
        childrens_services_status=values.pop("childrens_services_status", "none"),
        school_known=values.pop("school_known", "yes"),
        **values,
    )
    db.session.add(child)
    case.children_count = (case.children_count or 0) + 1
    db.session.commit()
    return child


def _children(case: Case) -> list[Child]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Child).where(Child.case_id == case.id).order_by(Child.position))
    )


def _count(case: Case) -> int | None:
    db.session.expire_all()
    return db.session.get(Case, case.id).children_count


@pytest.fixture
def family(app_context):
    """An active Camden case with two children, the second carried over for review."""
    case = pf.active_case()
    first = _add(case, 1, age_years=4)
    second = _add(case, 2, age_band="not_known", lives_with="not_known", needs_review=True)
    return {"case": case, "first": first.id, "second": second.id}


def test_a_practitioner_adds_a_child_and_the_count_follows(signed_in, family):
    client, _ = signed_in("practitioner")
    case = family["case"]
    response = post_form(client, _url(case, "/new"), CHILD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    added = _children(case)[-1]
    assert (added.position, added.age_years, added.lives_with) == (3, 7, "client")
    assert added.childrens_services_status == "child_in_need" and not added.needs_review
    assert _count(case) == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.child_added"))
    assert event.details["record"] == added.id
    assert "7" not in str(event.details["fields"])  # field names, never values


def test_an_age_band_stands_in_for_an_unknown_age(signed_in, family):
    client, _ = signed_in("practitioner")
    case = family["case"]
    data = {**CHILD, "age_years": "", "age_band": "unborn", "school_known": "not_applicable"}
    assert post_form(client, _url(case, "/new"), data).status_code == 302
    added = _children(case)[-1]
    assert (added.age_years, added.age_band) == (None, "unborn")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"age_years": ""}, "Enter the child&#39;s age in years, or choose an age band"),
        ({"age_years": "19"}, "The child&#39;s age must be between 0 and 17 years"),
        ({"age_years": "seven"}, "Enter the child&#39;s age as a whole number of years"),
        ({"lives_with": ""}, "Select who the child lives with"),
        ({"school_known": "maybe"}, "Select whether a school or nursery is known"),
    ],
)
def test_bad_input_is_explained_on_the_form_and_saves_nothing(signed_in, family, changes, message):
    client, _ = signed_in("practitioner")
    case = family["case"]
    response = post_form(client, _url(case, "/new"), {**CHILD, **changes})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    assert len(_children(case)) == 2 and _count(case) == 2


def test_reviewing_a_child_saves_the_details_and_clears_the_flag(signed_in, family):
    client, _ = signed_in("practitioner")
    case = family["case"]
    url = _url(case, f"/{family['second']}")
    page = client.get(url).get_data(as_text=True)
    assert "need checking" in page
    assert post_form(client, url, {**CHILD, "age_years": "2"}).status_code == 302
    second = _children(case)[1]
    assert (second.age_years, second.lives_with, second.needs_review) == (2, "client", False)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.child_updated"))
    assert "needs_review" in event.details["fields"]


def test_a_stale_change_is_refused_and_saves_nothing(signed_in, family):
    client, _ = signed_in("practitioner")
    case = family["case"]
    url = _url(case, f"/{family['first']}")
    page = client.get(url).get_data(as_text=True)
    first = db.session.get(Child, family["first"])
    first.lives_with = "both"  # someone else saved meanwhile
    db.session.commit()
    response = client.post(
        url,
        data={**CHILD, "version": "1", "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 409
    assert "Someone else changed this" in response.get_data(as_text=True)
    assert _children(case)[0].lives_with == "both" and _children(case)[0].age_years == 4


def test_removing_a_child_numbers_the_others_again_and_the_count_follows(signed_in, family):
    client, _ = signed_in("practitioner")
    case = family["case"]
    response = post_form(client, _url(case, f"/{family['first']}/remove"), {})
    assert response.status_code == 302
    (left,) = _children(case)
    assert (left.id, left.position) == (family["second"], 1)
    assert _count(case) == 1
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case.child_removed")
    )


def test_the_case_page_lists_the_children_and_marks_the_one_to_review(signed_in, family):
    client, _ = signed_in("practitioner")
    html = client.get(f"/cases/{family['case'].reference}").get_data(as_text=True)
    section = html[html.index('id="children"') :]
    assert "Child 1" in section and "Aged 4" in section
    assert "Needs review" in section and "Age not known" in section
    assert "Add a child" in section and "Remove" in section


def test_a_manager_sees_the_children_but_may_not_change_them(signed_in, family):
    client, _ = signed_in("manager")
    case = family["case"]
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    section = html[html.index('id="children"') :]
    assert "Child 1" in section and "Needs review" in section
    assert "Add a child" not in section and "/remove" not in section
    token = csrf_token_from(html)
    for url in (
        _url(case, "/new"),
        _url(case, f"/{family['first']}"),
        _url(case, f"/{family['first']}/remove"),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={**CHILD, "csrf_token": token}).status_code == 403, url
    assert len(_children(case)) == 2


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_other_roles_get_neither_the_children_pages_nor_the_section(signed_in, family, role):
    client, _ = signed_in(role)  # the SPOC is Camden's: the case's own borough
    case = family["case"]
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for url in (
        _url(case, "/new"),
        _url(case, f"/{family['first']}"),
        _url(case, f"/{family['first']}/remove"),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={**CHILD, "csrf_token": token}).status_code == 403, url
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="children"' not in page and "Aged 4" not in page
    assert len(_children(case)) == 2


def test_a_closed_cases_children_cannot_be_changed(signed_in, app_context):
    client, _ = signed_in("practitioner")
    case = pf.closed_case()
    page = client.get(_url(case, "/new"))
    assert "closed" in page.get_data(as_text=True)
    response = post_form(client, _url(case, "/new"), CHILD)
    assert response.status_code == 400
    assert _children(case) == []


def test_a_child_of_another_case_is_not_found(signed_in, family):
    client, _ = signed_in("practitioner")
    other = pf.active_case()
    assert client.get(_url(other, f"/{family['first']}")).status_code == 404
    assert client.get(_url(other, f"/{family['first']}/remove")).status_code == 404


def test_the_case_page_reads_its_children_in_its_one_reading(signed_in, app_context):
    """The children ride in the case page's one UNION ALL: a case with three of them runs
    the same statements as a case with none (tests/web/test_query_counts.py)."""
    from eip import querycount

    client, _ = signed_in("practitioner")
    without, with_three = pf.active_case(), pf.active_case()
    for position in (1, 2, 3):
        _add(with_three, position, age_years=position)
    counts = []
    for case in (without, with_three):
        client.get(f"/cases/{case.reference}")  # warm: first-time work
        with querycount.counting() as counted:
            assert client.get(f"/cases/{case.reference}").status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]
    union = [sql for sql in counted.statements if "UNION ALL" in sql]
    assert len(union) == 1 and "children" in union[0]


def test_every_problem_is_shown_in_one_round(signed_in, family):
    client, _ = signed_in("practitioner")
    case = family["case"]
    body = post_form(client, _url(case, "/new"), {}).get_data(as_text=True)
    for message in (
        "Enter the child&#39;s age in years, or choose an age band",
        "Select who the child lives with",
        "Select the child&#39;s children&#39;s services status",
        "Select whether a school or nursery is known",
    ):
        assert message in body
    typed = post_form(client, _url(case, "/new"), {"age_years": "seven"}).get_data(as_text=True)
    assert "whole number of years" in typed and "or choose an age band" not in typed
