"""The structure a Data Package v2 descriptor and its Table Schemas must have, as a JSON Schema.

cotw checks descriptors with this schema (jsonschema is light to import) so that `cotw check` does
not pay frictionless's import cost on every commit; `--with-frictionless` adds frictionless's own
descriptor and row validation as a second opinion. It covers what the v2 specification requires
(resources with a name and a path or data, table schemas with named, typed fields, keys) and the
types of the properties cotw and its exports rely on. Unknown properties are allowed, as in v2.

Beyond the shape, a descriptor is refused (a descriptor error; the tables are then not checked, and
fmt, export, diff, codebook and cotw.load refuse it too) when:
- a resource name breaks the Data Package naming rule (lowercase letters, digits, `.`, `-`, `_`), begins
  with a dot or is longer than 100 characters (`NAME`): exports use the name as a
  file name and a zip entry, so a name such as `../../x` could write outside the output;
- a value would make a reader fetch or open something (`references`): cotw never opens a connection,
  and frictionless (`--with-frictionless`) fetches a `dialect`, `schema`, `profile` or `path` given as
  a URL. Only the standard datapackage.org profile URLs pass, in `$schema`; frictionless recognises
  them and fetches nothing. Links for people (`licenses`, `sources`, `contributors`) are never read;
- it declares something cotw would silently not check (`schema_problems`): a type other than
  CHECKED_TYPES, `uniqueKeys`, `missingValues` other than [""], a foreign key whose field counts differ
  or whose reference identifies no row, provenance or date annotations (`x-verbatim-in`, `x-edtf`,
  `x-group-key`, `x-list-of`, `x-referenced`) that their rule could not apply, or a pattern that
  Python's `re` or RE2 cannot compile.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

STRINGS = {"type": "array", "items": {"type": "string"}}
KEY = {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]}
SCALAR = {"type": ["string", "number", "integer", "boolean"]}
# cotw's codebook, Excel sheet and download page read every category as {value, label}
CATEGORIES = {"type": "array", "items": {"type": "object", "required": ["value"],
                                         "properties": {"value": SCALAR, "label": {"type": "string"}}}}
# cotw compares bounds as numbers (a date or text bound would be silently ignored), as 64-bit floats
NUMBER = {"type": "number", "minimum": -1e300, "maximum": 1e300}
LENGTH = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
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
                "enum": {"type": "array", "minItems": 1, "uniqueItems": True, "items": SCALAR},
                "pattern": {"type": "string"},
                "minLength": LENGTH,
                "maxLength": LENGTH,
                "minimum": NUMBER,
                "maximum": NUMBER,
                "exclusiveMinimum": NUMBER,
                "exclusiveMaximum": NUMBER,
            },
        },
        "categories": CATEGORIES,
        "x-vocabulary": CATEGORIES,
        "trueValues": STRINGS,
        "falseValues": STRINGS,
        "x-verbatim-in": {"type": "string"},
        "x-within": {"type": "string"},
        "x-edtf": {"type": "boolean"},
        "x-group-key": {"type": "boolean"},
        "x-referenced": {"type": "boolean"},
        "x-list-of": {"type": "object", "required": ["resource", "field"],
                      "properties": {"resource": {"type": "string"}, "field": {"type": "string"},
                                     "separator": {"type": "string", "minLength": 1}}},
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
                    "fields": KEY,
                    "reference": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {"resource": {"type": "string"}, "fields": KEY},
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
        "mediatype": {"type": "string"},  # its form (type/subtype) is checked by `_media_type`, in linear time
        "encoding": {"type": "string"},
        "bytes": {"type": "integer", "minimum": 0},
        "hash": {"type": "string"},
        "dialect": {"type": ["object", "string"]},
        "schema": {"oneOf": [{"type": "string"}, TABLE_SCHEMA]},
        "licenses": {"type": "array"},
        "sources": {"type": "array"},
        "x-inclusion-policy": {"type": "string"},
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
    """Plain-words errors of `instance` against `schema`, each with the JSON path where it occurs.
    jsonschema (~50 ms to import, ~30 ms for the shipped descriptor) is asked only when `plainly_valid`
    cannot vouch for the instance."""
    yield from _media_types(instance, schema)
    if plainly_valid(instance, schema):
        return
    import jsonschema

    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        yield f"at {where}: {_message(err)}"


def plainly_valid(instance: object, schema: dict) -> bool:
    """True only when `instance` is valid against `schema` (JSON Schema draft 7, restricted to the keywords
    the schemas above use); False when it is not, or when the instance is unusual enough (a float where
    an integer is expected, a value equal to an enum member only across types, ...) that jsonschema had
    better decide. tests/test_profile_fast.py checks it never vouches for what jsonschema refuses."""
    return _compiled(schema)(instance)


_COMPILED: dict[int, tuple[dict, object]] = {}  # id(schema) -> (schema, its test): the schema is held, so its id stays its own


def _compiled(schema: dict):
    """`schema` as one function of an instance, built once per process: the keywords are read once, not
    for every value of every descriptor (the shipped package's 13 documents cost ~4 ms interpreted)."""
    hit = _COMPILED.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    tests = []
    for key, want in schema.items():
        if key == "type":
            kinds = want if isinstance(want, list) else [want]
            # _is, all kinds at once: a bool is of kind boolean only; anything else is of a kind when it is an instance of its class
            classes = tuple(c for k in kinds for c in _CLASSES[k])
            tests.append(lambda x, boolean="boolean" in kinds, classes=classes: boolean if isinstance(x, bool) else isinstance(x, classes))
        elif key == "required":
            tests.append(lambda x, want=frozenset(want): not isinstance(x, dict) or want.issubset(x))
        elif key == "properties":
            tests.append(_properties({k: _compiled(sub) for k, sub in want.items()}))
        elif key == "items":
            tests.append(_items(_compiled(want)))
        elif key in ("minItems", "minLength"):
            kind = list if key == "minItems" else str
            tests.append(lambda x, kind=kind, want=want: not (isinstance(x, kind) and len(x) < want))
        elif key in ("minimum", "maximum"):
            least = key == "minimum"
            tests.append(lambda x, least=least, want=want: not (_is(x, "number") and (x < want if least else x > want)))
        elif key == "enum":
            tests.append(lambda x, want=want: any(type(v) is type(x) and v == x for v in want))
        elif key == "uniqueItems":  # strings only: other values compare across types in JSON Schema
            tests.append(lambda x: not (isinstance(x, list) and (not all(isinstance(v, str) for v in x) or len(set(x)) != len(x))))
        elif key == "oneOf":
            subs = [(_compiled(sub), sub) for sub in want]
            tests.append(lambda x, subs=subs: _one_of(x, subs))
        elif key == "anyOf":
            alternatives = [_compiled(sub) for sub in want]
            tests.append(lambda x, alternatives=alternatives: any(test(x) for test in alternatives))
        else:  # a keyword this function does not know: jsonschema decides
            tests = [lambda x: False]
            break
    test = (lambda x: True) if not tests else tests[0] if len(tests) == 1 else _all_of(tuple(tests))
    _COMPILED[id(schema)] = (schema, test)
    return test


# loops rather than all() over a generator: these run for every value of every descriptor a process reads
# (~2,100 descriptors a test run), and a generator costs more than the test it drives

def _properties(props: dict):
    def test(x) -> bool:
        if isinstance(x, dict):
            for k, v in x.items():
                each = props.get(k)
                if each is not None and not each(v):
                    return False
        return True
    return test


def _items(each):
    def test(x) -> bool:
        if isinstance(x, list):
            for v in x:
                if not each(v):
                    return False
        return True
    return test


def _all_of(tests: tuple):
    def test(x) -> bool:
        for t in tests:
            if not t(x):
                return False
        return True
    return test


def _one_of(instance: object, subs: list) -> bool:
    """oneOf: exactly one alternative plainly valid, and none of the others refused for a reason jsonschema might not share."""
    valid = [test(instance) for test, _ in subs]
    return sum(valid) == 1 and not any(not ok and _loose(instance, sub) for ok, (_, sub) in zip(valid, subs))


def _media_types(instance: object, schema: dict) -> Iterator[str]:
    """A resource's `mediatype` has the form type/subtype (RFC 6838), on one line. Checked here, in linear
    time: the JSON Schema pattern this replaces, ^(.+)/(.+)$, backtracked quadratically (60 kB: 39 s)."""
    resources = instance.get("resources") if schema is PACKAGE and isinstance(instance, dict) else [instance] if schema is RESOURCE else None
    for i, res in enumerate(resources if isinstance(resources, list) else []):
        value = res.get("mediatype") if isinstance(res, dict) else None
        if isinstance(value, str) and ("/" not in value[1:-1] or "\n" in value or "\r" in value):
            where = f"resources/{i}/mediatype" if schema is PACKAGE else "mediatype"
            yield f"at {where}: {_short(repr(value), 60)} is not a media type (type/subtype, such as 'text/csv')"


_CLASSES = {"number": (int, float), "integer": (int,), "string": (str,), "boolean": (bool,), "object": (dict,), "array": (list,),
            "null": (type(None),)}


def _is(value: object, kind: str) -> bool:
    """JSON Schema's types, plainly: a bool is no number; a float is no integer here (jsonschema takes 1.0)."""
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}[kind])


def _undecided(instance: object, schema: dict) -> bool:
    """Whether `plainly_valid` said False for a reason jsonschema might see otherwise (so a oneOf could be
    valid after all): a float where an integer is expected, or a value equal to an enum member across types."""
    return not plainly_valid(instance, schema) and _loose(instance, schema)


def _loose(instance: object, schema: dict) -> bool:
    if isinstance(instance, float) and schema.get("type") in ("integer", ["integer"]):
        return True
    if "enum" in schema and any(v == instance for v in schema["enum"]):
        return True
    if "uniqueItems" in schema:
        return True
    if isinstance(instance, dict):
        return any(_loose(instance[k], sub) for k, sub in schema.get("properties", {}).items() if k in instance)
    if isinstance(instance, list) and isinstance(schema.get("items"), dict):
        return any(_loose(v, schema["items"]) for v in instance)
    return any(_loose(instance, sub) for sub in schema.get("oneOf", []) + schema.get("anyOf", []))


def _message(err) -> str:
    """jsonschema's message, without dumping the whole instance for oneOf/anyOf alternatives."""
    if err.validator in ("oneOf", "anyOf"):
        options = err.validator_value
        if all(set(o) == {"required"} for o in options):
            names = " or ".join(repr(o["required"][0]) for o in options)
            return f"needs {'exactly one of' if err.validator == 'oneOf' else 'at least one of'} {names}"
        types = [o.get("type") for o in options if "type" in o]
        return f"has the wrong form (expected {' or '.join(map(str, types)) or 'another form'})"
    shown = repr(err.instance)  # jsonschema quotes the whole offending value, however long
    return err.message.replace(shown, _short(shown, 60)) if len(shown) > 60 else err.message


# --- names and references -----------------------------------------------------------------------

NAME = re.compile(r"[a-z0-9_][a-z0-9._-]{0,99}")  # the Data Package naming rule, as a file name: no leading dot, at most 100
STANDARD_PROFILE = re.compile(r"^https://datapackage\.org/profiles/[12]\.0/(datapackage|dataresource|tableschema|tabledialect)\.json$")
PROFILE_NAMES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
# properties that frictionless dereferences (reads or fetches) when they hold a string
REFERENCES = {"path", "url", "extrapaths", "schema", "dialect", "profile", "profiles", "$schema", "resources"}
# lists of links for people (a licence's URL, a source's homepage) and inline rows: never dereferenced
INERT = {"licenses", "sources", "contributors", "data"}


def is_url(value: str) -> bool:
    """True when a reader would take `value` as a URL (any scheme, or a network path), as urllib does."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: malformed, but still meant as a URL
        return True
    return bool(parts.scheme or parts.netloc) or value.lstrip().startswith(("//", "\\\\"))


def references(instance: object, path: tuple = ()) -> Iterator[tuple[str, str, str]]:
    """(where, value, why) of every value that would make frictionless fetch or read something cotw does not.

    `where` is the JSON path ("resources/4/dialect"). The standard Data Package profile URLs in `$schema`
    pass: frictionless recognises them and fetches nothing."""
    if isinstance(instance, dict):
        for key, value in instance.items():
            if key in INERT:
                continue
            here = path + (key,)
            if key in REFERENCES:
                yield from _refused(key, value, "/".join(map(str, here)))
            if isinstance(value, (dict, list)):
                yield from references(value, here)
    elif isinstance(instance, list):
        for i, value in enumerate(instance):
            if isinstance(value, (dict, list)):
                yield from references(value, path + (i,))


def _refused(key: str, value: object, path: str) -> Iterator[tuple[str, str, str]]:
    items = [(path, value)] if isinstance(value, str) else [(f"{path}/{i}", v) for i, v in enumerate(value)] if isinstance(value, list) else []
    for where, v in items:
        if not isinstance(v, str):
            continue
        if key == "$schema":
            if is_url(v) and not STANDARD_PROFILE.match(v):
                yield where, v, "is not a standard Data Package profile URL; cotw never fetches profiles, so it was not read"
        elif key in ("profile", "profiles"):
            if v not in PROFILE_NAMES:
                yield where, v, (f"is not one of the standard profile names ({', '.join(sorted(PROFILE_NAMES))}); "
                                 "a custom profile would be fetched or read, so it was not")
        elif is_url(v):
            yield where, v, "is a URL; cotw never fetches, so it was not read"
        elif key == "dialect":
            yield where, v, "is a reference to a file; cotw reads CSV dialects inline only, so it was not read"
        elif key in ("url", "extrapaths"):
            from ..package import unsafe_path_reason

            reason = unsafe_path_reason(v)
            if reason:
                yield where, v, f"{reason}; it was not read"


# --- what a Table Schema means, beyond its shape ------------------------------------------------

CHECKED_TYPES = ("string", "date", "boolean", "number", "integer", "any")  # the types cotw checks and loads


def _key(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def schema_problems(name: str, schema: dict, schemas: dict[str, dict], names: set[str]) -> Iterator[str]:
    """What is wrong with a Table Schema that has the right shape (see TABLE_SCHEMA): fields that keys and
    provenance annotations name but that do not exist or have the wrong type, foreign keys whose field
    counts differ, patterns that cannot be used. `schemas` are the other well-shaped schemas, by name."""
    fields = {f["name"]: f for f in schema["fields"]}
    if len(fields) != len(schema["fields"]):
        yield "a field name is used twice"
    sources_fk = set()
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        if (ref.get("resource") or name) == "sources" and _key(ref["fields"]) == ["source_id"] and len(_key(fk["fields"])) == 1:
            sources_fk.add(_key(fk["fields"])[0])
    if schema.get("missingValues", [""]) != [""]:
        yield (f"missingValues {_short(schema['missingValues'])} is not supported: cotw reads only an empty cell as missing "
               "(so that text such as 'NA' stays text); declare [\"\"] or leave it out")
    if schema.get("uniqueKeys"):
        yield "uniqueKeys is not checked by cotw; declare \"unique\": true on a single field, or make the fields the primaryKey"
    for f in schema["fields"]:
        col, ftype = f["name"], f.get("type", "string")
        from .protect import field_name_problem

        why = field_name_problem(col)
        if why:
            yield f"field name {_short(col)!r} {why}"
        if ftype not in CHECKED_TYPES:
            yield f"field {col!r} has type {ftype!r}, which cotw does not check or load; use one of {', '.join(CHECKED_TYPES)}"
        enum = f.get("constraints", {}).get("enum")
        for c in f.get("categories", []) if enum is not None else []:
            if str(c["value"]) not in map(str, enum):
                yield f"field {col!r} has category {_short(repr(c['value']))}, which is not one of its enum values"
                break
        pattern = f.get("constraints", {}).get("pattern")
        if pattern is not None:
            why = pattern_problem(pattern)
            if why:
                yield f"field {col!r} pattern {_short(pattern)!r} {why}"
        if "x-verbatim-in" in f:
            yield from _verbatim_problems(f, fields, sources_fk)
        yield from _annotation_problems(f, schema, schemas, names)
    pk = _key(schema.get("primaryKey") or [])
    for k in pk:
        if k not in fields:
            yield f"primaryKey field {_short(k)!r} is not a field"
    if len(set(pk)) != len(pk):
        yield f"primaryKey ({', '.join(map(_short, pk))}) names a field twice"
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        target = ref.get("resource") or name
        lf, rf = _key(fk["fields"]), _key(ref["fields"])
        for k in lf:
            if k not in fields:
                yield f"foreign key field {_short(k)!r} is not a field"
        if len(set(lf)) != len(lf) or len(set(rf)) != len(rf):
            yield f"foreign key ({', '.join(map(_short, lf))}) -> ({', '.join(map(_short, rf))}) names a field twice"
            continue
        if len(lf) != len(rf):
            yield (f"foreign key ({', '.join(map(_short, lf))}) has {len(lf)} field{'s' if len(lf) != 1 else ''} but refers to "
                   f"{len(rf)} field{'s' if len(rf) != 1 else ''} of {_short(target)} ({', '.join(map(_short, rf))}); the counts must be equal")
        if target not in names:
            yield f"foreign key refers to resource {_short(target)!r}, which does not exist"
            continue
        if target not in schemas:
            continue  # the referenced schema is malformed: its own problems are reported
        tf = {f["name"]: f for f in schemas[target]["fields"]}
        missing = [k for k in rf if k not in tf]
        for k in missing:
            yield f"foreign key refers to {_short(target)}.{_short(k)}, which is not a field"
        unique = len(rf) == 1 and not missing and tf[rf[0]].get("constraints", {}).get("unique") is True
        if not missing and not unique and rf != _key(schemas[target].get("primaryKey") or []):
            yield (f"foreign key refers to {_short(target)} ({', '.join(map(_short, rf))}), which is neither its primaryKey nor a unique "
                   "field: a reference must identify one row")


def _annotation_problems(f: dict, schema: dict, schemas: dict[str, dict], names: set[str]) -> Iterator[str]:
    """The 0.2 annotations that could not work on this field, so that their rule would silently not run."""
    col, ftype = f["name"], f.get("type", "string")
    pk = _key(schema.get("primaryKey") or [])
    if f.get("x-edtf") and ftype != "string":
        yield f"field {col!r} has x-edtf but is of type {ftype!r}; an EDTF date is text (2025-04, ../2025-04-10), so it must be a string field"
    within = f.get("x-within")
    if isinstance(within, str):
        fields = {g.get("name"): g for g in schema.get("fields", []) if isinstance(g, dict)}
        if within == col or within not in fields:
            yield f"field {col!r} x-within names {_short(within)!r}, which is not another field of the table"
        elif ftype != "string" or fields[within].get("type", "string") != "string":
            yield f"field {col!r} has x-within {within!r}, but both must be string fields: its words occur verbatim in the other's"
    if f.get("x-group-key"):
        if ftype != "string":
            yield f"field {col!r} has x-group-key but is of type {ftype!r}; a group key names a row by its id, so it must be a string field"
        elif len(set(pk)) != 1:  # a key naming one field twice is reported on its own
            yield (f"field {col!r} has x-group-key, but the table's primaryKey has {len(set(pk))} fields; a group key names a row of "
                   "its table by a primary key of one field")
    if f.get("x-referenced") and pk != [col]:
        yield (f"field {col!r} has x-referenced but is not the table's primaryKey of one field; only a row's key can be named "
               "by other tables' foreign keys")
    spec = f.get("x-list-of")
    if isinstance(spec, dict):
        target, field = spec["resource"], spec["field"]
        if target not in names:
            yield f"field {col!r} x-list-of names resource {_short(target)!r}, which does not exist"
        elif target in schemas and field not in {g["name"] for g in schemas[target]["fields"]}:
            yield f"field {col!r} x-list-of names {_short(target)}.{_short(field)}, which is not a field"
        if ftype != "string":
            yield f"field {col!r} has x-list-of but is of type {ftype!r}; a list of references is text, so it must be a string field"


def _verbatim_problems(f: dict, fields: dict[str, dict], sources_fk: set[str]) -> Iterator[str]:
    col, target = f["name"], f["x-verbatim-in"]
    if target not in fields:
        yield f"field {col!r} x-verbatim-in names {_short(target)!r}, which is not a field"
    elif f.get("type", "string") != "string":
        yield f"field {col!r} has x-verbatim-in but is of type {f.get('type')!r}; only text can occur verbatim in a source, so it must be a string field"
    elif target == col or fields[target].get("type", "string") != "string" or target not in sources_fk:
        yield (f"field {col!r} x-verbatim-in names {target!r}, which is not a string field with a foreign key to sources.source_id; "
               "the evidence could not be looked up in its source, so provenance would not be checked")


@lru_cache(maxsize=1024)  # many fields share a pattern (cotw's 57 are 18 distinct): each compiles once per process
def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used to check cells, or None. The pattern is read as Python's `re` reads it
    (as frictionless does) and matched by RE2 only (pyarrow's engine, linear in the cell; see
    check.protect), so it must compile in Python and, as protect.re2_pattern writes it, in RE2: Table
    Schema patterns follow XML Schema syntax, which has neither look-arounds nor back-references."""
    import re

    import warnings

    try:
        with warnings.catch_warnings():  # e.g. "possible nested set": a pattern is data, not the caller's code
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"is not a valid regular expression ({exc})"
    import pyarrow as pa
    import pyarrow.compute as pc

    from .protect import PatternRefused, anchored

    try:
        re2 = anchored(pattern)  # Python's meaning, written for RE2: cotw matches every pattern with RE2 only
    except PatternRefused as exc:
        return f"cannot be used: it {exc.reason}; cotw matches patterns with RE2, in time linear in the cell"
    try:
        pc.match_substring_regex(pa.array([""], pa.large_string()), re2)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        why = str(exc).removeprefix("Invalid regular expression: ")
        return (f"cannot be used: RE2 rejects it ({_short(why)}); write it in the portable syntax of Table Schema "
                "patterns (XML Schema: no look-arounds or back-references)")
    return None


def _short(value: object, limit: int = 80) -> str:
    from ..report import shorten

    return shorten(value, limit)
