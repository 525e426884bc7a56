"""Publication time stamps from a page's structured markup, with their time and UTC offset kept.

htmldate (inside trafilatura) answers with a day only; a newsroom needs the minute and the offset.
This is a pure function of the HTML for the extract stage to call; it fills `metadata` keys the
normalize stage reads:

- `published_time`: the raw value of the first publication stamp found, in this order: JSON-LD
  `datePublished` (Article types first), `<meta>` `article:published_time` / `og:published_time` /
  `pubdate` / `publishdate` / `date` / `dc.date.issued` / `dcterms.created` / `dc.date` /
  `sailthru.date` / `parsely-pub-date`, then `itemprop="datePublished"`, then `<time pubdate>`.
- `published_time_source`: where it came from (`jsonld`, `meta:<name>`, `itemprop`, `time`);
- `modified_time` / `modified_time_source`: the same for the last-modified stamp (JSON-LD
  `dateModified`, `<meta>` `article:modified_time` / `og:updated_time` / `last-modified` / ...,
  `itemprop="dateModified"`). Read in the same pass over the markup as the publication stamp, so the
  page's modified date costs no second date search (issue 14.5: htmldate's `original_date=False` pass
  took as long as the publication search and, on pages without a stamp, fell back to the newest date
  printed anywhere, a comment or a sidebar).
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
_MODIFIED_META_NAMES = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "article:modified",
    "last-modified", "lastmod", "dcterms.modified", "dc.date.modified", "modified", "date.modified",
    "datemodified", "revised", "updated",
)
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


def _from_jsonld(items: list[dict[str, Any]], key: str) -> str | None:
    candidates: list[tuple[int, str]] = []
    for item in items:
        value = item.get(key)
        if isinstance(value, str) and _HAS_DIGITS.search(value):
            candidates.append((_type_rank(item), value.strip()))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items.extend(_jsonld_items(json.loads(script.text or "")))
        except ValueError:
            continue
    return items


def _stamp(items: list[dict[str, Any]], metas: dict[str, str], tree: Any, *, jsonld_key: str,
           meta_names: tuple[str, ...], itemprop: str, time_tag: bool) -> tuple[str, str] | None:
    """(value, source) of the first stamp in trust order: JSON-LD, `<meta>`, itemprop, `<time pubdate>`."""
    value = _from_jsonld(items, jsonld_key)
    if value:
        return value, "jsonld"
    for name in meta_names:
        if _HAS_DIGITS.search(metas.get(name, "")):
            return metas[name], f"meta:{name}"
    for node in tree.xpath(f'//*[@itemprop="{itemprop}"]'):
        value = (node.get("datetime") or node.get("content") or node.text_content() or "").strip()
        if _HAS_DIGITS.search(value):
            return value[:100], "itemprop"
    if time_tag:
        for node in tree.xpath("//time[@pubdate]"):
            value = (node.get("datetime") or node.text_content() or "").strip()
            if _HAS_DIGITS.search(value):
                return value[:100], "time"
    return None


def page_dates(tree: HtmlElement) -> dict[str, str]:
    """`{published_time, published_time_source, modified_time, modified_time_source}` from a parsed
    page's markup, each pair only when the page has it; `{}` when it has neither.

    Takes the tree the extractor already parsed (before trafilatura prunes it), so a page is parsed once,
    and reads its JSON-LD and `<meta>` once for both stamps.
    """
    items = _jsonld(tree)
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas:
            metas[key] = meta.get("content", "").strip()
    found: dict[str, str] = {}
    published = _stamp(items, metas, tree, jsonld_key="datePublished", meta_names=_META_NAMES,
                       itemprop="datePublished", time_tag=True)
    if published:
        found["published_time"], found["published_time_source"] = published
    modified = _stamp(items, metas, tree, jsonld_key="dateModified", meta_names=_MODIFIED_META_NAMES,
                      itemprop="dateModified", time_tag=False)
    if modified:
        found["modified_time"], found["modified_time_source"] = modified
    return found
