//! The `depesche` binary: parse the command line, run it, turn the outcome
//! into an exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
