"""The subject access pack on a real database (both engines): a client's pack holds none of
the partner's name, address, phone, e-mail, date of birth, safe-contact times or code word,
in the PDF's text or the JSON, and a partner's none of the client's; records about the
other party alone are left out; free text is masked and listed for review; the download is
audited; only managers may produce it."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.cases.access_log import record_view
from eip.domain import NotAllowed
from eip.extensions import db
from eip.privacy import subject_access_pack
from tests import factories
from tests import factories_subject_access as fs


@pytest.fixture
def manager(app_context):
    return factories.user("manager", name="Morgan Manager")


def open_pack(manager, request):
    name, content = subject_access_pack.produce(db.session, manager, request.id)
    archive = zipfile.ZipFile(BytesIO(content))
    assert sorted(archive.namelist()) == ["subject-access.json", "subject-access.pdf"]
    pdf = PdfReader(BytesIO(archive.read("subject-access.pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    return (
        name,
        text,
        json.loads(archive.read("subject-access.json")),
        archive.read("subject-access.json").decode(),
    )


def forbidden(values: dict) -> list[str]:
    words = [values["name"], *values["name"].split(), values["phone"], values["email"]]
    words += [values["phone"].replace(" ", ""), values["dob"].isoformat()]
    words += [values["address"].split("\n")[0], values["address"].split("\n")[1]]
    words += [values["safe_contact"]]
    if "code_word" in values:
        words.append(values["code_word"])
    return words


def flat(text: str) -> str:
    return " ".join(text.split()).lower()


def test_a_clients_pack_holds_none_of_the_partners_details(manager):
    case = fs.family_case()
    name, text, data, raw = open_pack(manager, fs.request(case, "client"))
    assert name.startswith(case.reference) and name.endswith(".zip")
    for word in [*forbidden(fs.PARTNER), fs.PLAN_SAFE_CONTACT, fs.MARAC_SAFE_CONTACT]:
        assert word.lower() not in flat(text), word
        assert word.lower() not in raw.lower(), word
    # Their own details are there, but not their own safe contact arrangements.
    assert data["subject"]["full_name"] == fs.CLIENT["name"]
    assert data["subject"]["phone"] == fs.CLIENT["phone"]
    assert fs.CLIENT["safe_contact"] not in raw
    assert fs.CLIENT["name"] in " ".join(text.split())


def test_a_partners_pack_holds_none_of_the_clients_details(manager):
    case = fs.family_case()
    _name, text, data, raw = open_pack(manager, fs.request(case, "partner"))
    for word in forbidden(fs.CLIENT):
        assert word.lower() not in flat(text), word
        assert word.lower() not in raw.lower(), word
    assert data["subject"]["full_name"] == fs.PARTNER["name"]
    # Safe contact arrangements and the code word are in no pack, the person's own too.
    for word in (fs.PARTNER["safe_contact"], fs.PARTNER["code_word"], fs.PLAN_SAFE_CONTACT):
        assert word.lower() not in raw.lower()
        assert word.lower() not in flat(text)


def test_records_about_the_other_party_alone_are_left_out(manager):
    case = fs.family_case()
    _n, _t, client, _raw = open_pack(manager, fs.request(case, "client"))
    [records] = [c["records"] for c in client["cases"]]
    assert {"safety_plans", "partner_support_contacts"}.isdisjoint(records)
    assert {"intervention_sessions", "case_notes", "placements"} <= set(records)
    # The partner's DASH answers and where they live (areas to avoid) are withheld.
    assert "answers" not in records["dash_reviews"][0]
    assert "areas_to_avoid" not in records["placements"][0]
    assert all(c["person_role"] == "client" for c in records["consents"])
    # Children: their age only.
    assert records["children"][0] == {
        "created_at": records["children"][0]["created_at"],
        "recorded_by": None,
        "position": 1,
        "age_years": 6,
        "age_band": None,
    }
    _n, _t, partner, _raw = open_pack(manager, fs.request(case, "partner"))
    [records] = [c["records"] for c in partner["cases"]]
    assert {"intervention_sessions", "case_notes", "placements"}.isdisjoint(records)
    assert {"safety_plans", "partner_support_contacts"} <= set(records)
    assert "answers" in records["dash_reviews"][0]


def test_free_text_is_masked_and_listed_for_review_on_the_cover(manager):
    case = fs.family_case()
    _n, _text, data, _raw = open_pack(manager, fs.request(case, "client"))
    [part] = data["cases"]
    # The client's own name stays; the partner's name and address do not.
    assert (
        part["records"]["incidents"][0]["description"]
        == "Desmond followed [withheld] to [withheld]"
    )
    review = {(r["record"], r["field"]) for r in data["for_review_before_release"]}
    assert ("Incidents 1", "description") in review
    assert ("Referral", "reason_for_referral") in review
    assert ("Case notes 1 (marked sensitive)", "note") in review
    # Short typed text outside free text is masked too, but not listed for review.
    assert part["records"]["case_actions"][-1]["owner"] == "[withheld]'s IDVA"
    cover = flat(PdfReader(BytesIO(_pdf(manager, case))).pages[0].extract_text())
    assert "read before release" in cover
    assert "incidents 1: description" in cover


def _pdf(manager, case) -> bytes:
    _name, content = subject_access_pack.produce(db.session, manager, fs.request(case, "client").id)
    return zipfile.ZipFile(BytesIO(content)).read("subject-access.pdf")


def test_the_access_log_names_who_viewed_the_case_and_the_download_is_audited(manager):
    case = fs.family_case()
    practitioner = factories.user("practitioner", name="Pat Practitioner")
    record_view(db.session, practitioner, case)
    request = fs.request(case, "client")
    _n, _t, data, _raw = open_pack(manager, request)
    assert [e["who"] for e in data["access_log"]] == ["Pat Practitioner"]
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject_access.pack_downloaded")
    ).all()
    assert event.object_id == str(request.id) and event.details == {"person": "client"}


def test_a_person_on_two_cases_gets_both_in_one_pack(manager):
    first = fs.family_case()
    second = factories.case(reference="EIP-2026-9999", status="closed")
    second.partner_id = first.client_id  # the same person, in another role elsewhere
    db.session.commit()
    _n, _t, data, _raw = open_pack(manager, fs.request(first, "client"))
    assert [(c["reference"], c["role"]) for c in data["cases"]] == [
        (first.reference, "client"),
        ("EIP-2026-9999", "partner"),
    ]


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_only_a_manager_may_produce_a_pack(app_context, role):
    case = fs.family_case()
    with pytest.raises(NotAllowed):
        subject_access_pack.produce(db.session, factories.user(role), fs.request(case, "client").id)
