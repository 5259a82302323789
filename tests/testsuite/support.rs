//! Helpers: run the binary, build a folder, read what it wrote.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The project folder (where `seeds/` and `templates/` live).
pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    project_dir().join("tests/fixtures").join(name)
}

/// Run `depesche args...` in `cwd`.
pub fn depesche(cwd: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_depesche"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the depesche binary runs")
}

/// Every file (with its bytes) and folder (`None`) under `root`, by path
/// relative to it.
pub fn tree(root: &Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let path = e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (path, e.file_type().is_file().then(|| std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

/// A built site in a temporary folder.
pub struct Built {
    pub dir: tempfile::TempDir,
    pub output: Output,
}

impl Built {
    pub fn public(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn read(&self, site_path: &str) -> String {
        let path = self.public().join(site_path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// Every file written, as site paths, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(self.public())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(self.public()).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        files.sort();
        files
    }
}

/// Build `input` into a fresh temporary `public/`, working in that temporary folder.
pub fn build(input: &Path, extra: &[&str]) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let input = input.to_str().unwrap();
    let mut args = vec!["build", "--input", input, "--output", "public"];
    args.extend_from_slice(extra);
    let output = depesche(dir.path(), &args);
    Built { dir, output }
}

/// Check that `text` is well-formed XML.
pub fn assert_well_formed(name: &str, text: &str) {
    if let Err(error) = roxmltree::Document::parse(text) {
        panic!("{name} is not well-formed XML: {error}");
    }
}

/// The grouping fixtures: one folder per trap of the grouping rule.
pub const GROUPING_FIXTURES: &[&str] = &[
    "stories-daily-reports",
    "stories-headline-change",
    "stories-next-morning",
    "stories-open-close",
    "stories-orphan",
    "stories-repeat",
    "stories-rewrite",
    "stories-same-city",
    "stories-two-cities",
];

/// xorshift64*: small, seeded, the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as usize % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Write `files` wire files with the shared benchmark generator
/// (`../shared/bench/gen_corpus.py`) into `wire`, with `--truth` into
/// `truth` if given; `false` (and the test `check` is skipped, see
/// `external::ready`) without python3 or the generator.
pub fn generate_wire(check: &str, files: usize, wire: &Path, truth: Option<&Path>) -> bool {
    let generator = project_dir().join("../shared/bench/gen_corpus.py");
    let mut missing = Vec::new();
    let python = std::process::Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        missing.push("python3 is not installed".to_string());
    }
    if !generator.is_file() {
        missing.push(format!("the generator {} is missing", generator.display()));
    }
    if !crate::external::ready(check, missing) {
        return false;
    }
    let mut command = std::process::Command::new("python3");
    command.arg(&generator).args(["--n", &files.to_string(), "--out"]).arg(wire);
    if let Some(truth) = truth {
        command.arg("--truth").arg(truth);
    }
    let generated = command.output().expect("python3 runs");
    assert!(generated.status.success(), "gen_corpus.py failed: {}", String::from_utf8_lossy(&generated.stderr));
    true
}
