"""Temporary accommodation: placements, SPOC approval, the budget ledger, invoices."""
