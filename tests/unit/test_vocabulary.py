"""One vocabulary (eip/vocabulary.py, docs/glossary.md): every page, CSV and PDF names a thing
with the one word the glossary gives it. The pages are the templates; CSVs, PDFs, e-mails and
messages are the string literals of the code that writes them (docstrings and comments are
for developers and are left alone)."""

from __future__ import annotations

import ast
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from eip.vocabulary import GLOSSARY, RETIRED, placement_name

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
CODE = sorted(
    path
    for package in ("eip", "accommodation", "evaluation", "forms")
    for path in (ROOT / package).rglob("*.py")
    if path.name != "vocabulary.py"
)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def _pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b", re.I)


@cache
def _template_text(path: Path) -> str:
    return JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))


@cache
def _literals(path: Path) -> list[str]:
    """The module's string literals, its docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_glossary_names_the_ledgers_words_and_the_docs_list_every_term():
    words = [term.word for term in GLOSSARY]
    assert words[:5] == ["pot", "committed", "invoiced", "paid", "available"]
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for term in GLOSSARY:
        assert f"**{term.word}**" in glossary, term.word
        for retired in term.retired:
            assert retired in glossary, retired


@pytest.mark.parametrize("word", RETIRED)
def test_no_page_uses_a_retired_word(word):
    pattern = _pattern(word)
    found = [path.relative_to(ROOT) for path in TEMPLATES if pattern.search(_template_text(path))]
    assert found == []


@pytest.mark.parametrize("word", RETIRED)
def test_no_csv_pdf_email_or_message_uses_a_retired_word(word):
    pattern = _pattern(word)
    found = [
        f"{path.relative_to(ROOT)}: {text[:60]!r}"
        for path in CODE
        for text in _literals(path)
        if pattern.search(text)
    ]
    assert found == []


def test_no_page_names_a_placement_by_its_number():
    # "Placement 10": a number nobody knows; the glossary names it by case and move-in.
    numbered = re.compile(r"placement \{\{ *[\w.]*id *\}\}|placement \" ~ *[\w.]*\.id\b", re.I)
    found = [path.relative_to(ROOT) for path in TEMPLATES if numbered.search(_template_text(path))]
    assert found == []


def test_a_placement_is_named_by_its_case_reference_and_move_in_date():
    assert (
        placement_name("EIP-2026-0012", date(2027, 3, 3)) == "EIP-2026-0012, moving in 3 March 2027"
    )
    assert (
        placement_name("EIP-2026-0012", date(2027, 3, 3), moved_in=True)
        == "EIP-2026-0012, moved in 3 March 2027"
    )


def test_every_time_box_gives_the_one_time_hint():
    from eip.vocabulary import TIME_HINT
    from forms.pathway_steps import BookConsultationForm
    from forms.referral import AcknowledgeForm, LondonTimeField, ReferralFields

    def hint(unbound) -> str | None:
        default = TIME_HINT if unbound.field_class is LondonTimeField else None
        return unbound.kwargs.get("description", default)

    boxes = (
        BookConsultationForm.scheduled_time,
        ReferralFields.received_time,
        AcknowledgeForm.acknowledged_time,
    )
    assert {hint(box) for box in boxes} == {TIME_HINT}
