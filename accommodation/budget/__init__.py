"""The budget at a glance: its figures from the ledger (pure), the chart, the CSV exports, the
months, the queries that load the data, and the budget page."""
