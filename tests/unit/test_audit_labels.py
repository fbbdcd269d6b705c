"""Audit views show labels, never internal names (issue 15, item 10): every action the code can
write, every field name an event can list, every detail the views show and every value of those
details has a label, found by walking the source rather than by a list kept by hand."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from eip.admin.rules import SETTING_NAMES
from eip.audit import labels
from eip.audit.labels import ACTION_LABELS, FIELD_LABELS, RULE_LABELS, action_label, audit_detail
from eip.cases.choices import CONTACT_METHOD
from eip.cases.referral_rules import ReferralDetails
from eip.policy import RULES
from eip.roles import Role

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("eip", "accommodation", "evaluation")
# The functions that write an audit event (eip.audit.record and the features' wrappers).
AUDITORS = {"record", "audit_change", "audit", "audit_placement", "_audit"}
PREFIXES = sorted({action.split(".")[0] for action in ACTION_LABELS})
ACTION = re.compile(rf"^({'|'.join(PREFIXES)})\.[a-z_]+$")


def _trees():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _name(func) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def written_actions(app) -> set[str]:
    """Every string in the code shaped like an audit action, but the access rules' and the
    pages' names (which share the shape)."""
    found = set()
    for _path, tree in _trees():
        # An f-string's fixed part ("account.password_set_by_" + the purpose) is a prefix.
        parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in parts
                and ACTION.match(node.value)
            ):
                found.add(node.value)
    return found - set(RULES) - set(app.view_functions)


def action_prefixes() -> set[str]:
    """The fixed start of every action made with an f-string (f"placement.{state}")."""
    found = set()
    for _path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and re.match(
                    rf"^({'|'.join(PREFIXES)})\.[a-z_]*$", str(first.value)
                ):
                    found.add(first.value)
    return found


def listed_fields() -> set[str]:
    """Every field name an event can list ("fields") or change ("changes"): the lists handed to
    the audit functions, `fields` and `*_FIELDS` lists, the names `_filled` keeps, account and
    borough changes, placement request texts, the referral's details and the settings."""
    names: set[str] = set()
    for _path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name in AUDITORS:
                    for arg in [*node.args, *(k.value for k in node.keywords)]:
                        if isinstance(arg, ast.List | ast.Tuple):
                            names |= _strings(arg)
                if name == "_filled":
                    names |= {k.arg for k in node.keywords if k.arg}
                owner = getattr(node.func, "value", None)
                if name in ("append", "extend") and _name(owner) in ("fields", "applied"):
                    for arg in node.args:
                        names |= _strings(arg)
                if name == "_change" and len(node.args) >= 4:
                    names |= _strings(node.args[3])
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "fields":
                        names |= _strings(value)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    target_name = getattr(target, "id", "")
                    if target_name == "fields" or target_name.endswith("FIELDS"):
                        names |= _strings(node.value)
    request = (ROOT / "accommodation/placements/request_services.py").read_text(encoding="utf-8")
    texts = request[request.index("texts = {") :]
    names |= set(re.findall(r'"([a-z_]+)": [a-z_]+,', texts[: texts.index("}.items()")]))
    return names | set(ReferralDetails.names()) | set(SETTING_NAMES)


def _raw(label: str, name: str) -> bool:
    return "_" in label or label.endswith(" id") or "." in label


def test_every_action_the_code_writes_has_a_label(app):
    actions = written_actions(app)
    assert len(actions) > 80  # the walk finds the code's actions
    missing = sorted(action for action in actions if action not in ACTION_LABELS)
    assert missing == []
    assert [a for a, label in ACTION_LABELS.items() if _raw(label, a)] == []
    prefixes = action_prefixes()
    assert "account.password_set_by_" in prefixes
    assert [p for p in prefixes if not any(a.startswith(p) for a in ACTION_LABELS)] == []


def test_every_field_an_event_lists_has_a_label():
    fields = listed_fields()
    assert {"closed_by_id", "marac_threshold_yes", "client_name", "booking_needs"} <= fields
    missing = sorted(name for name in fields if name not in FIELD_LABELS)
    assert missing == []
    assert [name for name, label in FIELD_LABELS.items() if _raw(label, name)] == []


def _document_kinds() -> set[str]:
    from accommodation.documents import AGREEMENT, STATEMENT
    from eip.reports.monthly_document import KIND

    source = (ROOT / "eip/cases/documents.py").read_text(encoding="utf-8")
    return {AGREEMENT, STATEMENT, KIND, *re.findall(r'kind == "([a-z_]+)"', source)}


def _sign_in_methods() -> set[str]:
    source = (ROOT / "eip/auth/services.py").read_text(encoding="utf-8")
    return set(re.findall(r'method="([a-z_]+)"', source))


def test_every_value_a_detail_shows_has_a_label():
    assert _document_kinds() <= set(labels.DOCUMENT_LABELS)
    assert {"password", "totp", "recovery_code"} <= _sign_in_methods()
    methods = _sign_in_methods() | {value for value, _ in CONTACT_METHOD}
    assert methods <= set(labels.METHOD_LABELS)
    assert set(RULE_LABELS) == set(RULES)
    assert {role.value for role in Role} <= set(labels.VALUE_LABELS["role"])
    for table in (labels.DOCUMENT_LABELS, labels.METHOD_LABELS, RULE_LABELS, labels.VIEW_LABELS):
        assert [value for value in table.values() if _raw(value, "")] == []


def _event(details=None, reason=None):
    return SimpleNamespace(details=details, reason=reason)


@pytest.mark.parametrize(
    ("details", "shown", "hidden"),
    [
        ({"fields": ["closed_by_id", "closure_outcome"]}, "who closed it", "closed by id"),
        ({"changes": {"marac_threshold_yes": [14, 10]}}, "MARAC threshold", "marac threshold yes"),
        ({"changes": {"pot_pence": [100_000, 250_000]}}, "£1,000.00 → £2,500.00", "pot pence"),
        ({"document": "meeting_pack"}, "professionals meeting pack", "meeting_pack"),
        ({"action": "case.partner", "endpoint": "cases.partner"}, "the partner's details", "case."),
        ({"method": "totp"}, "security code", "totp"),
        ({"role": "spoc"}, "Borough SPOC", "spoc"),
        ({"results": 0}, "cases found: 0", "results"),
        ({"changes": {"active": [True, False]}}, "in use: yes → no", "True"),
    ],
)
def test_details_read_as_labels(details, shown, hidden):
    text = audit_detail(_event(details))
    assert shown in text and hidden not in text


def test_every_field_reads_without_an_internal_name():
    text = audit_detail(_event({"fields": sorted(listed_fields())}))
    assert "_" not in text and " id" not in text


def test_an_unknown_action_still_reads_as_words():
    assert action_label("case.something_new") == "Case: something new"


def written_actor_labels() -> set[str]:
    """Every `actor_label="..."` the code writes: who acted when no signed-in user did."""
    found = set()
    for _path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "actor_label":
                found |= _strings(node.value)
    return found


def test_the_trail_names_commands_and_jobs_in_words_never_by_their_code_name():
    written = written_actor_labels()
    assert {"cli", "scheduler", "seed-demo", "anonymous"} <= written  # the walk finds them
    for code_name in written:
        shown = labels.actor_name(SimpleNamespace(actor=None, actor_label=code_name))
        assert shown == labels.ACTOR_LABELS[code_name]
        assert shown[0].isupper() and "-" not in shown and shown.lower() != code_name
    assert labels.actor_name(SimpleNamespace(actor=None, actor_label=None)) == "System"
    user = SimpleNamespace(name="Helen Marsh")
    assert labels.actor_name(SimpleNamespace(actor=user, actor_label=None)) == "Helen Marsh"
