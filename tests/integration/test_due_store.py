"""The stored due items (case_due_items) stay equal to what the deadline rules compute, after
every kind of write, so the home pages can read them from SQL with a limit."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from accommodation.models import ReturnHomeReview
from eip.admin.models import NonWorkingDay
from eip.cases import due_store
from eip.cases.deadlines import DUE_SOON, DUE_TODAY, OVERDUE, DueItem, due_items
from eip.cases.models import Case, CaseDueItem
from eip.cases.queries import caseload, deadline_settings, facts_for, work_items, work_window
from eip.clock import today
from eip.extensions import db
from eip.main.home import _practitioner
from eip.programme import current_settings
from eip.workdays import working_days_between
from tests import factories
from tests import factories_accommodation as accommodation
from tests import factories_pathway_activity as activity
from tests import factories_pathway_progress as progress


def computed() -> dict[int, list[DueItem]]:
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    settings = deadline_settings(db.session)
    facts = facts_for(db.session, cases)
    return {case.id: due_items(facts[case.id], settings) for case in cases}


def assert_stored_equals_computed() -> None:
    db.session.expire_all()
    expected = computed()
    rows = due_store.stored(db.session, list(expected))
    refs = {c.id: c.reference for c in db.session.scalars(select(Case))}
    practitioners = dict(db.session.execute(select(Case.id, Case.allocated_practitioner_id)).all())
    stored = {
        case_id: [due_store.as_item(row, refs[case_id]) for row in items]
        for case_id, items in rows.items()
    }
    assert stored == expected
    for items in rows.values():
        for row in items:
            assert row.practitioner_id == practitioners[row.case_id]


def test_every_kind_of_write_keeps_the_stored_items_equal_to_the_rules(app_context):
    practitioner = factories.user("practitioner")
    referred = progress.case_in("referred", practitioner)
    assert_stored_equals_computed()
    assert {row.kind for row in due_store.stored(db.session, [referred.id])[referred.id]} == {
        "acknowledgement",
        "consultation_booking",
    }
    # The case itself changes: acknowledged.
    referred.acknowledged_at = referred.received_at + timedelta(hours=2)
    db.session.commit()
    assert_stored_equals_computed()
    # A record is added: the consultation booked, a meeting clock started.
    progress.booked_case(practitioner)
    active = activity.case("active", practitioner=practitioner, received_on=today() - timedelta(60))
    assert_stored_equals_computed()
    activity.incident(active, today() - timedelta(days=2))
    activity.dash_review(active, today() - timedelta(days=40), 5)
    action = activity.action(active, due_on=today() + timedelta(days=1), urgent=True)
    activity.action(active, description="No date yet", due_on=None)
    assert_stored_equals_computed()
    # A record is changed: the action done; then deleted.
    action.completed_at = datetime.now(UTC)
    db.session.commit()
    assert_stored_equals_computed()
    db.session.delete(action)
    db.session.commit()
    assert_stored_equals_computed()
    # A stay (accommodation): the placement's case, then the review, which names only the
    # placement.
    stay = accommodation.placement(state="checked_in", move_in_on=today() - timedelta(days=26))
    assert_stored_equals_computed()
    kinds = [row.kind for row in due_store.stored(db.session, [stay.case_id])[stay.case_id]]
    assert "return_home_review" in kinds
    db.session.add(
        ReturnHomeReview(
            placement_id=stay.id,
            reviewed_on=today(),
            children_risks_reviewed=True,
            adults_risks_reviewed=True,
            return_safe=True,
            support_package="Weekly calls",
        )
    )
    db.session.commit()
    assert_stored_equals_computed()
    kinds = [row.kind for row in due_store.stored(db.session, [stay.case_id])[stay.case_id]]
    assert "return_home_review" not in kinds
    # Reallocated: the copy of the practitioner follows.
    other = factories.user("practitioner")
    active.allocated_practitioner_id = other.id
    db.session.commit()
    assert_stored_equals_computed()
    # Closed: nothing is due.
    progress.closed_case(practitioner=practitioner)
    active.status = "closed"
    db.session.commit()
    assert_stored_equals_computed()
    assert due_store.stored(db.session, [active.id])[active.id] == []


def test_a_new_setting_or_non_working_day_rewrites_every_case(app_context):
    practitioner = factories.user("practitioner")
    cases = [progress.case_in("referred", practitioner) for _ in range(3)]
    before = due_store.stored(db.session, [c.id for c in cases])
    settings = current_settings(db.session)
    settings.acknowledge_working_days += 2
    db.session.commit()
    assert_stored_equals_computed()
    after = due_store.stored(db.session, [c.id for c in cases])
    assert [r.due_on for r in after[cases[0].id]] != [r.due_on for r in before[cases[0].id]]
    first_due = after[cases[0].id][0].due_on
    db.session.add(NonWorkingDay(day=first_due - timedelta(days=1), reason="Training day"))
    db.session.commit()
    assert_stored_equals_computed()


def test_a_write_that_is_rolled_back_leaves_the_items_as_they_were(app_context):
    case = progress.case_in("referred", factories.user("practitioner"))
    case.acknowledged_at = case.received_at
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing pending: must not rewrite from the abandoned change
    assert_stored_equals_computed()
    assert len(due_store.stored(db.session, [case.id])[case.id]) == 2


def test_refresh_all_repairs_rows_written_behind_the_listeners_back(app_context):
    case = progress.case_in("referred", factories.user("practitioner"))
    # A bulk write (the synthetic seed, a script) announces nothing to the listener.
    db.session.execute(CaseDueItem.__table__.delete())
    db.session.commit()
    assert due_store.stored(db.session, [case.id])[case.id] == []
    assert due_store.refresh_all(db.session) == 1
    db.session.commit()
    assert_stored_equals_computed()


def test_soon_until_is_the_last_day_within_two_working_days():
    for offset in range(30):
        day = date(2026, 12, 18) + timedelta(days=offset)  # across Christmas and New Year
        cut = due_store.soon_until(day)
        assert working_days_between(day, cut) <= 2
        assert working_days_between(day, cut + timedelta(days=1)) > 2


def _measure(case, point: str):
    from eip.cases.records import OutcomeMeasure

    return OutcomeMeasure(
        case_id=case.id,
        point=point,
        measured_on=case.intervention_started_on,
        partner_source="not_safe",
        children_exposure="not_known",
    )


def test_the_home_shows_the_same_items_as_the_rules_for_a_small_caseload(app_context):
    """What the home page listed before (every open case's items, computed in Python and
    grouped by urgency) is what the SQL query lists now."""
    me = factories.user("practitioner")
    start = today()
    for days in (1, 2, 3, 4, 5, 8, 20, 40):
        case = activity.case(
            "active", practitioner=me, received_on=start - timedelta(days=days + 14)
        )
        case.intervention_started_on = start - timedelta(days=days)
        # Measured at intake and mid-point: the home's limit stays above this caseload's items.
        for point in ("intake", "mid"):
            db.session.add(_measure(case, point))
        db.session.commit()
        activity.action(case, due_on=start + timedelta(days=days % 4), urgent=days % 2 == 0)
    progress.case_in("referred", me)
    accommodation.placement(
        accommodation.accommodation_case(me),
        state="checked_in",
        move_in_on=start - timedelta(days=26),
    )
    progress.case_in("referred", factories.user("practitioner"))

    extra = deadline_settings(db.session).extra_non_working_days
    before: dict[str, list] = {OVERDUE: [], DUE_TODAY: [], DUE_SOON: []}
    for row in caseload(db.session, me, start):
        for item in row.due:
            urgency = item.urgency(start, extra)
            if urgency in before:
                before[urgency].append((row.case.reference, item))
    now = _practitioner(db.session, me)
    for urgency, items in before.items():
        assert now["due_counts"][urgency] == len(items)
        shown = [(case.reference, item) for case, item in now["due_groups"][urgency]]
        assert sorted(shown, key=repr) == sorted(items, key=repr)
        assert [item.due_on for _, item in shown] == sorted(item.due_on for _, item in shown)
    window = work_window(db.session, start)
    assert len(work_items(db.session, me, window, limit=3)) == 3


def test_the_cli_and_the_nightly_job_refresh_every_case(app):
    from eip.jobs import refresh_due_items

    with app.app_context():
        case_id = progress.case_in("referred", factories.user("practitioner")).id
        db.session.execute(CaseDueItem.__table__.delete())
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["eip", "refresh-due-items"])
    assert result.exit_code == 0, result.output
    assert "Refreshed the due items of 1 cases." in result.output
    with app.app_context():
        assert len(due_store.stored(db.session, [case_id])[case_id]) == 2
        db.session.execute(CaseDueItem.__table__.delete())
        db.session.commit()
        assert refresh_due_items(db.session, datetime.now(UTC)) == (
            "refreshed the due items of 1 cases"
        )
        assert_stored_equals_computed()


def test_two_additions_to_one_case_at_once_leave_one_set_of_items(app):
    """Two actions saved on the same case at the same instant (additions take no lock of
    their own): the stored items are the rules' answer for both, not two sets of rows."""
    import threading

    from eip.cases.records import CaseAction

    with app.app_context():
        case_id = activity.case("active", practitioner=factories.user("practitioner")).id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        with app.app_context():
            try:
                db.session.get(Case, case_id)
                if db.engine.dialect.name == "sqlite":
                    db.session.rollback()
                barrier.wait(timeout=30)
                db.session.add(
                    CaseAction(
                        case_id=case_id,
                        kind="other",
                        description=f"Call {n}",
                        owner="Practitioner",
                        due_on=today() + timedelta(days=n),
                    )
                )
                db.session.commit()
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=add, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert_stored_equals_computed()
        labels = [row.label for row in due_store.stored(db.session, [case_id])[case_id]]
        assert labels.count("Call 1") == 1 and labels.count("Call 2") == 1


def test_an_action_marked_done_by_its_service_leaves_the_work_list(app_context):
    """`complete_action` marks the action with an UPDATE statement, not a flush: the item
    still goes."""
    from eip.cases import activity_services

    me = factories.user("practitioner")
    case = activity.case("active", practitioner=me)
    action = activity.action(case, due_on=today() - timedelta(days=1))
    assert action.id in {r.action_id for r in due_store.stored(db.session, [case.id])[case.id]}
    activity_services.complete_action(db.session, me, case, action_id=action.id)
    assert_stored_equals_computed()
    assert action.id not in {r.action_id for r in due_store.stored(db.session, [case.id])[case.id]}
