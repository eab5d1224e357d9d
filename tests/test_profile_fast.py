"""The descriptor's shape is judged without jsonschema when it is valid, and the judgement is jsonschema's.

`profile.conforms` answers valid or not for the keywords cotw's profile schemas use (or Unsure), so that
`cotw.load` and `cotw check` on a valid package do not import jsonschema; any other answer goes to
jsonschema, which gives the messages. Thousands of mutated descriptors and schemas hold the two to
the same verdict.
"""
from __future__ import annotations

import copy
import json
import random
import subprocess
import sys

import jsonschema
import pytest

from cotw.check import profile
from cotw.package import Package

POOL = [None, True, False, 0, 1, -1, 1.0, 1.5, 1e301, -1e301, 2**31, "", "x", "a/b", "string", "integer",
        "number", "date", "nonsense", "data/x.csv", "https://example.org/x.json", [], [""], ["a", "a"], ["a", "b"],
        [1], [1, 1.0], [True, 1], [None], {}, {"name": "x"}, {"name": 1}, {"value": "v"}, {"required": True},
        {"fields": []}, {"fields": [{"name": "a"}]}, {"resource": "r", "fields": "a"}]


def property_names(schema, out=None) -> list[str]:
    """Every property name the profile schemas know, so that mutations add keys that matter."""
    out = set() if out is None else out
    if isinstance(schema, dict):
        out.update(schema.get("properties", {}))
        for v in schema.values():
            property_names(v, out)
    elif isinstance(schema, list):
        for v in schema:
            property_names(v, out)
    return sorted(out)


KEYS = property_names([profile.PACKAGE, profile.TABLE_SCHEMA]) + ["data", "unknown"]


def shipped(root):
    pkg = Package.open(root)
    return [(pkg.descriptor, profile.PACKAGE)] + [(pkg.schema(n), profile.TABLE_SCHEMA) for n in pkg.names()]


def nodes(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from nodes(v, (*path, i))


def mutate(value, rng: random.Random):
    """`value` with one to three random changes: a node replaced, a key or item removed or added."""
    value = copy.deepcopy(value)
    for _ in range(rng.randint(1, 3)):
        path, node = rng.choice(list(nodes(value)))
        move = rng.random()
        if not path or move < 0.5:
            new = copy.deepcopy(rng.choice(POOL))
            if not path:
                return new
            parent = value
            for p in path[:-1]:
                parent = parent[p]
            parent[path[-1]] = new
        elif isinstance(node, dict) and move < 0.75:
            if node and rng.random() < 0.5:
                del node[rng.choice(list(node))]
            else:
                node[rng.choice(KEYS)] = copy.deepcopy(rng.choice(POOL))
        elif isinstance(node, list) and move < 0.75:
            if node and rng.random() < 0.5:
                node.pop(rng.randrange(len(node)))
            else:
                node.append(copy.deepcopy(rng.choice(node) if node and rng.random() < 0.5 else rng.choice(POOL)))
    return value


def jsonschema_valid(value, schema) -> bool:
    return not any(jsonschema.Draft7Validator(schema).iter_errors(value))


def test_the_shipped_descriptor_and_schemas_conform_as_jsonschema_says(root):
    for value, schema in shipped(root):
        assert profile.conforms(value, schema) is True
        assert jsonschema_valid(value, schema)


@pytest.mark.parametrize("seed", range(4))
def test_conforms_gives_jsonschemas_verdict_on_mutated_descriptors_and_schemas(root, seed):
    rng = random.Random(seed)
    judged = {True: 0, False: 0}
    unsure = 0
    cases = shipped(root)
    for _ in range(600):
        value, schema = rng.choice(cases)
        value = mutate(value, rng)
        try:
            verdict = profile.conforms(value, schema)
        except profile.Unsure:
            unsure += 1
            continue
        assert verdict == jsonschema_valid(value, schema), json.dumps(value)[:2000]
        judged[verdict] += 1
    assert judged[True] > 50 and judged[False] > 50 and unsure < 100, (judged, unsure)


RES = {"name": "r", "path": "data/r.csv"}
FIELD = {"name": "a", "type": "string"}


@pytest.mark.parametrize("value, schema", [
    ({"resources": [{**RES, "data": []}]}, profile.PACKAGE),                        # oneOf: both alternatives hold
    ({"resources": [{"name": "r"}]}, profile.PACKAGE),                              # oneOf: neither holds
    ({"fields": [FIELD], "missingValues": []}, profile.TABLE_SCHEMA),               # oneOf: [] is both forms
    ({"fields": [FIELD], "missingValues": [""]}, profile.TABLE_SCHEMA),
    ({"resources": [{**RES, "bytes": 1.0}]}, profile.PACKAGE),                      # 1.0 is an integer
    ({"resources": [{**RES, "bytes": True}]}, profile.PACKAGE),                     # a boolean is not
    ({"resources": [{**RES, "bytes": -1}]}, profile.PACKAGE),
    ({"fields": [{**FIELD, "constraints": {"minimum": True}}]}, profile.TABLE_SCHEMA),  # nor a number
    ({"fields": [{**FIELD, "constraints": {"minimum": 1e300, "maximum": 1.5e300}}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "constraints": {"minimum": -1e300, "maximum": 1e300}}]}, profile.TABLE_SCHEMA),  # the bounds hold
    ({"fields": [{**FIELD, "constraints": {"maxLength": 2**31}}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "constraints": {"minLength": 0, "maxLength": 2**31 - 1}}]}, profile.TABLE_SCHEMA),
    ({"fields": [{"name": "é"}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "constraints": {"enum": ["a", "a"]}}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "constraints": {"enum": []}}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "constraints": {"enum": ["a", "b"]}}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "type": "text"}]}, profile.TABLE_SCHEMA),
    ({"fields": [{"name": ""}]}, profile.TABLE_SCHEMA),
    ({"fields": [{**FIELD, "x-list-of": {"resource": "r", "field": "f", "separator": ""}}]}, profile.TABLE_SCHEMA),
    ({"fields": [FIELD], "primaryKey": ["a", 1]}, profile.TABLE_SCHEMA),
    ({"fields": [FIELD], "primaryKey": []}, profile.TABLE_SCHEMA),
    ({"fields": [FIELD], "foreignKeys": [{"fields": [], "reference": {"fields": "a"}}]}, profile.TABLE_SCHEMA),
    ({"resources": [RES], "licenses": []}, profile.PACKAGE),
    ({"resources": [RES], "licenses": [{"title": "t"}]}, profile.PACKAGE),          # anyOf: neither
    ({"resources": [RES], "licenses": [{"name": "n", "path": "p"}]}, profile.PACKAGE),  # anyOf: both
    ({"resources": [{**RES, "mediatype": "textcsv"}]}, profile.PACKAGE),            # pattern
    ({"resources": [{**RES, "mediatype": "a/b/c"}]}, profile.PACKAGE),
    ({"resources": [{**RES, "path": []}]}, profile.PACKAGE),
    ({"resources": [{**RES, "path": ["a", "b"]}]}, profile.PACKAGE),
    ({"resources": [{**RES, "dialect": None}]}, profile.PACKAGE),
    ({"resources": [{**RES, "schema": {"fields": [FIELD]}}]}, profile.PACKAGE),
    ({"resources": [{**RES, "schema": {"fields": "a"}}]}, profile.PACKAGE),
    ({"resources": []}, profile.PACKAGE),
    ({"resources": {}}, profile.PACKAGE),
    ([], profile.PACKAGE),
    ("x", profile.TABLE_SCHEMA),
])
def test_conforms_gives_jsonschemas_verdict_on_the_edges_of_draft_7(value, schema):
    assert profile.conforms(value, schema) is jsonschema_valid(value, schema)


@pytest.mark.parametrize("value, schema", [
    ({"a": 1}, {"type": "object", "not": {}}),                       # a keyword it does not judge
    (["x", 1], {"type": "array", "uniqueItems": True}),              # jsonschema's own equality
    (1, {"enum": [1, True]}),
    ([1], {"items": [{"type": "integer"}]}),                         # tuple validation
])
def test_what_conforms_does_not_judge_goes_to_jsonschema(value, schema):
    with pytest.raises(profile.Unsure):
        profile.conforms(value, schema)
    assert list(profile.errors(value, schema)) == [
        f"at {'/'.join(map(str, e.absolute_path)) or '(top level)'}: {profile._message(e)}"
        for e in sorted(jsonschema.Draft7Validator(schema).iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))]


def test_errors_still_come_from_jsonschema(root):
    pkg = Package.open(root)
    bad = copy.deepcopy(pkg.schema("statements"))
    bad["fields"][0]["type"] = "text"
    bad["primaryKey"] = 3
    assert profile.conforms(bad, profile.TABLE_SCHEMA) is False
    assert list(profile.errors(bad, profile.TABLE_SCHEMA)) == [
        "at fields/0/type: 'text' is not one of " + repr(profile.TYPES), "at primaryKey: has the wrong form (expected string or array)"]


def test_loading_a_valid_package_does_not_import_jsonschema(root):
    code = "import sys, cotw; cotw.load('statements', sys.argv[1]); print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
