#!/usr/bin/env python3
"""Full and incremental build benchmark: depesche against Hugo, Zola and `cp -r`.

    cargo build --release
    python3 bench/build_bench.py [--sizes 10000 50000] [--runs 1] [--out FILE]
                                 [--depesche PATH] [--hugo PATH] [--zola PATH]
                                 [--work DIR] [--skip hugo|zola|depesche|cp]

For every size (number of article files) it generates, once, the same corpus
in three shapes with ../shared/bench/gen_corpus.py (plain-text wire files for
depesche, a Hugo site, a Zola site; cached per size under --work). Then, per
run, it builds it with each tool in turn, alternating (the order rotates from
run to run):

  depesche  depesche build --input TXT --output OUT [--clean]
  hugo      hugo --quiet -s SITE -d OUT
  zola      zola -r SITE build -o OUT --force
  cp -r     cp -r of depesche's output (the floor: writing the same bytes)

and measures wall time (monotonic clock around the process), peak resident
memory (`/usr/bin/time -f %M`, GNU time), and the files and bytes in the
output folder. Afterwards, on depesche's last output, it times a rebuild with
nothing changed and a rebuild after one new article (a new story: a later
timestamp than every other file and its own headline), each --runs times
(the median is reported; between two runs with the new article, the
archive is rebuilt without it, untimed), then builds the same input cleanly
into another folder and checks that both trees are byte for byte identical.

It prints a Markdown table of the figures and one of the goals (pass/fail)
and writes both to --out FILE if given. It exits non-zero only when a tool
fails (depesche's exit code 1, "some files were rejected", is not a failure),
never because a goal was missed.

Needs Python 3 (stdlib only), GNU time (`apt-get install time`), and the tools.
The output goes to --work, by default /dev/shm/depesche-bench (tmpfs), so that
the disk does not enter the figures; the corpus of 150,000 articles in all
three shapes and the outputs take a few GiB there.
"""

import argparse
import datetime
import filecmp
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
GNU_TIME = "/usr/bin/time"
TOOLS = ["depesche", "hugo", "zola", "cp"]
MIB = 1024 * 1024

# The goals the report measures depesche against.
GOAL_SPEED = 2.0  # full build at least 2x faster than the faster of Hugo and Zola
GOAL_MEMORY = 4.0  # at most 1/4 of the peak memory of the lighter of the two
GOAL_CP = 1.5  # within 1.5x of `cp -r` of its own output
GOAL_PEAK_150K = 1024  # MiB, at 150,000 articles
GOAL_INCR_S = 0.5  # one article added to a built 50,000 archive


class ToolFailed(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def tree_size(path):
    """(files, bytes) under path."""
    files = size = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            files += 1
            size += os.lstat(os.path.join(root, name)).st_size
    return files, size


def changed_since(path, since_ns):
    """(files, bytes) under path whose modification time is at or after since_ns."""
    files = size = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(root, name))
            if st.st_mtime_ns >= since_ns:
                files += 1
                size += st.st_size
    return files, size


def measure(name, cmd, cwd, ok_codes=(0,)):
    """Run cmd under GNU time; return (wall seconds, peak RSS in KiB, output)."""
    tfile = Path(cwd) / ".time.out"
    full = [GNU_TIME, "-f", "%M", "-o", str(tfile)] + [str(c) for c in cmd]
    start = time.monotonic()
    proc = subprocess.run(full, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wall = time.monotonic() - start
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode not in ok_codes:
        raise ToolFailed(f"{name} exited with {proc.returncode}: {' '.join(map(str, cmd))}\n{out[-3000:]}")
    lines = tfile.read_text().split()
    tfile.unlink()
    rss_kib = int(lines[-1])
    return wall, rss_kib, out


def rm(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def generate(work, fmt, n):
    """The corpus of n articles in format fmt, generated once and cached."""
    dest = work / "corpus" / f"{fmt}-{n}"
    done = marker_of(dest)
    if done.exists():
        return dest
    rm(dest)
    log(f"generating {n} articles as {fmt} ...")
    t = time.monotonic()
    subprocess.run([sys.executable, str(GEN), "--n", str(n), "--out", str(dest), "--format", fmt], check=True)
    done.write_text("")
    log(f"  done in {time.monotonic() - t:.1f} s")
    return dest


def marker_of(corpus):
    """The file that says a corpus is complete (beside it: depesche would count it as input)."""
    return corpus.with_name(corpus.name + ".complete")


def remove_marker(path):
    marker = marker_of(path)
    if marker.exists():
        marker.unlink()
    return marker


TS = re.compile(rb"^(\d\d)\.(\d\d)\.(\d{4}) - (\d\d):(\d\d):(\d\d)")


def median_run(runs):
    """The run of median wall time (its memory and files with it)."""
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


def add_article(txt):
    """Write one new story into the txt corpus; return its path."""
    latest = None
    template = None
    for entry in sorted(os.scandir(txt), key=lambda e: e.name):
        if not entry.name.endswith(".txt"):
            continue
        with open(entry.path, "rb") as f:
            head = f.read(512)
        lines = head.split(b"\n")
        if len(lines) < 2:
            continue
        m = TS.match(lines[1].lstrip(b"\xef\xbb\xbf"))
        if not m:
            continue
        d, mo, y, h, mi, s = (int(x) for x in m.groups())
        when = datetime.datetime(y, mo, d, h, mi, s)
        if latest is None or when > latest:
            latest = when
        if template is None and b"(neu:" not in lines[1]:
            template = entry.path
    if template is None or latest is None:
        raise ToolFailed(f"no article with a timestamp found in {txt}")
    when = latest + datetime.timedelta(minutes=7)
    data = Path(template).read_bytes()
    body = data.split(b"\n", 2)[2]
    headline = "Benchmark-Meldung: Neue Geschichte zum Nachbauen des Archivs"
    new = headline.encode() + b"\n" + when.strftime("%d.%m.%Y - %H:%M:%S").encode() + b"\n" + body
    path = Path(txt) / "zz_bench_new_article.txt"
    path.write_bytes(new)
    return path


def diff_trees(a, b):
    """Relative paths that differ between two trees (missing on one side or other bytes)."""
    diffs = []

    def walk(rel):
        cmp = filecmp.dircmp(a / rel, b / rel)
        for name in cmp.left_only + cmp.right_only + cmp.common_funny + cmp.funny_files:
            diffs.append(str(rel / name))
        _match, mismatch, errors = filecmp.cmpfiles(a / rel, b / rel, cmp.common_files, shallow=False)
        diffs.extend(str(rel / name) for name in mismatch + errors)
        for sub in cmp.common_dirs:
            walk(rel / sub)

    walk(Path("."))
    return sorted(diffs)


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        return out.stdout.decode("utf-8", "replace").strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def machine():
    cpu = platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / MIB:.0f} GiB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}"


def fmt_s(s):
    return "–" if s is None else (f"{s:.3f}" if s < 10 else f"{s:.1f}")


def fmt_mib(kib):
    return "–" if kib is None else f"{kib / 1024:.0f}"


def ratio(a, b):
    return "–" if not a or not b else f"{a / b:.2f}x"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000], help="article counts (also 150000)")
    ap.add_argument("--runs", type=int, default=1, help="runs per tool, alternating; the median is reported")
    ap.add_argument("--depesche", default="target/release/depesche")
    ap.add_argument("--config", help="depesche's configuration file for every depesche build (e.g. "
                    "bench/search.toml, to add the search index, which Hugo and Zola do not build)")
    ap.add_argument("--hugo", default=os.environ.get("HUGO") or "hugo")
    ap.add_argument("--zola", default=os.environ.get("ZOLA") or "zola")
    ap.add_argument("--work", default="/dev/shm/depesche-bench")
    ap.add_argument("--skip", action="append", default=[], choices=TOOLS, help="leave a tool out (repeatable)")
    ap.add_argument("--out", help="also write the tables to this file")
    o = ap.parse_args()

    if not Path(GNU_TIME).exists():
        sys.exit(f"{GNU_TIME} (GNU time) is missing: apt-get install time")
    if not GEN.exists():
        sys.exit(f"corpus generator not found: {GEN}")
    tools = [t for t in TOOLS if t not in o.skip]
    if "depesche" not in tools and "cp" in tools:
        tools.remove("cp")  # cp -r copies depesche's output

    exe = {}
    config = ["--config", str(Path(o.config).resolve())] if o.config else []
    if "depesche" in tools:
        p = Path(o.depesche)
        if not p.is_absolute() and not p.exists():
            p = REPO / p
        if not p.exists():
            sys.exit(f"depesche binary not found: {o.depesche} (cargo build --release)")
        exe["depesche"] = str(p.resolve())
    for t in ("hugo", "zola"):
        if t in tools:
            found = shutil.which(getattr(o, t))
            if not found:
                sys.exit(f"{t} not found: {getattr(o, t)} (pass --{t} PATH or --skip {t})")
            exe[t] = found

    clean = []
    if "depesche" in tools:
        help_text = subprocess.run([exe["depesche"], "build", "--help"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
        if "--clean" in help_text:
            clean = ["--clean"]

    work = Path(o.work)
    work.mkdir(parents=True, exist_ok=True)
    outs = work / "out"
    outs.mkdir(exist_ok=True)

    versions = {
        "depesche": tool_version([exe["depesche"], "--version"]) if "depesche" in exe else None,
        "hugo": tool_version([exe["hugo"], "version"]) if "hugo" in exe else None,
        "zola": tool_version([exe["zola"], "--version"]) if "zola" in exe else None,
    }
    header = [
        f"Date: {datetime.date.today().isoformat()}; machine: {machine()}; output on {work}",
        "Tools: " + "; ".join(f"{k}: {v}" for k, v in versions.items() if v)
        + (f"; depesche build {' '.join(clean)}" if clean else "; depesche build (no --clean flag yet)"),
        f"Runs per tool: {o.runs} (alternating; median reported)",
    ]
    for line in header:
        log(line)

    results = {}  # (size, tool) -> dict
    goals = []  # (goal, size, measured, target, pass)
    failed = None
    try:
        for n in o.sizes:
            src = {}
            if "depesche" in tools:
                src["depesche"] = generate(work, "txt", n)
            for t in ("hugo", "zola"):
                if t in tools:
                    src[t] = generate(work, t, n)
            samples = {t: [] for t in tools}
            for run in range(o.runs):
                order = tools[run % len(tools):] + tools[:run % len(tools)]
                if "cp" in order and "depesche" in order and order.index("cp") < order.index("depesche"):
                    order.remove("cp")
                    order.insert(order.index("depesche") + 1, "cp")
                for t in order:
                    dest = outs / t
                    rm(dest)
                    if t == "depesche":
                        cmd = [exe[t], "build", "--input", src[t], "--output", dest] + config + clean
                        ok = (0, 1)
                    elif t == "hugo":
                        cmd = [exe[t], "--quiet", "-s", src[t], "-d", dest]
                        ok = (0,)
                    elif t == "zola":
                        cmd = [exe[t], "-r", src[t], "build", "-o", dest, "--force"]
                        ok = (0,)
                    else:
                        cmd = ["cp", "-r", outs / "depesche", dest]
                        ok = (0,)
                    log(f"[{n}] run {run + 1}/{o.runs}: {t} ...")
                    wall, rss, out = measure(t, cmd, work, ok)
                    files, size = tree_size(dest)
                    samples[t].append((wall, rss, files, size))
                    summary = out.strip().splitlines()[-1] if t == "depesche" and out.strip() else ""
                    log(f"  {wall:.3f} s, {rss / 1024:.0f} MiB, {files} files, {size / MIB:.1f} MiB"
                        + (f"  [{summary}]" if summary else ""))
            for t in tools:
                s = samples[t]
                results[(n, t)] = {
                    "wall": statistics.median(x[0] for x in s),
                    "rss": statistics.median(x[1] for x in s),
                    "files": s[-1][2],
                    "bytes": s[-1][3],
                }
            for t in ("hugo", "zola", "cp"):
                if t in tools:
                    rm(outs / t)

            if "depesche" in tools:
                txt, dest = src["depesche"], outs / "depesche"
                base = [exe["depesche"], "build", "--input", txt, "--output", dest] + config
                # Each rebuild is timed --runs times and the median kept, as
                # the full builds are: a single run of under a second is at
                # the mercy of the machine's noise.
                def timed_rebuild(what, run):
                    log(f"[{n}] depesche rebuild, {what} ({run + 1}/{o.runs}) ...")
                    since = time.time_ns()
                    wall, rss, _ = measure("depesche", base, work, (0, 1))
                    files, size = changed_since(dest, since)
                    log(f"  {wall:.3f} s, {rss / 1024:.0f} MiB, {files} files rewritten")
                    return {"wall": wall, "rss": rss, "files": files, "bytes": size}

                noops = [timed_rebuild("nothing changed", run) for run in range(o.runs)]
                results[(n, "noop")] = median_run(noops)

                marker = remove_marker(txt)  # the corpus is changed until the file is gone again
                new = None
                try:
                    incrs = []
                    for run in range(o.runs):
                        if run > 0:
                            # Back to the archive without it, not timed.
                            new.unlink()
                            measure("depesche", base, work, (0, 1))
                        new = add_article(txt)
                        incrs.append(timed_rebuild("after one new article", run))
                    after = tree_size(dest)
                    ref = outs / "depesche-clean"
                    rm(ref)
                    log(f"[{n}] clean build of the same input to compare ...")
                    measure("depesche", [exe["depesche"], "build", "--input", txt, "--output", ref] + config + clean,
                            work, (0, 1))
                    diffs = diff_trees(dest, ref)
                    if diffs:
                        log(f"  {len(diffs)} paths differ, e.g. " + ", ".join(diffs[:5]))
                    else:
                        log("  identical")
                    results[(n, "incr")] = dict(median_run(incrs), total=after, diffs=diffs)
                    rm(ref)
                finally:
                    if new is not None and new.exists():
                        new.unlink()
                    marker.write_text("")
                rm(dest)

            # goals
            d = results.get((n, "depesche"))
            others = [results[(n, t)] for t in ("hugo", "zola") if (n, t) in results]
            if d and others:
                fastest = min(x["wall"] for x in others)
                lightest = min(x["rss"] for x in others)
                goals.append((f"full build ≥{GOAL_SPEED:g}x faster than the faster of Hugo/Zola (its time ÷ depesche's)", n,
                              f"{fastest / d['wall']:.2f}x", f"≥ {GOAL_SPEED:g}x", fastest >= GOAL_SPEED * d["wall"]))
                goals.append((f"peak memory ≤ 1/{GOAL_MEMORY:g} of the lighter of Hugo/Zola (depesche ÷ lighter)", n,
                              f"{d['rss'] / lightest:.2f}x", f"≤ {1 / GOAL_MEMORY:.2f}x", lightest >= GOAL_MEMORY * d["rss"]))
            c = results.get((n, "cp"))
            if d and c:
                goals.append((f"full build within {GOAL_CP:g}x of cp -r of its output (depesche ÷ cp -r)", n,
                              f"{d['wall'] / c['wall']:.2f}x", f"≤ {GOAL_CP:g}x", d["wall"] <= GOAL_CP * c["wall"]))
            if d and n >= 150000:
                goals.append(("peak memory within 1 GiB", n, f"{d['rss'] / 1024:.0f} MiB",
                              f"≤ {GOAL_PEAK_150K} MiB", d["rss"] <= GOAL_PEAK_150K * 1024))
            i = results.get((n, "incr"))
            if i:
                goals.append(("rebuild after one new article identical to a clean build", n,
                              "yes" if not i["diffs"] else f"no ({len(i['diffs'])} paths differ)", "yes",
                              not i["diffs"]))
                if n == 50000:
                    goals.append((f"one new article rebuilt in < {GOAL_INCR_S:g} s", n, f"{i['wall']:.3f} s",
                                  f"< {GOAL_INCR_S:g} s", i["wall"] < GOAL_INCR_S))
    except ToolFailed as e:
        failed = str(e)
        log(f"FAILED: {failed}")

    # tables
    rows = ["| tool | articles | wall s | peak MiB | files | MiB written | time ÷ depesche full build | memory ÷ depesche full build |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    names = {"depesche": "depesche", "hugo": "Hugo", "zola": "Zola", "cp": "`cp -r` of depesche's output",
             "noop": "depesche rebuild, nothing changed", "incr": "depesche rebuild, +1 article"}
    for n in o.sizes:
        d = results.get((n, "depesche"))
        for t in tools + ["noop", "incr"]:
            r = results.get((n, t))
            if not r:
                continue
            written = f"{r['bytes'] / MIB:.1f}"
            files = f"{r['files']}"
            if t in ("noop", "incr"):
                files += " rewritten"
            rel_t = ratio(r["wall"], d["wall"]) if d and t not in ("depesche",) else "–"
            rel_m = ratio(r["rss"], d["rss"]) if d and t not in ("depesche",) else "–"
            rows.append(f"| {names[t]} | {n} | {fmt_s(r['wall'])} | {fmt_mib(r['rss'])} | {files} | {written} "
                        f"| {rel_t} | {rel_m} |")
    grows = ["| goal | articles | measured | target | result |", "|---|---:|---:|---:|---|"]
    for goal, n, measured, target, ok in goals:
        grows.append(f"| {goal} | {n} | {measured} | {target} | {'pass' if ok else 'FAIL'} |")
    text = "\n".join([line + "  " for line in header] + ["", *rows, "", *grows]) + "\n"
    if failed:
        text += f"\nA tool failed, the figures are incomplete:\n\n```\n{failed}\n```\n"
    print(text)
    if o.out:
        Path(o.out).write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
