"""Publication time stamps from a page's structured markup, with their time and UTC offset kept.

htmldate (inside trafilatura) answers with a day only; a newsroom needs the minute and the offset.
This is a pure function of the HTML for the extract stage to call; it fills `metadata` keys the
normalize stage reads:

- `published_time`: the raw value of the first publication stamp found, in this order: JSON-LD
  `datePublished` (Article types first), `<meta>` `article:published_time` / `og:published_time` /
  `pubdate` / `publishdate` / `date` / `dc.date.issued` / `dcterms.created` / `dc.date` /
  `sailthru.date` / `parsely-pub-date`, then `itemprop="datePublished"`, then `<time pubdate>`.
- `published_time_source`: where it came from (`jsonld`, `meta:<name>`, `itemprop`, `time`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml.html import HtmlElement

_META_NAMES = (
    "article:published_time", "og:published_time", "og:article:published_time", "pubdate", "publishdate",
    "publish-date", "publish_date", "date", "dc.date.issued", "dcterms.issued", "dcterms.created",
    "dc.date.created", "dc.date", "sailthru.date", "parsely-pub-date", "article.published", "datepublished",
)
_ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "liveblogposting", "webpage", "posting", "socialmediaposting",
                  "scholarlyarticle", "techarticle", "report", "videoobject", "recipe"}
_HAS_DIGITS = re.compile(r"\d{2}")


def _jsonld_items(data: Any) -> list[dict[str, Any]]:
    """Flatten JSON-LD (lists, `@graph`) into its objects."""
    if isinstance(data, list):
        return [item for element in data for item in _jsonld_items(element)]
    if isinstance(data, dict):
        return [data, *_jsonld_items(data.get("@graph", []))]
    return []


def _type_rank(item: dict[str, Any]) -> int:
    kinds = item.get("@type", "")
    names = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
    if names & {"newsarticle", "article", "blogposting", "reportagenewsarticle", "liveblogposting"}:
        return 0
    return 1 if names & _ARTICLE_TYPES else 2


def _from_jsonld(tree: Any) -> str | None:
    candidates: list[tuple[int, str]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _jsonld_items(data):
            value = item.get("datePublished")
            if isinstance(value, str) and _HAS_DIGITS.search(value):
                candidates.append((_type_rank(item), value.strip()))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def page_dates(tree: HtmlElement) -> dict[str, str]:
    """`{published_time, published_time_source}` from a parsed page's markup; `{}` when it has none.

    Takes the tree the extractor already parsed (before trafilatura prunes it), so a page is parsed once.
    """
    value = _from_jsonld(tree)
    if value:
        return {"published_time": value, "published_time_source": "jsonld"}
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas:
            metas[key] = meta.get("content", "").strip()
    for name in _META_NAMES:
        if _HAS_DIGITS.search(metas.get(name, "")):
            return {"published_time": metas[name], "published_time_source": f"meta:{name}"}
    for node in tree.xpath('//*[@itemprop="datePublished"]'):
        value = (node.get("datetime") or node.get("content") or node.text_content() or "").strip()
        if _HAS_DIGITS.search(value):
            return {"published_time": value[:100], "published_time_source": "itemprop"}
    for node in tree.xpath("//time[@pubdate]"):
        value = (node.get("datetime") or node.text_content() or "").strip()
        if _HAS_DIGITS.search(value):
            return {"published_time": value[:100], "published_time_source": "time"}
    return {}
