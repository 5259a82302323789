//! Diagnostics as CI systems read them: every warning and rejected file
//! with a stable code, printed as text, as JSON lines or as GitHub Actions
//! workflow annotations.
//!
//! The stages report problems as plain messages ([`Rejection`],
//! [`Warning`]); this module gives each a code by the shape of its message,
//! in one table (`REJECTION_CODES`, `WARNING_CODES`), so that a code is
//! decided in one place and the stages stay free of output concerns. Codes
//! are part of depesche's interface: once published, a code never changes
//! meaning (the README lists them). The unit tests below produce every
//! message with the real stage that produces it and pin its code, so a
//! reworded message cannot silently lose its code.
//!
//! This module formats; it never decides what is a problem.

use std::path::Path;

use serde::Serialize;

use crate::report::{Rejection, Warning};

/// How `check` and `build` print their problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `file:line: error: message`, for people and editors.
    #[default]
    Text,
    /// One JSON object per line: file, line, severity, code, message.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,title=…::…`).
    Github,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file was not published.
    Error,
    /// The file was published, but something about it is worth a look.
    Warning,
}

/// One problem, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as a path a tool can open: the input folder joined with the
    /// file's name in it; `None` for a run that could not be done.
    pub file: Option<String>,
    /// 1-based; absent when the problem is the whole file.
    pub line: Option<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// A code and the message shape it is given to: `prefix` must start the
/// message and `contains` (when not empty) must occur in it.
struct Rule {
    code: &'static str,
    prefix: &'static str,
    contains: &'static str,
}

const fn rule(code: &'static str, prefix: &'static str, contains: &'static str) -> Rule {
    Rule { code, prefix, contains }
}

/// The code of a rejected file's error, first match wins.
const REJECTION_CODES: &[Rule] = &[
    rule("E-utf16-no-bom", "binary data: looks like UTF-16", ""),
    rule("E-binary", "binary data", ""),
    rule("E-empty", "the file is empty", ""),
    rule("E-invisible-headline", "the headline holds only invisible", ""),
    rule("E-no-timestamp", "expected a timestamp line", "found the end of the file"),
    rule("E-timestamp", "expected a timestamp `", ""),
    rule("E-date", "", " is not a date in the calendar"),
    rule("E-time", "", " is not a time of day"),
    rule("E-year", "", "; expected the date of a wire article"),
    rule("E-no-text", "the article has no text after", ""),
    rule("E-duplicate", "duplicate: ", ""),
    rule("E-too-large", "file is too large", ""),
    rule("E-not-regular", "not a regular file", ""),
    rule("E-symlink", "symbolic link", ""),
    rule("E-unreadable", "cannot read ", ""),
];

/// The code of a warning, first match wins.
const WARNING_CODES: &[Rule] = &[
    rule("W-dst-fold", "", " occurs twice in Berlin"),
    rule("W-dst-gap", "", " does not exist in Berlin"),
    rule("W-future", "timestamp ", " is in the future"),
    rule("W-removed-characters", "removed characters that must not be published", ""),
    rule("W-long-headline", "the headline is ", " characters long"),
    rule("W-no-dateline", "no dateline", ""),
    rule("W-note", "text after the timestamp is not a parenthesised note", ""),
    rule("W-guessed-repair", "guessed repair ", ""),
    rule("W-guessed-repair", "", " more guessed repairs"),
];

/// The code of an error no rule knows (a message added without a code).
pub const OTHER_ERROR: &str = "E-other";
/// The code of a run that could not be done at all (exit code 2): a bad
/// configuration or template, an unreadable input folder, an output folder
/// depesche did not make.
pub const FATAL: &str = "E-fatal";
/// The code of a warning no rule knows.
pub const OTHER_WARNING: &str = "W-other";

fn code_of(message: &str, rules: &[Rule], other: &'static str) -> &'static str {
    let matches = |rule: &&Rule| message.starts_with(rule.prefix) && message.contains(rule.contains);
    rules.iter().find(matches).map_or(other, |rule| rule.code)
}

/// The stable code of a rejected file's error.
pub fn rejection_code(error: &str) -> &'static str {
    code_of(error, REJECTION_CODES, OTHER_ERROR)
}

/// The stable code of a warning.
pub fn warning_code(message: &str) -> &'static str {
    code_of(message, WARNING_CODES, OTHER_WARNING)
}

/// Every code, each once, in the order of the tables (the README's list).
pub fn all_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::new();
    let listed = REJECTION_CODES.iter().chain(WARNING_CODES).map(|rule| rule.code);
    for code in listed.chain([OTHER_ERROR, OTHER_WARNING, FATAL]) {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// The diagnostics of a run: rejections first, then warnings, each in the
/// order given (sorted by file by the build). `input` is the input folder.
pub fn collect(input: &Path, rejected: &[Rejection], warnings: &[Warning]) -> Vec<Diagnostic> {
    let file = |source: &str| Some(input.join(source).to_string_lossy().replace('\\', "/"));
    let errors = rejected.iter().map(|r| Diagnostic {
        file: file(&r.source),
        line: r.line,
        severity: Severity::Error,
        code: rejection_code(&r.error),
        message: r.error.clone(),
    });
    let warnings = warnings.iter().map(|w| Diagnostic {
        file: file(&w.source),
        line: w.line,
        severity: Severity::Warning,
        code: warning_code(&w.message),
        message: w.message.clone(),
    });
    errors.chain(warnings).collect()
}

/// The diagnostic of a run that could not be done, from its error message.
pub fn fatal(message: &str) -> Diagnostic {
    Diagnostic { file: None, line: None, severity: Severity::Error, code: FATAL, message: message.to_string() }
}

/// One JSON object on one line.
pub fn json_line(diagnostic: &Diagnostic) -> String {
    serde_json::to_string(diagnostic).expect("a diagnostic serialises")
}

/// A GitHub Actions workflow command that annotates the file's line.
pub fn github_annotation(diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = &diagnostic.file {
        properties.push(format!("file={}", escape_property(file)));
    }
    if let Some(number) = diagnostic.line {
        properties.push(format!("line={number}"));
    }
    properties.push(format!("title={}", escape_property(diagnostic.code)));
    format!("::{command} {}::{}", properties.join(","), escape_data(&diagnostic.message))
}

/// A workflow command's message: `%`, CR and LF escaped, as the runner
/// unescapes them, so a message can never end the command early.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`, which end it.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The errors `parse_article` gives, with the code each must carry.
    #[test]
    fn every_parse_error_has_its_code() {
        let cases = [
            ("", "E-empty"),
            ("Titel\n", "E-no-timestamp"),
            ("Titel\nBERLIN (dpa-AFX) - Text.\n", "E-timestamp"),
            ("Titel\n31.02.2024 - 10:00:00\nText.\n", "E-date"),
            ("Titel\n01.02.2024 - 24:61:00\nText.\n", "E-time"),
            ("Titel\n01.01.0000 - 10:00:00\nText.\n", "E-year"),
            ("Titel\n01.02.2024 - 10:00:00\n", "E-no-text"),
            ("Titel\n01.02.2024 - 10:00:00\nBERLIN (dpa-AFX) - \n", "E-no-text"),
            ("\u{200b}\u{200b}\n01.02.2024 - 10:00:00\nText.\n", "E-invisible-headline"),
            ("Titel\0\n01.02.2024 - 10:00:00\nText.\n", "E-binary"),
            ("T\0i\0t\0e\0l\0 \0m\0i\0t\0 \0T\0e\0x\0t\0\n", "E-utf16-no-bom"),
        ];
        for (text, code) in cases {
            let error = crate::parse::parse_article(text).err().unwrap_or_else(|| panic!("{text:?} parses"));
            assert_eq!(rejection_code(&error.message), code, "{:?}", error.message);
        }
    }

    /// The warnings `parse_article` gives, with the code each must carry.
    #[test]
    fn every_parse_warning_has_its_code() {
        let body = "BERLIN (dpa-AFX) - Ein Satz.\n";
        let long = "Lang ".repeat(80);
        let cases = [
            (format!("Titel\n27.10.2024 - 02:30:00\n{body}"), "W-dst-fold"),
            (format!("Titel\n31.03.2024 - 02:30:00\n{body}"), "W-dst-gap"),
            (format!("Tit\u{7}el\n01.02.2024 - 10:00:00\n{body}"), "W-removed-characters"),
            (format!("{long}\n01.02.2024 - 10:00:00\n{body}"), "W-long-headline"),
            ("Titel\n01.02.2024 - 10:00:00\nEin Satz ohne Ortsmarke.\n".to_string(), "W-no-dateline"),
            (format!("Titel\n01.02.2024 - 10:00:00 Notiz\n{body}"), "W-note"),
        ];
        for (text, code) in cases {
            let parsed = crate::parse::parse_article(&text).unwrap();
            let codes: Vec<&str> = parsed.warnings.iter().map(|(_, message)| warning_code(message)).collect();
            assert_eq!(codes, [code], "{:?}", parsed.warnings);
        }
    }

    #[test]
    fn messages_of_other_stages_have_their_codes() {
        let errors = [
            ("duplicate: the same bytes as a.txt", "E-duplicate"),
            ("file is too large (12 bytes, the limit max_file_size is 10)", "E-too-large"),
            ("not a regular file but a named pipe (FIFO); not read", "E-not-regular"),
            ("symbolic link points outside the input folder; not followed", "E-symlink"),
            ("cannot read file: Permission denied (os error 13)", "E-unreadable"),
            ("cannot read folder: Permission denied; nothing in it is published", "E-unreadable"),
            ("something new", OTHER_ERROR),
        ];
        for (message, code) in errors {
            assert_eq!(rejection_code(message), code, "{message}");
        }
        let warnings = [
            ("timestamp 2099-01-01T12:00:00+01:00 is in the future", "W-future"),
            ("guessed repair BRĂSSEL → BRÜSSEL", "W-guessed-repair"),
            ("5 more guessed repairs; `depesche fix --explain` lists them all", "W-guessed-repair"),
            ("something new", OTHER_WARNING),
        ];
        for (message, code) in warnings {
            assert_eq!(warning_code(message), code, "{message}");
        }
    }

    #[test]
    fn annotations_cannot_be_ended_or_split_by_their_text() {
        let diagnostic = Diagnostic {
            file: Some("in/a:b,c.txt".into()),
            line: Some(3),
            severity: Severity::Error,
            code: "E-timestamp",
            message: "100% kaputt\n::error::fake".into(),
        };
        assert_eq!(
            github_annotation(&diagnostic),
            "::error file=in/a%3Ab%2Cc.txt,line=3,title=E-timestamp::100%25 kaputt%0A::error::fake"
        );
        let whole_file = Diagnostic { line: None, severity: Severity::Warning, ..diagnostic };
        assert!(github_annotation(&whole_file).starts_with("::warning file=in/a%3Ab%2Cc.txt,title=E-timestamp::"));
        let fatal = fatal("invalid configuration depesche.toml: unknown field `titel`");
        assert_eq!(
            github_annotation(&fatal),
            "::error title=E-fatal::invalid configuration depesche.toml: unknown field `titel`"
        );
    }

    #[test]
    fn json_lines_hold_the_five_fields() {
        let rejected = [Rejection::new("x.txt", Some(2), "31.02.2024 is not a date in the calendar")];
        let diagnostics = collect(Path::new("in"), &rejected, &[]);
        let value: serde_json::Value = serde_json::from_str(&json_line(&diagnostics[0])).unwrap();
        let expected = serde_json::json!({
            "file": "in/x.txt", "line": 2, "severity": "error", "code": "E-date",
            "message": "31.02.2024 is not a date in the calendar",
        });
        assert_eq!(value, expected);
    }
}
