"""Plain-text stripping on pages the cleaner has never seen: chrome out, body complete, headline found."""

from __future__ import annotations

import time

from workers.stages.extract import linefeatures, plaintext

BODY_EN = [
    "The city council voted on Tuesday to expand the bus network, adding three routes that will connect "
    "the northern suburbs with the central station by the end of next year.",
    "Supporters said the plan would cut commuting times for thousands of residents, while critics warned "
    "that the cost had been underestimated and that fares could rise as a result.",
    "New routes",
    "The first of the new lines is expected to open in the spring, according to the transport department, "
    "which said it had already ordered forty electric buses for the service.",
]

PAGE_EN = [
    "Skip to content", "Home", "News", "Sport", "Business", "Sign in", "Subscribe",
    "Local News", "Council approves bigger bus network", "By Jane Miller", "March 3, 2024 10:15 AM",
    "Share", "Facebook", "Twitter", "Email",
    *BODY_EN,
    "Sign up for our morning newsletter", "Most read", "Mayor opens new library", "Storm closes schools",
    "Comments", "Leave a comment", "© 2024 Example Media. All rights reserved.", "Privacy Policy",
    "Cookie settings",
]


def test_english_page_keeps_body_in_order_and_drops_chrome() -> None:
    cleaned = plaintext.clean("\n".join(PAGE_EN))
    assert cleaned.body == BODY_EN
    assert cleaned.title == "Council approves bigger bus network"
    assert cleaned.kicker == "Local News"
    assert cleaned.byline == "By Jane Miller"
    assert cleaned.date_text == "March 3, 2024 10:15 AM"


def test_german_page_with_repeated_headline_and_calls_to_action() -> None:
    body = [
        "Der Stadtrat hat am Dienstag beschlossen, das Busnetz auszubauen und drei neue Linien einzurichten, "
        "die die nördlichen Vororte mit dem Hauptbahnhof verbinden sollen.",
        "Befürworter sagten, der Plan werde die Fahrzeiten für Tausende Pendler verkürzen. Kritiker warnten "
        "dagegen, die Kosten seien zu niedrig angesetzt worden.",
    ]
    page = ["Menü", "Suche", "Anmelden", "Mehr Busse für die Vororte", "Verkehr",
            "Mehr Busse für die Vororte",
            "03.03.24, 10:15", "Teilen", *body, "Jetzt Newsletter abonnieren", "Kommentare anzeigen",
            "Das könnte Sie auch interessieren", "Neue Bibliothek eröffnet", "Jetzt App herunterladen"]
    cleaned = plaintext.clean("\n".join(page))
    assert cleaned.body == body
    assert cleaned.title == "Mehr Busse für die Vororte"
    assert cleaned.kicker == "Verkehr"
    assert cleaned.date_text == "03.03.24, 10:15"


def test_read_more_link_list_inside_the_body_is_dropped() -> None:
    page = [BODY_EN[0], "Read more:", "Mayor opens new library", "Storm closes schools", BODY_EN[1]]
    assert plaintext.clean("\n".join(page)).body == [BODY_EN[0], BODY_EN[1]]


def test_caption_with_picture_credit_is_not_body() -> None:
    caption = "Buses wait at the central station on Monday, March 4, 2024. (AP Photo/Jane Doe)"
    assert linefeatures.caption_credit(caption) == "(AP Photo/Jane Doe)"
    assert caption not in plaintext.clean("\n".join([BODY_EN[0], caption, BODY_EN[1]])).body


def test_sentences_that_mention_chrome_words_are_prose() -> None:
    line = ("Now the ratings for the interview are in, and readers who share the clip on Facebook will see "
            "that the programme did poorly among younger viewers.")
    assert not linefeatures.is_chrome(line)
    assert plaintext.clean("\n".join([line, BODY_EN[0]])).body == [line, BODY_EN[0]]


def test_a_sentence_that_starts_with_jetzt_hier_or_now_is_prose_and_a_short_fragment_is_a_call_to_action() -> None:
    prose = ["Jetzt ermittelt die Polizei.", "Hier zeigt sich das Meer oft von seiner ganz rauen Seite.",
             "Now the company faces a fine.", "Hier die Details:"]
    calls = ["Hier anmelden", "Jetzt 1000 Euro Kredit sichern »", "Jetzt anmelden!", "Now playing"]
    assert not any(linefeatures.is_chrome(line) for line in prose)
    assert all(linefeatures.is_chrome(line) for line in calls)


def test_see_also_teasers_are_chrome_in_several_languages_and_prose_with_a_lead_in_word_is_not() -> None:
    teasers = [
        "Lea también: Impiden ingreso a Nicaragua a reportero y camarógrafo estadounidense",
        "VEA TAMBIÉN: Entre heces y guaricha: Estrella de la educación no brilla para estudiantes en Panamá Oeste",
        "(Le puede interesar: Buscan responsables de bus quemado en Anorí, Antioquia)",
        "Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz an den Falschen",
        "Dowiedz się więcej: Kto jak głosował ws. unijnych funduszy?",
        "Related: Alaska Airlines delays full Oneworld membership to early 2021",
    ]
    prose = [
        "Mira, el ministro dijo que no habrá más recortes este año en la sanidad pública.",
        "More than 200 people attended: the mayor said the hall had never been so full.",
        "Lea Müller: Die Ministerin hat am Montag in Berlin ihren Rücktritt angekündigt.",
    ]
    assert all(linefeatures.is_chrome(line) for line in teasers)
    assert not any(linefeatures.is_chrome(line) for line in prose)
    assert plaintext.drop_chrome([BODY_EN[0], teasers[-1], BODY_EN[1]]) == [BODY_EN[0], BODY_EN[1]]


def test_empty_and_chrome_only_text_give_no_body() -> None:
    assert plaintext.clean("").body == []
    assert plaintext.clean("\n".join(["Home", "Login", "Share", "Subscribe", "Newsletter"])).body == []


def test_adversarial_lines_do_not_make_the_line_rules_backtrack() -> None:
    lines = ["Home & " * 30 + "zz", "follow us " * 20 + "zz", "Teilen | " * 25 + "q"] * 700
    started = time.perf_counter()
    plaintext.clean("\n".join(lines))
    assert not any(linefeatures.is_chrome(line) for line in lines[:3])
    assert time.perf_counter() - started < 5


def test_a_long_paragraph_ending_in_an_agency_credit_is_body_not_a_caption() -> None:
    caption = "Der Minister am Montag in Berlin. (dpa)"
    body = ("Die ARD hat für ihre Mediathek eine umfangreiche Schau mit den bekanntesten Werken angekündigt, "
            "die ab Samstag abrufbar ist und neben Sketchen auch Zeichentrick und Interviews zeigt. (dpa)")
    assert linefeatures.caption_credit(caption) == linefeatures.caption_credit(body) == "(dpa)"
    assert (linefeatures.is_caption(caption), linefeatures.is_caption(body)) == (True, False)
    assert plaintext.drop_chrome([caption, body]) == [body]


def test_a_short_article_above_a_longer_comment_section_is_the_body() -> None:
    article = ["Manchmal überrascht einen der Alltag mit kleinen Freuden, und heute hing vom Balkon im vierten "
               "Stock ein Eimer an einer Schnur, in dem zwei Münzen und ein kleines Bild für die Nachbarn lagen.",
               "Ich habe die Münzen genommen und das Bild behalten, und wer den Eimer kennt, weiß, dass er am "
               "nächsten Sonntag wieder hinuntergelassen wird, mit neuen Bildern und neuen Münzen darin."]
    comments = [("Ein Leser schrieb dazu, dass er genau diesen Eimer auch schon gesehen habe, dass die Nachbarn "
                 "ihn seit vielen Jahren jeden Sonntag wieder hinunterlassen und dass die Bilder mit der Zeit "
                 "immer besser geworden seien, weil die Kinder im Haus inzwischen zur Schule gehen und dort "
                 f"malen lernen, was man an den Farben und den Figuren deutlich sehen könne ({n}).")
                for n in range(2)]
    page = ["Blog", "Archiv", "Kontakt", "Gefällt mir", "11.09.2011, 16:20", *article, "Tags: Eimer, Balkon",
            "Kommentarfeed |", "Trackback-URL", "« Willkommen, neue Mitbewohner!", "Neues aus der Inbox »",
            "2 Kommentare", *[line for c in comments for line in ("12.09.2011 10:00", c)], "Archiv",
            "Impressum"]
    assert plaintext.clean("\n".join(page)).body == article


def test_prose_above_the_body_run_is_kept_line_by_line_without_the_chrome_between() -> None:
    lead = "Three new routes will link the northern suburbs with the central station, the council decided."
    caption = "Buses waiting at the central station on a winter morning, seen from the footbridge."
    page = ["Home", "Sport", lead, caption, "Photo gallery", caption, "Share", "Facebook", "Twitter", "Email",
            "Advertisement", *BODY_EN, "Most read"]
    # the caption is printed twice (alt text and caption): not prose; the lead is, though a share
    # bar and an ad label cut it off from the body run
    assert plaintext.clean("\n".join(page)).body == [lead, *BODY_EN]


def test_a_short_line_the_page_prints_twice_inside_the_body_is_a_teaser_not_a_subheading() -> None:
    teaser = "Tram depot to close in June"
    page = ["Home", "News", *BODY_EN[:2], teaser, teaser, *BODY_EN[2:], "Most read"]
    # the related story's title under its picture and as its link; "New routes" is printed once
    assert plaintext.clean("\n".join(page)).body == BODY_EN


def test_prose_below_the_body_run_stays_out() -> None:
    comment = "I have been waiting for this bus line for years and I am glad that it is finally coming."
    page = [*BODY_EN, "Comments", "Leave a comment", "Anna", comment, "Report", "Reply"]
    assert plaintext.clean("\n".join(page)).body == BODY_EN
