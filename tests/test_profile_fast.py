"""The descriptor check asks jsonschema only when its plain test cannot vouch for a descriptor: that test
must never vouch for what jsonschema refuses (and does vouch for the shipped package)."""
from __future__ import annotations

import copy
import json
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from cotw.check import profile
from cotw.package import Package

JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.5, 1.0, -1e301, 2**31])
                    | st.sampled_from(["", "x", "string", "date", "a/b", "text/csv", "id", "name"]),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "type", "fields", "path", "x"]), inner, max_size=3),
                    max_leaves=6)


@lru_cache(maxsize=None)
def shipped(root) -> Package:
    """The shipped package, opened once: every example mutates a deep copy of its descriptor or a schema."""
    return Package.open(root)


def paths(value, at=()):
    yield at
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, at + (i,))


def jsonschema_errors(instance, schema) -> list[str]:
    import jsonschema

    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(instance)]


def test_the_shipped_descriptor_and_schemas_need_no_jsonschema(root):
    pkg = Package.open(root)
    assert profile.plainly_valid(pkg.descriptor, profile.PACKAGE)
    assert all(profile.plainly_valid(pkg.schema(n), profile.TABLE_SCHEMA) for n in pkg.names())


def mutate(doc, data):
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(list(paths(doc))[1:] or [()]))
        if not where:
            continue
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["name", "type", "path", "fields", "constraints", "enum", "minLength", "x-edtf"]))] = data.draw(JSON)
        else:
            parent[where[-1]] = data.draw(JSON)
    return doc


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_plain_test_never_vouches_for_an_invalid_table_schema(root, data):
    pkg = shipped(root)
    doc = mutate(pkg.schema(data.draw(st.sampled_from(pkg.names()))), data)
    if profile.plainly_valid(doc, profile.TABLE_SCHEMA):
        assert jsonschema_errors(doc, profile.TABLE_SCHEMA) == [], json.dumps(doc)[:500]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_plain_test_never_vouches_for_an_invalid_descriptor(root, data):
    doc = mutate(shipped(root).descriptor, data)
    if profile.plainly_valid(doc, profile.PACKAGE):
        assert jsonschema_errors(doc, profile.PACKAGE) == [], json.dumps(doc)[:500]


def test_values_equal_only_across_types_are_left_to_jsonschema():
    for field in ({"name": "a", "constraints": {"maxLength": 5.0}}, {"name": "a", "constraints": {"enum": [1, True]}}):
        assert not profile.plainly_valid(field, profile.FIELD) and jsonschema_errors(field, profile.FIELD) == []


FIELD_CASES = [
    {"name": "a", "constraints": {"maxLength": -1}},             # minimum
    {"name": "a", "constraints": {"maxLength": 2**31}},          # maximum
    {"name": "a", "constraints": {"minimum": -1e301}},           # minimum of a number
    {"name": "a", "constraints": {"enum": []}},                  # minItems
    {"name": ""},                                                # minLength
    {"name": "a", "type": "text"},                               # enum
    {"name": "a", "constraints": {"enum": ["x", "x"]}},          # uniqueItems
    {"type": "string"},                                          # required
    {"name": 5},                                                 # type
    {"name": "a", "trueValues": ["y", 1]},                       # items
    {"name": "a", "x-list-of": {"resource": "r"}},               # required, nested
    {"name": "a", "categories": [{"label": "x"}]},               # required in items
]


def test_every_keyword_refuses_as_jsonschema_does():
    for field in FIELD_CASES:
        assert jsonschema_errors(field, profile.FIELD) != [] and not profile.plainly_valid(field, profile.FIELD), field
    bad_keys = [{"fields": [{"name": "a"}], "primaryKey": 5}, {"fields": [{"name": "a"}], "primaryKey": []},  # oneOf: none, and a plain list
                {"fields": [{"name": "a"}], "foreignKeys": [{"fields": [], "reference": {"fields": "a"}}]}]
    for schema in bad_keys:
        if jsonschema_errors(schema, profile.TABLE_SCHEMA):
            assert not profile.plainly_valid(schema, profile.TABLE_SCHEMA), schema
    resource = {"name": "r", "path": "a.csv", "data": []}  # oneOf: both
    assert jsonschema_errors(resource, profile.RESOURCE) and not profile.plainly_valid(resource, profile.RESOURCE)
    package = {"resources": [{"name": "r", "path": "a.csv"}], "licenses": [{"title": "x"}]}  # anyOf: none
    assert jsonschema_errors(package, profile.PACKAGE) and not profile.plainly_valid(package, profile.PACKAGE)
    resource = {"name": "r", "path": "a.csv", "mediatype": "csv"}  # not type/subtype: said by code, not a schema pattern
    assert list(profile.errors(resource, profile.RESOURCE)) == ["at mediatype: 'csv' is not a media type (type/subtype, such as 'text/csv')"]
