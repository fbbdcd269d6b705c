"""Programme-wide documents: the monthly programme report for managers (`monthly`,
`monthly_document`, `views`). Like every document it uses `eip.pdf.page`, whose header
names a period or a month instead of a case when `DocumentInfo.reference_label` says so."""
