"""The building blocks every PDF the service makes shares, drawn with reportlab.

`page.build_pdf(info, story)` lays a story of flowables out on the house page
(header, footer, the OFFICIAL-SENSITIVE marking) and returns the bytes; `styles`,
`tables` and `charts` make the flowables. Text is real text in an embedded font, so
documents are searchable and can be read aloud; charts are vector drawings with their
figures repeated as text beside them.
"""
