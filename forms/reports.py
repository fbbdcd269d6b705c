"""The monthly programme report's month: the GOV.UK month and year boxes, sent by GET."""

from flask_wtf import FlaskForm

from forms.fields import MonthYearField


class MonthlyReportForm(FlaskForm):
    class Meta:
        csrf = False  # a download: nothing changes

    month = MonthYearField(
        "Month",
        description="For example, 10 2026",
        required="Enter the month of the report",
        invalid="The month of the report must be a real month, like 10 2026",
    )
