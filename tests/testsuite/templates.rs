//! A user's own template replaces the built-in one of the same name.

use crate::support::{depesche, fixture, project_dir, tree};

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

/// `depesche build` of the seeds into `out/`, in a folder with `config` as
/// its `depesche.toml` and `templates` (name, source) in its `templates/`.
fn build_seeds_with(config: &str, templates: &[(&str, &str)]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    for (name, source) in templates {
        std::fs::write(dir.path().join("templates").join(name), source).unwrap();
    }
    std::fs::write(dir.path().join("depesche.toml"), config).unwrap();
    let input = project_dir().join("seeds");
    let run = depesche(dir.path(), &["build", "--input", input.to_str().unwrap(), "--output", "out"]);
    (dir, run)
}

#[test]
fn a_broken_user_template_is_a_clear_error() {
    let (_dir, run) = build_seeds_with("", &[("index.html", "{% if %}")]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("templates/index.html does not compile"));
}

/// The site-wide parts of a page are rendered once per build, but a user's
/// own `site-header.html` still reaches every page, with the site's values.
#[test]
fn a_users_site_header_is_on_every_page() {
    let header = "<header class=\"eigener-kopf\"><a href=\"{{ site.base_url }}\">{{ site.title }} & Co.</a></header>\n";
    let (dir, run) = build_seeds_with("title = \"Ticker <Test>\"\n", &[("site-header.html", header)]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let story = "out/2024/10/28/nato-russische-verluste-bei-mehr-als-600-000-soldaten/";
    let pages = ["out/index.html".to_string(), format!("{story}index.html"), format!("{story}v/1/index.html")];
    for page in pages {
        let html = std::fs::read_to_string(dir.path().join(&page)).unwrap();
        let expected = "<header class=\"eigener-kopf\"><a href=\"https://depesche.example.org/\">Ticker &lt;Test&gt; & Co.</a></header>\n<main";
        assert!(html.contains(expected), "{page} lacks the user's header:\n{html}");
        assert!(!html.contains("<header class=\"site\">"), "{page} still has the default header");
        assert!(html.contains("href=\"https://depesche.example.org/atom.xml\""), "{page} lost the default feed links");
    }
}

#[test]
fn a_site_part_that_does_not_render_is_a_clear_error() {
    let (dir, run) = build_seeds_with("", &[("site-footer.html", "<footer>{{ site.no_such_value }}</footer>")]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("site-footer.html"), "{stderr}");
    assert!(!dir.path().join("out/index.html").exists(), "nothing is published");
}

/// Pages the default templates stand for are written by depesche itself
/// (`render::compiled`) unless a template involved is overridden: a build
/// with copies of every default template as the user's own renders them
/// all from the templates, and must write the same site byte for byte.
/// The inputs hold corrections, repeats, several versions, many places and
/// text that needs escaping.
#[test]
fn copies_of_the_default_templates_build_the_same_site() {
    let inputs =
        [project_dir().join("seeds"), fixture("nasty"), fixture("archive"), fixture("stories-headline-change")];
    let inputs: Vec<&str> = inputs.iter().map(|input| input.to_str().unwrap()).collect();
    let dir = tempfile::tempdir().unwrap();
    let copies = dir.path().join("copies");
    std::fs::create_dir_all(copies.join("templates")).unwrap();
    for entry in std::fs::read_dir(project_dir().join("templates")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copies.join("templates").join(entry.file_name())).unwrap();
    }
    let defaults = dir.path().join("defaults");
    std::fs::create_dir(&defaults).unwrap();
    let mut pages = String::new();
    for input in inputs {
        let build = |cwd: &std::path::Path| {
            let run = depesche(cwd, &["build", "--input", input, "--output", "out"]);
            // 1: some files rejected (the nasty ones), the rest published.
            assert!(matches!(run.status.code(), Some(0 | 1)), "{input}: {}", String::from_utf8_lossy(&run.stderr));
            tree(&cwd.join("out"))
        };
        let (written, rendered) = (build(&defaults), build(&copies));
        for (path, bytes) in &written {
            if path.ends_with("index.html") {
                pages.push_str(&String::from_utf8_lossy(bytes.as_deref().unwrap()));
            }
        }
        assert_eq!(written.keys().collect::<Vec<_>>(), rendered.keys().collect::<Vec<_>>(), "{input}");
        for (path, bytes) in &written {
            let from_templates = &rendered[path];
            if bytes != from_templates {
                let text = |bytes: &Option<Vec<u8>>| {
                    String::from_utf8_lossy(bytes.as_deref().unwrap_or_default()).into_owned()
                };
                panic!(
                    "{input}: {path} differs\n--- written:\n{}\n--- from the templates:\n{}",
                    text(bytes),
                    text(from_templates)
                );
            }
        }
    }
    let shown = [
        "<p class=\"correction\">",
        "Wortgleich mit Fassung",
        "(Text unverändert)",
        "<strong class=\"note\">",
        "predecessor-version",
        "successor-version",
        "rel=\"next\"",
        " · aktualisiert ",
        "über die Fassung dazwischen hinweg",
        "Alle Änderungen seit der ersten Fassung",
        "Wörter eingefügt",
        "&amp;",
        "&#39;",
    ];
    for shown in shown {
        assert!(pages.contains(shown), "no page has {shown}");
    }
}
