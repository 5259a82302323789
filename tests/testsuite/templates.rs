//! A user's own template replaces the built-in one of the same name.

use crate::support::{depesche, fixture, project_dir};

#[test]
fn a_template_in_the_config_folder_overrides_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("override").join("depesche.toml");
    let input = project_dir().join("seeds");
    let run = depesche(
        dir.path(),
        &["build", "--config", config.to_str().unwrap(), "--input", input.to_str().unwrap(), "--output", "out"],
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let story = std::fs::read_to_string(
        dir.path().join("out/2024/10/28/nato-russische-verluste-bei-mehr-als-600-000-soldaten/index.html"),
    )
    .unwrap();
    assert!(story.contains("<p class=\"eigene-vorlage\">Eigene Vorlage: Nato: Russische Verluste"));
    assert!(story.contains("<title>Eigener Ticker</title>"), "base.html is still the default");
    let index = std::fs::read_to_string(dir.path().join("out/index.html")).unwrap();
    assert!(index.contains("href=\"https://ticker.example.net/archiv/atom.xml\""));
    assert!(!index.contains("eigene-vorlage"));
}

#[test]
fn a_broken_user_template_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/index.html"), "{% if %}").unwrap();
    std::fs::write(dir.path().join("depesche.toml"), "").unwrap();
    let input = project_dir().join("seeds");
    let run = depesche(dir.path(), &["build", "--input", input.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("templates/index.html does not compile"));
}
