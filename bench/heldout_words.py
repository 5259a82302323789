#!/usr/bin/env python3
"""Repair measured on words depesche was never tuned on.

    apt-get install wngerman            # /usr/share/dict/ngerman (GPL-2+, read, never shipped)
    cargo build --release
    python3 bench/heldout_words.py [--per-class 1000] [--dict /usr/share/dict/ngerman]

Words are drawn (seeded) from a public German word list that is not a source
of the built-in lists, leaving out every word the built-in lists
(src/repair/lexicon-de.txt, lexicon-names-de.txt) or the repair corpus
(tests/repair_corpus/clean/) hold, in four classes:

  cap-umlaut   starts with a capital umlaut (`Überweisungsauftrag`, `Ödland`)
  caps         all capitals as in datelines and abbreviations (`TÜV`, `GÖPPINGEN`, `GROßHÄNDLER`)
  sharp-s      a capitalised word with `ß` (`Großhändler`, `Außenposten`)
  umlaut       lower-case words with `ä ö ü` (`überfällig`, `ökologisch`)

Each word stands in a sentence of wire text (one paragraph per sentence,
some in quotation marks, some beside a dash), 10 sentences an article, 60
articles a class. The articles are damaged as tests/repair_corpus/make_corpus.py
does, every kind written to its own folder, and repaired by
`target/release/depesche fix FILES` (learning from those files, as the
build learns from its folder). Printed per kind and class: words repaired
exactly, and the character error rate (Levenshtein distance / length) of the
test words and of the whole text.
"""

import argparse
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "repair_corpus"))
from make_corpus import TEXT_KINDS  # noqa: E402

try:
    from rapidfuzz.distance import Levenshtein

    def distance(a: str, b: str) -> int:
        return Levenshtein.distance(a, b)

except ImportError:

    def distance(a: str, b: str) -> int:
        # Trim common ends, then the classic two-row table.
        p = 0
        while p < min(len(a), len(b)) and a[p] == b[p]:
            p += 1
        a, b = a[p:], b[p:]
        s = 0
        while s < min(len(a), len(b)) and a[-1 - s] == b[-1 - s]:
            s += 1
        a, b = a[: len(a) - s], b[: len(b) - s]
        row = list(range(len(b) + 1))
        for i, x in enumerate(a):
            diag, row[0] = row[0], i + 1
            for j, y in enumerate(b):
                diag, row[j + 1] = row[j + 1], min(row[j + 1] + 1, row[j] + 1, diag + (x != y))
        return row[len(b)]

KINDS = ["iso16-lossy", "sample", "latin1-lossy", "latin15-lossy", "cp1252", "latin1"]

NOUN = [
    "Nach Angaben des Unternehmens spielte {w} bei den Gesprächen am Dienstag eine zentrale Rolle.",
    "Die Bundesregierung will das Thema {w} noch in diesem Jahr im Kabinett beraten.",
    "„{w}“, sagte ein Sprecher der Gewerkschaft in Berlin, „ist für uns kein Randthema.“",
    "Der Verband nannte {w} – neben höheren Kosten – als Grund für die Prognose.",
    "Im Streit um {w} zeichnet sich nach Einschätzung von Beobachtern keine Einigung ab.",
]
LOWER = [
    "Analysten nannten die Entwicklung am Mittwoch {w}, wie aus einer Mitteilung hervorging.",
    "Der Begriff „{w}“ fiel in der Debatte mehrfach – auch im Ausschuss.",
    "Die Zahlen seien {w}, hieß es am Abend aus Kreisen der Koalition.",
    "Ein Händler sprach von einem „{w}“ Umfeld für die Märkte.",
]
CAPS = [
    "{w} (dpa-AFX) - Die Behörden haben am Montag neue Zahlen zur Lage vorgelegt.",
    "Nach Angaben der {w} stieg die Zahl der Fälle im dritten Quartal um 4,5 Prozent.",
    "Auf Plakaten stand „{w}“ – in großen Buchstaben.",
]


def known_words():
    """Lower-cased words of the built-in lists and of the repair corpus,
    which repair was tuned on."""
    words = set()
    for name in ("lexicon-de.txt", "lexicon-names-de.txt"):
        for line in (ROOT / "src" / "repair" / name).read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                words.add(line.lower())
    for path in (ROOT / "tests" / "repair_corpus" / "clean").glob("*.txt"):
        words.update(w.lower() for w in re.split(r"[^\w]+", path.read_text(encoding="utf-8")) if w)
    return words


def classes(path: Path, known, per_class: int, rng: random.Random):
    raw = [unicodedata.normalize("NFC", w) for w in path.read_text(encoding="utf-8").split()]
    words = sorted({w for w in raw if w.isalpha() and 3 <= len(w) <= 30 and w.lower() not in known})
    cap_umlaut = [w for w in words if w[0] in "ÄÖÜ" and w[1:].islower()]
    sharp = [w for w in words if w[0].isupper() and w[1:].islower() and "ß" in w]
    umlaut = [w for w in words if w.islower() and any(c in w for c in "äöü")]
    abbrev = [w for w in words if w.isupper() and not w.isascii()]
    # Datelines and abbreviations are written in capitals, `ß` kept (`GIEßEN`).
    capitalised = [w for w in words if w[0].isupper() and w[1:].islower() and any(c in w for c in "äöüßÄÖÜ")]
    pick = lambda xs, n: rng.sample(xs, min(n, len(xs)))  # noqa: E731
    caps = abbrev + [w.upper().replace("SS", "ß") if "ß" in w else w.upper() for w in pick(capitalised, per_class)]
    return {
        "cap-umlaut": pick(cap_umlaut, per_class),
        "caps": caps[:per_class],
        "sharp-s": pick(sharp, per_class),
        "umlaut": pick(umlaut, per_class),
    }


def sentences(cls: str, words, rng: random.Random):
    templates = {"umlaut": LOWER, "caps": CAPS}.get(cls, NOUN)
    return [(w, rng.choice(templates).format(w=w)) for w in words]


def articles(items, start: int):
    """Articles of 10 sentences; yields (name, text, [(line index, word)])."""
    for n in range(0, len(items), 10):
        chunk = items[n : n + 10]
        lines = [f"Testmeldung {start + n // 10:04d}: Wirtschaft im Überblick", "28.10.2024 - 14:57:43"]
        lines.append("FRANKFURT (dpa-AFX) - Die Märkte blieben am Montag ruhig, die Händler warteten ab.")
        marks = []
        for word, sentence in chunk:
            marks.append((len(lines), word))
            lines.append(sentence)
        yield f"{start + n // 10:04d}.txt", "\n".join(lines) + "\n", marks


def strip(token: str) -> str:
    return token.strip("„“‚‘\"'.,:;!?()–-")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dict", type=Path, default=Path("/usr/share/dict/ngerman"))
    ap.add_argument("--per-class", type=int, default=1000)
    ap.add_argument("--depesche", default=str(ROOT / "target" / "release" / "depesche"))
    ap.add_argument("--show", type=int, default=0, help="print up to N wrong words per kind and class")
    args = ap.parse_args()
    if not args.dict.exists():
        print(f"{args.dict} missing: apt-get install wngerman", file=sys.stderr)
        return 2
    rng = random.Random(20261128)
    known = known_words()
    picked = classes(args.dict, known, args.per_class, rng)
    docs = []  # (class, name, clean text, marks)
    for i, (cls, words) in enumerate(picked.items()):
        for name, text, marks in articles(sentences(cls, words, rng), i * 1000):
            docs.append((cls, name, text, marks))
    print(f"{sum(len(w) for w in picked.values())} words from {args.dict} not in the built-in lists "
          f"({', '.join(f'{c} {len(w)}' for c, w in picked.items())}), {len(docs)} articles\n")
    print("| kind | class | words exact | word CER | text CER |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            folder = Path(tmp) / kind
            folder.mkdir()
            paths = []
            for _, name, text, _ in docs:
                (folder / name).write_bytes(TEXT_KINDS[kind](text).encode("utf-8"))
                paths.append(str(folder / name))
            out = subprocess.run([args.depesche, "fix"] + paths, capture_output=True, check=True).stdout.decode()
            # Split the output at the headlines, which repair restores.
            parts = out.split("Testmeldung ")[1:]
            repaired = {p[:4] + ".txt": "Testmeldung " + p for p in parts}
            stats = {}
            for cls, name, text, marks in docs:
                s = stats.setdefault(cls, {"words": 0, "exact": 0, "werr": 0, "wchars": 0, "terr": 0, "tchars": 0, "wrong": []})
                got = repaired.get(name, "")
                s["terr"] += distance(got, text)
                s["tchars"] += len(text)
                got_lines = got.split("\n")
                clean_lines = text.split("\n")
                for line, word in marks:
                    want_tokens = clean_lines[line].split(" ")
                    idx = next(i for i, t in enumerate(want_tokens) if strip(t) == word)
                    got_tokens = got_lines[line].split(" ") if line < len(got_lines) else []
                    got_word = strip(got_tokens[idx]) if idx < len(got_tokens) else ""
                    s["words"] += 1
                    s["exact"] += got_word == word
                    s["werr"] += distance(got_word, word)
                    s["wchars"] += len(word)
                    if got_word != word:
                        s["wrong"].append(f"{word}→{got_word}")
            for cls, s in stats.items():
                print(f"| {kind} | {cls} | {s['exact']}/{s['words']} ({100 * s['exact'] / s['words']:.1f} %) | "
                      f"{s['werr'] / s['wchars']:.4f} | {s['terr'] / s['tchars']:.5f} |")
                if args.show and s["wrong"]:
                    print(f"<!-- {kind} {cls}: {' '.join(s['wrong'][: args.show])} -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
