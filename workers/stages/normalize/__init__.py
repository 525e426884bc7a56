"""Normalize stage (`articles.extracted` -> `articles.normalized`): text, language, publication time, dates.

Entry point in `stage` (re-exported here); helpers: `text` (NFC and whitespace, before any offset),
`language` (language identification), `pubdate` (the publication instant and its zone, from `stamps`
and `timezones`), `textdates` (date expressions in the text), `datewords` (the calendar vocabulary).
"""

from workers.stages.normalize.pubdate import warm_date_parser
from workers.stages.normalize.stage import NormalizeConfig, iso_utc, run

__all__ = ["NormalizeConfig", "iso_utc", "run", "warm_date_parser"]
