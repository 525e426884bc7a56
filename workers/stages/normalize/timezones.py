"""Which IANA time zone a page's local times are in, when the page does not print an offset.

Order (first hit wins, the result says which rule fired):
1. `domain`: the host of `url`, `metadata.canonical_url` or `source` (a domain, e.g. `oe24.at`),
   looked up by known outlet domain, then by country-code TLD (`.at` -> Europe/Vienna).
2. `region`: regional vocabulary in the text. Austrian month names (`Jänner`, `Feber`) are used almost
   only in Austria, so a German text that writes them is read as Europe/Vienna. Limits: an Austrian
   text that happens to name no month in January/February is not caught (rule 3 still gives the same
   offset, see below).
3. `language`: languages whose speakers live (almost) all in one UTC offset. German is spoken in DE, AT,
   CH, LI, LU — all on Central European Time with the same DST rules — so `de` -> Europe/Berlin gives
   the right offset even when the outlet is Austrian or Swiss. English, French, Spanish, Portuguese,
   Russian and Arabic span many offsets and give nothing.
4. otherwise the caller falls back to UTC and marks the zone as `assumed`.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from workers.stages.urls import host_of

# Country-code TLD -> zone. Multi-zone countries (us, ca, br, ru, au, mx, id...) are left out.
TLD_ZONES: dict[str, str] = {
    "at": "Europe/Vienna", "de": "Europe/Berlin", "ch": "Europe/Zurich", "li": "Europe/Vaduz",
    "lu": "Europe/Luxembourg", "fr": "Europe/Paris", "be": "Europe/Brussels", "nl": "Europe/Amsterdam",
    "it": "Europe/Rome", "es": "Europe/Madrid", "uk": "Europe/London", "ie": "Europe/Dublin",
    "pl": "Europe/Warsaw", "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest",
    "si": "Europe/Ljubljana", "hr": "Europe/Zagreb", "rs": "Europe/Belgrade", "ba": "Europe/Sarajevo",
    "dk": "Europe/Copenhagen", "se": "Europe/Stockholm", "no": "Europe/Oslo", "fi": "Europe/Helsinki",
    "ee": "Europe/Tallinn", "lv": "Europe/Riga", "lt": "Europe/Vilnius", "gr": "Europe/Athens",
    "cy": "Asia/Nicosia", "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "ua": "Europe/Kyiv",
    "by": "Europe/Minsk", "md": "Europe/Chisinau", "tr": "Europe/Istanbul", "il": "Asia/Jerusalem",
    "in": "Asia/Kolkata", "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "cn": "Asia/Shanghai",
    "tw": "Asia/Taipei", "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore", "th": "Asia/Bangkok",
    "vn": "Asia/Ho_Chi_Minh", "ph": "Asia/Manila", "my": "Asia/Kuala_Lumpur", "pk": "Asia/Karachi",
    "nz": "Pacific/Auckland", "za": "Africa/Johannesburg", "ng": "Africa/Lagos", "ke": "Africa/Nairobi",
    "eg": "Africa/Cairo", "ar": "America/Argentina/Buenos_Aires", "cl": "America/Santiago",
    "co": "America/Bogota", "pe": "America/Lima", "ve": "America/Caracas", "pt": "Europe/Lisbon",
    "is": "Atlantic/Reykjavik", "mt": "Europe/Malta", "ir": "Asia/Tehran", "ae": "Asia/Dubai",
    "sa": "Asia/Riyadh", "qa": "Asia/Qatar",
}

# Outlets on generic TLDs (.com/.net/.org) whose local times are printed in one zone.
DOMAIN_ZONES: dict[str, str] = {
    "nytimes.com": "America/New_York", "washingtonpost.com": "America/New_York",
    "wsj.com": "America/New_York", "cnn.com": "America/New_York", "foxnews.com": "America/New_York",
    "nbcnews.com": "America/New_York", "cbsnews.com": "America/New_York",
    "abcnews.go.com": "America/New_York",
    "usatoday.com": "America/New_York", "npr.org": "America/New_York", "politico.com": "America/New_York",
    "apnews.com": "America/New_York", "bloomberg.com": "America/New_York", "cnbc.com": "America/New_York",
    "latimes.com": "America/Los_Angeles", "sfchronicle.com": "America/Los_Angeles",
    "chicagotribune.com": "America/Chicago", "bbc.com": "Europe/London", "theguardian.com": "Europe/London",
    "reuters.com": "UTC", "aljazeera.com": "Asia/Qatar", "dw.com": "Europe/Berlin",
    "euronews.com": "Europe/Paris", "politico.eu": "Europe/Brussels", "spiegel.de": "Europe/Berlin",
    "welt.de": "Europe/Berlin", "focus.de": "Europe/Berlin", "finanzen.net": "Europe/Berlin",
    "finanznachrichten.de": "Europe/Berlin", "oe24.at": "Europe/Vienna", "derstandard.at": "Europe/Vienna",
    "krone.at": "Europe/Vienna", "orf.at": "Europe/Vienna", "nzz.ch": "Europe/Zurich",
    "srf.ch": "Europe/Zurich", "lemonde.fr": "Europe/Paris", "elpais.com": "Europe/Madrid",
    "corriere.it": "Europe/Rome", "repubblica.it": "Europe/Rome",
    "timesofindia.indiatimes.com": "Asia/Kolkata",
    "scmp.com": "Asia/Hong_Kong", "japantimes.co.jp": "Asia/Tokyo", "abc.net.au": "Australia/Sydney",
    "smh.com.au": "Australia/Sydney", "cbc.ca": "America/Toronto", "theglobeandmail.com": "America/Toronto",
}

# Languages spoken (almost) only inside one UTC offset; see the module docstring, rule 3.
LANGUAGE_ZONES: dict[str, str] = {
    "de": "Europe/Berlin", "it": "Europe/Rome", "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw",
    "cs": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "sl": "Europe/Ljubljana",
    "hr": "Europe/Zagreb", "bs": "Europe/Sarajevo", "sr": "Europe/Belgrade", "da": "Europe/Copenhagen",
    "sv": "Europe/Stockholm", "nb": "Europe/Oslo", "no": "Europe/Oslo", "nn": "Europe/Oslo",
    "fi": "Europe/Helsinki", "et": "Europe/Tallinn", "lv": "Europe/Riga", "lt": "Europe/Vilnius",
    "el": "Europe/Athens", "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "uk": "Europe/Kyiv",
    "tr": "Europe/Istanbul", "he": "Asia/Jerusalem", "ja": "Asia/Tokyo", "ko": "Asia/Seoul",
    "zh": "Asia/Shanghai", "th": "Asia/Bangkok", "vi": "Asia/Ho_Chi_Minh", "fa": "Asia/Tehran",
    "hi": "Asia/Kolkata", "bn": "Asia/Dhaka", "ta": "Asia/Kolkata", "ka": "Asia/Tbilisi",
    "hy": "Asia/Yerevan", "is": "Atlantic/Reykjavik", "ca": "Europe/Madrid", "eu": "Europe/Madrid",
    "gl": "Europe/Madrid",
}

# Words that name a region's calendar: (zone, pattern). German-language only, whole words.
_REGIONAL = (("Europe/Vienna", re.compile(r"\b(?:Jänner|Jaenner|Feber)\b")),)


def zone_for_host(host: str) -> str | None:
    parts = host.removeprefix("www.").split(".")
    for i in range(len(parts) - 1):
        zone = DOMAIN_ZONES.get(".".join(parts[i:]))
        if zone:
            return zone
    return TLD_ZONES.get(parts[-1])


def infer_zone(hosts: list[Any], text: str, language: str | None) -> tuple[str, str] | None:
    """(IANA zone, rule) from the outlet's domain, regional vocabulary or language; None if nothing fits.

    `hosts` are URLs, domains or site names, whatever type the page gave: `urls.host_of` reads a host
    only from a URL-like value and skips the rest.
    """
    for value in hosts:
        host = host_of(value)
        zone = zone_for_host(host) if host else None
        if zone:
            return zone, "domain"
    if language == "de":
        for zone, pattern in _REGIONAL:
            if pattern.search(text):
                return zone, "region"
    if language and language in LANGUAGE_ZONES:
        return LANGUAGE_ZONES[language], "language"
    return None


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
