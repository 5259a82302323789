//! `depesche serve`: build the site, serve it over HTTP on this machine,
//! and build again whenever the input, the templates or the configuration
//! change, reloading the pages open in a browser.
//!
//! The site is built exactly as `depesche build` builds it, only with the
//! base URL pointed at the server (its path kept, so a site meant for
//! `https://example.org/archiv/` is served under `/archiv/`), into a folder
//! of its own: the published output is never touched. Builds are
//! incremental through the cache beside that folder. A build that fails
//! (a broken template, a bad configuration) leaves the last good site on
//! disk; the server shows the error in the terminal and on every page until
//! a build succeeds again, and never stops for it. Ctrl-C stops the server;
//! a build it interrupts leaves the folder as the last finished build did.
//!
//! [`http`] answers requests, [`watch`] decides which changes start a
//! build; this module runs the two and the builds.

pub mod http;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use anyhow::{Context, Result};

use self::http::{Problem, SiteState};
use self::watch::{Watched, Watcher};
use crate::build::{BuildOptions, Built, build_reporting};
use crate::config;
use crate::progress::{Progress, Terminal};

/// What `depesche serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub input: PathBuf,
    /// The configuration file; `None` for `depesche.toml` in the working
    /// folder when present (it is watched either way).
    pub config: Option<PathBuf>,
    /// Overrides the configuration's base URL (only its path is used).
    pub base_url: Option<String>,
    /// Where the served site is built; `None` for a folder under the
    /// system's temporary folder (see [`default_output`]).
    pub output: Option<PathBuf>,
    pub bind: IpAddr,
    /// 0 for any free port.
    pub port: u16,
    pub clean: bool,
}

/// The served site's folder when none is given: one per input folder and
/// address under the system's temporary folder, so that a restarted server
/// builds incrementally on what it built before.
pub fn default_output(input: &Path, address: SocketAddr) -> PathBuf {
    let input = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    let key = format!("{}\n{address}", input.display());
    let digest = crate::cache::bytes_digest(key.as_bytes());
    std::env::temp_dir().join(format!("depesche-serve-{digest:016x}")).join("site")
}

/// Serve until Ctrl-C.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let server = tiny_http::Server::http((options.bind, options.port))
        .map_err(|error| anyhow::anyhow!("cannot listen on {}:{}: {error}", options.bind, options.port))?;
    let server = Arc::new(server);
    let address = server.server_addr().to_ip().context("the server listens on no IP address")?;
    let output = options.output.clone().unwrap_or_else(|| default_output(&options.input, address));
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let session = Session { options: options.clone(), output, authority: authority(address) };
    let state = Arc::new(RwLock::new(session.build(0)));
    let stopping = Arc::new(AtomicBool::new(false));
    {
        let (server, stopping) = (Arc::clone(&server), Arc::clone(&stopping));
        ctrlc::set_handler(move || {
            stopping.store(true, Ordering::SeqCst);
            server.unblock();
        })
        .context("cannot handle Ctrl-C")?;
    }
    let watcher = Watcher::start(session.watched()?)?;
    let base_path = state.read().expect("state poisoned").base_path.clone();
    println!(
        "serving http://{}{base_path} (site built into {}); Ctrl-C stops",
        session.authority,
        session.output.display()
    );
    {
        let state = Arc::clone(&state);
        let session = session.clone();
        std::thread::spawn(move || rebuild_on_change(watcher, &session, &state));
    }
    for request in server.incoming_requests() {
        let (state, root) = (Arc::clone(&state), session.output.clone());
        std::thread::spawn(move || answer(request, &state, &root));
    }
    if stopping.load(Ordering::SeqCst) {
        println!("stopped");
    }
    Ok(())
}

/// `host:port` of the served URLs: `localhost` for an address that means
/// every interface, brackets around IPv6.
fn authority(address: SocketAddr) -> String {
    match address.ip() {
        ip if ip.is_unspecified() => format!("localhost:{}", address.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", address.port()),
    }
}

/// Build again after every change, until the watcher stops.
fn rebuild_on_change(mut watcher: Watcher, session: &Session, state: &RwLock<SiteState>) {
    while let Some(changed) = watcher.next_change() {
        let shown = changed.first().map(|p| p.display().to_string()).unwrap_or_default();
        match changed.len() {
            1 => println!("changed: {shown}"),
            n => println!("changed: {shown} and {} more", n - 1),
        }
        let generation = state.read().expect("state poisoned").generation + 1;
        let built = session.build(generation);
        *state.write().expect("state poisoned") = built;
    }
}

/// Answer one request; a client that went away is not worth a message.
fn answer(request: tiny_http::Request, state: &RwLock<SiteState>, root: &Path) {
    let method = request.method().clone();
    let reply = match method {
        tiny_http::Method::Get | tiny_http::Method::Head => {
            let state = state.read().expect("state poisoned").clone();
            http::respond(request.url(), &state, root)
        }
        _ => http::Reply { status: 405, content_type: "text/plain; charset=utf-8", body: Vec::new(), location: None },
    };
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![("Content-Type", reply.content_type), ("Cache-Control", "no-store")];
    if let Some(location) = &reply.location {
        headers.push(("Location", location));
    }
    for (name, value) in headers {
        let header = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header");
        response.add_header(header);
    }
    let _ = request.respond(response);
}

/// Everything one build of the served site needs.
#[derive(Debug, Clone)]
struct Session {
    options: ServeOptions,
    output: PathBuf,
    authority: String,
}

impl Session {
    /// The configuration file the build reads, existing or not.
    fn config_path(&self) -> PathBuf {
        self.options.config.clone().unwrap_or_else(|| PathBuf::from("depesche.toml"))
    }

    fn watched(&self) -> Result<Watched> {
        let config = self.config_path();
        let folder = config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Watched::new(&self.options.input, &folder.join("templates"), &config)
    }

    /// Build the site, report the outcome in the terminal and return the
    /// state the pages show.
    fn build(&self, generation: u64) -> SiteState {
        let started = Instant::now();
        let progress = Terminal::new(false);
        let built = self.options(generation == 0).and_then(|(options, base_path)| {
            let built = build_reporting(&options, &progress);
            progress.finish();
            Ok((built?, base_path))
        });
        match built {
            Ok((built, base_path)) => {
                let problem = report(&built, started);
                SiteState { generation, base_path, problem }
            }
            Err(error) => {
                let message = format!("{error:#}");
                eprintln!("error: {message}");
                let base_path = self.options(false).map(|(_, base_path)| base_path).unwrap_or_else(|_| "/".into());
                SiteState { generation, base_path, problem: Problem::Failed(message) }
            }
        }
    }

    /// The build's options, read afresh (the configuration may have
    /// changed), and the base URL's path the site is served under. `--clean`
    /// counts for the `first` build only.
    fn options(&self, first: bool) -> Result<(BuildOptions, String)> {
        let loaded = config::load(self.options.config.as_deref(), self.options.base_url.as_deref())?;
        let base_path = loaded.config.base_path().to_string();
        let config = loaded.config.with_base_url(&format!("http://{}{base_path}", self.authority))?;
        let options = BuildOptions {
            input: self.options.input.clone(),
            output: self.output.clone(),
            config,
            template_dir: Some(loaded.template_dir),
            now: chrono::Utc::now(),
            clean: self.options.clean && first,
        };
        Ok((options, base_path))
    }
}

/// Print a finished build's problems and summary; the rejected files are
/// what the pages show.
fn report(built: &Built, started: Instant) -> Problem {
    for warning in &built.loaded.warnings {
        eprintln!("{warning}");
    }
    for rejection in &built.loaded.rejected {
        eprintln!("{rejection}");
    }
    println!("{}", built.summary().line("built", started.elapsed().as_secs_f64()));
    match built.loaded.rejected.is_empty() {
        true => Problem::None,
        false => Problem::Rejected(built.loaded.rejected.iter().map(ToString::to_string).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_authority() {
        assert_eq!(authority("127.0.0.1:8000".parse().unwrap()), "127.0.0.1:8000");
        assert_eq!(authority("0.0.0.0:8000".parse().unwrap()), "localhost:8000");
        assert_eq!(authority("[::1]:8000".parse().unwrap()), "[::1]:8000");
    }
}
