//! The commands: `build`, `check`, `serve`, `ping`, `list` and `fix`.
//!
//! Exit codes: 0 when everything was published cleanly, 1 when files were
//! rejected (or, with `--strict`, when there were warnings), 2 when the run
//! could not be done at all (bad configuration, unreadable input folder,
//! unwritable output).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::build::{BuildOptions, Loaded, build_reporting, folder_texts, load, load_reporting, release_with_process};
use crate::config::{self, Config};
use crate::decode::decode;
use crate::diagnostics::{self, Format};
use crate::progress::{Progress, Silent, Terminal};
use crate::repair::{self, Lexicon};

pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_FATAL: u8 = 2;

/// Publish German news-wire articles as feeds and a static archive site.
#[derive(Debug, Parser)]
#[command(name = "depesche", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors: no warnings, no summary line.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Also print each stage's wall time.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Publish the input folder into the output folder.
    Build(CheckedArgs),
    /// Read and check everything, write nothing.
    Check(CheckedArgs),
    /// Build, serve the site on this machine and rebuild on every change.
    Serve(ServeArgs),
    /// Tell the WebSub hub which feeds changed since the last ping (run after the upload).
    Ping(PingArgs),
    /// List stories, their versions and rejected files.
    List {
        #[command(flatten)]
        site: SiteArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the decoded and repaired text of files, as the build reads them.
    Fix {
        /// Article files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// List every repair on standard error.
        #[arg(long)]
        explain: bool,
        /// Learn words from this input folder, exactly as `build` does
        /// [default: from the given files only].
        #[arg(long)]
        input: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// Folder of article files.
    #[arg(long, default_value = "seeds")]
    pub input: PathBuf,
    /// Folder to publish into (only changed files are rewritten).
    #[arg(long, default_value = "public")]
    pub output: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Treat warnings as errors (exit code 1).
    #[arg(long)]
    pub strict: bool,
    /// Ignore what earlier builds kept (beside the output folder): read,
    /// render and write everything.
    #[arg(long)]
    pub clean: bool,
}

/// Where the configuration comes from, shared by every command that loads it.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Configuration file [default: depesche.toml if present, else built-in].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Absolute URL the site is served from, overriding the configuration
    /// (`serve` serves the site under its path).
    #[arg(long)]
    pub base_url: Option<String>,
}

impl SettingsArgs {
    fn load(&self) -> Result<config::LoadedConfig> {
        config::load(self.config.as_deref(), self.base_url.as_deref())
    }
}

/// The options of `build` and `check`: the site's, and how problems are printed.
#[derive(Debug, Clone, Args)]
pub struct CheckedArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// How warnings and rejected files are printed: `text` on standard
    /// error, `json` (one object per line) or `github` (workflow
    /// annotations) on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The options of `ping`.
#[derive(Debug, Clone, Args)]
pub struct PingArgs {
    /// The output folder of the builds whose changed feeds are announced.
    #[arg(long, default_value = "public")]
    pub output: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// The options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Folder of article files.
    #[arg(long, default_value = "seeds")]
    pub input: PathBuf,
    /// Folder the served site is built into [default: a folder of its own
    /// under the system's temporary folder].
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Ignore what earlier builds kept, for the first build.
    #[arg(long)]
    pub clean: bool,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
}

impl SiteArgs {
    fn options(&self) -> Result<BuildOptions> {
        let loaded = self.settings.load()?;
        Ok(BuildOptions {
            input: self.input.clone(),
            output: self.output.clone(),
            config: loaded.config,
            template_dir: Some(loaded.template_dir),
            now: chrono::Utc::now(),
            clean: self.clean,
        })
    }
}

/// Run one command; the exit code says whether everything was clean.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let started = Instant::now();
    let verbosity = Verbosity::of(&cli);
    match cli.command {
        Command::Build(args) => announce_fatal(args.format, build_site(&args, verbosity, started)),
        Command::Check(args) => announce_fatal(args.format, check_site(&args, verbosity, started)),
        Command::List { site, json } => {
            let options = site.options()?;
            let loaded = load(&options.input, &options.config, options.now, None)?;
            let text = if json { list_json(&loaded, &options.config)? } else { list_table(&loaded, &options.config) };
            print_stdout(&text)?;
            let code = exit_code(&loaded, site.strict);
            release_with_process(loaded);
            Ok(code)
        }
        Command::Serve(args) => {
            let options = crate::serve::ServeOptions {
                input: args.input,
                config: args.settings.config,
                base_url: args.settings.base_url,
                output: args.output,
                bind: args.bind,
                port: args.port,
                clean: args.clean,
            };
            crate::serve::serve(&options)?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Ping(args) => ping(&args, verbosity),
        Command::Fix { files, explain, input } => fix(&files, explain, input.as_deref()),
    }
}

/// `depesche build`.
fn build_site(args: &CheckedArgs, verbosity: Verbosity, started: Instant) -> Result<ExitCode> {
    let options = args.site.options()?;
    let progress = verbosity.progress();
    let built = build_reporting(&options, &*progress);
    progress.finish();
    let built = built?;
    let report = Report { input: &options.input, format: args.format, verbosity };
    report.diagnostics(&built.loaded)?;
    report.summary(&built.summary().line("built", started.elapsed().as_secs_f64()))?;
    let code = exit_code(&built.loaded, args.site.strict);
    release_with_process(built);
    Ok(code)
}

/// `depesche check`.
fn check_site(args: &CheckedArgs, verbosity: Verbosity, started: Instant) -> Result<ExitCode> {
    let options = args.site.options()?;
    crate::render::Templates::load(options.template_dir.as_deref())?;
    let progress = verbosity.progress();
    let loaded = load_reporting(&options.input, &options.config, options.now, None, &*progress);
    progress.finish();
    let loaded = loaded?;
    let report = Report { input: &options.input, format: args.format, verbosity };
    report.diagnostics(&loaded)?;
    report.summary(&loaded.summary().line("checked", started.elapsed().as_secs_f64()))?;
    let code = exit_code(&loaded, args.site.strict);
    release_with_process(loaded);
    Ok(code)
}

/// A run that could not be done is also reported in the machine's format
/// (`E-fatal`), so that CI shows why, not only that, it failed; the error
/// still ends the run (exit code 2, message on standard error).
fn announce_fatal(format: Format, outcome: Result<ExitCode>) -> Result<ExitCode> {
    if let (Err(error), Format::Json | Format::Github) = (&outcome, format) {
        let diagnostic = diagnostics::fatal(&format!("{error:#}"));
        let line = match format {
            Format::Json => diagnostics::json_line(&diagnostic),
            _ => diagnostics::github_annotation(&diagnostic),
        };
        print_stdout(&format!("{line}\n"))?;
    }
    outcome
}

fn exit_code(loaded: &Loaded, strict: bool) -> ExitCode {
    let problems = !loaded.rejected.is_empty() || (strict && !loaded.warnings.is_empty());
    ExitCode::from(if problems { EXIT_PROBLEMS } else { EXIT_OK })
}

/// How much a run prints besides its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    /// `-q`: errors only.
    Quiet,
    Normal,
    /// `-v` (or `DEPESCHE_TIMINGS` set): also each stage's time.
    Verbose,
}

impl Verbosity {
    fn of(cli: &Cli) -> Verbosity {
        if cli.quiet {
            Verbosity::Quiet
        } else if cli.verbose || std::env::var_os("DEPESCHE_TIMINGS").is_some() {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }

    /// The listener of a long run: a bar on a terminal unless quiet.
    fn progress(self) -> Box<dyn Progress> {
        match self {
            Verbosity::Quiet => Box::new(Silent),
            _ => Box::new(Terminal::new(self == Verbosity::Verbose)),
        }
    }
}

/// Where and how a run's problems and summary are printed.
struct Report<'a> {
    input: &'a std::path::Path,
    format: Format,
    verbosity: Verbosity,
}

impl Report<'_> {
    /// Rejected files, then warnings (left out with `-q`). Text goes to
    /// standard error as it always did; JSON and annotations are the
    /// machine's output and go to standard output.
    fn diagnostics(&self, loaded: &Loaded) -> Result<()> {
        let warnings: &[crate::report::Warning] = match self.verbosity {
            Verbosity::Quiet => &[],
            _ => &loaded.warnings,
        };
        if self.format == Format::Text {
            warnings.iter().for_each(|warning| eprintln!("{warning}"));
            loaded.rejected.iter().for_each(|rejection| eprintln!("{rejection}"));
            return Ok(());
        }
        let mut text = String::new();
        for diagnostic in diagnostics::collect(self.input, &loaded.rejected, warnings) {
            text += &match self.format {
                Format::Json => diagnostics::json_line(&diagnostic),
                _ => diagnostics::github_annotation(&diagnostic),
            };
            text.push('\n');
        }
        print_stdout(&text)
    }

    /// The summary line: on standard output, except with `--format json`,
    /// whose standard output holds nothing but JSON; none with `-q`.
    fn summary(&self, line: &str) -> Result<()> {
        match (self.verbosity, self.format) {
            (Verbosity::Quiet, _) => Ok(()),
            (_, Format::Json) => {
                eprintln!("{line}");
                Ok(())
            }
            _ => print_stdout(&format!("{line}\n")),
        }
    }
}

/// Print to standard output; a closed pipe (`depesche list | head`) is not an
/// error worth a message, so it ends the output quietly.
fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    /// The counts, which add up: files = published + rejected + ignored.
    files: crate::report::Accounting,
    stories: Vec<StoryJson<'a>>,
    rejected: &'a [crate::report::Rejection],
    ignored: &'a [crate::source::Ignored],
}

#[derive(Serialize)]
struct StoryJson<'a> {
    id: &'a str,
    slug: &'a str,
    url: String,
    headline: &'a str,
    versions: Vec<VersionJson<'a>>,
}

#[derive(Serialize)]
struct VersionJson<'a> {
    n: usize,
    source: &'a str,
    timestamp: String,
    marker: Option<&'a str>,
    /// What the note announces (`new-details`, `repeat`, `correction`, ...).
    kind: Option<crate::parse::RevisionKind>,
    headline: &'a str,
    /// The version's own page.
    url: String,
}

fn list_json(loaded: &Loaded, config: &Config) -> Result<String> {
    let stories = loaded
        .stories
        .iter()
        .map(|story| StoryJson {
            id: &story.id,
            slug: &story.slug,
            url: config.url(&story.path),
            headline: &story.latest().head.headline,
            versions: story
                .versions
                .iter()
                .map(|v| VersionJson {
                    n: v.n,
                    source: &v.source,
                    timestamp: v.head.timestamp.to_rfc3339(),
                    marker: v.head.revision.as_ref().map(|r| r.raw.as_str()),
                    kind: v.head.revision.as_ref().map(|r| r.kind),
                    headline: &v.head.headline,
                    url: config.url(&crate::paths::version_dir(&story.path, v.n)),
                })
                .collect(),
        })
        .collect();
    let files = loaded.summary().accounting();
    let list = ListJson { files, stories, rejected: &loaded.rejected, ignored: &loaded.ignored };
    Ok(serde_json::to_string_pretty(&list)? + "\n")
}

fn list_table(loaded: &Loaded, config: &Config) -> String {
    let mut text = String::new();
    for story in &loaded.stories {
        text += &format!("{}  {}\n", config.url(&story.path), story.latest().head.headline);
        for v in &story.versions {
            let marker = v.head.revision.as_ref().map_or("", |r| r.raw.as_str());
            text += &format!("  v{}  {}  {}  {}\n", v.n, v.head.timestamp.to_rfc3339(), v.source, marker);
        }
    }
    for rejection in &loaded.rejected {
        text += &format!("rejected: {rejection}\n");
    }
    for ignored in &loaded.ignored {
        text += &format!("ignored: {}: {}\n", ignored.source, ignored.reason);
    }
    let files = loaded.summary().accounting();
    text += &format!(
        "{} files: {} published, {} rejected, {} ignored\n",
        files.files, files.published, files.rejected, files.ignored
    );
    text
}

/// `depesche ping`: post every pending feed to the hub; exit code 1 when
/// the hub did not accept one (it stays pending for the next ping).
fn ping(args: &PingArgs, verbosity: Verbosity) -> Result<ExitCode> {
    let config = args.settings.load()?.config;
    let cache_dir = crate::cache::folder_for(&args.output)?;
    let pinged = crate::websub::ping(&config, &cache_dir)?;
    for (url, error) in &pinged.failed {
        eprintln!("error: the hub did not accept {url}: {error}");
    }
    if verbosity != Verbosity::Quiet {
        let mut text: String = pinged.accepted.iter().map(|url| format!("pinged {url}\n")).collect();
        if pinged.accepted.is_empty() && pinged.failed.is_empty() {
            text += "no feed changed since the last ping\n";
        }
        print_stdout(&text)?;
    }
    Ok(ExitCode::from(if pinged.failed.is_empty() { EXIT_OK } else { EXIT_PROBLEMS }))
}

/// `depesche fix`: repaired text on standard output, repairs on standard error.
/// Files are read and repaired in parallel and printed in the order given.
fn fix(files: &[PathBuf], explain: bool, input: Option<&std::path::Path>) -> Result<ExitCode> {
    use rayon::prelude::*;
    let texts = files
        .par_iter()
        .map(|path| {
            std::fs::read(path)
                .map(|bytes| decode(&bytes).text)
                .with_context(|| format!("cannot read {}", path.display()))
        })
        .collect::<Result<Vec<String>>>()?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    // Decoded text that needs no repair is printed as it is (repair would
    // give it back unchanged), and words are learned only when some does.
    let needs = repair::which_need_repair(&texts);
    let lexicon = match (needs.contains(&true), input) {
        (false, _) => Lexicon::builtin(),
        (true, Some(folder)) => {
            let config = config::load(None, None)?.config;
            let folder_texts = folder_texts(folder, &config)?;
            Lexicon::learned_from(&folder_texts.iter().map(String::as_str).collect::<Vec<_>>())
        }
        (true, None) => Lexicon::learned_from(&texts),
    };
    // A batch at a time, so the memory of printed texts is used again.
    const BATCH: usize = 64;
    for ((paths, texts), needs) in files.chunks(BATCH).zip(texts.chunks(BATCH)).zip(needs.chunks(BATCH)) {
        let repaired: Vec<_> =
            texts.par_iter().zip(needs).map(|(text, &need)| need.then(|| repair::repair(text, &lexicon))).collect();
        for ((path, text), repaired) in paths.iter().zip(texts).zip(&repaired) {
            let Some(repaired) = repaired else {
                print_stdout(text)?;
                continue;
            };
            if explain {
                for r in &repaired.repairs {
                    let kind = if r.certain { "certain" } else { "guess" };
                    eprintln!("{}:{}: {} → {} ({kind})", path.display(), r.line, r.before, r.after);
                }
            }
            print_stdout(&repaired.text)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
