"""A hostile or broken datapackage.json or schema/*.json gets one exact, located descriptor error from
`cotw check` (exit 1), and a clean refusal from every other reader (fmt, export, diff, codebook,
cotw.load): never a traceback, never a network connection, never a cascade of false data errors.

Each test breaks one class of input; data/conditions.csv's table is the one broken, since no other
table references it. The last test throws arbitrary JSON into arbitrary descriptor positions.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cotw
from cotw.package import PackageError

TABLE = "conditions"
SCHEMA = "schema/conditions.json"
V2 = "https://datapackage.org/profiles/2.0/"
_ROOT = Path(__file__).parents[1]
# where the broken table sits in the shipped descriptor, so that the expected locations follow the package
RES = next(i for i, r in enumerate(json.loads((_ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]) if r["name"] == TABLE)
FIELDS = [f["name"] for f in json.loads((_ROOT / SCHEMA).read_text(encoding="utf-8"))["fields"]]


def at(name: str) -> int:
    """The index of field `name` in the broken table's schema."""
    return FIELDS.index(name)


# --- helpers ----------------------------------------------------------------------------------

def edit(pkg: Path, file: str, change) -> None:
    """Apply `change` to the parsed JSON of `file` and write it back."""
    path = pkg / file
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def resource(d: dict, name: str = TABLE) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def problems(pkg: Path, **kw) -> list[str]:
    return [p.text() for p in cotw.validate(pkg, **kw).sorted_problems()]


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def refused_everywhere(pkg: Path, cli, tmp_path: Path, message: str) -> None:
    """`message` (a descriptor problem, without its location) stops every other command and the library."""
    fmt = cli("fmt", "--check", pkg)
    no_traceback(fmt)
    assert fmt.exit_code == 1 and message in fmt.stderr, fmt.output
    export = cli("export", pkg, "--out", tmp_path / "out", "--quiet")
    no_traceback(export)
    assert export.exit_code == 1 and message in export.stderr and not (tmp_path / "out").exists(), export.output
    diff = cli("diff", pkg, pkg)
    no_traceback(diff)
    assert diff.exit_code != 0 and message in diff.stderr, diff.output
    codebook = cli("codebook", pkg)
    no_traceback(codebook)
    assert codebook.exit_code == 1 and message in codebook.stderr, codebook.output
    for call in (lambda: cotw.load(TABLE, pkg), lambda: cotw.read(TABLE, pkg), lambda: cotw.load_all(pkg)):
        with pytest.raises(PackageError) as exc:
            call()
        assert message in exc.value.message


def check_answers(pkg: Path, cli, expected: list[str], with_frictionless: bool = False) -> None:
    """The library reports exactly `expected` (so nothing cascades) and the CLI prints it with exit 1."""
    assert problems(pkg, with_frictionless=with_frictionless) == expected
    result = cli("check", pkg, *(["--with-frictionless"] if with_frictionless else []))
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[:-1] == expected


# --- 1. resource names ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../../escape", "/tmp/escape", "Conditions", "con ditions", "a\\escape", "condiçoes", "x\ny"])
def test_a_resource_name_must_follow_the_data_package_naming_rule(pkg, cli, tmp_path, name):
    edit(pkg, "datapackage.json", lambda d: resource(d).__setitem__("name", name))
    shown = repr(name)
    expected = (f"datapackage.json: resource name {shown} is not a valid Data Package name; exports use it as a file name "
                f"(use 1 to 100 lowercase letters, digits, '.', '-' and '_', not beginning with '.') [resource-name]")
    check_answers(pkg, cli, [expected])
    out = tmp_path / "a" / "b" / "out"
    export = cli("export", pkg, "--out", out, "--quiet")
    no_traceback(export)
    assert export.exit_code == 1 and "refusing to export" in export.stderr
    assert not [p for p in tmp_path.rglob("*escape*")] and not out.exists()


def test_names_with_dots_dashes_and_underscores_are_valid(pkg, cli):
    edit(pkg, "datapackage.json", lambda d: resource(d).__setitem__("name", "cond-2.v_1"))
    assert cli("check", pkg).exit_code == 0


# --- 2. no network, whatever the descriptor points at -------------------------------------------

@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 (random port) that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    hits: list[object] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                hits.append(conn.recv(200) or b"(connected, sent nothing)")
            except OSError:
                hits.append(b"(connected, sent nothing)")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/x.json"
    yield url, hits
    time.sleep(0.2)  # a connection attempted at the very end still gets counted
    stop.set()
    thread.join(timeout=5)
    server.close()
    assert hits == [], f"cotw connected to {url}: {hits}"


# (where the URL goes, the located line `cotw check` must print: {url} is filled in)
URL_CASES = {
    "package profile": (lambda d, s, url: d.__setitem__("profile", url),
                        "datapackage.json: at profile: {url!r} is not one of the standard profile names (data-package, data-resource, "
                        "tabular-data-package, tabular-data-resource); a custom profile would be fetched or read, so it was not [remote-reference]"),
    "resource dialect": (lambda d, s, url: resource(d).__setitem__("dialect", url),
                         "datapackage.json: at resources/{res}/dialect: {url!r} is a URL; cotw never fetches, so it was not read [remote-reference]"),
    "dialect $schema": (lambda d, s, url: resource(d)["dialect"].__setitem__("$schema", url),
                        "datapackage.json: at resources/{res}/dialect/$schema: {url!r} is not a standard Data Package profile URL; "
                        "cotw never fetches profiles, so it was not read [remote-reference]"),
    "resource profile": (lambda d, s, url: resource(d).__setitem__("profile", url),
                         "datapackage.json: at resources/{res}/profile: {url!r} is not one of the standard profile names (data-package, "
                         "data-resource, tabular-data-package, tabular-data-resource); a custom profile would be fetched or read, so it was not "
                         "[remote-reference]"),
    "resource $schema": (lambda d, s, url: resource(d).__setitem__("$schema", url),
                         "datapackage.json: at resources/{res}/$schema: {url!r} is not a standard Data Package profile URL; cotw never "
                         "fetches profiles, so it was not read [remote-reference]"),
    "resource schema": (lambda d, s, url: resource(d).__setitem__("schema", url),
                        "datapackage.json: resource 'conditions' schema {url!r} is a URL; cotw reads only files inside the package and "
                        "never fetches; it was not read [unsafe-path]"),
    "resource path": (lambda d, s, url: resource(d).__setitem__("path", url),
                      "datapackage.json: resource 'conditions' path {url!r} is a URL; cotw reads only files inside the package and "
                      "never fetches; it was not read [unsafe-path]"),
    "resource path without '://'": (lambda d, s, url: resource(d).__setitem__("path", url.replace("http://", "http:")),
                                    "datapackage.json: resource 'conditions' path {short!r} is a URL; cotw reads only files inside the "
                                    "package and never fetches; it was not read [unsafe-path]"),
    "resource url (v0)": (lambda d, s, url: resource(d).__setitem__("url", url),
                          "datapackage.json: at resources/{res}/url: {url!r} is a URL; cotw never fetches, so it was not read [remote-reference]"),
    "table schema $schema": (lambda d, s, url: s.__setitem__("$schema", url),
                             "schema/conditions.json: conditions: at $schema: {url!r} is not a standard Data Package profile URL; cotw never "
                             "fetches profiles, so it was not read [remote-reference]"),
    "field profile": (lambda d, s, url: field(s, "notes").__setitem__("profile", url),
                      "schema/conditions.json: conditions: at fields/{notes}/profile: {url!r} is not one of the standard profile names "
                      "(data-package, data-resource, tabular-data-package, tabular-data-resource); a custom profile would be fetched or "
                      "read, so it was not [remote-reference]"),
}


@pytest.mark.parametrize("case", list(URL_CASES))
def test_url_references_are_refused_and_nothing_connects(pkg, cli, tmp_path, listener, case):
    url, hits = listener
    change, expected = URL_CASES[case]
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    s = json.loads((pkg / SCHEMA).read_text(encoding="utf-8"))
    change(d, s, url)
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    (pkg / SCHEMA).write_text(json.dumps(s, indent=2), encoding="utf-8")
    line = expected.format(url=url, short=url.replace("http://", "http:"), res=RES, notes=at("notes"))
    got = problems(pkg, with_frictionless=True)
    assert line in got and all(p.endswith(("[remote-reference]", "[unsafe-path]", "[descriptor]")) for p in got), got
    result = cli("check", pkg, "--with-frictionless")
    no_traceback(result)
    assert result.exit_code == 1 and line in result.stdout.splitlines()
    refused_everywhere(pkg, cli, tmp_path, line.split(": ", 1)[1].rsplit(" [", 1)[0])


def test_frictionless_itself_runs_offline(pkg, listener, monkeypatch):
    """Even a reference the descriptor layer missed is never fetched: frictionless gets a session that sends nothing."""
    from cotw.check import second_opinion
    from cotw.package import Package

    url, hits = listener
    edit(pkg, "datapackage.json", lambda d: resource(d).__setitem__("dialect", url))
    monkeypatch.setattr(second_opinion, "refused", lambda pkg: [])
    files = second_opinion.files  # the private copy refuses a URL too: let it through, to test the session itself
    monkeypatch.setattr(second_opinion, "files", lambda pkg: [f for f in files(pkg) if "://" not in f[0]])
    found = second_opinion.frictionless_problems(Package.open(pkg))
    assert any("cotw never fetches" in p.message for p in found), [p.text() for p in found]


def test_a_frictionless_crash_is_reported_not_raised(pkg, cli, monkeypatch):
    import frictionless

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(frictionless, "validate", crash)
    check_answers(pkg, cli, ["datapackage.json: frictionless could not validate the package: boom [frictionless-error]"], with_frictionless=True)


def test_the_standard_profiles_of_cotws_own_descriptor_are_not_fetched(pkg, monkeypatch):
    from cotw.check import second_opinion

    sent = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: sent.append(a) or (_ for _ in ()).throw(OSError("no network")))
    offline = second_opinion._offline

    def recording():
        session = offline()
        send = session.send
        session.send = lambda request, **kw: (sent.append(request.url), send(request, **kw))[1]
        return session

    monkeypatch.setattr(second_opinion, "_offline", recording)
    report = cotw.validate(pkg, with_frictionless=True)
    assert report.ok, report.render_text()
    assert sent == []


# --- 3. depth -----------------------------------------------------------------------------------

def nest(pkg: Path, file: str, levels: int) -> None:
    """Give the top-level object of `file` an `x-deep` property nested `levels` arrays deep (all on line 2)."""
    text = (pkg / file).read_text(encoding="utf-8")
    assert text.startswith("{\n")
    (pkg / file).write_text('{\n"x-deep": ' + "[" * levels + "]" * levels + ",\n" + text[2:], encoding="utf-8")


@pytest.mark.parametrize("file,where", [("datapackage.json", "datapackage.json"), (SCHEMA, SCHEMA)])
@pytest.mark.parametrize("levels", [100, 100_000])
def test_nesting_deeper_than_100_levels_is_refused_before_parsing(pkg, cli, tmp_path, file, where, levels):
    nest(pkg, file, levels)
    message = f"{where} is nested more than 100 levels deep; cotw reads descriptors and schemas nested at most 100 levels"
    rule = "descriptor" if file == "datapackage.json" else "schema-file"
    check_answers(pkg, cli, [f"{where}:2: {message} [{rule}]"])
    refused_everywhere(pkg, cli, tmp_path, message)


def test_nesting_of_100_levels_is_read(pkg, cli):
    nest(pkg, "datapackage.json", 99)  # the top-level object is the 100th level
    assert cli("check", pkg).exit_code == 0


# --- 4. junk in every kind of schema position -----------------------------------------------------

JUNK = {
    "primaryKey is a number": (lambda s: s.__setitem__("primaryKey", 3), "at primaryKey: has the wrong form (expected string or array)"),
    "primaryKey of numbers": (lambda s: s.__setitem__("primaryKey", [1]), "at primaryKey: has the wrong form (expected string or array)"),
    "foreignKeys is a string": (lambda s: s.__setitem__("foreignKeys", "x"), "at foreignKeys: 'x' is not of type 'array'"),
    "foreignKeys of numbers": (lambda s: s.__setitem__("foreignKeys", [1]), "at foreignKeys/0: 1 is not of type 'object'"),
    "reference is a string": (lambda s: s["foreignKeys"][0].__setitem__("reference", "x"),
                              "at foreignKeys/0/reference: 'x' is not of type 'object'"),
    "foreign key without reference": (lambda s: s["foreignKeys"][0].pop("reference"),
                                      "at foreignKeys/0: 'reference' is a required property"),
    "foreign key of no fields": (lambda s: s["foreignKeys"][0].__setitem__("fields", []),
                                 "at foreignKeys/0/fields: has the wrong form (expected string or array)"),
    "a field is a number": (lambda s: s["fields"].append(3), f"at fields/{len(FIELDS)}: 3 is not of type 'object'"),
    "a field without a name": (lambda s: s["fields"][1].pop("name"), "at fields/1: 'name' is a required property"),
    "constraints is a string": (lambda s: s["fields"][1].__setitem__("constraints", "x"),
                                "at fields/1/constraints: 'x' is not of type 'object'"),
    "enum is a string": (lambda s: field(s, "condition")["constraints"].__setitem__("enum", "x"),
                         f"at fields/{at('condition')}/constraints/enum: 'x' is not of type 'array'"),
    "enum of lists": (lambda s: field(s, "condition")["constraints"].__setitem__("enum", [["a"]]),
                      f"at fields/{at('condition')}/constraints/enum/0: ['a'] is not of type 'string', 'number', 'integer', 'boolean'"),
    "enum with a duplicate": (lambda s: field(s, "condition")["constraints"].__setitem__("enum", ["a", "a"]),
                              f"at fields/{at('condition')}/constraints/enum: ['a', 'a'] has non-unique elements"),
    "category without a value": (lambda s: field(s, "condition").__setitem__("categories", [{"x": 1}]),
                                 f"at fields/{at('condition')}/categories/0: 'value' is a required property"),
    "categories is a string": (lambda s: field(s, "condition").__setitem__("categories", "x"),
                               f"at fields/{at('condition')}/categories: 'x' is not of type 'array'"),
    "maxLength is text": (lambda s: s["fields"][1]["constraints"].__setitem__("maxLength", "5"),
                          "at fields/1/constraints/maxLength: '5' is not of type 'integer'"),
    "minimum is text": (lambda s: s["fields"][1]["constraints"].__setitem__("minimum", "0"),
                        "at fields/1/constraints/minimum: '0' is not of type 'number'"),
    "pattern is a number": (lambda s: s["fields"][0]["constraints"].__setitem__("pattern", 3),
                            "at fields/0/constraints/pattern: 3 is not of type 'string'"),
    "invalid regex": (lambda s: s["fields"][0]["constraints"].__setitem__("pattern", "([a-"),
                      "field 'condition_id' pattern '([a-' is not a valid regular expression (unterminated character set at position 1)"),
    "regex RE2 cannot compile": (lambda s: s["fields"][0]["constraints"].__setitem__("pattern", "^(?=c).*$"),
                                 "field 'condition_id' pattern '^(?=c).*$' cannot be used: RE2 rejects it (invalid perl operator: (?=); "
                                 "write it in the portable syntax of Table Schema patterns (XML Schema: no look-arounds or back-references)"),
    "maxLength beyond any cell": (lambda s: s["fields"][1]["constraints"].__setitem__("maxLength", 10**12),
                                  "at fields/1/constraints/maxLength: 1000000000000 is greater than the maximum of 2147483647"),
    "minimum beyond a float": (lambda s: s["fields"][1]["constraints"].__setitem__("minimum", -10**301),
                               f"at fields/1/constraints/minimum: {str(-10**301)[:59]}… is less than the minimum of -1e+300"),
    "x-verbatim-in is a number": (lambda s: field(s, "evidence").__setitem__("x-verbatim-in", 3),
                                  f"at fields/{at('evidence')}/x-verbatim-in: 3 is not of type 'string'"),
    "x-edtf is not true or false": (lambda s: field(s, "date").__setitem__("x-edtf", "yes"),
                                    f"at fields/{at('date')}/x-edtf: 'yes' is not of type 'boolean'"),
    "x-group-key is not true or false": (lambda s: field(s, "fact_id").__setitem__("x-group-key", 1),
                                         f"at fields/{at('fact_id')}/x-group-key: 1 is not of type 'boolean'"),
    "x-list-of without a field": (lambda s: field(s, "notes").__setitem__("x-list-of", {"resource": "people"}),
                                  f"at fields/{at('notes')}/x-list-of: 'field' is a required property"),
    "x-list-of with an empty separator": (lambda s: field(s, "notes").__setitem__("x-list-of", {"resource": "people", "field": "person_id", "separator": ""}),
                                          f"at fields/{at('notes')}/x-list-of/separator: '' should be non-empty"),
}


@pytest.mark.parametrize("case", list(JUNK))
def test_junk_in_a_table_schema_is_one_located_error(pkg, cli, tmp_path, case):
    change, message = JUNK[case]
    edit(pkg, SCHEMA, change)
    check_answers(pkg, cli, [f"{SCHEMA}: {TABLE}: {message} [table-schema]"])
    refused_everywhere(pkg, cli, tmp_path, message)


def test_fields_that_is_not_a_list_is_located_in_the_schema_file(pkg, cli):
    edit(pkg, SCHEMA, lambda s: s.__setitem__("fields", "x"))
    check_answers(pkg, cli, [f"{SCHEMA}: resource 'conditions' has no table schema with a 'fields' list [schema-file]"])


@pytest.mark.parametrize("text,line,message", [
    ('{\n"maxLength": NaN}', 2, "NaN is not a JSON number (write a number, or null)"),
    ('{\n\n"x": -Infinity}', 3, "-Infinity is not a JSON number (write a number, or null)"),
])
def test_non_json_numbers_are_refused(pkg, cli, text, line, message):
    (pkg / SCHEMA).write_text(text, encoding="utf-8")
    check_answers(pkg, cli, [f"{SCHEMA}:{line}: {SCHEMA} is not valid JSON: {message} [schema-file]"])


def test_a_byte_order_mark_is_named(pkg, cli):
    (pkg / SCHEMA).write_bytes(b"\xef\xbb\xbf" + (pkg / SCHEMA).read_bytes())
    check_answers(pkg, cli, [f"{SCHEMA}:1: {SCHEMA} starts with a byte-order mark (BOM); save it as UTF-8 without BOM [schema-file]"])


def test_a_descriptor_larger_than_16_mib_is_not_parsed(pkg, cli):
    path = pkg / "datapackage.json"
    path.write_text('{"x-pad": "' + "x" * (16 * 2**20) + '",' + path.read_text(encoding="utf-8")[1:], encoding="utf-8")
    check_answers(pkg, cli, [f"datapackage.json: datapackage.json is larger than {16 * 2**20} bytes, the most cotw reads of a descriptor "
                             "or schema file [descriptor]"])


def test_a_number_too_large_for_a_float_is_refused(pkg, cli):
    edit(pkg, SCHEMA, lambda s: s["fields"][1]["constraints"].__setitem__("maxLength", 1))
    (pkg / SCHEMA).write_text((pkg / SCHEMA).read_text(encoding="utf-8").replace('"maxLength": 1\n', '"maxLength": 1e400\n'), encoding="utf-8")
    check_answers(pkg, cli, [f"{SCHEMA}: {SCHEMA} holds a value cotw cannot read: the number 1e400 is too large to be a finite number [schema-file]"])


# --- unreadable files -------------------------------------------------------------------------------

def test_a_schema_path_that_is_a_directory_is_unreadable_not_a_crash(pkg, cli, tmp_path):
    (pkg / SCHEMA).unlink()
    (pkg / SCHEMA).mkdir()
    message = f"schema file '{SCHEMA}' of resource 'conditions' is a directory, not a file; it was not read"
    check_answers(pkg, cli, [f"{SCHEMA}: {message} [schema-file]"])
    refused_everywhere(pkg, cli, tmp_path, message)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_schema_path_that_is_a_fifo_is_refused_without_blocking(pkg):
    """Reading a FIFO blocks until a writer comes, forever in CI: run in a subprocess with a deadline."""
    import subprocess
    import sys

    (pkg / SCHEMA).unlink()
    os.mkfifo(pkg / SCHEMA)
    program = "import sys; from cotw.cli import app; sys.argv = ['cotw', 'check', sys.argv[1]]; app()"
    result = subprocess.run([sys.executable, "-c", program, str(pkg)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (f"{SCHEMA}: schema file '{SCHEMA}' of resource 'conditions' is a named pipe (FIFO), "
                                             "not a regular file; it was not read [schema-file]")


@pytest.mark.parametrize("file", ["datapackage.json", SCHEMA])
def test_an_unreadable_descriptor_or_schema_is_a_located_error(pkg, cli, monkeypatch, file):
    """Permission denied, simulated (the tests may run as root, for whom chmod 000 changes nothing)."""
    target = (pkg / file).resolve()
    real = os.open

    def open_(path, *args, dir_fd=None, **kwargs):
        # safeio opens a package's files one folder at a time, relative to the folder it opened before
        where = Path(os.readlink(f"/proc/self/fd/{dir_fd}")) / path if dir_fd is not None else Path(path)
        if where.resolve() == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, dir_fd=dir_fd, **kwargs) if dir_fd is not None else real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    if file == "datapackage.json":
        expected = "datapackage.json: cannot read datapackage.json: Permission denied [descriptor]"
    else:
        expected = f"{SCHEMA}: cannot read schema file '{SCHEMA}' of resource 'conditions': Permission denied [schema-file]"
    check_answers(pkg, cli, [expected])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_schema_file_with_mode_000_is_a_located_error(pkg, cli):
    (pkg / SCHEMA).chmod(0)
    try:
        check_answers(pkg, cli, [f"{SCHEMA}: cannot read schema file '{SCHEMA}' of resource 'conditions': Permission denied [schema-file]"])
    finally:
        (pkg / SCHEMA).chmod(0o644)


# --- 5. foreign keys and provenance annotations that cannot work ---------------------------------------

MEANING = {
    "foreign key of two fields against one": (
        "statements", lambda s: s["foreignKeys"][1].__setitem__("fields", ["country", "speaker_id"]),
        "foreign key (country, speaker_id) has 2 fields but refers to 1 field of countries (code); the counts must be equal"),
    "x-verbatim-in names a date field": (
        "statements", lambda s: field(s, "quote").__setitem__("x-verbatim-in", "said"),
        "field 'quote' x-verbatim-in names 'said', which is not a string field with a foreign key to sources.source_id; "
        "the evidence could not be looked up in its source, so provenance would not be checked"),
    "x-verbatim-in names a text field that is no source": (
        "statements", lambda s: field(s, "quote").__setitem__("x-verbatim-in", "notes"),
        "field 'quote' x-verbatim-in names 'notes', which is not a string field with a foreign key to sources.source_id; "
        "the evidence could not be looked up in its source, so provenance would not be checked"),
    "x-verbatim-in names the field itself": (
        "statements", lambda s: field(s, "quote").__setitem__("x-verbatim-in", "quote"),
        "field 'quote' x-verbatim-in names 'quote', which is not a string field with a foreign key to sources.source_id; "
        "the evidence could not be looked up in its source, so provenance would not be checked"),
    "x-verbatim-in names no field": (
        "statements", lambda s: field(s, "quote").__setitem__("x-verbatim-in", "source"),
        "field 'quote' x-verbatim-in names 'source', which is not a field"),
    "x-verbatim-in on a number field": (
        "claims", lambda s: field(s, "value_min").__setitem__("x-verbatim-in", "source_id"),
        "field 'value_min' has x-verbatim-in but is of type 'number'; only text can occur verbatim in a source, so it must be a string field"),
    "x-edtf on a boolean field": (
        "countries", lambda s: field(s, "eu_member").__setitem__("x-edtf", True),
        "field 'eu_member' has x-edtf but is of type 'boolean'; an EDTF date is text (2025-04, ../2025-04-10), so it must be a string field"),
    "x-group-key on a number field": (
        "claims", lambda s: field(s, "value_max").__setitem__("x-group-key", True),
        "field 'value_max' has x-group-key but is of type 'number'; a group key names a row by its id, so it must be a string field"),
    "x-group-key in a table whose key has several fields": (
        "links", lambda s: field(s, "note").__setitem__("x-group-key", True),
        "field 'note' has x-group-key, but the table's primaryKey has 3 fields; a group key names a row of its table by a primary key of one field"),
    "x-referenced on a field that is not the key": (
        "countries", lambda s: field(s, "name").__setitem__("x-referenced", True),
        "field 'name' has x-referenced but is not the table's primaryKey of one field; only a row's key can be named by other tables' foreign keys"),
    "x-list-of names no resource": (
        "sections", lambda s: field(s, "authors")["x-list-of"].__setitem__("resource", "persons"),
        "field 'authors' x-list-of names resource 'persons', which does not exist"),
    "x-list-of names no field": (
        "sections", lambda s: field(s, "authors")["x-list-of"].__setitem__("field", "id"),
        "field 'authors' x-list-of names people.id, which is not a field"),
    "foreign key to fields that identify no row": (
        "conditions", lambda s: s["foreignKeys"][0]["reference"].__setitem__("fields", ["kind"]),
        "foreign key refers to countries (kind), which is neither its primaryKey nor a unique field: a reference must identify one row"),
    "foreign key naming a field twice": (
        "conditions", lambda s: s["foreignKeys"][0].update(fields=["country", "country"], reference={"resource": "countries", "fields": ["name", "name"]}),
        "foreign key (country, country) -> (name, name) names a field twice"),
    "primaryKey naming a field twice": (
        "conditions", lambda s: s.__setitem__("primaryKey", ["condition_id", "condition_id"]),
        "primaryKey (condition_id, condition_id) names a field twice"),
    "a type cotw does not check": (
        "conditions", lambda s: field(s, "notes").__setitem__("type", "datetime"),
        "field 'notes' has type 'datetime', which cotw does not check or load; use one of string, date, boolean, number, integer, any"),
    "missing values other than the empty cell": (
        "conditions", lambda s: s.__setitem__("missingValues", ["", "NA"]),
        "missingValues ['', 'NA'] is not supported: cotw reads only an empty cell as missing (so that text such as 'NA' stays text); "
        "declare [\"\"] or leave it out"),
    "uniqueKeys": (
        "conditions", lambda s: s.__setitem__("uniqueKeys", [["country", "condition"]]),
        "uniqueKeys is not checked by cotw; declare \"unique\": true on a single field, or make the fields the primaryKey"),
    "a category outside the enum": (
        "conditions", lambda s: field(s, "condition")["categories"].append({"value": 5, "label": "five"}),
        "field 'condition' has category 5, which is not one of its enum values"),
}


@pytest.mark.parametrize("case", list(MEANING))
def test_keys_and_provenance_annotations_that_cannot_work_are_descriptor_errors(pkg, cli, tmp_path, case):
    table, change, message = MEANING[case]
    edit(pkg, f"schema/{table}.json", change)
    check_answers(pkg, cli, [f"schema/{table}.json: {table}: {message} [table-schema]"])
    refused_everywhere(pkg, cli, tmp_path, message)


def test_a_foreign_key_of_several_fields_is_checked(tmp_path, cli):
    """Composite keys used to be skipped silently. As in SQL, a row with an empty key field refers to nothing."""
    (tmp_path / "data").mkdir()
    table = lambda name, fields, key, fks=(): {  # noqa: E731
        "name": name, "path": f"data/{name}.csv", "encoding": "utf-8", "dialect": {"delimiter": ","},
        "schema": {"fields": [{"name": f} for f in fields], "primaryKey": key,
                   "foreignKeys": [{"fields": a, "reference": {"resource": r, "fields": b}} for a, r, b in fks]}}
    descriptor = {"$schema": V2 + "datapackage.json", "name": "tiny", "resources": [
        table("a", ["x", "y"], ["x", "y"]), table("b", ["id", "x", "y"], "id", [(["x", "y"], "a", ["x", "y"])])]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (tmp_path / "data/a.csv").write_text("x,y\n1,1\n1,2\n", encoding="utf-8")
    (tmp_path / "data/b.csv").write_text("id,x,y\n1,1,1\n2,2,1\n3,,9\n4,1,2\n", encoding="utf-8")
    check_answers(tmp_path, cli, ["data/b.csv:3: (x, y) ('2', '1') is not a (x, y) in data/a.csv [foreign-key]"])


def test_a_pattern_re2_cannot_compile_is_refused_by_the_library_too():
    """Every pattern runs on RE2 (issue 19, finding 1): one it cannot compile is refused with its reason,
    never run on Python's backtracking re (it once fell back to it)."""
    import re

    import pyarrow as pa

    from cotw.check.blocks import fullmatch
    from cotw.check.protect import PatternRefused

    cells = pa.chunked_array([pa.array(["cx", "x", None], pa.large_string())])
    with pytest.raises(PatternRefused, match=r"RE2 rejects it \(invalid perl operator: \(\?="):
        fullmatch(cells, "(?=c).*", re.compile("(?=c).*"))


# --- 6. duplicate keys ------------------------------------------------------------------------------------

def test_a_duplicate_key_in_the_descriptor_is_located(pkg, cli, tmp_path):
    path = pkg / "datapackage.json"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip() == '"name": "conditions",')
    lines.insert(first + 1, '      "name": "sources",')
    path.write_text("\n".join(lines), encoding="utf-8")
    message = (f"datapackage.json: key 'name' appears twice in the same object (lines {first + 1} and {first + 2}); JSON keeps only the "
               "last, so the first would be silently lost: remove or rename one")
    check_answers(pkg, cli, [f"datapackage.json:{first + 2}: {message} [descriptor]"])
    refused_everywhere(pkg, cli, tmp_path, message)


def test_duplicate_keys_in_a_schema_are_located_and_counted(pkg, cli):
    path = pkg / SCHEMA
    lines = path.read_text(encoding="utf-8").split("\n")
    at = [i for i, line in enumerate(lines) if line.strip() == '"type": "string",']
    for i in reversed(at[:3]):
        lines.insert(i + 1, lines[i].replace('"string"', '"date"'))
    path.write_text("\n".join(lines), encoding="utf-8")
    check_answers(pkg, cli, [f"{SCHEMA}:{at[0] + 2}: {SCHEMA}: key 'type' appears twice in the same object (lines {at[0] + 1} and "
                             f"{at[0] + 2}); JSON keeps only the last, so the first would be silently lost: remove or rename one "
                             "(2 more duplicate keys after it) [schema-file]"])


def test_the_same_key_in_different_objects_is_not_a_duplicate(pkg, cli):
    assert cli("check", pkg).exit_code == 0  # every field of every schema has "name", "type", ...


# --- no cascade ---------------------------------------------------------------------------------------------

def test_a_descriptor_error_stops_the_later_layers(pkg, cli):
    """Otherwise a field renamed in the schema would also be reported in every row, by every layer."""
    edit(pkg, SCHEMA, lambda s: (field(s, "evidence").__setitem__("x-verbatim-in", "nowhere"),
                                 s["fields"][0].__setitem__("name", "id")))
    got = problems(pkg, with_frictionless=True)
    assert got == [f"{SCHEMA}: {TABLE}: field 'evidence' x-verbatim-in names 'nowhere', which is not a field [table-schema]",
                   f"{SCHEMA}: {TABLE}: primaryKey field 'condition_id' is not a field [table-schema]"]


# --- any JSON anywhere ----------------------------------------------------------------------------------------

PROFILE = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "60")), deadline=None, suppress_health_check=list(HealthCheck))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "x", "conditions", "condition_id", "sources", "source_id", "data/conditions.csv", "../x", "http://0.0.0.0:9/x",
                       "string", "date", "^(", "(?=a)", "NaN"]) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["name", "type", "fields", "path", "schema", "reference", "resource", "constraints", "enum", "pattern",
                         "primaryKey", "foreignKeys", "categories", "value", "x-verbatim-in", "x-edtf", "x-group-key", "x-list-of", "x-referenced", "dialect", "$schema"])
        | st.text(max_size=4), children, max_size=3),
    max_leaves=8)


def positions(value, path=()):
    """Every JSON path in `value` (the value itself included)."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from positions(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from positions(v, path + (i,))


def replace(value, path, new, key=None):
    """`value` with the value at `path` replaced by `new` or, when `key` is given and it is an object, given `key`: `new`."""
    if not path:
        if key is not None and isinstance(value, dict):
            return {**value, key: new}
        return new
    value[path[0]] = replace(value[path[0]], path[1:], new, key)
    return value


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from conftest import ROOT, PACKAGE_PARTS
    import shutil

    dest = tmp_path_factory.mktemp("hostile") / "pkg"
    dest.mkdir()
    for part in PACKAGE_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / part)
    return dest


DESCRIPTOR_PATHS = list(positions(json.loads((Path(__file__).parents[1] / "datapackage.json").read_text(encoding="utf-8"))))
SCHEMA_PATHS = list(positions(json.loads((Path(__file__).parents[1] / SCHEMA).read_text(encoding="utf-8"))))


@pytest.mark.slow
@PROFILE
@given(where=st.one_of(st.tuples(st.just("datapackage.json"), st.sampled_from(DESCRIPTOR_PATHS)),
                       st.tuples(st.just(SCHEMA), st.sampled_from(SCHEMA_PATHS))),
       value=json_values,
       key=st.none() | st.sampled_from(["path", "schema", "dialect", "profile", "$schema", "url", "extrapaths", "resources", "name",
                                         "fields", "primaryKey", "foreignKeys", "categories", "x-verbatim-in", "x-edtf", "x-group-key", "x-list-of",
                                         "missingValues", "uniqueKeys", "constraints", "type", "pattern"]))
def test_any_json_value_in_any_descriptor_position_gets_an_answer_not_a_traceback(base, where, value, key):
    import shutil
    import tempfile

    from typer.testing import CliRunner

    from cotw.cli import app

    file, path = where
    with tempfile.TemporaryDirectory(prefix="cotw-hostile-") as tmp:
        pkg = Path(tmp) / "pkg"
        shutil.copytree(base, pkg)
        doc = json.loads((pkg / file).read_text(encoding="utf-8"))
        (pkg / file).write_text(json.dumps(replace(doc, path, value, key)), encoding="utf-8")
        runner = CliRunner()
        for args in (["check", str(pkg)], ["fmt", "--check", str(pkg)], ["codebook", str(pkg)]):
            result = runner.invoke(app, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
            assert result.exit_code in (0, 1, 2), (args, result.output)
            assert "Traceback" not in result.output
        report = cotw.validate(pkg)
        for p in report.problems:
            assert p.file and p.message and p.rule, p
        try:
            frames = cotw.load_all(pkg)
        except (PackageError, cotw.UnknownTable):
            frames = None
        except Exception as exc:  # the loader's own LoadError is an answer too, but only for data that check rejects
            from cotw.io.loader import LoadError

            assert isinstance(exc, LoadError) and not report.ok, repr(exc)
        if report.ok:
            assert frames is not None
