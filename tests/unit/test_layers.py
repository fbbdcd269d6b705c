"""The plain modules at the bottom (the clock, problems, formats, working days, deadlines,
the ledger's arithmetic) import no Flask and no template code, directly or through another
module of ours, so that rules and services can use them without an app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("eip", "accommodation", "evaluation", "forms")
FORBIDDEN = ("flask", "flask_", "jinja2", "werkzeug", "eip.templating", "eip.extensions")
PLAIN = [
    "eip.clock",
    "eip.problems",
    "eip.formatting",
    "eip.workdays",
    "eip.domain",
    "eip.cases.deadlines",
    "accommodation.ledger",
    "accommodation.money",
    "accommodation.rules",
    "accommodation.budget.summary",
    "accommodation.budget.months",
    "accommodation.budget.exports",
    "accommodation.budget.chart",
]


def _path(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _imports(module: str) -> set[str]:
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _reached(start: str) -> set[str]:
    """Every module `start` imports, following our own modules (a package's own
    `__init__` aside: `eip/__init__.py` is the app factory, loaded by any `eip.x`)."""
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        for name in _imports(module):
            if name in seen:
                continue
            seen.add(name)
            if name.split(".")[0] in OURS and _path(name).is_file() and "." in name:
                todo.append(name)
    return seen


@pytest.mark.parametrize("module", PLAIN)
def test_a_plain_module_imports_no_flask_or_template_code(module):
    bad = sorted(name for name in _reached(module) if name.startswith(FORBIDDEN) or name == "flask")
    assert bad == []


def test_the_case_pathway_imports_nothing_from_accommodation():
    """Accommodation plugs into cases through eip.cases.hooks (registered by
    accommodation/case_hooks.py); a case module importing accommodation would tie the
    pathway to one feature and make the two import each other."""
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(
            name
            for name in _imports(".".join(path.relative_to(ROOT).with_suffix("").parts))
            if name.split(".")[0] == "accommodation"
        )
        for path in (ROOT / "eip" / "cases").glob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


SERVICE_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("eip", "accommodation", "evaluation")
    for path in (ROOT / package).rglob("*.py")
    if "services" in path.stem
    or path.stem in {"store", "rules", "ledger", "policy", "review", "common", "statement"}
)
WEB = ("flask", "flask_login", "flask_wtf", "werkzeug", "jinja2", "eip.templating", "eip.access")


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_a_service_or_rule_module_imports_no_web_code_itself(module):
    """Services take the session, the user and plain values: they import no Flask, no
    template code and not the web's side of the access policy (eip.policy is the rules).
    Models reach Flask-SQLAlchemy, which is the database layer, not the web."""
    bad = sorted(name for name in _imports(module) if name.startswith(WEB))
    assert bad == []
