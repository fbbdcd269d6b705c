"""Small fixes on top of govuk-frontend-wtf's widgets."""

from govuk_frontend_wtf.wtforms_widgets import GovDateInput


class DateInput(GovDateInput):
    """GovDateInput that also renders when the submitted data lacks the date's
    three parts (a GET search form sent without them), instead of crashing."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None
        return super().map_gov_params(field, **kwargs)
