"""Which text from a package may become a link: only an absolute http(s) URL, written plainly.

A descriptor's `licenses[].path` (and `sources[].path`, `contributors[].path`, `homepage`) is the
package author's text. Written as `javascript:alert(1)` or `data:text/html,...`, it would run script
when a reader clicks it in Datasette (or open it from the workbook). Every exporter that makes a link
asks `web_url` first (the download page makes none: it shows the text), and `cotw check` reports a
link that it refuses (check/links.py).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_URL = 2000
# whitespace, controls, and the characters that end an attribute or a Markdown/HTML construct
_BAD = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\`\u2028\u2029]")


def web_url(value: object) -> str | None:
    """`value` when it is an http:// or https:// URL with a host and nothing that could leave an
    attribute; else None (a path, another scheme such as javascript:, data: or file:, or a malformed URL)."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL or _BAD.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not value.startswith(parts.scheme + "://") or not parts.hostname:
        return None
    return value
