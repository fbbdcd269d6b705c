"""The subject access pack's PDF: a cover page (what it holds, what is withheld and why,
and the free text for the manager to read before release), the person's record, each case
with its records, and the access log. Long sections are `lines_table`s (plain text laid out
by arithmetic), so a person with years of records still builds quickly."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from reportlab.platypus import Flowable, PageBreak

from eip.cases.documents_layout import day, opening
from eip.formatting import london_datetime
from eip.pdf.page import DocumentInfo, Letterhead, build_pdf
from eip.pdf.styles import bullets, heading, para
from eip.pdf.tables import Column, lines_table, summary_table
from eip.privacy.subject_access_pack import SECTIONS, WITHHELD_NOTE, Pack

TITLE = "Subject access pack"
_CODE = re.compile(r"[a-z]+(_[a-z0-9]+)*")
ROLE_LABELS = {"client": "the client", "partner": "the partner"}
_COLUMNS = [Column("Detail", 0.32), Column("Recorded", 0.68)]


def label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def value_text(value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and _CODE.fullmatch(value):
        return value.replace("_", " ").capitalize()  # a stored choice: "child_in_need"
    if isinstance(value, str) and len(value) >= 10:
        try:
            if "T" in value:
                return london_datetime(datetime.fromisoformat(value))
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _rows(values: dict[str, Any]) -> list[list[str]]:
    """What was recorded: an empty field is left out of the PDF (the JSON keeps it)."""
    return [
        [label(name), value_text(value)]
        for name, value in values.items()
        if value not in (None, "", [], {})
    ]


def _cover(pack: Pack) -> list[Flowable]:
    review = [f"{r.case_reference}, {r.record}: {label(r.field)}" for r in pack.for_review]
    return [
        *opening(
            TITLE,
            f"Request received on {day(pack.received_on)}; due by {day(pack.due_on)}.",
        ),
        para(
            "Every record the Early Intervention Project holds about you, across all your "
            "cases, and who has viewed them. The same information is in the file "
            "subject-access.json, in a form a computer can read."
        ),
        *heading("What is not included"),
        para(WITHHELD_NOTE),
        *heading("For the manager: read before release"),
        para(
            "These free-text fields are included with other people's known details masked. "
            "Read each one before release, and withhold anything else that would identify "
            "or endanger another person."
        ),
        bullets(review) if review else para("No free text to review."),
        PageBreak(),
    ]


def _case(part) -> list[Flowable]:
    story = [
        *heading(f"Case {part.reference}: you are {ROLE_LABELS[part.role]}"),
        lines_table(_COLUMNS, _rows(part.referral)),
    ]
    titles = {table: title for table, title, *_ in SECTIONS} | {"placements": "Accommodation"}
    for table, rows in part.records.items():
        story += heading(titles[table], 3)
        if not rows:
            story.append(para("None recorded."))
            continue
        lines: list[list[str]] = []
        for n, values in enumerate(rows, 1):
            lines.append([f"{titles[table]} {n}", ""])
            lines += _rows(values)
        story.append(lines_table(_COLUMNS, lines))
    return story


def pack_story(pack: Pack) -> list[Flowable]:
    story = _cover(pack)
    story += [
        *heading("Your details"),
        summary_table([(label(k), value_text(v)) for k, v in pack.subject.items()]),
    ]
    for part in pack.cases:
        story += _case(part)
    story += heading("Who has viewed your case")
    story.append(
        lines_table(
            [Column("When", 0.3), Column("Case", 0.2), Column("Who", 0.3), Column("Role", 0.2)],
            [
                [value_text(e["at"]), e["case_reference"], e["who"], e["role"]]
                for e in pack.access_log
            ],
        )
        if pack.access_log
        else para("Nobody has viewed your case.")
    )
    return story


def pack_pdf(
    pack: Pack, reference: str, at: datetime, generated_by: str, letterhead: Letterhead
) -> bytes:
    info = DocumentInfo(TITLE, reference, at, generated_by, letterhead=letterhead)
    return build_pdf(info, pack_story(pack))
