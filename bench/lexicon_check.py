#!/usr/bin/env python3
"""Check (or tidy) depesche's built-in word lists.

    python3 bench/lexicon_check.py          # check; exit 1 with the problems
    python3 bench/lexicon_check.py --write  # rewrite both files sorted, unique, NFC

The lists are src/repair/lexicon-de.txt (German word forms) and
src/repair/lexicon-names-de.txt (names: places of datelines, people,
parties and organisations); src/repair/LEXICON.md says where they come from.
Rules, also checked by `cargo test` (tests/repair_lexicon.rs):
  - leading `#` lines are a header; every other line is one entry;
  - entries are letters with single inner hyphens (`Baden-Baden`), in NFC;
  - sorted by (lower-cased entry, entry), by code point, and unique;
  - no entry stands in both files.
"""

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "src" / "repair" / "lexicon-de.txt", ROOT / "src" / "repair" / "lexicon-names-de.txt"]
ENTRY = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def key(entry: str):
    return (entry.lower(), entry)


def read(path: Path):
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = []
    while lines and lines[0].startswith("#"):
        header.append(lines.pop(0))
    return header, lines


def problems():
    out, seen = [], {}
    for path in FILES:
        header, entries = read(path)
        name = path.relative_to(ROOT)
        if not header:
            out.append(f"{name}: no `#` header saying what the list is")
        for n, entry in enumerate(entries, len(header) + 1):
            if not ENTRY.fullmatch(entry):
                out.append(f"{name}:{n}: not letters and inner hyphens: {entry!r}")
            if unicodedata.normalize("NFC", entry) != entry:
                out.append(f"{name}:{n}: not NFC: {entry!r}")
            if entry in seen:
                out.append(f"{name}:{n}: {entry!r} also in {seen[entry]}")
            seen.setdefault(entry, f"{name}:{n}")
        for n, (a, b) in enumerate(zip(entries, entries[1:]), len(header) + 2):
            if key(a) >= key(b):
                out.append(f"{name}:{n}: {b!r} not after {a!r} (unsorted or repeated)")
    return out


def write():
    taken = set()
    for path in FILES:
        header, entries = read(path)
        clean = sorted({unicodedata.normalize("NFC", e.strip()) for e in entries if e.strip()} - taken, key=key)
        taken.update(clean)
        path.write_text("\n".join(header + clean) + "\n", encoding="utf-8")


def main() -> int:
    if "--write" in sys.argv[1:]:
        write()
    found = problems()
    for p in found:
        print(p, file=sys.stderr)
    total = sum(len(read(p)[1]) for p in FILES)
    print(f"{total} entries in {len(FILES)} files: {'ok' if not found else f'{len(found)} problems'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
