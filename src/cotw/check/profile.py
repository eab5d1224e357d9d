"""The structure a Data Package v2 descriptor and its Table Schemas must have, as a JSON Schema.

cotw checks descriptors with this schema (jsonschema is light to import) so that `cotw check` does
not pay frictionless's import cost on every commit; `--with-frictionless` adds frictionless's own
descriptor and row validation as a second opinion. It covers what the v2 specification requires
(resources with a name and a path or data, table schemas with named, typed fields, keys) and the
types of the properties cotw and its exports rely on. Unknown properties are allowed, as in v2.
"""
from __future__ import annotations

from typing import Iterator

STRINGS = {"type": "array", "items": {"type": "string"}}
TYPES = ["string", "number", "integer", "boolean", "object", "array", "list", "date", "time", "datetime",
         "year", "yearmonth", "duration", "geopoint", "geojson", "any"]

FIELD = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "type": {"enum": TYPES},
        "format": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "constraints": {
            "type": "object",
            "properties": {
                "required": {"type": "boolean"},
                "unique": {"type": "boolean"},
                "enum": {"type": "array", "minItems": 1},
                "pattern": {"type": "string"},
                "minLength": {"type": "integer", "minimum": 0},
                "maxLength": {"type": "integer", "minimum": 0},
            },
        },
        "categories": {"type": "array", "items": {"type": ["object", "string", "number", "integer"]}},
        "trueValues": STRINGS,
        "falseValues": STRINGS,
    },
}

TABLE_SCHEMA = {
    "type": "object",
    "required": ["fields"],
    "properties": {
        "$schema": {"type": "string"},
        "fields": {"type": "array", "items": FIELD},
        "primaryKey": {"oneOf": [{"type": "string"}, STRINGS]},
        "uniqueKeys": {"type": "array", "items": STRINGS},
        "foreignKeys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fields", "reference"],
                "properties": {
                    "fields": {"oneOf": [{"type": "string"}, STRINGS]},
                    "reference": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {"resource": {"type": "string"}, "fields": {"oneOf": [{"type": "string"}, STRINGS]}},
                    },
                },
            },
        },
        "missingValues": {"oneOf": [STRINGS, {"type": "array", "items": {"type": "object"}}]},
    },
}

RESOURCE = {
    "type": "object",
    "required": ["name"],
    "oneOf": [{"required": ["path"]}, {"required": ["data"]}],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "path": {"oneOf": [{"type": "string", "minLength": 1}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]},
        "type": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "format": {"type": "string"},
        "mediatype": {"type": "string", "pattern": "^(.+)/(.+)$"},
        "encoding": {"type": "string"},
        "bytes": {"type": "integer", "minimum": 0},
        "hash": {"type": "string"},
        "dialect": {"type": ["object", "string"]},
        "schema": {"oneOf": [{"type": "string"}, TABLE_SCHEMA]},
        "licenses": {"type": "array"},
        "sources": {"type": "array"},
    },
}

LICENSE = {"type": "object", "anyOf": [{"required": ["name"]}, {"required": ["path"]}],
           "properties": {"name": {"type": "string"}, "path": {"type": "string"}, "title": {"type": "string"}}}

PACKAGE = {
    "type": "object",
    "required": ["resources"],
    "properties": {
        "$schema": {"type": "string"},
        "name": {"type": "string"},
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "homepage": {"type": "string"},
        "version": {"type": "string"},
        "created": {"type": "string"},
        "image": {"type": "string"},
        "keywords": STRINGS,
        "licenses": {"type": "array", "minItems": 1, "items": LICENSE},
        "contributors": {"type": "array", "items": {"type": "object", "properties": {"title": {"type": "string"}, "roles": STRINGS}}},
        "sources": {"type": "array", "items": {"type": "object"}},
        "resources": {"type": "array", "minItems": 1, "items": RESOURCE},
    },
}


def errors(instance: object, schema: dict) -> Iterator[str]:
    """Plain-words errors of `instance` against `schema`, each with the JSON path where it occurs."""
    import jsonschema

    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        yield f"at {where}: {_message(err)}"


def _message(err) -> str:
    """jsonschema's message, without dumping the whole instance for oneOf/anyOf alternatives."""
    if err.validator in ("oneOf", "anyOf"):
        options = err.validator_value
        if all(set(o) == {"required"} for o in options):
            names = " or ".join(repr(o["required"][0]) for o in options)
            return f"needs {'exactly one of' if err.validator == 'oneOf' else 'at least one of'} {names}"
        types = [o.get("type") for o in options if "type" in o]
        return f"has the wrong form (expected {' or '.join(map(str, types)) or 'another form'})"
    return err.message
