"""The property the whole pipeline exists for: fill cases with random names, addresses,
phone numbers, e-mail addresses, dates of birth and notes, build an extract, and none of
those values appears anywhere in the zip, compressed or not."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accommodation.models import Placement
from eip.cases.records import (
    CaseAction,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    OnwardReferral,
    OutcomeMeasure,
    ProfessionalsMeeting,
)
from eip.clock import today
from eip.extensions import db
from eip.programme import current_settings
from evaluation import services
from tests import factories
from tests import factories_evaluation as fe
from tests.conftest import truncate_all

# Letters that never occur in a hexadecimal ID or digest, so a match is never by chance.
LETTERS = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ"
word = st.text(LETTERS, min_size=8, max_size=12)
name = st.builds(lambda a, b: f"{a} {b}", word, word)
address = st.builds(lambda n, street, town: f"{n} {street} Road, {town} N1 {n % 9}ZZ",
                    st.integers(1, 999), word, word)  # fmt: skip
phone = st.builds(lambda n: f"07700 9{n:05d}", st.integers(0, 99_999))
email = st.builds(lambda a, b: f"{a}.{b}@{a}mail.example", word, word)
born = st.dates(date(1940, 1, 1), date(2005, 12, 31))
NOTES = 30  # free-text fields filled per case


def notes_from(words: list[str]) -> list[str]:
    """Thirty different notes from a handful of random words (less for Hypothesis to draw)."""
    n = len(words)
    return [
        f"{words[i % n]} {words[(i + 1) % n]} {words[(i * 2 + 3) % n]} {i}" for i in range(NOTES)
    ]


@st.composite
def person_data(draw):
    return {
        "client_name": draw(name), "partner_name": draw(name),
        "client_address": draw(address), "partner_address": draw(address),
        "client_phone": draw(phone), "partner_phone": draw(phone),
        "client_email": draw(email), "partner_email": draw(email),
        "born": draw(born), "partner_born": draw(born),
        "notes": notes_from(draw(st.lists(word, min_size=5, max_size=6, unique=True))),
        "gender": draw(st.sampled_from(("man", "woman", "non_binary", "not_known"))),
        "ethnicity": draw(st.sampled_from(("white_british", "black_african", "asian_indian",
                                          "mixed_other", "other_arab", "not_known"))),
    }  # fmt: skip


def dob_spellings(day: date) -> list[str]:
    return [day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day} {day:%B %Y}"]


def _fill(data: dict) -> tuple[list[str], str]:
    notes = iter(data["notes"])
    case = fe.referred_case(
        client_name=data["client_name"], partner_name=data["partner_name"],
        client_address=data["client_address"], partner_address=data["partner_address"],
        client_phone=data["client_phone"], partner_phone=data["partner_phone"],
        client_email=data["client_email"], partner_email=data["partner_email"],
        born=data["born"], partner_born=data["partner_born"],
        gender=data["gender"], ethnicity=data["ethnicity"], status="active",
        referrer_name=next(notes), referrer_team=next(notes),
        referrer_email=data["partner_email"].replace("@", ".ref@"),
        referrer_phone=data["client_phone"].replace("07700", "07701"),
        client_safe_contact=next(notes), partner_safe_contact_times=next(notes),
        partner_code_word=next(notes)[:60], children_ages=next(notes)[:120],
        reason_for_referral=next(notes), what_has_been_tried=next(notes),
        closure_reason=next(notes), intervention_started_on=today() - timedelta(days=10),
    )  # fmt: skip
    case.client.language = next(notes)[:60]
    on = today() - timedelta(days=12)
    measured_on = today() - timedelta(days=11)  # outcome measures leave as weeks, in bands
    db.session.add_all([
        Consultation(case_id=case.id, scheduled_for=datetime.now(UTC), medium="phone",
                     attendees=next(notes), held_on=on, outcome="intervention_with_accommodation",
                     advice=next(notes), plan_risks=next(notes),
                     plan_protective_factors=next(notes)),
        InterventionSession(case_id=case.id, held_on=on, attendance="attended",
                            themes=next(notes), notes=next(notes)),
        ProfessionalsMeeting(case_id=case.id, held_on=on, attendees=next(notes),
                             risk_update=next(notes), progress=next(notes)),
        Incident(case_id=case.id, occurred_on=on, source="other", description=next(notes),
                 response=next(notes)),
        DashReview(case_id=case.id, completed_on=on, answers={}, score=3, risk_level="standard",
                   judgement_note=next(notes)),
        OnwardReferral(case_id=case.id, agency="other", agency_name=next(notes)[:120],
                       referred_on=on, status="made", note=next(notes)),
        CaseAction(case_id=case.id, kind="plan", description=next(notes),
                   owner=data["partner_name"]),
        Consent(case_id=case.id, person_role="client", kind="intervention", state="given",
                recorded_on=on, obtained_by=data["client_name"], how="in_person",
                withdrawn_on=on, withdrawal_reason=next(notes)),
        Placement(case_id=case.id, client_id=case.client_id, borough_id=case.borough_id,
                  state="requested", move_in_on=today(), nights=7,
                  location_preference=next(notes), areas_to_avoid=data["partner_address"],
                  booking_needs=next(notes), social_worker_name=data["partner_name"]),
        OutcomeMeasure(case_id=case.id, point="intake", measured_on=measured_on,
                       client_physical=2, client_coercive=4, partner_source="practitioner",
                       partner_feels_safe=3, children_exposure="aware"),
    ])  # fmt: skip
    db.session.commit()
    secrets = [
        data[key]
        for key in ("client_name", "partner_name", "client_address", "partner_address",
                    "client_phone", "partner_phone", "client_email", "partner_email")
    ]  # fmt: skip
    secrets += data["notes"] + [w for n in data["notes"] for w in n.split() if len(w) >= 8]
    secrets += dob_spellings(data["born"]) + dob_spellings(data["partner_born"])
    secrets += dob_spellings(measured_on)
    return secrets, case.reference


def _all_bytes(path) -> list[bytes]:
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return [raw, *(archive.read(member) for member in archive.namelist())]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person_data(), min_size=3, max_size=6))
def test_no_name_address_phone_email_date_of_birth_or_note_reaches_the_zip(app, people):
    truncate_all(app)
    with app.app_context():
        current_settings(db.session).evaluation_k = 3
        db.session.commit()
        manager = factories.user("manager")
        secrets, references = [], []
        for data in people:
            found, reference = _fill(data)
            secrets += found
            references.append(reference)
        item = services.prepare(
            db.session, manager, start=today() - timedelta(days=90), end=today(),
            config=app.config,
        )  # fmt: skip
        path = services.folder(app.config["INSTANCE_PATH"]) / item.file_name
        contents = _all_bytes(path)
        assert item.case_count == len(people)
        with zipfile.ZipFile(path) as archive:  # the measures are in it, and scanned
            assert len(fe.read_csv(archive, "outcomes.csv")) == len(people)
        for value in secrets + references:
            needle = value.encode("utf-8")
            assert not any(needle in blob for blob in contents), value
        db.session.remove()
