//! The whole pipeline on a folder made from the input: up to eight article
//! files (split at byte 0x1E) built into a site. The build must succeed,
//! account for every file and write only well-formed XML and clean text,
//! all inside the output folder.

#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::check_build(data);
});
