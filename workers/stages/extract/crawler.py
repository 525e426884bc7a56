"""The crawler's plain-text record convention: a leading ` date YYYY-MM-DD ` token before the page text.

Our crawler writes the day it dated a page in front of the text it delivers (` date 2025-12-31 WASHINGTON
(dpa-AFX) - Der ...`). The extract stage reads it whoever sent the record (`news-ingest produce`, Kafka's
console producer, a user's own client), so the enrichment never depends on the producer: the token
leaves the text (else it would hide the wire dateline behind it) and becomes the publication hint,
a day without a time (`published_precision: "day"` after normalize).
"""

from __future__ import annotations

import re
from datetime import date

_DATE_TOKEN = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s+|\Z)")


def leading_date(text: str) -> tuple[str | None, str]:
    """(the token's day as `YYYY-MM-DD`, the text after it), or (None, text) when it has no such token.

    Only a real calendar day counts: `date 2025-13-45 ...` is left in the text as it was written.
    """
    match = _DATE_TOKEN.match(text)
    if match is None:
        return None, text
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return None, text
    return match.group(1), text[match.end():]
