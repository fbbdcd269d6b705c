"""Camden finance's forms: an invoice, a payment, the reversal of a mistaken entry.

They check the shape of input. Every amount is read by `accommodation.money.parse_pounds`,
so a negative, zero, over-precise or absurd amount gets its message beside the field on the
first submit; the services check the money rules (nights within the stay, not above what is
committed, not overpaying) under the pot lock and report back by field name.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import ValidationError

from accommodation.finance.services import (
    NUMBER_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    SUPPLIER_MAX,
)
from forms.fields import LondonDateField, date_field, strip, text_field
from forms.placement import Pounds
from forms.widgets import Button, TextInput


class PoundsField(StringField):
    """An amount typed in pounds (`£1,234.50`, `1234.5`); `pence` holds it once valid."""

    pence: int | None = None

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("filters", [strip])
        super().__init__(label, **kwargs)

    def pre_validate(self, form) -> None:
        Pounds()(form, self)


def _line(label: str, message: str, max_length: int, *, description: str | None = None):
    return text_field(
        label, required=message, no_nul=True, description=description, max_length=max_length
    )


class InvoiceForm(FlaskForm):
    supplier = _line(
        "Supplier",
        "Enter the supplier's name",
        SUPPLIER_MAX,
        description="As it appears on the invoice",
    )
    number = _line("Invoice number", "Enter the invoice number", NUMBER_MAX)
    invoice_date = date_field("Invoice date", "the invoice date", "3 11 2026")
    first_night = date_field(
        "First night it covers", "the first night the invoice covers", "1 10 2026"
    )
    last_night = date_field(
        "Last night it covers", "the last night the invoice covers", "28 10 2026"
    )
    amount = PoundsField(
        "Amount, VAT included",
        description="In pounds and pence, like 1,820.00",
    )
    submit = SubmitField("Record the invoice", widget=Button())

    def validate_last_night(self, field) -> None:
        first = self.first_night.data
        if first is not None and field.data is not None and field.data < first:
            raise ValidationError("The last night cannot be before the first night")


class PaymentForm(FlaskForm):
    paid_on = date_field("Date paid", "the date it was paid", "10 11 2026")
    amount = PoundsField("Amount paid", description="In pounds and pence, like 1,820.00")
    reference = _line(
        "Payment reference",
        "Enter the payment reference",
        REFERENCE_MAX,
        description="Camden's reference for the payment, for example the BACS reference",
    )
    submit = SubmitField("Record the payment", widget=Button())


class ReverseForm(FlaskForm):
    reason = text_field(
        "Why is this entry being reversed?",
        required="Enter the reason for the reversal",
        area=True,
        no_nul=True,
        description="For example, the invoice was entered against the wrong placement. "
        "The entry stays on record beside its reversal. The practitioner and the SPOC will "
        "read this: do not include risk details or names",
        max_length=REASON_MAX,
        name="The reason",
    )
    submit = SubmitField("Reverse the entry", widget=Button())


class StatementPeriodForm(FlaskForm):
    """Camden's statement for a period: two GOV.UK dates (day, month, year), sent by GET."""

    class Meta:
        csrf = False  # a download: nothing changes

    start = LondonDateField(
        "From",
        description="For example, 1 4 2026",
        required="Enter the start date of the period",
        invalid="The start date must be a real date, like 1 4 2026",
    )
    end = LondonDateField(
        "To",
        description="For example, 30 4 2026",
        required="Enter the end date of the period",
        invalid="The end date must be a real date, like 30 4 2026",
    )
