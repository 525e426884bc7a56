"""Canonical URL of a page, so that a re-sent page is recognised whatever tracking it carries."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Click and campaign trackers that courlan may keep; `utm_*` is matched by prefix.
_TRACKING = frozenset({"fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
                       "_ga", "_gl", "ocid", "cmpid", "wt_mc", "wt.mc_id", "ref", "ref_src", "spm", "at_medium",
                       "at_campaign", "xtor"})


def canonical_url(url: str | None) -> str | None:
    """Host, path and sorted non-tracking query; scheme, `www.`, fragment and trailing `/` ignored."""
    if not url or not url.strip():
        return None
    try:
        cleaned = normalize_url(url.strip())
    except (ValueError, TypeError):
        cleaned = url.strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # not a URL ("http://[", a site name with a full-width colon): no URL key, not a crash
        return None
    if not parts.netloc:
        return None
    host = parts.netloc.lower().removeprefix("www.")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in _TRACKING)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, urlencode(query), "")).removeprefix("//")


def url_key(url: str | None) -> str | None:
    """Index key of the canonical URL (hashed: URLs can be long)."""
    canon = canonical_url(url)
    if canon is None:
        return None
    return hashlib.sha1(canon.encode("utf-8"), usedforsecurity=False).hexdigest()
