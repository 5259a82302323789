#!/usr/bin/env python3
"""Search benchmark: index build time and memory, and the bytes a first query fetches.

    cargo build --release
    (cd tests/external && npm ci)       # playwright-core, for the query in Chromium
    python3 bench/search_bench.py [--corpus DIR ...] [--depesche PATH] [--work DIR]
                                  [--query WORD ...] [--out FILE]

For every corpus folder (plain-text wire files, e.g. from
../shared/bench/gen_corpus.py --n N --out DIR; the default is the prepared
/dev/shm/bench/w10k and w50k), it

  1. builds the site cleanly (`depesche build --clean`, DEPESCHE_TIMINGS=1)
     and takes the wall time of the whole build, the time of its
     "search index" stage (every month's Pagefind index, one after the
     other) and the build's peak resident memory (GNU time, %M);
  2. adds one article later than every other (a new story in the newest
     month) and rebuilds: the search stage then indexes that month only;
  3. serves the output on 127.0.0.1 and opens suche/?q=WORD in headless
     Chromium (tests/external/search_check.mjs), once per query in a fresh
     browser context (empty cache), and sums the bytes of every request the
     search made after the page itself: Pagefind's scripts and WebAssembly
     (the same at every archive size), and the index (entry, page lists of
     the searched months, word chunks, the fragments of the results shown):
     bytes transferred (headers included; the server gzips text, as static
     hosts do; Pagefind's index files and WebAssembly are gzip already),
     and the bodies uncompressed.

Prints a Markdown table and writes it to --out FILE if given.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECK = REPO / "tests" / "external" / "search_check.mjs"
GNU_TIME = "/usr/bin/time"
MIB = 1024 * 1024
SCRIPTS = (".js",)


def build(depesche, corpus, output, clean):
    """Wall seconds, search-stage seconds and peak RSS (MiB) of one build."""
    args = [GNU_TIME, "-f", "%M", depesche, "build", "--input", str(corpus), "--output", str(output),
            "--config", str(REPO / "bench" / "search.toml")]
    if clean:
        args.append("--clean")
    env = dict(os.environ, DEPESCHE_TIMINGS="1")
    start = time.monotonic()
    run = subprocess.run(args, capture_output=True, text=True, env=env)
    wall = time.monotonic() - start
    if run.returncode not in (0, 1):
        sys.exit(f"depesche failed ({run.returncode}):\n{run.stderr}")
    search = re.search(r"timing: search index: ([0-9.]+) s", run.stderr)
    peak_kib = int(run.stderr.strip().splitlines()[-1])
    return wall, float(search.group(1)) if search else float("nan"), peak_kib / 1024


def newest_article(corpus):
    """A new article one minute after the newest file of the corpus."""
    newest = None
    for name in os.listdir(corpus):
        with open(corpus / name, encoding="utf-8", errors="replace") as f:
            f.readline()
            stamp = f.readline()[:21]
        try:
            when = time.strptime(stamp, "%d.%m.%Y - %H:%M:%S")
        except ValueError:
            continue
        if newest is None or when > newest:
            newest = when
    later = time.localtime(time.mktime(newest) + 60)
    stamp = time.strftime("%d.%m.%Y - %H:%M:%S", later)
    return (
        f"Benchmark: eine neue Meldung zur Regierung\n{stamp}\n"
        "BERLIN (dpa-AFX) - Die Regierung hat am Abend eine neue Meldung für den Benchmark veröffentlicht.\n"
    )


def query_bytes(site, queries):
    spec = {
        "chromium": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "root": str(site),
        "queries": [{"q": q} for q in queries],
    }
    spec_path = site.parent / "search-spec.json"
    spec_path.write_text(json.dumps(spec))
    run = subprocess.run(["node", str(CHECK), str(spec_path)], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"search_check.mjs failed:\n{run.stdout}\n{run.stderr}")
    report = json.loads(run.stdout)
    rows = []
    for query in report["queries"]:
        after_page = [r for r in query["requests"] if not r["url"].startswith("/suche/?")]
        scripts = [r for r in after_page if r["url"].split("?")[0].endswith(SCRIPTS)]
        wasm = [r for r in after_page if "/wasm." in r["url"]]
        index = [r for r in after_page if r not in scripts and r not in wasm]
        rows.append({
            "q": query["q"],
            "results": len(query["results"]),
            "months": sum(1 for r in after_page if "pagefind-entry.json" in r["url"]),
            "requests": len(after_page),
            "transfer": sum(r["transfer"] for r in after_page),
            "scripts": sum(r["transfer"] for r in scripts),
            "wasm": sum(r["transfer"] for r in wasm),
            "index": sum(r["transfer"] for r in index),
            "bodies": sum(r["bytes"] for r in after_page),
        })
    return rows


def folder_bytes(path):
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="+", type=Path,
                        default=[Path("/dev/shm/bench/w10k"), Path("/dev/shm/bench/w50k")])
    parser.add_argument("--depesche", default=str(REPO / "target" / "release" / "depesche"))
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/depesche-search-bench"))
    parser.add_argument("--query", nargs="+", default=["Regierungen", "Markt"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    lines = [
        "| articles | stories | months | full build | search index | peak memory | index on disk "
        "| rebuild after 1 new article: search index | query | hits | months searched | requests "
        "| first query transfers | scripts | WebAssembly | index data | uncompressed |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for corpus in args.corpus:
        work = args.work / corpus.name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        wire = work / "wire"
        # A copy, so the prepared corpus stays as it is when an article is added.
        shutil.copytree(corpus, wire)
        site = work / "public"
        wall, search, peak = build(args.depesche, wire, site, clean=True)
        shards = sorted((site / "suche" / "index").iterdir())
        stories = sum(
            json.loads((s / "pagefind-entry.json").read_text())["languages"]["de"]["page_count"] for s in shards
        )
        index_mib = folder_bytes(site / "suche") / MIB
        (wire / "zz-benchmark-new.txt").write_text(newest_article(wire), encoding="utf-8")
        _, search_again, _ = build(args.depesche, wire, site, clean=False)
        articles = len(os.listdir(corpus))
        for row in query_bytes(site, args.query):
            kb = lambda n: f"{n / 1000:.0f} kB"
            lines.append(
                f"| {articles:,} | {stories:,} | {len(shards)} | {wall:.1f} s | {search:.1f} s | {peak:.0f} MiB "
                f"| {index_mib:.0f} MiB | {search_again:.2f} s | {row['q']} | {row['results']} | {row['months']} "
                f"| {row['requests']} | {kb(row['transfer'])} | {kb(row['scripts'])} | {kb(row['wasm'])} "
                f"| {kb(row['index'])} | {kb(row['bodies'])} |"
            )
            print(lines[-1], flush=True)
    table = "\n".join(lines)
    print()
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
