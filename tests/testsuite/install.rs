//! Installable: the binary alone (as `cargo install` leaves it) builds a
//! site with its built-in templates and configuration, and the package
//! holds the program, its templates and licence, and no test data.

use std::process::Command;

use crate::support::project_dir;

#[test]
fn the_binary_alone_builds_a_site_with_its_built_in_templates() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("bin/depesche");
    std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_depesche"), &binary).unwrap();
    let (input, work) = (dir.path().join("artikel"), dir.path().join("arbeit"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let article = "Bahn streikt am Montag\n04.11.2024 - 08:15:00\nBERLIN (dpa-AFX) - Der Streik beginnt früh.\n";
    std::fs::write(input.join("streik.txt"), article).unwrap();
    let built = Command::new(&binary)
        .current_dir(&work)
        .args(["build", "--input", input.to_str().unwrap(), "--output", "public"])
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let index = std::fs::read_to_string(work.join("public/index.html")).unwrap();
    assert!(index.contains("<html lang=\"de\">") && index.contains("Bahn streikt am Montag"), "{index}");
    assert!(index.contains("Depeschen"), "the built-in configuration's title");
    assert!(work.join("public/404.html").is_file() && work.join("public/atom.xml").is_file());
}

#[test]
fn the_package_holds_the_program_and_its_licence_but_no_test_data() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let listed = Command::new(cargo)
        .current_dir(project_dir())
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let files = String::from_utf8(listed.stdout).unwrap();
    let files: Vec<&str> = files.lines().collect();
    for needed in [
        "LICENSE",
        "README.md",
        "Cargo.lock",
        "depesche.default.toml",
        "src/main.rs",
        "src/repair/lexicon-de.txt",
        "templates/base.html",
        "examples/github-actions/publish.yml",
    ] {
        assert!(files.contains(&needed), "{needed} is not in the package");
    }
    let left_out = ["tests/", "fuzz/", "bench/", "benches/", "seeds/", "target/"];
    for file in &files {
        assert!(!left_out.iter().any(|folder| file.starts_with(folder)), "{file} is in the package");
    }
    let manifest: toml::Table = std::fs::read_to_string(project_dir().join("Cargo.toml")).unwrap().parse().unwrap();
    let package = manifest["package"].as_table().unwrap();
    for key in ["description", "license", "repository", "keywords", "categories", "rust-version"] {
        assert!(package.contains_key(key), "Cargo.toml has no {key}");
    }
    assert_eq!(package["license"].as_str(), Some("MIT"));
    let licence = std::fs::read_to_string(project_dir().join("LICENSE")).unwrap();
    assert!(licence.starts_with("MIT License"));
}
