//! Snapshots that age well: none names the crate's version, so a release changes no snapshot
//! (the version is filtered to `[VERSION]`, see `support::filters`).

use std::path::{Path, PathBuf};

use crate::support::root;

/// Every `.snap` file below `directory`.
fn snapshot_files(directory: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            snapshot_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "snap")
        {
            found.push(path);
        }
    }
}

/// Whether `text` holds `version` as a version, not as part of a longer number
/// (`0.1.0` is in `10.1.0` and `0.1.01`, which are not it).
fn names_version(text: &str, version: &str) -> bool {
    text.match_indices(version).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + version.len()..].chars().next();
        !before.is_some_and(|character| character.is_ascii_digit() || character == '.')
            && !after.is_some_and(|character| character.is_ascii_digit())
    })
}

#[test]
fn no_snapshot_names_the_crate_version() {
    let version = env!("CARGO_PKG_VERSION");
    let mut files = Vec::new();
    for directory in ["src", "tests"] {
        snapshot_files(&root().join(directory), &mut files);
    }
    assert!(
        files.len() > 100,
        "the snapshots were found: {}",
        files.len()
    );
    let naming: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).expect("a readable snapshot");
            names_version(&text, version)
        })
        .map(|path| {
            path.strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        naming.is_empty(),
        "these snapshots name the crate version {version}; filter it with `support::bind` or \
         `TestContext::bind`:\n{}",
        naming.join("\n")
    );
}

#[test]
fn a_version_is_told_from_longer_numbers() {
    assert!(names_version("\"pricectl 0.1.0\"", "0.1.0"));
    assert!(names_version("v0.1.0\n", "0.1.0"));
    assert!(names_version("0.1.0.", "0.1.0"));
    assert!(!names_version("10.1.0", "0.1.0"));
    assert!(!names_version("0.1.01", "0.1.0"));
    assert!(!names_version("[VERSION]", "0.1.0"));
}
