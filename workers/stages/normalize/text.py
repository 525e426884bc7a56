"""Text clean-up that fixes offsets for every later stage: NFC, invisible characters out, spaces collapsed.

Runs before any offset is computed (dates here, entities in the tag stage), so offsets index the
final `text`.
"""

from __future__ import annotations

import re
import unicodedata

# Soft hyphen, zero-width space, word joiner, BOM / zero-width no-break space, Mongolian vowel separator.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u180e"))
# ZWNJ/ZWJ carry meaning inside Persian, Indic scripts and emoji sequences; next to Latin letters,
# digits or spaces they are junk left by CMS editors.
_STRAY_JOINER = re.compile(r"[\u200c\u200d](?=[\sA-Za-z0-9]|$)|(?<=[\sA-Za-z0-9])[\u200c\u200d]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, runs of spaces collapsed, one blank line between paragraphs.

    Single line breaks inside a paragraph (lists, verse) are kept; trailing spaces are stripped.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _STRAY_JOINER.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str) -> str:
    """`clean_text` for one-line fields (title): every whitespace run becomes one space."""
    return " ".join(clean_text(text).split())
