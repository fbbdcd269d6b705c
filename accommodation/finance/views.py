"""Camden finance's pages: record an invoice or a payment, reverse a mistaken entry, and the
list of invoices (unpaid first). Registered on the accommodation blueprint.

Each form page loads its object, checks the placement rule on it (finance sees approved
placements only; a refusal is audited and answers 403), then reads the form and calls one
service: a refusal goes beside its field with a 400, a success back to the placement page.
The pages show case references and boroughs, never a name.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import NamedTuple

from flask import abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from accommodation import ledger, store
from accommodation.budget import memo
from accommodation.finance import services as finance
from accommodation.finance.page import KIND_LABELS
from accommodation.models import Invoice, LedgerEntry, Payment, Placement
from accommodation.views import bp
from eip import steps
from eip.access import check, requires
from eip.auth.models import User
from eip.cases.models import Case
from eip.clock import today
from eip.extensions import db
from eip.formatting import format_pence
from eip.models import Borough
from eip.policy import placements_in_scope, placements_scope, visible_placements
from eip.programme import current_settings
from forms.finance import InvoiceForm, PaymentForm, ReverseForm

NOT_INVOICEABLE = "Only a placement the SPOC approved can be invoiced"
RECORD = "finance.record"


def placement_url(placement_id: int) -> str:
    return url_for("accommodation.placement", placement_id=placement_id, _anchor="money")


def _visible(obj, placement: Placement | None):
    """The object if it exists and the user may see its placement: 404, or an audited 403."""
    if obj is None or placement is None:
        abort(404)
    check("placement.view", placement)
    return obj


@bp.route("/placements/<int:placement_id>/invoices/new", methods=["GET", "POST"])
@requires(RECORD)
def invoice_new(placement_id: int):
    placement = db.session.get(Placement, placement_id)
    _visible(placement, placement)
    form = InvoiceForm()
    # A NotFound/NotAllowed raised inside the lock (the record vanished or changed hands)
    # answers 404/403 (eip/errors.py); the rest goes on the form (eip/steps.run_step).
    return steps.run_step(
        form,
        blocked=lambda: None if finance.stay_nights(placement) else NOT_INVOICEABLE,
        save=lambda: finance.record_invoice(
            db.session,
            current_user,
            placement_id,
            supplier=form.supplier.data,
            number=form.number.data,
            invoice_date=form.invoice_date.data,
            first_night=form.first_night.data,
            last_night=form.last_night.data,
            amount_pence=form.amount.pence,
        ),
        check=lambda: finance.check_invoice(
            db.session,
            placement,
            supplier=form.supplier.data,
            number=form.number.data,
            invoice_date=form.invoice_date.data,
            first_night=form.first_night.data,
            last_night=form.last_night.data,
            amount_pence=form.amount.pence,
        ),
        done=lambda invoice: (
            f"Invoice recorded: {format_pence(invoice.amount_pence)}",
            placement_url(invoice.placement_id),
        ),
        template="accommodation/invoice_new.html",
        title="Record an invoice",
        placement=placement,
        late=lambda: {
            "totals": ledger.placement_totals(store.entries(db.session), placement.id),
            "stay": finance.stay_nights(placement),
        },
    )


@bp.route("/invoices/<int:invoice_id>/payments/new", methods=["GET", "POST"])
@requires(RECORD)
def payment_new(invoice_id: int):
    invoice = db.session.get(Invoice, invoice_id)
    _visible(invoice, invoice.placement if invoice else None)
    form = PaymentForm()

    def blocked() -> str | None:
        if invoice.reversed_at is not None:
            return "This invoice was reversed, so it cannot be paid"
        if finance.paid_on_invoice(db.session, invoice.id) >= invoice.amount_pence:
            return "This invoice has already been paid in full"
        return None

    def late() -> dict:
        paid = finance.paid_on_invoice(db.session, invoice.id)
        return {"paid": paid, "unpaid": invoice.amount_pence - paid}

    return steps.run_step(
        form,
        blocked=blocked,
        save=lambda: finance.record_payment(
            db.session,
            current_user,
            invoice_id,
            paid_on=form.paid_on.data,
            amount_pence=form.amount.pence,
            reference=form.reference.data,
        ),
        done=lambda payment: (
            f"Payment recorded: {format_pence(payment.amount_pence)}",
            placement_url(payment.invoice.placement_id),
        ),
        template="accommodation/payment_new.html",
        title="Record a payment",
        invoice=invoice,
        placement=invoice.placement,
        late=late,
    )


@bp.route("/ledger/<int:entry_id>/reverse", methods=["GET", "POST"])
@requires(RECORD)
def reverse_entry(entry_id: int):
    entry = db.session.get(LedgerEntry, entry_id)
    _visible(entry, entry.placement if entry else None)
    form = ReverseForm()
    kind = KIND_LABELS[entry.kind]
    return steps.run_step(
        form,
        blocked=lambda: finance.reversal_refusal(
            db.session, entry, current_settings(db.session).pot_pence
        ),
        save=lambda: finance.reverse_entry(
            db.session, current_user, entry_id, reason=form.reason.data
        ),
        done=lambda reversal: (
            f"{kind} reversed: the reversal is on the ledger",
            placement_url(reversal.placement_id),
        ),
        template="accommodation/reverse.html",
        title=f"Reverse {'an' if entry.kind == ledger.INVOICE else 'a'} {kind.lower()}",
        entry=entry,
        kind_label=kind,
        placement=entry.placement,
    )


def _invoice_row(row, on: date) -> dict:
    """One line of the invoice list: the invoice, its case and borough, what is paid and left."""
    invoice, reference, borough, paid = row
    return {
        "invoice": invoice,
        "reference": reference,
        "borough": borough,
        "paid": paid,
        "unpaid": invoice.amount_pence - paid,
        "days": (on - invoice.invoice_date).days,
    }


def invoice_rows(session: Session, user: User, on: date) -> list[dict]:
    """Live invoices the user may see, unpaid first (oldest first), with what is paid and
    the days since the invoice date. Two queries, however many invoices."""
    scoped = visible_placements(user).subquery()
    paid = (
        select(Payment.invoice_id, func.sum(Payment.amount_pence).label("paid"))
        .where(Payment.reversed_at.is_(None))
        .group_by(Payment.invoice_id)
        .subquery()
    )
    rows = session.execute(
        select(Invoice, Case.reference, Borough.name, func.coalesce(paid.c.paid, 0))
        .join(scoped, scoped.c.id == Invoice.placement_id)
        .join(Case, Case.id == scoped.c.case_id)
        .join(Borough, Borough.id == scoped.c.borough_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.reversed_at.is_(None))
    ).all()
    found = [_invoice_row(row, on) for row in rows]
    found.sort(key=lambda r: (r["unpaid"] <= 0, r["invoice"].invoice_date, r["invoice"].id))
    return found


class UnpaidInvoice(NamedTuple):
    """One line of the finance home's unpaid invoices: plain values, kept between requests."""

    invoice_id: int
    number: str
    reference: str
    borough: str
    unpaid: int
    days: int


def unpaid_invoices(
    session: Session, user: User, on: date, limit: int, kept_under: tuple | None = None
) -> tuple[tuple[UnpaidInvoice, ...], int, int]:
    """The `limit` oldest unpaid live invoices the user may see, with how many are unpaid and
    how much in all (the finance home). Kept between requests under `kept_under` (the
    budget's key: the money's mark and today, `accommodation.budget.queries.build`): every
    figure is read from the tables whose writes change the mark (invoices and payments
    among them, migration b5f2c8e1d4a7), beside the case's reference, which never changes
    once a case has a placement. None kept: two queries and `limit` rows, however many
    invoices."""
    scope = placements_scope(user)
    if kept_under is None:
        return unpaid_in_scope(session, scope, on, limit)
    key = (*kept_under, "unpaid invoices", scope, limit)
    return memo.kept(key, lambda: unpaid_in_scope(session, scope, on, limit))


def unpaid_in_scope(
    session: Session, scope: tuple, on: date, limit: int
) -> tuple[tuple[UnpaidInvoice, ...], int, int]:
    totals, oldest = _unpaid_statements(scope)
    count, total = session.execute(totals).one()
    lines = (_invoice_row(row, on) for row in session.execute(oldest, {"limit": limit}))
    rows = tuple(
        UnpaidInvoice(
            line["invoice"].id,
            line["invoice"].number,
            line["reference"],
            line["borough"],
            line["unpaid"],
            line["days"],
        )
        for line in lines
    )
    return rows, count, int(total)


@functools.lru_cache(maxsize=64)
def _unpaid_statements(scope: tuple) -> tuple[Select, Select]:
    """`unpaid_invoices`' two statements for the placements of a scope, built once per
    scope: building them cost the finance home more than running them."""
    scoped = placements_in_scope(scope).subquery()
    paid = (
        select(Payment.invoice_id, func.sum(Payment.amount_pence).label("paid"))
        .where(Payment.reversed_at.is_(None))
        .group_by(Payment.invoice_id)
        .subquery()
    )
    paid_pence = func.coalesce(paid.c.paid, 0)
    unpaid = Invoice.amount_pence - paid_pence

    def query(*columns):
        return (
            select(*columns)
            .select_from(Invoice)
            .join(scoped, scoped.c.id == Invoice.placement_id)
            .outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .where(Invoice.reversed_at.is_(None), unpaid > 0)
        )

    totals = query(func.count(), func.coalesce(func.sum(unpaid), 0))
    oldest = (
        query(Invoice, Case.reference, Borough.name, paid_pence)
        .join(Case, Case.id == scoped.c.case_id)
        .join(Borough, Borough.id == scoped.c.borough_id)
        .order_by(Invoice.invoice_date, Invoice.id)
        .limit(bindparam("limit"))
    )
    return totals, oldest


def invoiceable_rows(session: Session, user: User) -> list[dict]:
    """The placements the user may see that can take an invoice now: an approved stay with
    nights to bill (`stay_nights`) and money committed but not yet invoiced. Oldest move-in
    first; two queries (the placements, the ledger)."""
    placements = session.execute(
        visible_placements(user)
        .add_columns(Case.reference, Borough.name)
        .join(Case, Case.id == Placement.case_id)
        .join(Borough, Borough.id == Placement.borough_id)
        .where(Placement.nightly_rate_pence.is_not(None))
        .order_by(Placement.move_in_on, Placement.id)
    ).all()
    totals = ledger.all_placement_totals(store.entries(session))
    rows = []
    for placement, reference, borough in placements:
        stay = finance.stay_nights(placement)
        figures = totals.get(placement.id)
        left = figures.committed - figures.invoiced if figures else 0
        if stay is not None and left > 0:
            rows.append(
                {
                    "placement": placement,
                    "reference": reference,
                    "borough": borough,
                    "stay": stay,
                    "left": left,
                }
            )
    return rows


@bp.get("/invoices/new")
@requires(RECORD)
def invoice_choose():
    """Record an invoice from the invoice list: first choose the placement it is for."""
    return render_template(
        "accommodation/invoice_choose.html",
        rows=invoiceable_rows(db.session, current_user),
        title="Record an invoice: choose the placement",
    )


@bp.get("/invoices")
@requires(RECORD)
def invoices():
    rows = invoice_rows(db.session, current_user, today())
    return render_template(
        "accommodation/invoices.html",
        rows=rows,
        unpaid_total=sum(r["unpaid"] for r in rows),
        overdue_days=current_settings(db.session).invoice_unpaid_days,
        title="Invoices",
    )
