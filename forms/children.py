"""Forms for a case's children: one child at a time, added, changed or removed on its own page
(no JavaScript). They check the shape of input; the services check the rules (an age or a
band, an age a child can have) and report back by field name."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import HiddenField, RadioField, SubmitField

from eip.cases import choices as lists
from forms.fields import AdditionForm, choices, radio_field, whole_number
from forms.referral import WholeNumberField
from forms.widgets import Button


class _ChildFields:
    age_years = WholeNumberField(
        "Age in years",
        description="Leave this empty if you do not know the exact age, and choose a band below",
        invalid="Enter the child's age as a whole number of years, like 7",
    )
    # Not required here: an age in years makes it unnecessary (the service decides).
    age_band = RadioField(
        "If the exact age is not known, the age band",
        description="",
        choices=choices(lists.CHILD_AGE_BAND),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    lives_with = radio_field(
        "Who the child lives with", lists.CHILD_LIVES_WITH, "Select who the child lives with"
    )
    childrens_services_status = radio_field(
        "Children's services involvement",
        lists.CHILDRENS_SERVICES_STATUS,
        "Select the child's children's services status",
    )
    school_known = radio_field(
        "Is the child's school or nursery known?",
        lists.CHILD_SCHOOL_KNOWN,
        "Select whether a school or nursery is known",
    )

    def values(self) -> dict[str, Any]:
        """The typed values, for the service."""
        return {
            "age_years": whole_number(self.age_years.data),
            "age_band": self.age_band.data or None,
            "lives_with": self.lives_with.data,
            "childrens_services_status": self.childrens_services_status.data,
            "school_known": self.school_known.data,
        }


class AddChildForm(_ChildFields, AdditionForm):
    submit = SubmitField("Save the child", widget=Button())


class ChildForm(_ChildFields, FlaskForm):
    # The version of the child this form edits, as the page showed it.
    version = HiddenField()
    submit = SubmitField("Save the child", widget=Button())


class RemoveChildForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Remove the child", widget=Button())
