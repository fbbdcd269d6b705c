"""One source of truth per date on the case page: each deadline is computed once
(eip/cases/deadlines.py) and every panel, and the meeting pack, reads that one date."""

from __future__ import annotations

import html as html_text
import re
from collections import defaultdict
from datetime import timedelta
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from eip.cases.models import Case
from eip.cases.records import ProfessionalsMeeting
from eip.clock import now, today
from eip.extensions import db
from eip.formatting import long_date
from tests import factories_pathway_activity as fa
from tests import factories_pathway_progress as progress
from tests.conftest import run_seed_demo

DATE = r"\d{1,2} [A-Z][a-z]+ \d{4}"


def words(page: str) -> str:
    """The page's text, tags dropped and spaces squeezed."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]


def shown_dates(page: str) -> dict[str, set[str]]:
    """Every deadline the case page names, with each date it gives it."""
    dates: dict[str, set[str]] = defaultdict(set)
    for item in re.findall(r"<li>(.*?)</li>", section(page, "due"), re.S):
        text = words(item)
        found = re.search(rf"^(?:(?:Overdue|Due today|Due soon) )?(.*): ({DATE})", text)
        if found:
            dates[found.group(1)].add(found.group(2))
    activity = words(section(page, "activity"))
    if found := re.search(rf"Next meeting due ({DATE})", activity):
        dates["Hold the professionals meeting"].add(found.group(1))
    if found := re.search(rf"Not acknowledged yet\. Due by \w+ ({DATE})", words(page)):
        dates["Acknowledge the referral"].add(found.group(1))
    # Open actions (activity panel) and the plan's actions (consultation panel): an open
    # action's date is its deadline.
    for panel in ("activity", "consultation"):
        for row in re.findall(
            r'<tr class="govuk-table__row">(.*?)</tr>', section(page, panel), re.S
        ):
            cells = [words(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            if len(cells) >= 3 and not any(c.startswith("Done") for c in cells):
                when = [re.match(DATE, c) for c in cells]
                described = re.sub(
                    r"^(Plan|Consent review|IDVA referral|MARAC referral|Other|Meeting) ",
                    "",
                    cells[0],
                )
                described = described.removesuffix(" Urgent")
                for match in when:
                    if match:
                        dates[described].add(match.group(0))
    return dates


def pdf_words(response) -> str:
    return " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages).split()
    )


def test_a_meeting_before_the_intervention_started_gives_the_page_and_pack_one_date(
    signed_in,
):
    # A meeting held while waiting for consent, then the intervention started: the next
    # meeting is due a week after the start (the later date), on the page and in the pack
    # (which counted from the meeting before, a date three days earlier).
    client, user = signed_in("practitioner")
    started = today() - timedelta(days=2)
    case = fa.case("active", practitioner=user, started_on=started)
    db.session.add(
        ProfessionalsMeeting(
            case_id=case.id,
            held_on=started - timedelta(days=3),
            attendees="Practitioner, social worker",
            risk_update="None",
            progress="None",
        )
    )
    db.session.commit()
    due = long_date(started + timedelta(days=7))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert dict(shown_dates(page))["Hold the professionals meeting"] == {due}
    pack = client.get(f"/cases/{case.reference}/documents/meeting-pack.pdf")
    assert pack.status_code == 200, pack.status_code
    assert f"Next meeting due {due}" in pdf_words(pack)


def test_an_action_agreed_at_a_meeting_is_not_read_as_the_next_meeting(signed_in):
    # The action from last week's meeting is due in 2 days; the next meeting in 5. The
    # activity panel's "Next meeting due" took the action's date (it is kind "meeting").
    client, user = signed_in("practitioner")
    held = today() - timedelta(days=2)
    case = fa.case("active", practitioner=user, started_on=today() - timedelta(days=20))
    meeting = ProfessionalsMeeting(
        case_id=case.id, held_on=held, attendees="Practitioner", risk_update="-", progress="-"
    )
    db.session.add(meeting)
    db.session.commit()
    fa.action(case, "meeting", description="Call the school", due_on=today() + timedelta(days=2))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    dates = shown_dates(page)
    assert dates["Hold the professionals meeting"] == {long_date(held + timedelta(days=7))}
    assert dates["Call the school"] == {long_date(today() + timedelta(days=2))}
    pack = client.get(f"/cases/{case.reference}/documents/meeting-pack.pdf")
    assert f"Next meeting due {long_date(held + timedelta(days=7))}" in pdf_words(pack)


def test_an_open_plan_action_on_a_closed_case_is_not_called_overdue(signed_in):
    # "What is due" lists nothing on a closed case; the plan's table must not say otherwise.
    client, _user = signed_in("manager")
    case = progress.consulted_case("intervention")
    case.status, case.status_before_closure = "closed", "awaiting_consent"
    case.closed_at, case.closure_outcome = now(), "disengaged"
    db.session.commit()
    fa.action(case, "plan", description="Agree a safety plan", due_on=today() - timedelta(days=9))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Nothing is due on this case." in page
    consultation = section(page, "consultation")
    assert "Agree a safety plan" in consultation and "Overdue" not in consultation


def test_no_demo_case_page_shows_two_dates_for_the_same_deadline(runner, signed_in):
    run_seed_demo(runner)
    client, _ = signed_in("manager")
    checked = 0
    for reference in db.session.scalars(select(Case.reference).order_by(Case.reference)):
        page = client.get(f"/cases/{reference}").get_data(as_text=True)
        for deadline, dates in shown_dates(page).items():
            assert len(dates) == 1, (reference, deadline, dates)
            checked += 1
    assert checked > 30
