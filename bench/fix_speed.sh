#!/bin/sh
# Throughput of `depesche fix` over 2,000 wire articles of about 30 KB,
# clean UTF-8 and damaged like the real sample (see bench/fix_corpus.py).
#
#   cargo build --release && bench/fix_speed.sh [N] [RUNS]
#
# Prints MB/s of the best of RUNS runs (default 5) of
# `target/release/depesche fix FILES > /dev/null`: input bytes per wall
# second, and per CPU second (user + system, all threads), which stays
# comparable on a shared machine; and the load average.
set -eu
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cd "$(dirname "$0")/.."
N=${1:-2000}
RUNS=${2:-5}
BIN=${DEPESCHE:-target/release/depesche}
DIR=${FIX_SPEED_DIR:-target/fix-speed-$N}
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
[ -d "$DIR/sample" ] || python3 bench/fix_corpus.py --n "$N" --out "$DIR"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for kind in clean sample; do
    bytes=$(cat "$DIR/$kind"/*.txt | wc -c)
    cat "$DIR/$kind"/*.txt > /dev/null    # into the page cache
    best=""
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        # elapsed, user and system seconds
        t=$( { /usr/bin/time -f "%e %U %S" "$BIN" fix "$DIR/$kind"/*.txt > /dev/null; } 2>&1 | tail -n 1)
        if [ -z "$best" ] || [ "$(echo "$t $best" | awk '{ print ($1 < $4) }')" = 1 ]; then best=$t; fi
        i=$((i + 1))
    done
    echo "$best" | awk -v b="$bytes" -v k="$kind" -v n="$N" '{
        cpu = $2 + $3
        printf "%-7s %d files, %.1f MB: %.2f s wall, %.0f MB/s; %.2f s CPU, %.0f MB/s per CPU second\n",
            k, n, b / 1e6, $1, b / 1e6 / $1, cpu, b / 1e6 / cpu
    }'
done
