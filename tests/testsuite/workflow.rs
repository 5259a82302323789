//! The example GitHub Actions workflow (`examples/github-actions/publish.yml`):
//! it runs on push and on a schedule, checks with `--format github`, deploys
//! to GitHub Pages and pings the hub; and its check and build steps, run as
//! the scripts they are, check and build a folder of articles.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::{fixture, project_dir};

fn workflow() -> Yaml {
    let path = project_dir().join("examples/github-actions/publish.yml");
    let text = std::fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

/// The step of `job` whose `id` is `id`.
fn step<'a>(workflow: &'a Yaml, job: &str, id: &str) -> &'a Yaml {
    let steps = workflow["jobs"][job]["steps"].as_vec().unwrap_or_else(|| panic!("job {job} has no steps"));
    steps.iter().find(|s| s["id"].as_str() == Some(id)).unwrap_or_else(|| panic!("job {job} has no step {id}"))
}

/// `uses:` of every step of `job`.
fn actions(workflow: &Yaml, job: &str) -> Vec<String> {
    let steps = workflow["jobs"][job]["steps"].as_vec().unwrap();
    steps.iter().filter_map(|s| s["uses"].as_str()).map(|uses| uses.split('@').next().unwrap().to_string()).collect()
}

#[test]
fn the_workflow_builds_on_push_and_on_a_schedule_deploys_and_pings() {
    let workflow = workflow();
    let on = &workflow["on"];
    assert!(!on["push"].is_badvalue(), "runs on push");
    assert!(on["schedule"][0]["cron"].as_str().is_some(), "runs on a schedule");
    assert!(actions(&workflow, "build").contains(&"actions/upload-pages-artifact".to_string()));
    assert!(actions(&workflow, "deploy").contains(&"actions/deploy-pages".to_string()));
    assert_eq!(workflow["jobs"]["deploy"]["needs"].as_str(), Some("build"));
    assert_eq!(workflow["jobs"]["ping"]["needs"].as_str(), Some("deploy"), "the hub hears after the upload");
    let check = step(&workflow, "build", "check")["run"].as_str().unwrap();
    assert!(check.contains("depesche check") && check.contains("--format github"), "{check}");
    let ping = step(&workflow, "ping", "ping")["run"].as_str().unwrap();
    assert!(ping.contains("depesche ping"), "{ping}");
}

/// A step's `run:` script, run with bash as the runner does (`bash -e`),
/// in `repo`, with the workflow's and the step's environment (values from
/// `${{ … }}` expressions given by `site_url`) and the tested binary first
/// on the `PATH`.
fn run_step(workflow: &Yaml, id: &str, repo: &Path, site_url: &str) -> Output {
    let step = step(workflow, "build", id);
    let script = step["run"].as_str().unwrap();
    assert!(!script.contains("${{"), "the script of {id} uses environment variables only");
    let binary_dir = PathBuf::from(env!("CARGO_BIN_EXE_depesche")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", binary_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("bash");
    command.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script]).current_dir(repo).env("PATH", path);
    let environments = [&workflow["env"], &step["env"]];
    for (name, value) in environments.iter().filter_map(|env| env.as_hash()).flatten() {
        let value = value.as_str().unwrap();
        let value = if value.contains("${{") { site_url.to_string() } else { value.to_string() };
        command.env(name.as_str().unwrap(), value);
    }
    command.output().unwrap()
}

/// A repository as the workflow expects it: the articles in `articles/`.
fn repository(articles: &Path) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let target = repo.path().join("articles");
    for entry in walkdir::WalkDir::new(articles).into_iter().map(Result::unwrap) {
        let to = target.join(entry.path().strip_prefix(articles).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    repo
}

const SITE_URL: &str = "https://redaktion.github.io/ticker/";

#[test]
fn the_check_and_build_steps_annotate_rejected_files_and_publish_the_rest() {
    let workflow = workflow();
    let repo = repository(&fixture("mixed"));
    let check = run_step(&workflow, "check", repo.path(), SITE_URL);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "rejected files do not fail the step:\n{stdout}");
    let annotation = "::error file=articles/empty.txt,line=1,title=E-empty::the file is empty";
    assert!(stdout.lines().any(|line| line.starts_with(annotation)), "{stdout}");
    assert_eq!(stdout.lines().filter(|line| line.starts_with("::error ")).count(), 3, "{stdout}");

    let build = run_step(&workflow, "build", repo.path(), SITE_URL);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    assert!(build.stdout.is_empty(), "-q: no summary in the log");
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert_eq!(stderr.lines().count(), 3, "only the three errors: {stderr}");
    let atom = std::fs::read_to_string(repo.path().join("public/atom.xml")).unwrap();
    assert!(atom.contains(&format!("href=\"{SITE_URL}atom.xml\"")), "built for the Pages address");
}

#[test]
fn the_steps_fail_when_the_site_cannot_be_built() {
    let workflow = workflow();
    let repo = repository(&fixture("mixed"));
    std::fs::write(repo.path().join("depesche.toml"), "titel = \"Tippfehler\"\n").unwrap();
    for id in ["check", "build"] {
        let run = run_step(&workflow, id, repo.path(), SITE_URL);
        assert!(!run.status.success(), "{id} passed with a broken configuration");
        assert!(String::from_utf8_lossy(&run.stderr).contains("invalid configuration"), "{id}");
    }
}
