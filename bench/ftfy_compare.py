#!/usr/bin/env python3
"""Repair the corpus with depesche and with ftfy, side by side.

    pip install ftfy rapidfuzz        # rapidfuzz only makes it faster
    cargo build --release --example fix
    python3 bench/ftfy_compare.py [--depesche CMD]

For every kind of damage in tests/repair_corpus/damaged/ it prints the files
repaired exactly and the character error rate (Levenshtein distance / length
of the clean text), for all files and for the held-back ones (held_*), which
were not used to tune repair.

depesche runs as `target/release/examples/fix --folder DIR --out OUT FILE...`,
which repairs each file with the lexicon learned from its folder, as the
build does. `--depesche "target/release/depesche fix"` runs the CLI instead
(one file at a time, learning from that file only).

ftfy runs with uncurl_quotes=False (everything else default); byte-level
kinds (enc-*) go through ftfy.guess_bytes first, text kinds are read as UTF-8.
"""

import argparse
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "repair_corpus"

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


def ftfy_fix(path: Path, kind: str) -> str:
    data = path.read_bytes()
    if kind.startswith("enc-"):
        text, _ = ftfy.guess_bytes(data)
    else:
        text = data.decode("utf-8", errors="replace")
    return ftfy.fix_text(text, ftfy.TextFixerConfig(uncurl_quotes=False))


def depesche_fix(files, folder: Path, command) -> dict:
    if command:
        out = {}
        for f in files:
            run = subprocess.run(shlex.split(command) + [str(f)], capture_output=True, check=True)
            out[f.name] = run.stdout.decode("utf-8")
        return out
    binary = ROOT / "target" / "release" / "examples" / "fix"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [str(binary), "--folder", str(folder), "--out", tmp] + [str(f) for f in files], check=True
        )
        return {f.name: (Path(tmp) / f.name).read_text(encoding="utf-8") for f in files}


def score(outputs: dict, names) -> tuple:
    exact = errors = chars = 0
    for name in names:
        clean = (CORPUS / "clean" / name).read_text(encoding="utf-8")
        d = distance(outputs[name], clean)
        exact += d == 0
        errors += d
        chars += len(clean)
    return exact, len(names), errors / max(chars, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depesche", help="command that prints a repaired file, e.g. 'target/release/depesche fix'")
    args = parser.parse_args()
    kinds = sorted(p.name for p in (CORPUS / "damaged").iterdir() if p.is_dir())
    header = f"{'kind':14} {'files':>5} | {'depesche exact':>14} {'CER':>8} | {'ftfy exact':>10} {'CER':>8} | held-out: {'depesche':>13} {'ftfy':>13}"
    print(header)
    print("-" * len(header))
    for kind in kinds:
        folder = CORPUS / "damaged" / kind
        files = sorted(folder.glob("*.txt"))
        names = [f.name for f in files]
        held = [n for n in names if n.startswith("held_")]
        ours = depesche_fix(files, folder, args.depesche)
        theirs = {f.name: ftfy_fix(f, kind) for f in files}
        oe, n, ocer = score(ours, names)
        fe, _, fcer = score(theirs, names)
        hoe, hn, hocer = score(ours, held)
        hfe, _, hfcer = score(theirs, held)
        print(
            f"{kind:14} {n:>5} | {oe:>8}/{n:<5} {ocer:>8.5f} | {fe:>4}/{n:<5} {fcer:>8.5f} |"
            f" {hoe:>2}/{hn} {hocer:.5f}  {hfe:>2}/{hn} {hfcer:.5f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
