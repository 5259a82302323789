//! Bytes → decode → repair → parse must never panic, must leave clean text
//! alone and must never let a character XML forbids into an article.

#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use std::sync::OnceLock;

use depesche::repair::Lexicon;
use libfuzzer_sys::fuzz_target;

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::builtin)
}

fuzz_target!(|data: &[u8]| {
    invariants::check_decode_repair(data, lexicon());
});
