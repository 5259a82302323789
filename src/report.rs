//! What a run tells the user: warnings, rejected files and the summary line.
//!
//! Plain records that every stage can produce and the application edge
//! prints. Messages name the file (relative to the input folder) and, where
//! known, the 1-based line, in the `file:line: message` form editors jump to.

use std::fmt;

use serde::Serialize;

/// A file that could not be published, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub error: String,
}

impl Rejection {
    pub fn new(source: &str, line: Option<usize>, error: impl Into<String>) -> Rejection {
        Rejection { source: source.to_string(), line, error: error.into() }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_location(f, &self.source, self.line)?;
        write!(f, "error: {}", Printable(&self.error))
    }
}

/// Something published but worth a look (an ambiguous time, a guessed repair, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    pub fn new(source: &str, line: Option<usize>, message: impl Into<String>) -> Warning {
        Warning { source: source.to_string(), line, message: message.into() }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_location(f, &self.source, self.line)?;
        write!(f, "warning: {}", Printable(&self.message))
    }
}

fn write_location(f: &mut fmt::Formatter<'_>, source: &str, line: Option<usize>) -> fmt::Result {
    let source = Printable(source);
    match line {
        Some(line) => write!(f, "{source}:{line}: "),
        None => write!(f, "{source}: "),
    }
}

/// Text from a file name or an article, shown with its control characters
/// escaped (`\u{1b}`): an escape sequence in a name must not recolour or
/// rewrite the user's terminal, and a line break must not fake a new message.
struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Counts of one run, printed as the last line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub articles: usize,
    pub stories: usize,
    pub pages: usize,
    pub rejected: usize,
    pub ignored: usize,
    pub warnings: usize,
    pub repairs: usize,
    pub guesses: usize,
}

/// Where every file under the input folder went: each one is counted in
/// exactly one of `published`, `rejected` and `ignored`, so they add up to `files`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Accounting {
    pub files: usize,
    pub published: usize,
    pub rejected: usize,
    pub ignored: usize,
}

impl Summary {
    /// The file counts of this run.
    pub fn accounting(&self) -> Accounting {
        Accounting {
            files: self.articles + self.rejected + self.ignored,
            published: self.articles,
            rejected: self.rejected,
            ignored: self.ignored,
        }
    }

    /// The one-line summary, with the elapsed time.
    pub fn line(&self, verb: &str, seconds: f64) -> String {
        let files = self.accounting();
        format!(
            "{verb}: {} files ({} published, {} rejected, {} ignored), {} stories, {} pages, {} repairs ({} guessed), {} warnings in {seconds:.2} s",
            files.files,
            files.published,
            files.rejected,
            files.ignored,
            self.stories,
            self.pages,
            self.repairs,
            self.guesses,
            self.warnings,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_names_and_messages_are_escaped() {
        let rejection = Rejection::new("a\u{1b}[31m\nb.txt", Some(2), "bad \u{7} text");
        assert_eq!(rejection.to_string(), "a\\u{1b}[31m\\u{a}b.txt:2: error: bad \\u{7} text");
        let warning = Warning::new("Grüße.txt", None, "fine – „quoted“");
        assert_eq!(warning.to_string(), "Grüße.txt: warning: fine – „quoted“");
    }

    #[test]
    fn the_counts_add_up() {
        let summary = Summary { articles: 3, rejected: 2, ignored: 1, ..Summary::default() };
        let files = summary.accounting();
        assert_eq!((files.files, files.published, files.rejected, files.ignored), (6, 3, 2, 1));
        assert!(summary.line("built", 0.0).starts_with("built: 6 files (3 published, 2 rejected, 1 ignored)"));
    }
}
