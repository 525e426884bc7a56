"""URL-like input: the one guard in front of every URL parser the stages call.

Fields that should hold a URL or a domain often hold something else: a site name where a host is
looked up (`産経新聞\uff1a産経ニュース` with a full-width colon, which urllib's NFKC check turns into
`:` and then raises on), a dev set's page key (`hard::…`), a CMS placeholder in `og:url`, an unbalanced `[`.
Anything that is not URL-like is treated as absent here, before a parser sees it, so a stage never
fails on a value it only wanted to read a host from.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

MAX_URL_CHARS = 8192  # the raw schema's bound on `url`
_SCHEME = re.compile(r"\A(?:https?:)?//", re.IGNORECASE)
_BAD_CHAR = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\]")
# A domain name: dot-separated labels of letters, digits and inner hyphens (IDN letters included),
# ending in a label that is not all digits.
_LABEL = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?)"
_DOMAIN = re.compile(rf"\A(?:{_LABEL}\.)+(?=[\w-]*[^\W\d_])[\w-]*[^\W_]\.?\Z")


def url_parts(value: object) -> SplitResult | None:
    """The parts of an http(s) URL (or a scheme-relative `//host/...`) with a real host, else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL_CHARS:
        return None
    value = value.strip()
    if _BAD_CHAR.search(value) or not _SCHEME.match(value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        _ = parts.port  # a port that is not a number in range raises here, not later in a caller
    except ValueError:
        return None
    return parts if host and _is_host(host) else None


def url_like(value: object) -> bool:
    return url_parts(value) is not None


def host_of(value: object) -> str | None:
    """The lower-case host of a URL or of a bare domain (`oe24.at`, `www.oe24.at/welt`), else None.

    A site name (`Kronen Zeitung`, `産経新聞\uff1a産経ニュース`) is not a domain and gives None.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parts = url_parts(text if _SCHEME.match(text) else f"//{text}")
    if parts is None or parts.hostname is None:
        return None
    host = parts.hostname.lower().rstrip(".")
    return host if "." in host and _DOMAIN.match(host) else None


def _is_host(host: str) -> bool:
    if _DOMAIN.match(host) or host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
