//! Text → parse must never panic, and an article that parses must be safe
//! to publish: visible headline, safe slug, no forbidden characters.

#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::check_parse(&String::from_utf8_lossy(data));
});
