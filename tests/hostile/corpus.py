"""A hostile-input corpus, generated (some items are 50 MB; nothing big is committed).

Each item names the raw record value and the outcome the pipeline must give: a valid enriched
event (`ENRICHED`) or exactly one dead-letter record with the given reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import orjson

ENRICHED = "enriched"

_PARAGRAPH = ("The city council approved the new budget on Tuesday after a long debate about schools, "
              "roads and the future of the public library, which had faced closure for two years.")


@dataclass(frozen=True)
class Item:
    name: str
    value: bytes
    expect: str  # ENRICHED, or the dead-letter reason
    keyed: bool = True


def _record(name: str, **fields: object) -> bytes:
    return orjson.dumps({"id": f"hostile-{name}", **fields})


def _article(name: str, body: str) -> bytes:
    return _record(name, html=f"<html><body><article><h1>Title</h1>{body}</article></body></html>")


def corpus() -> list[Item]:
    rng = random.Random(20251231)
    pdf = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n" + rng.randbytes(4000)
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(4000)
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                        for i in range(1, 10))
              + ']><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p>'
              + f"<p>{_PARAGRAPH}</p>" * 3 + "</body></html>")
    return [
        Item("invalid-json", b'{"id": "hostile-invalid-json", "text": "no end', "invalid_json"),
        Item("wrong-types", _record("wrong-types", text=["not", "a", "string"]), "invalid_record"),
        Item("missing-content", _record("missing-content", url="https://example.org/x"), "missing_content"),
        Item("extra-fields", _record("extra-fields", text=_PARAGRAPH * 3, unexpected={"nested": [1, 2]}),
             ENRICHED),
        Item("not-utf8", b'{"id": "hostile-not-utf8", "text": "Caf\xe9 \xff\xfe"}', "not_utf8"),
        Item("nul-in-text", _record("nul-in-text", text=f"{_PARAGRAPH}\x00 {_PARAGRAPH}\x00"), ENRICHED),
        Item("nul-bytes-raw", b"\x00" * 64, "invalid_json"),
        Item("huge-50mb", _record("huge-50mb", html="<p>" + "x" * (50 * 1024 * 1024) + "</p>"), "too_large"),
        Item("single-10mb-line", _record("single-10mb-line", text="word " * (2 * 1024 * 1024)), "too_large"),
        Item("nested-100k", _record("nested-100k", html="<div>" * 100_000 + _PARAGRAPH + "</div>" * 100_000),
             "too_deep"),
        Item("entity-expansion", _record("entity-expansion", html=laughs), ENRICHED),
        Item("script-only", _record("script-only", html="<html><script>" + "var a=1;" * 5000 + "</script></html>"),
             "no_content"),
        Item("empty-html", _record("empty-html", html=""), "no_content"),
        Item("empty-text", _record("empty-text", text="   \n\n  "), "no_content"),
        Item("empty-value", b"", "empty_record", keyed=True),
        Item("pdf-as-html", _record("pdf-as-html", html=pdf.decode("latin-1")), "not_html"),
        Item("jpeg-raw", jpeg, "not_utf8"),
        Item("rtl-and-emoji", _record("rtl-and-emoji", text=(
            "أعلنت الحكومة اليوم عن خطة جديدة لتحسين التعليم في المدارس الحكومية في جميع أنحاء البلاد 📚✨ "
            "وقال وزير التربية والتعليم إن الخطة ستبدأ في العام الدراسي المقبل بتكلفة تقدر بملايين الدولارات.\n\n"
            "وأضاف الوزير في مؤتمر صحفي عقده في العاصمة أن الخطة تشمل بناء مئات المدارس الجديدة وتدريب "
            "آلاف المعلمين على أساليب التدريس الحديثة 🏫 خلال السنوات الخمس القادمة.\n\n"
            "ورحب اتحاد المعلمين بالخطة لكنه طالب بزيادة رواتب المعلمين وتحسين ظروف العمل في المدارس "
            "الريفية التي تعاني من نقص حاد في الموارد 👩‍🏫.")), ENRICHED),
        Item("100k-links", _record("100k-links", html="<html><body><article><p>" + _PARAGRAPH + "</p>"
                                   + "".join(f'<a href="/l{i}">link {i}</a> ' for i in range(100_000))
                                   + "</article></body></html>"), "too_large"),
        Item("deep-json", b'{"id": "hostile-deep-json", "text": "x", "meta": ' + b'{"a":' * 100_000 + b"1"
             + b"}" * 100_000 + b"}", "invalid_json"),
    ]
