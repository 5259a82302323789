#!/usr/bin/env python3
"""Generate the damaged variants of the repair corpus from clean/*.txt.

Every clean article is damaged each way that wire files were seen or are
expected to arrive in; the clean file is the expected repair result.

    python3 tests/repair_corpus/make_corpus.py

writes tests/repair_corpus/damaged/<kind>/<name>.txt (deterministic).

Kinds (text files are written as UTF-8 unless said otherwise):
  iso16-lossy    the sample's damage: UTF-8 bytes with 0x80-0x9F lost, read
                 as ISO-8859-16 (`Ă€` for ä, lone `Ă` for Ü/Ä/Ö/ß, lone `â`)
  sample         as iso16-lossy, but `ö` left intact, as in the real sample
  cp1252         classic double encoding: UTF-8 read as Windows-1252 (`Ã¤`)
  latin1         UTF-8 read as ISO-8859-1, C1 bytes kept as U+0080-U+009F
  latin1-lossy   the same with the C1 bytes lost
  latin15        UTF-8 read as ISO-8859-15, C1 bytes kept
  latin15-lossy  the same with the C1 bytes lost
  mixed          per paragraph: intact, cp1252, iso16-lossy or latin1
  enc-cp1252     no mojibake: the file's bytes are Windows-1252 (skipped
                 where the text holds characters it cannot encode)
  enc-utf16le    UTF-16LE with BOM and CRLF line ends
  enc-utf16be    UTF-16BE with BOM
  enc-utf8bom    UTF-8 with BOM and CRLF line ends
"""

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
C1 = range(0x80, 0xA0)


def cp1252(data: bytes) -> str:
    # Python refuses the five bytes Windows-1252 leaves undefined; decoders
    # (encoding_rs, browsers) map them to the C1 control of the same value.
    return "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
        for b in data
    )


def drop_c1(data: bytes) -> bytes:
    return bytes(b for b in data if b not in C1)


def iso16_lossy(text: str) -> str:
    return drop_c1(text.encode("utf-8")).decode("iso8859_16")


def sample_like(text: str) -> str:
    # Damage word by word so `ö` can stay intact, as it does in the sample.
    return "ö".join(iso16_lossy(part) for part in text.split("ö"))


def mixed(text: str, rng: random.Random) -> str:
    ways = [
        lambda t: t,
        lambda t: cp1252(t.encode("utf-8")),
        iso16_lossy,
        lambda t: t.encode("utf-8").decode("latin-1"),
    ]
    lines = text.split("\n")
    # The first three lines stay of one kind so every file has intact text
    # and damage; the rest is drawn per paragraph.
    picks = [0, 1, 2] + [rng.randrange(len(ways)) for _ in lines[3:]]
    return "\n".join(ways[p](line) for p, line in zip(picks, lines))


TEXT_KINDS = {
    "iso16-lossy": iso16_lossy,
    "sample": sample_like,
    "cp1252": lambda t: cp1252(t.encode("utf-8")),
    "latin1": lambda t: t.encode("utf-8").decode("latin-1"),
    "latin1-lossy": lambda t: drop_c1(t.encode("utf-8")).decode("latin-1"),
    "latin15": lambda t: t.encode("utf-8").decode("iso8859_15"),
    "latin15-lossy": lambda t: drop_c1(t.encode("utf-8")).decode("iso8859_15"),
}


def byte_kinds(text: str):
    crlf = text.replace("\n", "\r\n")
    try:
        yield "enc-cp1252", text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    yield "enc-utf16le", b"\xff\xfe" + crlf.encode("utf-16-le")
    yield "enc-utf16be", b"\xfe\xff" + text.encode("utf-16-be")
    yield "enc-utf8bom", b"\xef\xbb\xbf" + crlf.encode("utf-8")


def main() -> int:
    clean = sorted((ROOT / "clean").glob("*.txt"))
    if not clean:
        print("no clean files", file=sys.stderr)
        return 1
    out = ROOT / "damaged"
    for path in clean:
        text = path.read_text(encoding="utf-8")
        variants = {kind: f(text).encode("utf-8") for kind, f in TEXT_KINDS.items()}
        variants["mixed"] = mixed(text, random.Random(path.name)).encode("utf-8")
        variants.update(byte_kinds(text))
        for kind, data in variants.items():
            target = out / kind / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    print(f"{len(clean)} clean files, damaged into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
