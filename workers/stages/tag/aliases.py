"""Curated alias table: transliteration variants and German/English names of one entity -> one canonical.

Why curated: news in German and English spell the same people (Selenskyj / Zelensky / Zelenskyy) and
countries (USA / Vereinigte Staaten / United States) differently; users filter on one name. Canonical
names follow the English Wikipedia title. Persons are listed as (canonical, first-name variants,
surname variants): every surname variant alone and every first + surname pair becomes an alias.
"""

from __future__ import annotations

from functools import cache

_PERSONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Volodymyr Zelenskyy", ("Volodymyr", "Wolodymyr", "Volodimir", "Wolodimir"),
     ("Zelenskyy", "Zelensky", "Zelenskiy", "Zelenskij", "Zelenski", "Selenskyj", "Selenskij", "Selenski",
      "Zelenskyi")),
    ("Rustem Umerov", ("Rustem",), ("Umerov", "Umjerow", "Umerow", "Umierow")),
    ("Vladimir Putin", ("Vladimir", "Wladimir", "Władimir"), ("Putin",)),
    ("Sergey Lavrov", ("Sergey", "Sergei", "Sergej", "Serhij"), ("Lavrov", "Lawrow")),
    ("Dmitry Medvedev", ("Dmitry", "Dmitri", "Dmitrij", "Dimitri"), ("Medvedev", "Medwedew", "Medwedjew")),
    ("Dmitry Peskov", ("Dmitry", "Dmitri", "Dmitrij"), ("Peskov", "Peskow")),
    ("Sergei Shoigu", ("Sergei", "Sergey", "Sergej"), ("Shoigu", "Schoigu")),
    ("Alexei Navalny", ("Alexei", "Alexey", "Alexej", "Aleksei"), ("Navalny", "Nawalny", "Nawalnyj")),
    ("Yulia Navalnaya", ("Yulia", "Julia", "Julija"), ("Navalnaya", "Nawalnaja")),
    ("Mikhail Gorbachev", ("Mikhail", "Michail"), ("Gorbachev", "Gorbatschow", "Gorbachov")),
    ("Boris Yeltsin", ("Boris",), ("Yeltsin", "Jelzin")),
    ("Mikhail Khodorkovsky", ("Mikhail", "Michail"), ("Khodorkovsky", "Chodorkowski")),
    ("Alexander Lukashenko", ("Alexander", "Aljaksandr", "Alyaksandr", "Aleksandr"),
     ("Lukashenko", "Lukaschenko", "Lukashenka", "Lukaschenka")),
    ("Sviatlana Tsikhanouskaya", ("Sviatlana", "Swetlana", "Svetlana"),
     ("Tsikhanouskaya", "Tichanowskaja", "Tikhanovskaya", "Zichanouskaja")),
    ("Yevgeny Prigozhin", ("Yevgeny", "Jewgeni", "Evgeny", "Jewgenij"), ("Prigozhin", "Prigoschin")),
    ("Ramzan Kadyrov", ("Ramzan", "Ramsan"), ("Kadyrov", "Kadyrow")),
    ("Valery Gerasimov", ("Valery", "Waleri", "Walerij"), ("Gerasimov", "Gerassimow")),
    ("Mikhail Mishustin", ("Mikhail", "Michail"), ("Mishustin", "Mischustin")),
    ("Maria Zakharova", ("Maria", "Marija"), ("Zakharova", "Sacharowa")),
    ("Vassily Nebenzya", ("Vassily", "Wassili", "Vasily"), ("Nebenzya", "Nebensja")),
    ("Dmytro Kuleba", ("Dmytro", "Dmitro"), ("Kuleba",)),
    ("Andriy Yermak", ("Andriy", "Andrij", "Andrii"), ("Yermak", "Jermak")),
    ("Valerii Zaluzhnyi", ("Valerii", "Valeriy", "Walerij", "Waleri"),
     ("Zaluzhnyi", "Zaluzhny", "Saluschnyj")),
    ("Oleksandr Syrskyi", ("Oleksandr", "Olexandr"), ("Syrskyi", "Syrsky", "Syrskyj")),
    ("Denys Shmyhal", ("Denys", "Denis"), ("Shmyhal", "Schmyhal")),
    ("Yulia Svyrydenko", ("Yulia", "Julia", "Julija"), ("Svyrydenko", "Swyrydenko")),
    ("Vitali Klitschko", ("Vitali", "Witali", "Vitaliy"), ("Klitschko", "Klychko")),
    ("Petro Poroshenko", ("Petro",), ("Poroshenko", "Poroschenko")),
    ("Viktor Yanukovych", ("Viktor", "Wiktor"), ("Yanukovych", "Janukowitsch", "Yanukovich")),
    ("Yulia Tymoshenko", ("Yulia", "Julia", "Julija"), ("Tymoshenko", "Timoschenko", "Tymoschenko")),
    ("Kyrylo Budanov", ("Kyrylo", "Kyrill", "Kirill"), ("Budanov", "Budanow")),
    ("Nikol Pashinyan", ("Nikol",), ("Pashinyan", "Paschinjan")),
    ("Ilham Aliyev", ("Ilham",), ("Aliyev", "Alijew")),
    ("Kassym-Jomart Tokayev", ("Kassym-Jomart", "Kassym-Schomart"), ("Tokayev", "Tokajew")),
    ("Recep Tayyip Erdoğan", ("Recep Tayyip", "Recep"), ("Erdoğan", "Erdogan")),
    ("Benjamin Netanyahu", ("Benjamin",), ("Netanyahu", "Netanjahu")),
    ("Mahmoud Abbas", ("Mahmoud", "Mahmud"), ("Abbas",)),
    ("Ali Khamenei", ("Ali",), ("Khamenei", "Chamenei")),
    ("Masoud Pezeshkian", ("Masoud", "Massud"), ("Pezeshkian", "Peseschkian")),
    ("Bashar al-Assad", ("Bashar", "Baschar"), ("al-Assad", "Assad")),
    ("Muammar Gaddafi", ("Muammar",), ("Gaddafi", "al-Gaddafi", "Gadhafi", "Qaddafi", "Kadhafi")),
    ("Abdel Fattah el-Sisi", ("Abdel Fattah", "Abdel Fattah al-"), ("el-Sisi", "al-Sisi", "as-Sisi", "Sisi")),
    ("Mohammed bin Salman", ("Mohammed", "Mohammad", "Mohamed"), ("bin Salman",)),
    ("Kim Jong Un", ("Kim",), ("Jong Un", "Jong-un", "Jong-Un")),
    ("Xi Jinping", ("Xi",), ("Jinping",)),
    ("Alexis Tsipras", ("Alexis",), ("Tsipras",)),
    ("Nikita Khrushchev", ("Nikita",), ("Khrushchev", "Chruschtschow")),
    ("Joseph Stalin", ("Joseph", "Josef", "Iosif"), ("Stalin",)),
    ("Leonid Brezhnev", ("Leonid",), ("Brezhnev", "Breschnew")),
)

# canonical -> German/English names, short forms and common inflected forms of countries and bodies.
_NAMES: dict[str, tuple[str, ...]] = {
    "United States": ("USA", "US", "U.S.", "U.S.A.", "Vereinigte Staaten", "Vereinigten Staaten",
                      "Vereinigte Staaten von Amerika", "Vereinigten Staaten von Amerika", "United States",
                      "United States of America", "the United States"),
    "Russia": ("Russland", "Russlands", "Russia", "Russische Föderation", "Russischen Föderation",
               "Russian Federation"),
    "Ukraine": ("Ukraine", "the Ukraine"),
    "Germany": ("Deutschland", "Deutschlands", "Germany", "Bundesrepublik", "Bundesrepublik Deutschland",
                "BRD", "Federal Republic of Germany"),
    "United Kingdom": ("Großbritannien", "Grossbritannien", "Großbritanniens", "Vereinigtes Königreich",
                       "Vereinigten Königreich", "Vereinigten Königreichs", "UK", "U.K.", "Britain",
                       "Great Britain", "United Kingdom", "the United Kingdom"),
    "France": ("Frankreich", "Frankreichs", "France"),
    "Italy": ("Italien", "Italiens", "Italy"),
    "Spain": ("Spanien", "Spaniens", "Spain"),
    "Poland": ("Polen", "Polens", "Poland"),
    "Austria": ("Österreich", "Österreichs", "Oesterreich", "Austria"),
    "Switzerland": ("Schweiz", "Switzerland"),
    "Netherlands": ("Niederlande", "Niederlanden", "Holland", "Netherlands", "the Netherlands"),
    "Belgium": ("Belgien", "Belgium"),
    "Denmark": ("Dänemark", "Denmark"),
    "Sweden": ("Schweden", "Sweden"),
    "Norway": ("Norwegen", "Norway"),
    "Finland": ("Finnland", "Finland"),
    "Greece": ("Griechenland", "Greece"),
    "Turkey": ("Türkei", "Tuerkei", "Turkey", "Türkiye"),
    "Hungary": ("Ungarn", "Hungary"),
    "Czech Republic": ("Tschechien", "Tschechische Republik", "Czechia", "Czech Republic"),
    "Belarus": ("Belarus", "Weißrussland", "Weissrussland", "Belorussia"),
    "Moldova": ("Moldau", "Moldawien", "Republik Moldau", "Moldova"),
    "Georgia": ("Georgien", "Georgia"),
    "China": ("China", "Chinas", "Volksrepublik China", "People's Republic of China", "PRC"),
    "Japan": ("Japan", "Japans"),
    "India": ("Indien", "Indiens", "India"),
    "North Korea": ("Nordkorea", "North Korea", "Demokratische Volksrepublik Korea", "DPRK"),
    "South Korea": ("Südkorea", "South Korea", "Republik Korea"),
    "Israel": ("Israel", "Israels"),
    "Iran": ("Iran", "Irans", "Islamische Republik Iran"),
    "Iraq": ("Irak", "Iraq"),
    "Syria": ("Syrien", "Syria"),
    "Egypt": ("Ägypten", "Egypt"),
    "Saudi Arabia": ("Saudi-Arabien", "Saudi Arabia"),
    "Mexico": ("Mexiko", "Mexico"),
    "Brazil": ("Brasilien", "Brazil"),
    "Canada": ("Kanada", "Canada"),
    "Australia": ("Australien", "Australia"),
    "South Africa": ("Südafrika", "South Africa"),
    "Crimea": ("Krim", "Crimea"),
    "Europe": ("Europa", "Europe"),
    "Africa": ("Afrika", "Africa"),
    "Asia": ("Asien", "Asia"),
    "Middle East": ("Nahost", "Naher Osten", "Nahen Osten", "Middle East"),
    "Kyiv": ("Kiew", "Kyjiw", "Kyiv", "Kiev"),
    "Moscow": ("Moskau", "Moscow"),
    "Kharkiv": ("Charkiw", "Kharkiv", "Kharkov", "Charkow"),
    "Odesa": ("Odessa", "Odesa"),
    "Munich": ("München", "Munich"),
    "Cologne": ("Köln", "Cologne"),
    "Vienna": ("Wien", "Vienna"),
    "Brussels": ("Brüssel", "Brussels", "Bruxelles"),
    "Warsaw": ("Warschau", "Warsaw"),
    "Beijing": ("Peking", "Beijing"),
    "NATO": ("NATO", "Nato", "Nordatlantikpakt", "North Atlantic Treaty Organization", "OTAN"),
    "European Union": ("EU", "Europäische Union", "Europäischen Union", "European Union"),
    "European Commission": ("Europäische Kommission", "Europäischen Kommission", "EU-Kommission",
                            "European Commission"),
    "European Council": ("Europäischer Rat", "Europäischen Rat", "Europäischen Rates", "European Council"),
    "European Parliament": ("Europäisches Parlament", "Europäischen Parlament", "Europaparlament",
                            "EU-Parlament", "European Parliament"),
    "United Nations": ("UN", "UNO", "Vereinte Nationen", "Vereinten Nationen", "United Nations"),
    "UN Security Council": ("UN-Sicherheitsrat", "Weltsicherheitsrat", "Sicherheitsrat",
                            "UN Security Council", "Security Council"),
    "World Health Organization": ("WHO", "Weltgesundheitsorganisation", "World Health Organization"),
    "International Monetary Fund": ("IWF", "IMF", "Internationaler Währungsfonds",
                                    "Internationale Währungsfonds", "International Monetary Fund"),
    "European Central Bank": ("EZB", "ECB", "Europäische Zentralbank", "Europäischen Zentralbank",
                              "European Central Bank"),
    "Kremlin": ("Kreml", "Kremlin"),
    "White House": ("Weißes Haus", "Weißen Haus", "Weissen Haus", "White House"),
    "Pentagon": ("Pentagon",),
    "Bundestag": ("Bundestag", "Bundestags", "Bundestages"),
    "Deutsche Presse-Agentur": ("dpa", "Deutsche Presse-Agentur"),
    "Organization for Security and Co-operation in Europe": ("OSZE", "OSCE"),
}


# Canonicals in `_NAMES` that are organisations; the rest of `_NAMES` are places, `_PERSONS` persons.
_ORGS = frozenset({
    "NATO", "European Union", "European Commission", "European Council", "European Parliament", "United Nations",
    "UN Security Council", "World Health Organization", "International Monetary Fund", "European Central Bank",
    "Kremlin", "White House", "Pentagon", "Bundestag", "Deutsche Presse-Agentur",
    "Organization for Security and Co-operation in Europe",
})


@cache
def alias_table() -> dict[str, str]:
    """Lower-cased alias -> canonical; built once per process."""
    table: dict[str, str] = {}
    for canonical, firsts, lasts in _PERSONS:
        for last in lasts:
            table[last.casefold()] = canonical
            for first in firsts:
                table[f"{first} {last}".casefold()] = canonical
        table[canonical.casefold()] = canonical
    for canonical, names in _NAMES.items():
        for name in names:
            table[name.casefold()] = canonical
        table[canonical.casefold()] = canonical
    return table


def lookup(name: str) -> str | None:
    """The canonical for a known alias (case-insensitive), else None."""
    return alias_table().get(name.casefold())


@cache
def _kinds() -> dict[str, str]:
    kinds = {canonical: "PER" for canonical, _, _ in _PERSONS}
    kinds.update({canonical: "ORG" if canonical in _ORGS else "LOC" for canonical in _NAMES})
    return kinds


def kind(canonical: str) -> str | None:
    """The label (PER/ORG/LOC) of a canonical from the table, else None."""
    return _kinds().get(canonical)
