"""Publication instant: stamp grammar, source order, zones, implausible dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from workers.stages.normalize.pubdate import resolve
from workers.stages.normalize.stamps import find_stamps, parse_datetime, two_digit_year
from workers.stages.normalize.timezones import infer_zone
from workers.stages.urls import host_of

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "day", "clock"), [
    ("31.12.25, 20:50", date(2025, 12, 31), time(20, 50)),
    ("Dec. 31, 2025 8:50 p.m. ET", date(2025, 12, 31), time(20, 50)),
    ("31. Dezember 2025 um 20:50 Uhr", date(2025, 12, 31), time(20, 50)),
    ("31. Jänner 2025, 7:05", date(2025, 1, 31), time(7, 5)),
    ("3. Feber 2025", date(2025, 2, 3), None),
    ("31 décembre 2025 à 20h50", date(2025, 12, 31), time(20, 50)),
    ("31 de diciembre de 2025", date(2025, 12, 31), None),
    ("31 dicembre 2025 alle 20:50", date(2025, 12, 31), time(20, 50)),
    ("1er janvier 2026", date(2026, 1, 1), None),
    ("January 1, 2026 12:15 AM", date(2026, 1, 1), time(0, 15)),
    ("Jan 1 2026", date(2026, 1, 1), None),
    ("7:10 PM EST, Mon March 2, 2020", date(2020, 3, 2), time(19, 10)),
    ("2025-12-31T20:50:00+01:00", date(2025, 12, 31), time(20, 50)),
    ("Wed, 31 Dec 2025 19:50:00 GMT", date(2025, 12, 31), time(19, 50)),
    ("2020年7月12日 22:00", date(2020, 7, 12), time(22, 0)),
    ("am 31.12.1998", date(1998, 12, 31), None),
    ("Mittwoch, 31.12.2025 - 5.000 Besucher", date(2025, 12, 31), None),
])
def test_stamp_grammar(text: str, day: date, clock: time | None) -> None:
    stamps = find_stamps(text, reference_year=2025)
    assert stamps, text
    assert (stamps[0].day, stamps[0].clock) == (day, clock)


@pytest.mark.parametrize("text", ["Die USA mit der Ukraine", "Er ist 31 Jahre alt", "Seite 12.5",
                                  "32.13.2025", "may 5 2020", "Version 1.2.3"])
def test_no_stamp(text: str) -> None:
    assert find_stamps(text, reference_year=2025) == []


def test_two_digit_years() -> None:
    assert two_digit_year(25, 2025) == 2025
    assert two_digit_year(26, 2025) == 2026
    assert two_digit_year(98, 2025) == 1998


def test_slash_order() -> None:
    assert find_stamps("11/01/2023", reference_year=2025, month_first=True)[0].day == date(2023, 11, 1)
    assert find_stamps("11/01/2023", reference_year=2025)[0].day == date(2023, 1, 11)
    assert find_stamps("25/01/2023", reference_year=2025, month_first=True)[0].day == date(2023, 1, 25)


def test_zone_abbreviation_read_through_the_zone() -> None:
    stamp = parse_datetime("Jul. 4, 2025 8:50 p.m. ET", reference_year=2025)
    assert stamp is not None
    assert stamp.local(UTC).isoformat() == "2025-07-04T20:50:00-04:00"


def _resolve(text: str = "", *, metadata: dict[str, Any] | None = None,
             hints: dict[str, Any] | None = None, url: str | None = None, source: str | None = None,
             language: str | None = "de") -> Any:
    return resolve(text, metadata or {}, hints or {}, url=url, hosts=[url, source], language=language,
                   now=NOW)


def test_naive_local_time_in_the_domain_zone() -> None:
    published = _resolve("Wien\n\n31.12.25, 20:50\n\nText", source="oe24.at").published
    assert published.utc.isoformat() == "2025-12-31T19:50:00+00:00"
    assert (published.zone, published.zone_source, published.source) == ("Europe/Vienna", "domain", "text")


def test_page_offset_wins_over_domain() -> None:
    published = _resolve(metadata={"date": "2025-07-01", "published_time": "2025-07-01T10:00:00-04:00"},
                         url="https://www.example.de/a").published
    assert published.local.isoformat() == "2025-07-01T10:00:00-04:00"
    assert published.zone_source == "offset"
    assert published.zone == "Etc/GMT+4"


def test_utc_stamp_shown_in_the_inferred_zone() -> None:
    published = _resolve(metadata={"published_time": "2025-07-01T10:00:00Z"},
                         url="https://example.at/x").published
    assert published.local.isoformat() == "2025-07-01T12:00:00+02:00"
    assert published.zone == "Europe/Vienna"


def test_no_zone_known_is_utc_assumed() -> None:
    published = _resolve(hints={"published_at": "2025-07-01 10:00"}, language="en").published
    assert published.local.isoformat() == "2025-07-01T10:00:00+00:00"
    assert (published.zone, published.zone_source) == ("UTC", "assumed")


def test_day_only_is_noon_local_with_day_precision() -> None:
    published = _resolve(hints={"published_at": "2025-12-31"}).published
    assert published.local.isoformat() == "2025-12-31T12:00:00+01:00"
    assert published.precision == "day"
    assert (published.zone, published.zone_source) == ("Europe/Berlin", "language")


def test_clock_from_a_same_day_stamp() -> None:
    published = _resolve("Titel\n\n31.12.25, 20:50\n\nText", hints={"published_at": "2025-12-31"}).published
    assert published.local.isoformat() == "2025-12-31T20:50:00+01:00"
    assert published.precision == "minute"


def test_byline_stamp_outranks_the_metadata_day() -> None:
    published = _resolve("Titel\n\n30.12.25, 20:50\n\nText", metadata={"date": "2025-12-31"}).published
    assert (published.local.isoformat(), published.source) == ("2025-12-30T20:50:00+01:00", "text")


def test_more_sources_outvote_the_byline_and_its_clock_is_not_used() -> None:
    published = _resolve("Titel\n\n30.12.25, 20:50\n\nText", url="https://example.de/2025/12/31/x",
                         hints={"published_at": "2025-12-31"}).published
    assert published.local.isoformat() == "2025-12-31T12:00:00+01:00"


def test_byline_is_weighed_against_htmldate_not_put_before_it() -> None:
    # The byline stamp outvotes htmldate's day alone, not htmldate backed by the URL; a vote below one
    # source's (the benchmark's held-out alternative) leaves htmldate's day in place.
    byline = "Titel\n\n30.12.25, 20:50\n\nText"
    alone = _resolve(byline, metadata={"date": "2025-12-31"}).published
    backed = _resolve(byline, metadata={"date": "2025-12-31"}, url="https://example.de/2025/12/31/x").published
    assert (alone.local.date(), backed.local.date()) == (date(2025, 12, 30), date(2025, 12, 31))
    timid = resolve(byline, {"date": "2025-12-31"}, {}, url=None, hosts=[], language="de", now=NOW,
                    byline_vote=0.9).published
    assert timid is not None
    assert timid.local.date() == date(2025, 12, 31)


def test_approximate_time_is_an_event_not_a_byline() -> None:
    text = "Am 30.12.2025 gegen 23:40 Uhr brannte eine Scheune."
    published = _resolve(text, metadata={"date": "2025-12-31"}).published
    assert (published.local.date(), published.source) == (date(2025, 12, 31), "metadata")


def test_date_text_from_extraction_metadata() -> None:
    published = _resolve("Kein Datum im Text.", metadata={"date_text": "31.12.25, 20:50"}).published
    assert (published.utc.isoformat(), published.source) == ("2025-12-31T19:50:00+00:00", "text")


def test_url_date() -> None:
    published = _resolve(url="https://www.example.it/2025/12/30/notizia.html", language="it").published
    assert (published.local.date(), published.source) == (date(2025, 12, 30), "url")
    assert published.zone == "Europe/Rome"


def test_body_date_far_down_is_not_a_publication_date() -> None:
    text = "x " * 1000 + "Am 24. Februar 2022 begann der Krieg, erklärte er in einem langen Gespräch."
    assert _resolve(text).published is None


def test_future_and_ancient_dates_rejected() -> None:
    resolution = _resolve(metadata={"date": "2027-01-01"}, hints={"published_at": "1989-12-31"})
    assert resolution.published is None
    assert [i["reason"] for i in resolution.issues] == ["date_in_future", "date_before_1990"]


def test_regional_vocabulary_and_language_zones() -> None:
    assert infer_zone([], "Am 3. Jänner", "de") == ("Europe/Vienna", "region")
    assert infer_zone([], "Am 3. Januar", "de") == ("Europe/Berlin", "language")
    assert infer_zone([], "On January 3", "en") is None
    assert infer_zone(["https://www.nzz.ch/x"], "Am 3. Jänner", "de") == ("Europe/Zurich", "domain")
    assert infer_zone(["nytimes.com"], "", "en") == ("America/New_York", "domain")


def test_host_of() -> None:
    assert host_of("https://www.oe24.at/welt/x") == "www.oe24.at"
    assert host_of("oe24.at") == "oe24.at"
    assert host_of("Kronen Zeitung") is None


def test_clock_comes_from_another_source_than_the_chosen_one() -> None:
    # metadata + url + hint outvote the byline (30.12.); the day-only winner takes the hint's clock
    published = _resolve("Titel\n\n30.12.25, 20:50\n\nText", url="https://example.de/2025/12/31/x",
                         metadata={"date": "2025-12-31"},
                         hints={"published_at": "2025-12-31T08:05:00+01:00"}).published
    assert published.local.isoformat() == "2025-12-31T08:05:00+01:00"
    assert (published.source, published.precision) == ("metadata", "minute")
