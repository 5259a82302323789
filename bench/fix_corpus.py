#!/usr/bin/env python3
"""Generate the input of bench/fix_speed.sh: N wire articles of about 30 KB.

    python3 bench/fix_corpus.py --n 2000 --out DIR

writes DIR/clean/NNNN.txt (UTF-8, no damage) and DIR/sample/NNNN.txt (the
same text damaged like the real sample, by tests/repair_corpus/make_corpus.py:
UTF-8 read as ISO-8859-16 with the bytes 0x80-0x9F lost, `ö` left intact).
Each article is a headline, a timestamp and a dateline followed by
paragraphs drawn (seeded, so the output is byte-identical on every run) from
the German wire text of tests/repair_corpus/clean/.
"""

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "repair_corpus"))
from make_corpus import sample_like  # noqa: E402

TARGET = 30_000


def paragraphs():
    out = []
    for path in sorted((ROOT / "tests" / "repair_corpus" / "clean").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        # Skip headline and timestamp; keep paragraphs of some length.
        out.extend(line for line in lines[2:] if len(line) > 80)
    return out


def article(r: random.Random, pool, n: int) -> str:
    head = r.choice(pool).split(". ")[0][:90].rstrip(".,;: ")
    lines = [head, f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.2024 - {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{n % 60:02d}"]
    first = r.choice(pool)
    lines.append(first if "(dpa-AFX)" in first else "FRANKFURT (dpa-AFX) - " + first)
    size = sum(len(line.encode()) + 1 for line in lines)
    while size < TARGET:
        p = r.choice(pool)
        lines.append(p)
        size += len(p.encode()) + 1
    lines.append("/mrd/DP/tos")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    pool = paragraphs()
    r = random.Random(20261128)
    for kind in ("clean", "sample"):
        (args.out / kind).mkdir(parents=True, exist_ok=True)
    for n in range(args.n):
        text = article(r, pool, n)
        (args.out / "clean" / f"{n:04d}.txt").write_text(text, encoding="utf-8")
        (args.out / "sample" / f"{n:04d}.txt").write_text(sample_like(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
