//! Throughput of decode + repair, one core, over the repair corpus.
//!
//! `cargo bench --bench repair` prints MB/s (of input bytes, per CPU second of
//! the bench thread and per wall second) for clean UTF-8
//! and for each kind of damage. Files are repaired one by one with the
//! folder's lexicon, as the build does; learning the lexicon is not timed.
//! Targets (issue 3): damaged ≥ 50 MB/s, clean UTF-8 ≥ 500 MB/s.
//! `REPAIR_BENCH=iso16 cargo bench --bench repair` measures one kind only.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use depesche::decode::decode;
use depesche::repair::{Lexicon, repair};

/// Time spent measuring each kind, in rounds of `ROUND`.
const BUDGET: Duration = Duration::from_secs(3);
const ROUND: Duration = Duration::from_millis(250);

fn load(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn lexicon_of(files: &[Vec<u8>]) -> Lexicon {
    let mut lexicon = Lexicon::builtin();
    for bytes in files {
        lexicon.learn(&decode(bytes).text);
    }
    lexicon
}

/// CPU time of this thread, where Linux tells it (`/proc/thread-self/schedstat`,
/// nanoseconds on a core): unlike wall time it does not count the time other
/// processes held the core, so figures stay comparable on a busy machine.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// MB/s of decode + repair over `files`, best of rounds within the budget,
/// by CPU time and by wall time.
fn throughput(files: &[Vec<u8>], lexicon: &Lexicon) -> (f64, f64) {
    let bytes: usize = files.iter().map(Vec::len).sum();
    let start = Instant::now();
    let (mut best_cpu, mut best_wall) = (f64::MAX, f64::MAX);
    while start.elapsed() < BUDGET {
        let (wall, cpu) = (Instant::now(), cpu_time());
        // Rounds of a quarter second: the kernel's CPU clock advances in ticks.
        let mut passes = 0u32;
        while wall.elapsed() < ROUND {
            for file in files {
                let text = decode(black_box(file)).text;
                black_box(repair(&text, lexicon));
            }
            passes += 1;
        }
        let wall_s = wall.elapsed().as_secs_f64() / f64::from(passes);
        let cpu_s = cpu.zip(cpu_time()).map_or(wall_s, |(a, b)| (b - a).as_secs_f64() / f64::from(passes));
        best_wall = best_wall.min(wall_s);
        best_cpu = best_cpu.min(cpu_s);
    }
    (bytes as f64 / best_cpu / 1e6, bytes as f64 / best_wall / 1e6)
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repair_corpus");
    let kinds = [
        "clean",
        "damaged/iso16-lossy",
        "damaged/cp1252",
        "damaged/latin1-lossy",
        "damaged/mixed",
        "damaged/enc-cp1252",
        "damaged/enc-utf16le",
    ];
    // `REPAIR_BENCH=iso16` measures only the kinds whose name contains it;
    // `REPAIR_BENCH_PASSES=N` runs N passes and no timing, for `perf stat`.
    let only = std::env::var("REPAIR_BENCH").unwrap_or_default();
    if let Some(passes) = std::env::var("REPAIR_BENCH_PASSES").ok().and_then(|p| p.parse::<u32>().ok()) {
        for kind in kinds.into_iter().filter(|k| k.contains(&only)) {
            let files = load(&corpus.join(kind));
            let lexicon = lexicon_of(&files);
            for _ in 0..passes {
                for file in &files {
                    black_box(repair(&decode(black_box(file)).text, &lexicon));
                }
            }
        }
        return;
    }
    println!("{:22} {:>10} {:>12} {:>12}", "input", "bytes", "MB/s (cpu)", "MB/s (wall)");
    for kind in kinds.into_iter().filter(|k| k.contains(&only)) {
        let files = load(&corpus.join(kind));
        let lexicon = lexicon_of(&files);
        let bytes: usize = files.iter().map(Vec::len).sum();
        let (cpu, wall) = throughput(&files, &lexicon);
        println!("{kind:22} {bytes:>10} {cpu:>12.1} {wall:>12.1}");
    }
}
