"""Features of one text line that tell site chrome from article prose, in several languages.

Every rule describes a kind of line (a call to action, a share bar, a copyright notice, a time
stamp), never a particular site: the plain-text cleaner must work on the first article of a source
it has never seen.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import justext

WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")
# Sentence end, allowing a wire sign-off glued to it ("gesprochen./ngu/DP/he").
_SENTENCE_END = re.compile(
    r"[.!?\u2026:;][\"'\u201d\u2019\u00bb\u00ab)\]]*(?:/[A-Za-z/]{1,30})?$|[\"\u201d\u2019\u00bb\u00ab]$")

# Short lines made only of these are interface chrome: navigation, login, share, subscribe, cookies,
# comments, "more stories" and ad labels. English, German, French, Spanish, Italian, Dutch, Polish.
_CHROME_WORDS = r"""
menu|menü|home|startseite|homepage|navigation|skip|search|suche|suchen|rechercher|buscar|cerca|zoeken|szukaj|
sitemap|impressum|imprint|datenschutz|privacy|cookies?|cookie-einstellungen|consent|terms|agb|contact|kontakt|
login|log\s?in|logout|log\s?out|sign\s?in|sign\s?up|sign\s?out|register|registrieren|anmelden|abmelden|
einloggen|ausloggen|konto|account|profil|profile|connexion|inscription|acceder|accedi|zaloguj|inloggen|
share|shares|teilen|geteilt|partager|compartir|condividi|delen|udostępnij|tweet|tweeten|facebook|twitter|x|
whatsapp|telegram|linkedin|xing|pinterest|reddit|flipboard|instagram|youtube|tiktok|threads|bluesky|mail|
e-mail|email|print|drucken|imprimer|copy|kopieren|link|copied|kopiert|subscribe|subscribers?|subscription|
abonnieren|abonnement|abo|abos|s'abonner|suscribirse|suscríbete|abbonati|iscriviti|newsletters?|e-paper|
epaper|podcasts?|app|apps|download|herunterladen|advertisement|advertising|anzeige|werbung|publicité|
publicidad|pubblicità|sponsored|gesponsert|promoted|comments?|kommentare?|kommentieren|commentaires?|
comentarios?|commenti|reageer|reacties|komentarze?|more|mehr|plus|premium|weiter|weiterlesen|zurück|back|top|
next|previous|nächster|vorheriger|artikel|article|video|videos|foto|fotos|photos?|galerie|gallery|bilder|
tickets?|shop|jobs|gewinnspiele?|horoskop|wetter|weather|live|ticker|alle|all|news|nachrichten|themen|
topics|sections?|ressorts?|rubriken|folgen|follow|us|uns|the|die|der|das|on|auf|
zum|zur|to|up|in|and|und
"""
_CHROME_ONLY = re.compile(rf"^\W*(?:(?:{_CHROME_WORDS.replace(chr(10), '')})(?!\w)\W*)+$", re.IGNORECASE)

# Lead-ins that send the reader to another article: a call to action on their own in a short line
# (`_CTA`), a "see also" teaser when a colon and a headline follow (`_SEE_ALSO`).
_READ_LEAD_INS = r"""read\s+more|read\s+also|see\s+also|watch|mehr\s+zum\s+thema|mehr\s+dazu|auch\s+interessant|
    lire\s+aussi|à\s+lire|voir\s+aussi|lee\s+también|leer\s+más|leggi\s+anche|zobacz\s+też|czytaj\s+też|lees\s+ook"""

# Calls to action: an imperative (or German infinitive) addressed to the reader, in a short line.
# A line that only starts with "Jetzt", "Hier" or "Now" is one when it is a fragment of at most 8
# words ("Hier anmelden", "Jetzt 1000 Euro Kredit sichern »"); a sentence ending in a full stop, a
# colon or a question mark is prose ("Jetzt ermittelt die Polizei.", "Hier die Details:").
_CTA = re.compile(r"""
  ^(?:jetzt|hier|now)\b(?=(?:\W*\w+){0,7}\W*$)(?!.*[.:?]\W*$)
  | ^(?:click|klicken\s+sie|tap|sign\s+up|subscribe|register|join|download|get\s+the|
      follow\s+us|read\s+next|see\s+more|listen|lesen\s+sie|hören\s+sie|sehen\s+sie|mehr\s+lesen|
      das\s+könnte\s+sie|""" + _READ_LEAD_INS + r""")\b
  | \b(?:jetzt|hier|now)\s+(?:\w+\s+){0,3}\w+(?:en|ern|eln)[.!]?$
  | \b(?:klicken|click|tap)\s+(?:sie\s+)?(?:hier|here)\b
  | \b(?:fehler|error|typo|mistake)s?\b.{0,40}\b(?:melden|report|gefunden|found|spotted)\b
  | \b(?:report|melden)\b.{0,30}\b(?:fehler|error|typo)\b
  | \b(?:most\s+(?:read|popular|viewed|shared)|top[-\s]stor(?:y|ies)|more\s+stories|more\s+from|
      meistgelesen|meist\s+gelesen|beliebteste|empfehlungen|recommended|you\s+(?:may|might)\s+(?:also\s+)?like|
      related\s+(?:articles?|stories|posts|coverage|topics)|weitere\s+artikel|weitere\s+nachrichten|
      ähnliche\s+artikel|aktuelle\s+nachrichten|latest\s+(?:news|stories|headlines))\b
  | \b(?:follow\s+(?:him|her|them|us|me)\s+on|send\s+(?:us\s+)?(?:tips|news\s+tips)|
      you\s+can\s+(?:e-?mail|reach|contact)|
      read\s+more\s+(?:of|from|by)|donate|spenden\s+sie|unterstützen\s+sie|support\s+(?:us|our|independent)|
      folgen\s+sie|schreiben\s+sie\s+(?:uns|der\s+redaktion))\b
  | ^(?:advertisement|anzeige|werbung|sponsored|publicité|publicidad|pubblicità|reklama)\b
""", re.IGNORECASE | re.VERBOSE)

# A "see also" teaser: a read/see/may-interest-you lead-in, a colon, then another article's headline
# ("Lea también: ...", "LE PUEDE INTERESAR: ...", "Auch lesen: ...", "Related: ..."). Headlines run
# longer than the 15 words a call to action may have, so this kind has its own bound
# (`SEE_ALSO_MAX_WORDS`). The colon is required: "Mira, el ministro dijo ..." is prose. The lead-ins
# are the usual ones of news sites in Spanish, Portuguese, French, Italian, German, Polish, Dutch and
# English, not taken from any one site. Known limit: an interview transcript whose speaker is called
# Lea or Mira ("Mira: Ich glaube ...") loses those answers.
_SEE_ALSO = re.compile(r"""^\W*(?:""" + _READ_LEAD_INS + r"""|
    lea|lee|leer|mire|mira|vea|ver|(?:lea|lee|leer|vea|ver|mira)\s+(?:también|más)|
    (?:le|te)\s+(?:puede|podría)\s+interesar|puedes?\s+ver|también\s+(?:lea|lee)|te\s+recomendamos|
    noticias?\s+relacionadas?|
    leia|veja|(?:leia|veja)\s+(?:também|mais)|saiba\s+mais|
    à\s+lire\s+aussi|lire\s+également|à\s+voir\s+aussi|leggi|vedi\s+anche|
    auch\s+lesen|lesen\s+sie\s+(?:auch|mehr)|lies\s+auch|
    das\s+könnte\s+(?:sie|dich)\s+auch\s+interessieren|siehe\s+auch|
    dowiedz\s+się\s+więcej|czytaj\s+(?:także|więcej)|(?:zobacz|przeczytaj)\s+(?:też|także)|lees\s+meer|
    read|also\s+read|related|more
)\s*[:\u00bb]\s*\w""", re.IGNORECASE | re.VERBOSE)
SEE_ALSO_MAX_WORDS = 30

# Notices that stay chrome even in a longer line: copyright, cookies, subscription walls.
_NOTICE = re.compile(r"""
    \b(?:all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|tous\s+droits\s+réservés|
      todos\s+los\s+derechos|tutti\s+i\s+diritti)\b
  | \b(?:cookies?|consent)\b.{0,60}\b(?:accept|akzeptieren|zustimmen|einverstanden|settings|einstellungen|
      policy|richtlinie|use|verwenden|nutzen)\b
  | \b(?:newsletter|e-?paper|podcast)\b.{0,40}\b(?:abonnieren|bestellen|subscribe|sign\s+up|anmelden|
      kostenlos|free)\b
  | \b(?:comments?|kommentare?|leserbriefe?)\b.{0,40}\b(?:schreiben|verfassen|write|
      leave|join|show|anzeigen|einblenden|closed|geschlossen)\b
  | \b(?:already\s+a\s+subscriber|bereits\s+abonnent|noch\s+kein\s+abo|subscribe\s+to|sign\s+up\s+(?:for|to)|
      create\s+(?:an\s+)?account|konto\s+erstellen|zugang\s+(?:sichern|testen)|paywall|freischalten)\b
""", re.IGNORECASE | re.VERBOSE)

# A line that is only a date and/or clock time ("31.12.25, 20:50", "Feb 28, 2024 5:58 AM EST").
_TIMESTAMP = re.compile(r"""^(?:(?:published|updated|aktualisiert|veröffentlicht|stand|am|on|posted|
    publié|publicado|mis\s+à\s+jour)\s*:?\s*)?
    (?:[\w.,]+\s+){0,5}?(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\.?\s+\w+\.?\s+\d{2,4}|\w+\.?\s+\d{1,2},?\s+\d{4}|
    \d{1,2}:\d{2})
    (?:[\s,|\u00b7\u2013-]+(?:um\s+)?\d{1,2}[:.]\d{2}(?:\s*(?:uhr|am|pm|a\.m\.|p\.m\.))?(?:\s+[A-Z]{2,4})?)?\s*(?:uhr)?$""",
                        re.IGNORECASE | re.VERBOSE)

_BYLINE = re.compile(r"^(?:by|von|par|por|di|door|autor|author|text)\s*:?\s+\S.{0,60}$", re.IGNORECASE)


def words(line: str) -> list[str]:
    return WORD.findall(line)


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


# A caption that ends with its picture credit: "... (AP Photo/Jane Doe)", "... (FOX 5 DC)", "Foto: dpa".
_CAPTION_CREDIT = re.compile(r"""(?:\([^()]{0,40}(?:photo|foto|image|bild|getty|reuters|afp|epa|dpa|
    picture|credit|courtesy|file)[^()]{0,40}\)
    |(?:photo|foto|bild|image|credit|picture|source|quelle)s?\s*:\s*[^.]{2,60}
    |(?-i:\b[A-Z]{3,}/[A-Z][\w\s.-]{1,40}(?:/[\w ]+)?))\s*$""", re.VERBOSE | re.IGNORECASE)
# A source in capitals closing a sentence-long caption: "... on Thursday. (FOX 5 DC)".
CAPTION_MAX_WORDS = 25
_CAPTION_SOURCE = re.compile(r"[.!?]\s*\((?:[A-Z0-9][\w.&'/-]*\s?){1,5}\)\s*$")


def is_chrome(line: str) -> bool:
    """Interface text: short and made only of navigation/login/share/subscribe/comment words,
    or a call to action, an ad label, a cookie or copyright notice, a "see also" teaser."""
    if len(line) > 400:
        return False
    if _NOTICE.search(line):
        return True
    if _SEE_ALSO.match(line) and len(words(line)) <= SEE_ALSO_MAX_WORDS:
        return True
    return len(words(line)) <= 15 and bool(_CHROME_ONLY.match(line) or _CTA.search(line))


def caption_credit(line: str) -> str | None:
    """The picture credit that ends a caption line, if any (the caption itself is not body text)."""
    if not line.rstrip().endswith(")") and ":" not in line and "/" not in line:
        return None  # every credit form needs one of these: most prose lines skip the regex scans
    match = _CAPTION_CREDIT.search(line) or (_CAPTION_SOURCE.search(line) if len(words(line)) >= 8 else None)
    return match.group(0).lstrip(".!? ").strip() if match else None


def is_caption(line: str) -> bool:
    """A caption among an HTML extractor's paragraphs: a credit-ending line of a sentence or two.

    A paragraph of `CAPTION_MAX_WORDS` words or more that ends in `(dpa)` or `(NM)` is body text
    with the agency's sign-off (issue 14.2: dropping it cost trafilatura's output body paragraphs on
    three unrelated sites; no caption rightly dropped on any fold has more than 17 words). The
    plain-text scorer keeps the unbounded `caption_credit`: there the bound cost Fundus 0.0025 F1
    (long photo captions rendered as lines) for +0.001 on the snippets, so it did not earn its place."""
    return len(words(line)) < CAPTION_MAX_WORDS and caption_credit(line) is not None


def is_shouting(toks: list[str]) -> bool:
    """An all-capitals line of several words: a teaser headline or label, not prose."""
    # 4+ words with letters, 80 % of them in capitals: so at least 4 words in capitals (every such
    # word has letters); most lines stop at that count
    capitals = sum(map(str.isupper, toks))
    if capitals < 4:
        return False
    letters = sum(1 for t in toks if any(c.isalpha() for c in t))
    return capitals >= 0.8 * letters


def is_timestamp(line: str) -> bool:
    return len(line) <= 60 and bool(_TIMESTAMP.match(line))


def is_byline(line: str) -> bool:
    return len(words(line)) <= 8 and not ends_sentence(line) and bool(_BYLINE.match(line))


@lru_cache(maxsize=1)
def stoplists() -> tuple[list[frozenset[str]], dict[str, tuple[int, ...]]]:
    """jusText's frequent-word lists (100 languages, by name), loaded once per process, and for each
    word the lists that hold it."""
    lists = [frozenset(justext.get_stoplist(lang)) for lang in sorted(justext.get_stoplists())]
    holders: dict[str, list[int]] = {}
    for i, stoplist in enumerate(lists):
        for word in stoplist:
            holders.setdefault(word, []).append(i)
    return lists, {word: tuple(held) for word, held in holders.items()}


def best_stoplist(tokens: list[str]) -> frozenset[str]:
    """The stop-word list that covers most of the document's tokens (the first such list by
    language name on a tie): a cheap language guess."""
    # Each distinct word once, looked up in one word -> lists index: the same hits as intersecting
    # the page's words with each of the 100 lists, which was a fifth of the plain-text path's time.
    lists, holders = stoplists()
    hits = [0] * len(lists)
    for word, count in Counter(t.lower() for t in tokens[:3000]).items():
        for i in holders.get(word, ()):
            hits[i] += count
    return lists[max(range(len(lists)), key=hits.__getitem__)]


def stopword_density(tokens: list[str], stoplist: frozenset[str]) -> float:
    return sum(1 for t in tokens if t.lower() in stoplist) / len(tokens) if tokens else 0.0
