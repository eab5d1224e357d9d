"""The rules are one module per subject, each declaring the rule codes it reports (as frictionless keeps
one check per module): a code used by a module and not declared, or declared and never used, is a slip."""
from __future__ import annotations

import ast
import inspect

from cotw.check import rules


def _codes_used(module) -> set[str]:
    """The first argument of every `Rule(...)` call in the module's source (the code it reports)."""
    tree = ast.parse(inspect.getsource(module))
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Rule"
            and node.args and isinstance(node.args[0], ast.Constant)}


def test_every_rule_module_declares_exactly_the_codes_it_reports():
    for module in rules.MODULES:
        assert set(module.CODES) == _codes_used(module), module.__name__


def test_no_two_modules_claim_one_code():
    seen: dict[str, str] = {}
    for name, codes in rules.CODES.items():
        for code in codes:
            assert code not in seen, f"{code} is declared by {seen[code]} and {name}"
            seen[code] = name


def test_the_package_still_exports_what_callers_import():
    for name in rules.__all__:
        assert hasattr(rules, name), name
