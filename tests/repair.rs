//! Repair over the corpus in `tests/repair_corpus/` (clean German wire text
//! written for depesche, damaged by `make_corpus.py`) and over the real sample.

use std::fs;
use std::path::{Path, PathBuf};

use depesche::decode::decode;
use depesche::repair::{Lexicon, repair};

const SAMPLE: &str = "seeds/000_3b36189d28881a45.txt";

/// Kinds of damage where no byte was lost: every file must come back exactly.
const LOSSLESS: [&str; 7] = ["cp1252", "latin1", "latin15", "enc-cp1252", "enc-utf16le", "enc-utf16be", "enc-utf8bom"];

/// Kinds where bytes were lost and some characters are guessed.
const LOSSY: [&str; 5] = ["iso16-lossy", "sample", "latin1-lossy", "latin15-lossy", "mixed"];

/// At most one wrong character in 500 where bytes were lost.
const MAX_LOSSY_CER: f64 = 1.0 / 500.0;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repair_corpus")
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Levenshtein distance over characters, after trimming the common ends.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diag + usize::from(x != y));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

struct KindResult {
    files: usize,
    exact: usize,
    errors: usize,
    chars: usize,
    wrong: Vec<String>,
}

/// Repair every file of one kind with the folder's lexicon, as the build does.
fn run_kind(kind: &str) -> KindResult {
    let files = sorted_files(&corpus().join("damaged").join(kind));
    let texts: Vec<String> = files.iter().map(|f| decode(&fs::read(f).unwrap()).text).collect();
    let mut lexicon = Lexicon::builtin();
    for text in &texts {
        let mut learned = Lexicon::default();
        learned.learn(text);
        lexicon.merge(learned);
    }
    let mut result = KindResult { files: 0, exact: 0, errors: 0, chars: 0, wrong: Vec::new() };
    for (file, text) in files.iter().zip(&texts) {
        let name = file.file_name().unwrap();
        let expected = fs::read_to_string(corpus().join("clean").join(name)).unwrap();
        let repaired = repair(text, &lexicon).text;
        let errors = distance(&repaired, &expected);
        result.files += 1;
        result.exact += usize::from(errors == 0);
        result.errors += errors;
        result.chars += expected.chars().count();
        if errors > 0 {
            result.wrong.push(format!("{}: {errors}", name.to_string_lossy()));
        }
    }
    eprintln!(
        "{kind:14} {}/{} exact, CER {:.5} ({} errors) {:?}",
        result.exact,
        result.files,
        result.errors as f64 / result.chars.max(1) as f64,
        result.errors,
        result.wrong
    );
    result
}

#[test]
fn sample_reads_as_written() {
    let bytes = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).unwrap();
    let text = decode(&bytes).text;
    let mut lexicon = Lexicon::builtin();
    lexicon.learn(&text);
    let repaired = repair(&text, &lexicon).text;
    for phrase in [
        "BRÜSSEL (dpa-AFX) - Die Nato provoziert den russischen Präsidenten",
        "Äußerungen",
        "äußerte er sich nicht",
        "getöteten",
        "Brüssel",
    ] {
        assert!(repaired.contains(phrase), "missing {phrase:?}");
    }
    for c in ['Ă', '€', 'Œ', 'â', 'Ã'] {
        assert!(!repaired.contains(c), "{c:?} left in the sample");
    }
}

#[test]
fn clean_corpus_is_untouched() {
    let lexicon = Lexicon::builtin();
    for file in sorted_files(&corpus().join("clean")) {
        let bytes = fs::read(&file).unwrap();
        let decoded = decode(&bytes);
        let repaired = repair(&decoded.text, &lexicon);
        assert_eq!(repaired.text.as_bytes(), bytes.as_slice(), "{}", file.display());
        assert!(repaired.repairs.is_empty(), "{}", file.display());
    }
}

#[test]
fn foreign_letters_in_clean_text_stay() {
    let clean = "SÃO PAULO (dpa-AFX) - Traian Băsescu, BĂSESCU, Ăla, Château, âge, Œuvre, \
                 Ärger, MÄRZ, Ålesund, Ćuprija, Ñandú, Îles, Ïle, Ðakovo, Ń, Â, 5 € – „ja“ … ‚nein‘.\n";
    let repaired = repair(clean, &Lexicon::builtin());
    assert_eq!(repaired.text, clean);
    assert!(repaired.repairs.is_empty(), "{:?}", repaired.repairs);
}

#[test]
fn lossless_damage_is_repaired_exactly() {
    for kind in LOSSLESS {
        let result = run_kind(kind);
        assert!(result.files > 0, "{kind}: no files");
        assert_eq!(result.exact, result.files, "{kind}: {:?}", result.wrong);
    }
}

#[test]
fn lossy_damage_stays_within_one_error_in_500() {
    for kind in LOSSY {
        let result = run_kind(kind);
        let cer = result.errors as f64 / result.chars as f64;
        assert!(cer <= MAX_LOSSY_CER, "{kind}: CER {cer:.5} {:?}", result.wrong);
    }
}

/// The folder lexicon the build uses, learned only when some file needs
/// repair, repairs every corpus file exactly as learning from every file did.
#[test]
fn folder_lexicon_repairs_as_learning_everything() {
    for kind in LOSSY.iter().chain(&LOSSLESS).chain(&["../clean"]) {
        let files = sorted_files(&corpus().join("damaged").join(kind));
        let texts: Vec<String> = files.iter().map(|f| decode(&fs::read(f).unwrap()).text).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut everything = Lexicon::builtin();
        for text in &texts {
            everything.learn(text);
        }
        let folder = Lexicon::for_folder(&texts);
        for (file, text) in files.iter().zip(&texts) {
            let (a, b) = (repair(text, &folder), repair(text, &everything));
            assert_eq!(a.text, b.text, "{}", file.display());
            assert_eq!(a.repairs, b.repairs, "{}", file.display());
        }
    }
}
