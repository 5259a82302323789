#!/usr/bin/env python3
"""Write a synthetic wire folder for benchmarks: N articles in dpa-AFX form.

Usage: make_wire.py OUT_DIR N [--seed S]

Stories get 1-4 versions (revision notes, later timestamps, grown text);
about one file in ten carries the sample's mojibake so the repair stage has
work to do. Deterministic for a given seed. The text is generated from a
small German vocabulary, not taken from any corpus.
"""
import argparse
import datetime as dt
import os
import random

PLACES = ["BERLIN", "FRANKFURT", "MÜNCHEN", "HAMBURG", "KÖLN", "BRÜSSEL", "WASHINGTON", "PARIS", "GIEßEN", "DÜSSELDORF"]
SUBJECTS = ["Die Bundesregierung", "Der Konzern", "Die Europäische Zentralbank", "Der Dax", "Die Gewerkschaft",
            "Das Unternehmen", "Der Außenminister", "Die Verbraucherschützer", "Der Aufsichtsrat", "Die Börse"]
VERBS = ["erhöhte", "senkte", "bestätigte", "kündigte", "begrüßte", "kritisierte", "prüfte", "verschärfte"]
OBJECTS = ["die Prognose für das laufende Jahr", "die Zinsen um einen Viertelprozentpunkt", "die Pläne für größere Investitionen",
           "den Vorschlag der Kommission", "die Gespräche über höhere Löhne", "die Übernahme des Wettbewerbers",
           "die Maßnahmen gegen steigende Preise", "die Äußerungen des Ministers"]
TAILS = ["wie am Montag mitgeteilt wurde.", "sagte ein Sprecher.", "hieß es aus Kreisen.", "teilte das Ministerium mit.",
         "berichteten Händler am Nachmittag.", "für Überraschung sorgte das nicht."]
NOTES = ["(neu: Details)", "(neu: Reaktionen)", "(Aktualisierung)", "(Berichtigung: Name korrigiert)", "(Wiederholung)"]


def sentence(rng):
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, {rng.choice(TAILS)}"


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def damage(text):
    """The sample's damage: UTF-8 read as ISO-8859-16, bytes 0x80-0x9F lost."""
    raw = text.encode("utf-8")
    kept = bytes(b for b in raw if not 0x80 <= b <= 0x9F)
    return kept.decode("iso8859_16", errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = dt.datetime(2024, 1, 2, 6, 0, 0)
    written = 0
    story = 0
    while written < args.n:
        story += 1
        when = start + dt.timedelta(minutes=7 * story + rng.randint(0, 5))
        place = rng.choice(PLACES)
        headline = f"{rng.choice(SUBJECTS).split()[-1]}: {rng.choice(OBJECTS).capitalize()} ({story})"
        paragraphs = [paragraph(rng) for _ in range(rng.randint(4, 9))]
        for version in range(min(rng.choice([1, 1, 1, 2, 2, 3, 4]), args.n - written)):
            note = "" if version == 0 else rng.choice(NOTES)
            if version:
                when += dt.timedelta(minutes=rng.randint(10, 300))
                paragraphs.insert(rng.randint(1, len(paragraphs)), paragraph(rng))
            lines = [headline, when.strftime("%d.%m.%Y - %H:%M:%S") + note, f"{place} (dpa-AFX) - {paragraphs[0]}"]
            lines += paragraphs[1:] + ["/abc/def"]
            text = "\n".join(lines) + "\n"
            if rng.random() < 0.1:
                text = damage(text)
            folder = os.path.join(args.out, when.strftime("%Y/%m"))
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{written:06d}_{story:06d}_{version}.txt"), "w", encoding="utf-8") as f:
                f.write(text)
            written += 1


if __name__ == "__main__":
    main()
