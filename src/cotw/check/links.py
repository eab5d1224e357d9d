"""Links in the descriptor that a reader may click: each must be an http(s) URL (rule `link-scheme`).

The download page, the Datasette metadata and the Excel `about` sheet make links only of an http(s)
URL (cotw.weblink), whatever this check says; the check tells the package's author which link was left
out, and why, before a reader misses it.
"""
from __future__ import annotations

from ..report import shorten
from ..weblink import web_url

LINKED = ("licenses", "sources", "contributors")  # lists of objects whose `path` is a link for people


def problems(descriptor: dict) -> list[tuple[str, str]]:
    """(message, hint) for every link of the descriptor that is not an http(s) URL."""
    out = []
    for key in LINKED:
        items = descriptor.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "path" in item and web_url(item["path"]) is None:
                out.append((f"{key}/{i}/path {shorten(repr(item['path']))} is not an http(s) URL; cotw makes links only of "
                            f"http:// and https:// addresses, so it is shown nowhere as a link",
                            "write the full http(s) address, e.g. https://creativecommons.org/licenses/by/4.0/"))
    if "homepage" in descriptor and web_url(descriptor["homepage"]) is None:
        out.append((f"homepage {shorten(repr(descriptor['homepage']))} is not an http(s) URL; it is shown nowhere as a link",
                    "write the full http(s) address"))
    return out
