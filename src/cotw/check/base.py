"""`cotw check --base`: judge a contribution's data by the rules of a trusted base, and say what it changed in them.

A pull request controls its own `datapackage.json` and `schema/*.json`: checked against its own rules, a
contribution could drop a pattern, a vocabulary or a foreign key and then add the rows those rules
would refuse. With a base (the branch the pull request goes into), the data is read from the
contribution but judged by the base's descriptor and schemas, and every change the contribution makes to
the descriptor or a schema is reported as a problem of its own (`schema-changed`), for a maintainer to
review.

The base is a folder (a checkout of the base branch), or a git ref of the repository that holds the
package (`origin/main`). A ref is read as plain data with git's plumbing (`rev-parse`, `ls-tree`,
`cat-file blob`: no filter, textconv, hook or worktree is involved, so nothing of the checked tree is
run), only regular files (no link, no submodule), each at most `safeio.MAX_JSON`, with no lazy fetch and
a time limit.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..io import safeio
from ..package import DESCRIPTOR, Package, PackageError, _json, resolve_root
from ..report import Problem, shorten

GIT_TIMEOUT = 60  # seconds per git call; each reads one small object
MAX_LISTED = 8  # changed places named per file; the rest are counted
_REF = re.compile(r"^[^\x00-\x20\x7f~^:?*\[\\-][^\x00-\x20\x7f~^:?*\[\\]*\Z")  # git's own ref rules, stricter: no option


class BaseError(Exception):
    """The base cannot be read (no such folder or ref, not a package, git missing): a usage error."""


class GitTimeout(BaseError):
    """A git call took more than GIT_TIMEOUT seconds."""


@dataclass
class Rules:
    """The trusted rules: the base's descriptor, and the bytes and parsed value of each file they come from."""

    where: str  # how the base was named, for messages
    descriptor: dict
    files: dict[str, bytes] = field(default_factory=dict)  # normalised relpath -> bytes (descriptor, schema files)
    values: dict[str, object] = field(default_factory=dict)  # normalised relpath -> parsed JSON


def load(base: str, root: Path) -> Rules:
    """The rules of `base`: a package folder (or its datapackage.json, or a zip), else a git ref of the
    repository around `root` (the contribution's package). Raises BaseError or PackageError."""
    if os.path.exists(base):
        return _from_package(base)
    if not _REF.match(base) or ".." in base or base.endswith((".", "/", ".lock")):
        raise BaseError(f"--base {shorten(base)!r} is neither an existing folder nor a git ref")
    if not Path(root).is_dir():
        raise BaseError(f"--base {shorten(base)!r} is a git ref, but {root} is a zipped package, not a folder in a git repository")
    return _from_git(base, Path(root))


def _from_package(base: str) -> Rules:
    pkg = Package.open(base)
    rules = Rules(str(base), pkg.descriptor)
    rules.files[DESCRIPTOR] = pkg.read_bytes(DESCRIPTOR, safeio.MAX_JSON)
    rules.values[DESCRIPTOR] = pkg.descriptor
    for rel in schema_files(pkg.descriptor):
        try:
            data = pkg.read_bytes(rel, safeio.MAX_JSON)
        except (OSError, safeio.UnsafeFile) as exc:
            raise BaseError(f"the base's schema file {rel} cannot be read: {getattr(exc, 'reason', None) or exc.strerror}") from None
        rules.files[norm(rel)] = data
        rules.values[norm(rel)] = _json(data, rel)
    return rules


def _git(root: Path, *args: str, limit: int = safeio.MAX_JSON, stdin: bytes | None = None) -> bytes:
    """The standard output of a git plumbing command run in `root`, at most `limit` bytes, within GIT_TIMEOUT
    seconds (the process is killed when it passes either)."""
    import tempfile
    import threading

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_NO_LAZY_FETCH="1", GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1", GIT_NO_REPLACE_OBJECTS="1")
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(["git", "-C", str(root), "-c", "core.fsmonitor=false", *args], env=env,
                                    stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise BaseError(f"--base names a git ref, but git cannot be run: {exc.strerror}") from None
        late = threading.Event()

        def stop():
            late.set()
            proc.kill()

        timer = threading.Timer(GIT_TIMEOUT, stop)
        timer.start()
        if stdin is not None:  # fed from a thread, so that git's answers never wait for our questions
            def feed():
                try:
                    proc.stdin.write(stdin)
                    proc.stdin.close()
                except OSError:
                    pass

            threading.Thread(target=feed, daemon=True).start()
        try:
            out = proc.stdout.read(limit + 1)
            if len(out) > limit:
                proc.kill()
                raise BaseError(f"git {args[0]} gave more than {limit} bytes")
            proc.wait()
        finally:
            timer.cancel()
            proc.stdout.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if late.is_set():
            raise GitTimeout(f"git {args[0]} took more than {GIT_TIMEOUT} s")
        if proc.returncode:
            errors.seek(0)
            raise BaseError(f"git {args[0]} failed: {shorten(errors.read(4096).decode('utf-8', 'replace').strip())}")
    return out


def _from_git(ref: str, root: Path) -> Rules:
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", limit=200).decode().strip()
    except GitTimeout:
        raise
    except BaseError:
        raise BaseError(f"--base {shorten(ref)!r} is neither an existing folder nor a commit of the git repository at {root} "
                        f"(in CI, check out with enough history: fetch-depth: 0)") from None

    def blobs(rels: list[str]) -> list[bytes]:
        """The bytes of each file, listed by one `ls-tree` and read by one `cat-file --batch`."""
        listing = _git(root, "ls-tree", "-l", "-z", commit, "--", *rels, limit=4096 * (len(rels) + 1))
        found = {}
        for item in filter(None, listing.split(b"\0")):
            meta, _, name = item.partition(b"\t")
            found[name.decode("utf-8", "replace")] = meta.split()
        shas = []
        for rel in rels:
            if rel not in found:
                raise BaseError(f"{rel} does not exist in the base {shorten(ref)!r}")
            mode, kind, sha, size = found[rel]
            if mode not in (b"100644", b"100755") or kind != b"blob":
                raise BaseError(f"{rel} in the base {shorten(ref)!r} is not a regular file (git mode {mode.decode()}); it was not read")
            if int(size) > safeio.MAX_JSON:
                raise BaseError(f"{rel} in the base {shorten(ref)!r} is larger than {safeio.MAX_JSON} bytes; it was not read")
            shas.append((sha, int(size)))
        batch = _git(root, "cat-file", "--batch", stdin=b"".join(sha + b"\n" for sha, _ in shas),
                     limit=sum(size + 100 for _, size in shas))
        out, at = [], 0
        for sha, size in shas:  # each object: "<sha> blob <size>\n" <size bytes> "\n"
            header_end = batch.index(b"\n", at)
            if batch[at:header_end].split() != [sha, b"blob", str(size).encode()]:
                raise BaseError(f"git cat-file gave an unexpected answer for the base {shorten(ref)!r}")
            out.append(batch[header_end + 1: header_end + 1 + size])
            at = header_end + 1 + size + 1
        return out

    (raw,) = blobs([DESCRIPTOR])
    descriptor = _json(raw, DESCRIPTOR)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise BaseError(f"the base's {DESCRIPTOR} has no 'resources' list")
    rules = Rules(f"{ref} ({commit[:12]})", descriptor, {DESCRIPTOR: raw}, {DESCRIPTOR: descriptor})
    files = schema_files(descriptor)
    for rel in files:
        reason = safeio.unsafe_path_reason(rel)
        if reason:
            raise BaseError(f"the base's schema file {shorten(rel)!r} {reason}")
    names = list(dict.fromkeys(norm(rel) for rel in files))
    for rel, data in zip(names, blobs(names) if names else []):
        rules.files[rel] = data
        rules.values[rel] = _json(data, rel)
    return rules


def schema_files(descriptor: object) -> list[str]:
    """The schema files a descriptor names, in order, each once."""
    out = []
    for res in descriptor.get("resources", []) if isinstance(descriptor, dict) else []:
        if isinstance(res, dict) and isinstance(res.get("schema"), str) and res["schema"] not in out:
            out.append(res["schema"])
    return out


def norm(rel: str) -> str:
    return str(PurePosixPath(rel.replace("\\", "/")))


class BasedPackage(Package):
    """The contribution's files, read through the base's rules: the descriptor and schema files are the
    base's bytes (so every reader, frictionless's private copy included, sees the base's), every other
    file is the contribution's."""

    rules: Rules | None = None

    def read_bytes(self, relpath: str, limit: int = safeio.MAX_TABLE) -> bytes:
        own = self.rules.files.get(norm(relpath)) if isinstance(relpath, str) and self.rules else None
        if own is not None:
            return own
        return super().read_bytes(relpath, limit)


def rebase(path, rules: Rules) -> Package:
    """The package at `path` (its data) under `rules`."""
    root = resolve_root(path)
    zipped = None
    if root.is_file():  # a zip, as Package.open reads it
        from ..io.safezip import ZipRefused, ZipSource

        try:
            zipped = ZipSource.open(root)
        except ZipRefused as exc:
            raise PackageError(exc.message, file=str(root)) from None
    pkg = BasedPackage(root=root, descriptor=rules.descriptor, zip=zipped)
    pkg.rules = rules
    return pkg


def changes(path, rules: Rules) -> list[Problem]:
    """A `schema-changed` problem for each file of the rules (the descriptor, each schema file either
    descriptor names) whose content in the contribution differs from the base's, as JSON values."""
    root = resolve_root(path)
    zipped = None
    if root.is_file():
        from ..io.safezip import ZipRefused, ZipSource

        try:
            zipped = ZipSource.open(root)
        except ZipRefused:
            zipped = None

    def read(rel: str) -> tuple[object, str | None]:
        """The contribution's value of `rel`, or (None, why it could not be read)."""
        try:
            data = zipped.read_bytes(rel, safeio.MAX_JSON) if zipped else safeio.read_bytes(root, rel, safeio.MAX_JSON)
        except FileNotFoundError:
            return None, "is missing"
        except safeio.UnsafeFile as exc:
            return None, exc.reason
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror})"
        try:
            return _json(data, rel), None
        except PackageError as exc:
            return None, f"cannot be parsed ({exc.message})"

    out = []
    own, why = read(DESCRIPTOR)
    files = [DESCRIPTOR] + schema_files(rules.descriptor)
    for rel in schema_files(own):
        if norm(rel) not in map(norm, files):
            files.append(rel)
    for rel in files:
        key = norm(rel)
        mine, why = (own, why) if key == DESCRIPTOR else read(rel)
        if key not in rules.values:
            what, judged = "is new (the base's descriptor names no such schema file)", "descriptor and schemas"
        elif why:
            what, judged = why, rel
        elif mine == rules.values[key]:
            continue
        else:
            diffs = list(differences(rules.values[key], mine))
            listed = ", ".join(diffs[:MAX_LISTED]) + (f" and {len(diffs) - MAX_LISTED} more" if len(diffs) > MAX_LISTED else "")
            what, judged = f"differs from the base's at {listed}", rel
        file = key if safeio.unsafe_path_reason(rel) is None else DESCRIPTOR
        named = "" if file == key else f"schema file {shorten(rel)!r} "
        out.append(Problem("descriptor", "schema-changed",
                           f"{named}{what}; the data was checked against the base's {shorten(judged)} ({shorten(rules.where)})",
                           file, None, None, None, "a maintainer must review this change to the rules before merging"))
    return out


def differences(old: object, new: object, at: str = ""):
    """JSON pointers (RFC 6901) to the places where `new` differs from `old`: added, removed or changed."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            here = f"{at}/{_pointer(key)}"
            if key not in new:
                yield f"{shorten(here, 60)} (removed)"
            elif key not in old:
                yield f"{shorten(here, 60)} (added)"
            else:
                yield from differences(old[key], new[key], here)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            yield f"{shorten(at or '/', 60)} ({len(old)} items, now {len(new)})"
        else:
            for i, (a, b) in enumerate(zip(old, new)):
                yield from differences(a, b, f"{at}/{i}")
    elif old != new or type(old) is not type(new):
        yield shorten(at or "/", 60)


def _pointer(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
