#!/usr/bin/env python3
"""Mutation check of the grouping rule (src/stories/group.rs, similarity.rs).

For every rule and constant of the rule, change it on a copy of the
project (remove the rule, or move the constant past the reason its comment
gives), run the grouping tests there, record which tests go red, and print
a table. A mutation no test notices is a gap in the tests (or, where the
table says so, a change that cannot be observed).

    python3 tests/mutation_check.py            # print the table
    python3 tests/mutation_check.py --write    # also write tests/MUTATIONS.md
    python3 tests/mutation_check.py PLACE      # only mutations whose name contains PLACE

The project is copied (tracked and new files, not `target/`) to a temporary
folder; its own target folder starts as a copy of this project's
`target/debug` (without `incremental/`), so dependencies are not compiled
again. The working tree is
never changed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUP = "src/stories/group.rs"
SIMILARITY = "src/stories/similarity.rs"
STORIES = "src/stories/mod.rs"

# (rule or constant, what the mutation does, file, text, replacement)
MUTATIONS = [
    ("CHANGE_REACH_HOURS", "a week -> 0 (keep every decision before the change)", GROUP,
     "pub const CHANGE_REACH_HOURS: f64 = LOOKALIKE_WINDOW_HOURS;", "pub const CHANGE_REACH_HOURS: f64 = 0.0;"),
    ("MAX_CANDIDATES", "16 -> 1 (score only the most sharing story)", GROUP,
     "const MAX_CANDIDATES: usize = 16;", "const MAX_CANDIDATES: usize = 1;"),
    ("MAX_LOOKALIKES", "16 -> 0 (measure no look-alike)", GROUP,
     "const MAX_LOOKALIKES: usize = 16;", "const MAX_LOOKALIKES: usize = 0;"),
    ("INDEXED_FEATURES", "64 -> 1", GROUP,
     "const INDEXED_FEATURES: usize = 64;", "const INDEXED_FEATURES: usize = 1;"),
    ("MAX_REVISION_GAP_HOURS", "14 days -> 12 days", GROUP,
     "const MAX_REVISION_GAP_HOURS: f64 = 14.0 * 24.0;", "const MAX_REVISION_GAP_HOURS: f64 = 12.0 * 24.0;"),
    ("MAX_REVISION_GAP_HOURS", "14 days -> 16 days", GROUP,
     "const MAX_REVISION_GAP_HOURS: f64 = 14.0 * 24.0;", "const MAX_REVISION_GAP_HOURS: f64 = 16.0 * 24.0;"),
    ("CLOSENESS_HALF_HOURS", "24 h -> 4 h (a day later no longer plausible)", GROUP,
     "const CLOSENESS_HALF_HOURS: f64 = 24.0;", "const CLOSENESS_HALF_HOURS: f64 = 4.0;"),
    ("CLOSENESS_HALF_HOURS", "24 h -> 240 h (time hardly counts)", GROUP,
     "const CLOSENESS_HALF_HOURS: f64 = 24.0;", "const CLOSENESS_HALF_HOURS: f64 = 240.0;"),
    ("WEIGHT_TEXT", "0.7 -> 0.5", GROUP,
     "const WEIGHT_TEXT: f64 = 0.7;", "const WEIGHT_TEXT: f64 = 0.5;"),
    ("WEIGHT_HEADLINE", "0.15 -> 0", GROUP,
     "const WEIGHT_HEADLINE: f64 = 0.15;", "const WEIGHT_HEADLINE: f64 = 0.0;"),
    ("WEIGHT_TIME", "0.15 -> 0", GROUP,
     "const WEIGHT_TIME: f64 = 0.15;", "const WEIGHT_TIME: f64 = 0.0;"),
    ("WEIGHT_TIME", "0.15 -> 0.3", GROUP,
     "const WEIGHT_TIME: f64 = 0.15;", "const WEIGHT_TIME: f64 = 0.3;"),
    ("PLACE_PENALTY", "0.25 -> 0", GROUP,
     "const PLACE_PENALTY: f64 = 0.25;", "const PLACE_PENALTY: f64 = 0.0;"),
    ("PLACE_PENALTY", "0.25 -> 0.15 (the former value)", GROUP,
     "const PLACE_PENALTY: f64 = 0.25;", "const PLACE_PENALTY: f64 = 0.15;"),
    ("PLACE_PENALTY", "0.25 -> 0.5 (a moved dateline can no longer join)", GROUP,
     "const PLACE_PENALTY: f64 = 0.25;", "const PLACE_PENALTY: f64 = 0.5;"),
    ("places rule", "a revision adding a place counts as disjoint (any difference)", SIMILARITY,
     "!a.is_empty() && !b.is_empty() && common_count(a, b) == 0", "!a.is_empty() && !b.is_empty() && a != b"),
    ("LABEL_PENALTY", "0.15 -> 0", GROUP,
     "const LABEL_PENALTY: f64 = 0.15;", "const LABEL_PENALTY: f64 = 0.0;"),
    ("LABEL_PENALTY", "0.15 -> 0.5 (a strong text can no longer override)", GROUP,
     "const LABEL_PENALTY: f64 = 0.15;", "const LABEL_PENALTY: f64 = 0.5;"),
    ("MIN_TEXT_EVIDENCE", "0.2 -> 0.1", GROUP,
     "const MIN_TEXT_EVIDENCE: f64 = 0.2;", "const MIN_TEXT_EVIDENCE: f64 = 0.1;"),
    ("MIN_TEXT_EVIDENCE", "0.2 -> 0.45", GROUP,
     "const MIN_TEXT_EVIDENCE: f64 = 0.2;", "const MIN_TEXT_EVIDENCE: f64 = 0.45;"),
    ("MATCH_THRESHOLD", "0.35 -> 0.4 (the former value)", GROUP,
     "const MATCH_THRESHOLD: f64 = 0.35;", "const MATCH_THRESHOLD: f64 = 0.4;"),
    ("MATCH_THRESHOLD", "0.35 -> 0.28 (below bare minimum evidence, 0.29)", GROUP,
     "const MATCH_THRESHOLD: f64 = 0.35;", "const MATCH_THRESHOLD: f64 = 0.28;"),
    ("LOOKALIKE_WINDOW_HOURS", "7 days -> 1 day", GROUP,
     "const LOOKALIKE_WINDOW_HOURS: f64 = 7.0 * 24.0;", "const LOOKALIKE_WINDOW_HOURS: f64 = 24.0;"),
    ("LOOKALIKE_WINDOW_HOURS", "7 days -> 10 days", GROUP,
     "const LOOKALIKE_WINDOW_HOURS: f64 = 7.0 * 24.0;", "const LOOKALIKE_WINDOW_HOURS: f64 = 10.0 * 24.0;"),
    ("LOOKALIKE_CAP", "0.6 -> 1.0 (no cap)", GROUP,
     "const LOOKALIKE_CAP: f64 = 0.6;", "const LOOKALIKE_CAP: f64 = 1.0;"),
    ("LOOKALIKE_CAP", "0.6 -> 0.4 (below the daily reports' template level)", GROUP,
     "const LOOKALIKE_CAP: f64 = 0.6;", "const LOOKALIKE_CAP: f64 = 0.4;"),
    ("look-alike rule", "removed: the text evidence is the raw similarity", GROUP,
     "let lookalike = lookalike.min(LOOKALIKE_CAP);", "let lookalike = 0.0 * lookalike.min(LOOKALIKE_CAP);"),
    ("MAX_POSTINGS", "200 -> 300", GROUP,
     "const MAX_POSTINGS: usize = 200;", "const MAX_POSTINGS: usize = 300;"),
    ("MAX_POSTINGS", "200 -> 1", GROUP,
     "const MAX_POSTINGS: usize = 200;", "const MAX_POSTINGS: usize = 1;"),
    ("only-noted-files-continue rule", "removed: every file may continue a story", GROUP,
     "let continued = if profile.has_note {", "let continued = if true {"),
    ("best candidate", "the weakest candidate above the threshold wins", GROUP,
     "        .max_by(|a, b| {", "        .min_by(|a, b| {"),
    ("tie-break: older story", "reversed: the newer story wins", GROUP,
     ".then_with(|| b.story.cmp(&a.story))", ".then_with(|| a.story.cmp(&b.story))"),
    ("tie-break: closer in time", "reversed: the farther story wins", GROUP,
     ".then_with(|| b.gap_hours.total_cmp(&a.gap_hours))", ".then_with(|| a.gap_hours.total_cmp(&b.gap_hours))"),
    ("own-paragraph rule", "removed", GROUP,
     "let evidence = if shares_own_paragraph(revision, members, profiles) {", "let evidence = if false {"),
    ("own-paragraph rule: no look-alike has it", "clause removed", GROUP,
     "&& !in_lookalike(paragraph)", "&& (in_lookalike(paragraph) || true)"),
    ("PARAGRAPH_MIN_WORDS", "12 -> 8", SIMILARITY,
     "const PARAGRAPH_MIN_WORDS: usize = 12;", "const PARAGRAPH_MIN_WORDS: usize = 8;"),
    ("PARAGRAPH_MIN_WORDS", "12 -> 30", SIMILARITY,
     "const PARAGRAPH_MIN_WORDS: usize = 12;", "const PARAGRAPH_MIN_WORDS: usize = 30;"),
    ("text: most similar version", "only the first version counts", GROUP,
     "let text = members.iter().map(", "let text = members[..1].iter().map("),
    ("series markers dropped from headlines", "no marker dropped", SIMILARITY,
     'const SERIES_MARKERS: &[&str] = &["wdh", "wiederholung", "roundup", "korrektur", "berichtigung", "eilmeldung", "eil"];',
     'const SERIES_MARKERS: &[&str] = &[];'),
    ("order: original before revision of the same second", "reversed", STORIES,
     "        file.article.revision.is_some(),\n        file.fingerprint.clone(),",
     "        file.article.revision.is_none(),\n        file.fingerprint.clone(),"),
]

# What each run executes: the grouping tests (unit tests of `stories`, and
# the integration tests `stories::*` and `stories_moved::*`).
TEST_RUNS = [["cargo", "test", "--lib", "stories"], ["cargo", "test", "--test", "testsuite", "stories"]]


def copy_project(dest):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = os.path.join(ROOT, name)
        if not os.path.isfile(source):
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)
    debug = os.path.join(ROOT, "target", "debug")
    # A copy (not hard links: cargo rewrites some files in place) of what is
    # compiled already, so the dependencies are not compiled again.
    for part in ("deps", "build", ".fingerprint"):
        if os.path.isdir(os.path.join(debug, part)):
            os.makedirs(os.path.join(dest, "target", "debug"), exist_ok=True)
            subprocess.run(["cp", "-a", os.path.join(debug, part), os.path.join(dest, "target", "debug", part)],
                           check=True)


def run_tests(tree):
    """Names of the failing tests, or None when the copy does not compile."""
    failing = []
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(tree, "target"), DEPESCHE_EXTERNAL="off")
    for command in TEST_RUNS:
        run = subprocess.run(command + ["--", "--test-threads=2"], cwd=tree, env=env, capture_output=True, text=True)
        out = run.stdout + run.stderr
        if "error[" in out or "could not compile" in out:
            return None
        failing += re.findall(r"^test (\S+) \.\.\. FAILED", out, re.M)
    return sorted(failing)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    write = "--write" in sys.argv
    chosen = [m for m in MUTATIONS if not args or any(a.lower() in m[0].lower() for a in args)]
    tree = tempfile.mkdtemp(prefix="depesche-mutants-")
    try:
        copy_project(tree)
        started = time.time()
        baseline = run_tests(tree)
        if baseline != []:
            sys.exit(f"the unmutated copy does not pass its tests: {baseline}")
        print(f"baseline green ({time.time() - started:.0f} s)", file=sys.stderr)
        rows = []
        for rule, what, path, old, new in chosen:
            file = os.path.join(tree, path)
            with open(file, encoding="utf-8") as f:
                original = f.read()
            if original.count(old) != 1:
                rows.append((rule, what, "NOT APPLIED: the text to mutate is not in the code (once)"))
                continue
            with open(file, "w", encoding="utf-8") as f:
                f.write(original.replace(old, new))
            try:
                failing = run_tests(tree)
            finally:
                with open(file, "w", encoding="utf-8") as f:
                    f.write(original)
            if failing is None:
                result = "does not compile"
            elif not failing:
                result = "**SURVIVES** (no test fails)"
            else:
                result = ", ".join(f"`{t}`" for t in failing)
            rows.append((rule, what, result))
            print(f"{rule} | {what} | {result}", file=sys.stderr)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    table = ["| rule or constant | mutation | failing tests |", "|---|---|---|"]
    table += [f"| {rule} | {what} | {result} |" for rule, what, result in rows]
    print("\n".join(table))
    if write:
        with open(os.path.join(ROOT, "tests", "MUTATIONS.md"), "w", encoding="utf-8") as f:
            f.write(HEADER + "\n".join(table) + "\n" + NOTES)


HEADER = """# Mutation check of the grouping rule

Written by `python3 tests/mutation_check.py --write`: each rule or constant
of `src/stories/group.rs` (and the parts of `similarity.rs` and
`stories/mod.rs` the rule names) is changed on a copy of the project (the
rule removed, or the constant moved past the reason its comment gives), the
grouping tests are run there (`cargo test --lib stories`, `cargo test --test
testsuite stories`, which includes `stories_moved`), and the tests that go
red are listed. A mutation that survives is a gap in the tests, unless the
notes below explain why it cannot be observed.

"""

NOTES = """
Notes:

- *tie-break: closer in time* cannot be observed: the time term falls
  strictly with the gap, so two stories reach exactly the same score with
  different gaps only if their headline terms cancel the difference to the
  last bit. It stays as a safeguard; *tie-break: older story* (equal scores
  and equal gaps, e.g. two copies sent the same second) is tested.
- Mutations move each constant past the reason its comment gives, in both
  directions where the reason bounds it on both sides.
"""

if __name__ == "__main__":
    main()
