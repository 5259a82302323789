//! Print repaired text the way the build would produce it, for scripts that
//! measure repair (`bench/ftfy_compare.py`).
//!
//! `cargo run --release --example fix -- [--folder DIR] [--out DIR] FILE...`
//!
//! The lexicon is the built-in one plus every file of `--folder` (default:
//! the files given). Without `--out` the texts go to standard output; with
//! it each repaired text is written to `DIR/<file name>`.

use std::path::PathBuf;

use depesche::decode::decode;
use depesche::repair::{Lexicon, repair};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut folder, mut out, mut files) = (None, None, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--folder" => folder = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            _ => files.push(PathBuf::from(arg)),
        }
    }
    let learn_from = match folder {
        Some(dir) => std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>()?,
        None => files.clone(),
    };
    let mut lexicon = Lexicon::builtin();
    for path in &learn_from {
        lexicon.learn(&decode(&std::fs::read(path)?).text);
    }
    for path in &files {
        let repaired = repair(&decode(&std::fs::read(path)?).text, &lexicon);
        match &out {
            Some(dir) => std::fs::write(dir.join(path.file_name().unwrap_or_default()), repaired.text)?,
            None => print!("{}", repaired.text),
        }
    }
    Ok(())
}
