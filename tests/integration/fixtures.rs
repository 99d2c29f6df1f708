//! Every invalid fixture reports exactly the codes its first line expects, and its human and
//! JSON reports are snapshots.
//!
//! A fixture is `tests/fixtures/invalid/<name>.toml`, or a directory of `*.toml` files (the
//! expectation then in the first line of its first file). First line: `# expect: CODE[, CODE]`.

use std::path::Path;

use pricectl::compile_path;

use crate::support::{codes, human_report, json_report, relative, root};

fn expected_codes(path: &Path) -> Vec<String> {
    let first_file = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .expect("fixture directory")
            .map(|entry| entry.expect("entry").path())
            .filter(|file| {
                file.extension()
                    .is_some_and(|extension| extension == "toml")
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .next()
            .expect("a fixture directory has a toml file")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&first_file).expect("fixture is readable");
    let first_line = text.lines().next().unwrap_or_default();
    let list = first_line
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("{} must start with `# expect: CODE`", first_file.display()));
    let mut codes: Vec<String> = list
        .split(',')
        .map(|code| code.trim().to_string())
        .collect();
    codes.sort();
    codes
}

fn check_fixture(path: &Path) {
    let relative_path = relative(path);
    let compilation = compile_path(&relative_path).expect("fixture loads");
    let expected = expected_codes(path);
    assert_eq!(
        codes(&compilation),
        expected,
        "codes of {}",
        relative_path.display()
    );
    let name = relative_path
        .file_stem()
        .expect("a name")
        .to_string_lossy()
        .to_string();
    insta::with_settings!({ snapshot_suffix => name.clone(), description => relative_path.display().to_string(), omit_expression => true }, {
        insta::assert_snapshot!("human", human_report(&compilation));
        insta::assert_snapshot!("json", json_report(&compilation));
    });
}

#[test]
fn invalid_fixtures_report_their_codes() {
    let directory = root().join("tests/fixtures/invalid");
    let mut paths: Vec<_> = std::fs::read_dir(&directory)
        .expect("tests/fixtures/invalid exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.is_dir()
                || path
                    .extension()
                    .is_some_and(|extension| extension == "toml")
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in &paths {
        check_fixture(path);
    }
}

#[test]
fn every_code_has_a_fixture() {
    let directory = root().join("tests/fixtures/invalid");
    let mut covered = Vec::new();
    for entry in std::fs::read_dir(&directory).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.is_dir()
            || path
                .extension()
                .is_some_and(|extension| extension == "toml")
        {
            covered.extend(expected_codes(&path));
        }
    }
    for code in pricectl::diagnostics::Code::ALL {
        assert!(
            covered.iter().any(|name| name == code.name()),
            "no fixture expects {code}"
        );
    }
}
