"""How to cite the dataset, from the package's CITATION.cff (the one place the citation is written):
the download page's "How to cite" and the Excel `about` sheet both use `citation()`.

CITATION.cff is read only when it is a regular file inside the package (through safeio, or from the
zip), at most CFF_MAX_BYTES, valid YAML of at most CFF_MAX_NODES nodes, and without anchors or aliases
(a few hundred bytes of aliases expand into gigabytes once printed); a package without one (or with one
that cannot be read) is cited from its datapackage.json instead.
"""
from __future__ import annotations

from ..io.safeio import UnsafeFile
from ..limits import CFF_MAX_BYTES as MAX_BYTES, CFF_MAX_NODES
from ..report import shorten

CFF = "CITATION.cff"


def read_cff(pkg) -> dict | None:
    """The package's CITATION.cff as a mapping, or None when there is none that can be read safely."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = pkg.read_bytes(CFF, MAX_BYTES).decode("utf-8")
        if not _plain(yaml.parse(text, Loader=loader)):
            return None
        data = yaml.load(text, Loader=loader)
    except (OSError, UnsafeFile, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None  # an unreadable citation falls back to the descriptor; it never fails an export
    return data if isinstance(data, dict) else None


def _plain(events) -> bool:
    """Whether a YAML event stream has no anchor or alias and at most CFF_MAX_NODES nodes: read in one
    pass, before anything is built, so an alias bomb costs its own size and no more."""
    import yaml

    for n, event in enumerate(events):
        if n > CFF_MAX_NODES or isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            return False
    return True


def _text(value, limit: int = 300) -> str:
    return shorten(" ".join(str(value).split()), limit) if value not in (None, "") else ""


def _authors(authors) -> str:
    names = []
    for a in authors if isinstance(authors, list) else []:
        if isinstance(a, dict):
            name = a.get("name") or " ".join(str(a[k]) for k in ("given-names", "family-names") if a.get(k))
            if name:
                names.append(_text(name, 120))
    return ", ".join(names[:20]) + (" et al." if len(names) > 20 else "")


def citation(pkg, version: str) -> str:
    """One line to cite the dataset: authors, title, version, date released, repository, licence."""
    cff = read_cff(pkg) or {}
    d = pkg.descriptor
    who = _authors(cff.get("authors")) or ", ".join(
        c.get("title", "") for c in d.get("contributors", []) if isinstance(c, dict) and c.get("title")) or "cotw developers"
    title = _text(cff.get("title")) or _text(d.get("title", d.get("name", "cotw")))
    parts = [f"{who}.", f"{title}.", f"Version {_text(cff.get('version'), 40) or version}."]
    if cff.get("date-released"):
        parts.append(f"Released {_text(cff['date-released'], 40)}.")
    for key in ("repository-code", "url", "doi"):
        if cff.get(key):
            parts.append(f"{'https://doi.org/' if key == 'doi' else ''}{_text(cff[key], 200)}.")
    lic = _text(cff.get("license"), 80) or ", ".join(str(x.get("name", "")) for x in d.get("licenses", []) if isinstance(x, dict))
    if lic:
        parts.append(f"Licence {lic}.")
    return " ".join(parts)
