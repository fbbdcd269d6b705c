"""Camden finance: invoices, payments and reversals, the placement page's money panel, and
the finance statement (its figures and its PDF layout)."""
