//! Signs of life during a run: what the build tells about its progress
//! (files read, stories grouped, documents written, each stage's time) and
//! the one listener that shows it, a progress bar on a terminal.
//!
//! The build only calls a [`Progress`]; it never decides whether anything is
//! shown. The bar appears only on a terminal and only once a run has taken
//! longer than [`BAR_DELAY`], so quick runs and CI logs stay clean. Nothing
//! here reaches the output folder.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What a run reports while it works. Every method has a default that does
/// nothing, so a listener picks what it shows. Called from many threads.
pub trait Progress: Sync {
    /// `files` article files were found and are about to be read.
    fn reading(&self, _files: usize) {}
    /// One more file was read (or found unchanged since the last build).
    fn file_read(&self) {}
    /// The files were grouped into `stories` stories.
    fn grouped(&self, _stories: usize) {}
    /// Grouping decided the story of `decided` of the `files` published
    /// files anew; the others kept the story the last build gave them.
    fn decided(&self, _decided: usize, _files: usize) {}
    /// `documents` documents of the site are about to be rendered and written.
    fn writing(&self, _documents: usize) {}
    /// One more document was written (or found unchanged).
    fn document_written(&self) {}
    /// A stage of the run ended after `seconds`.
    fn stage_done(&self, _stage: &str, _seconds: f64) {}
    /// The run is over (the bar, if any, is taken off the screen).
    fn finish(&self) {}
}

/// Shows nothing.
pub struct Silent;

impl Progress for Silent {}

/// How long a run goes on before the bar appears.
pub const BAR_DELAY: Duration = Duration::from_millis(400);

/// A progress bar on standard error (when it is a terminal) and, when asked,
/// each stage's wall time as a line of its own.
pub struct Terminal {
    bar: ProgressBar,
    started: Instant,
    /// Whether standard error is a terminal the bar may be drawn on.
    attended: bool,
    shown: AtomicBool,
    timings: bool,
}

impl Terminal {
    /// A listener for this process: a bar only if standard error and
    /// standard output are both terminals, stage times if `timings`.
    pub fn new(timings: bool) -> Terminal {
        let attended = std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>9} {wide_bar} {pos}/{len} {msg}")
                .expect("the bar template is valid")
                .progress_chars("=> "),
        );
        Terminal { bar, started: Instant::now(), attended, shown: AtomicBool::new(false), timings }
    }

    /// Start drawing once the run has lasted long enough to need it.
    fn show_when_due(&self) {
        let due = self.attended && !self.shown.load(Ordering::Relaxed) && self.started.elapsed() >= BAR_DELAY;
        // `swap` lets exactly one thread switch the bar on.
        if due && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn begin(&self, prefix: &'static str, len: usize, message: String) {
        self.bar.set_prefix(prefix);
        self.bar.set_message(message);
        self.bar.set_length(len as u64);
        self.bar.set_position(0);
        self.show_when_due();
    }

    fn step(&self) {
        self.bar.inc(1);
        self.show_when_due();
    }
}

impl Progress for Terminal {
    fn reading(&self, files: usize) {
        self.begin("reading", files, "files".into());
    }

    fn file_read(&self) {
        self.step();
    }

    fn grouped(&self, stories: usize) {
        self.bar.set_message(format!("files, {stories} stories"));
        self.show_when_due();
    }

    fn writing(&self, documents: usize) {
        self.begin("writing", documents, "documents".into());
    }

    fn document_written(&self) {
        self.step();
    }

    fn decided(&self, decided: usize, files: usize) {
        if self.timings {
            self.bar.suspend(|| eprintln!("grouping: {decided} of {files} files decided anew"));
        }
    }

    fn stage_done(&self, stage: &str, seconds: f64) {
        if self.timings {
            // Printed above the bar, which is drawn again below the line.
            self.bar.suspend(|| eprintln!("timing: {stage}: {seconds:.3} s"));
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
