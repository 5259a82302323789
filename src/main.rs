//! The `depesche` binary: parse the command line, run it, turn the outcome
//! into an exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    purge_freed_memory_sooner();
    let cli = depesche::cli::Cli::parse();
    match depesche::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(depesche::cli::EXIT_FATAL)
        }
    }
}

/// glibc's allocator spends a quarter of a large build in `malloc` on
/// fragmented arenas (many threads allocating strings of every size);
/// mimalloc keeps per-thread pages and does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option (its number in mimalloc 3's `mi_option_t`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Milliseconds freed memory stays with the allocator before it is given
/// back to the system (mimalloc's default is 10). A build frees and
/// allocates in phases (reading, grouping, the pages, the archive
/// documents): with the default, memory freed by one phase was still held
/// while the next grew, which made a tenth to a sixth of a build's peak. A
/// value of 0 gives back at once but costs a tenth more time.
const PURGE_DELAY_MS: std::ffi::c_long = 3;

/// Set the purge delay, unless `MIMALLOC_PURGE_DELAY` in the environment
/// sets it (mimalloc reads its options when the process starts, so setting
/// a default now would not take).
fn purge_freed_memory_sooner() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of the linked allocator's options by its number;
        // takes no pointer, and mimalloc ignores a number out of range.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}
