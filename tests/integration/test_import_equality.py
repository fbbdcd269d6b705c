"""The importer takes the equality columns, all optional: codes from the lists, blank as
"not known", a bad code refused with its line and column and nothing loaded."""

from sqlalchemy import func, select

from eip.cases.importer import REQUIRED_COLUMNS, import_referrals
from eip.cases.models import Case
from eip.extensions import db
from tests.integration.test_import_referrals import people, row  # noqa: F401 (fixture)

EQUALITY_COLUMNS = (
    "client_sexual_orientation",
    "partner_gender",
    "partner_ethnicity",
    "partner_disability",
    "partner_sexual_orientation",
    "partner_age_band",
)


def test_the_equality_columns_are_optional():
    assert not set(EQUALITY_COLUMNS) & set(REQUIRED_COLUMNS)


def test_a_row_with_the_equality_columns_loads_them(people):  # noqa: F811
    values = row(
        client_sexual_orientation="straight",
        partner_gender="woman",
        partner_ethnicity="asian_indian",
        partner_disability="prefer_not_to_say",
        partner_sexual_orientation="prefer_not_to_say",
        partner_date_of_birth="",
        partner_age_band="18_24",
    )
    report = import_referrals(db.session, [values])
    assert report.ok, report.errors
    case = db.session.scalar(select(Case))
    assert case.client.sexual_orientation == "straight"
    assert case.client.age_band == "35_44"
    partner = case.partner
    assert (partner.gender, partner.ethnicity, partner.disability) == (
        "woman",
        "asian_indian",
        "prefer_not_to_say",
    )
    assert (partner.sexual_orientation, partner.age_band) == ("prefer_not_to_say", "18_24")


def test_a_file_without_the_equality_columns_records_not_known(people):  # noqa: F811
    report = import_referrals(db.session, [row()])
    assert report.ok, report.errors
    partner = db.session.scalar(select(Case)).partner
    assert (partner.gender, partner.sexual_orientation) == ("not_known", "not_known")
    assert partner.age_band == "25_34"  # from the date of birth, 1991-11-14


def test_a_bad_equality_code_is_refused_by_line_and_column_and_nothing_loads(people):  # noqa: F811
    report = import_referrals(
        db.session, [row(), row(client_name="Robin Hale", partner_sexual_orientation="Gay")]
    )
    assert [error.line for error in report.errors] == [3]
    assert "partner_sexual_orientation" in str(report.errors[0])
    assert "Select the partner's sexual orientation from the list" in str(report.errors[0])
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
