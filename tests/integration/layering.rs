//! The dependency direction of docs/architecture.md, checked on the source: `catalog` ← `live`
//! ← `diff` ← `backend` ← `reconcile` ← `cli`, and `catalog` ← `store` ← `ledger` (the
//! ledger runs on the store, never on a backend). A folder low in the stack that imported one
//! above it would bring back the cycle the layering removed (the diff reading live state from
//! a backend that reads plans from the diff).

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::root;

/// Each folder (or file) of `src/` low in the stack, and the crate modules it may import.
const ALLOWED: &[(&str, &[&str])] = &[
    ("catalog", &[]),
    ("live", &["catalog"]),
    ("diff", &["catalog", "live"]),
    ("store", &["catalog"]),
    ("ledger", &["catalog", "store"]),
    // Autumn's wire types and their mapping to the catalog: shared by the server and the
    // Autumn backend, so they import neither.
    ("autumn", &["catalog"]),
];

#[test]
fn low_layers_import_only_what_is_below_them() {
    let mut violations = Vec::new();
    for (folder, allowed) in ALLOWED {
        let allowed: BTreeSet<&str> = allowed.iter().copied().chain([*folder]).collect();
        for (file, modules) in imports_under(&root().join("src").join(folder)) {
            for module in modules.difference(&allowed.iter().map(ToString::to_string).collect()) {
                violations.push(format!("{file} imports crate::{module}"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the layering of docs/architecture.md:\n{}",
        violations.join("\n")
    );
}

#[test]
fn nothing_but_the_binary_imports_the_cli() {
    let mut violations = Vec::new();
    for (file, modules) in imports_under(&root().join("src")) {
        let in_cli = file.starts_with("src/cli/") || file == "src/main.rs";
        if !in_cli && modules.contains("cli") {
            violations.push(file);
        }
    }
    assert!(
        violations.is_empty(),
        "files importing the CLI: {violations:?}"
    );
}

/// The scanner itself: every way a file can name a crate module is seen, comments are not.
#[test]
fn the_scanner_sees_every_form_of_import() {
    let source = "\
//! Talks about crate::reconcile in a comment only.
use crate::{catalog::Catalog, live::{LiveState, fingerprint}};
use crate::backend::Backend;
fn f() -> u64 { crate::ledger::count() } // and crate::render here
use super::super::dsl::Thing;
";
    let found = crate_modules(source, 2);
    let expected: BTreeSet<String> = ["backend", "catalog", "dsl", "ledger", "live"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, expected);
}

/// Every `.rs` file under `dir` (relative to the crate root) → the crate modules it names.
fn imports_under(dir: &Path) -> Vec<(String, BTreeSet<String>)> {
    let mut files = Vec::new();
    collect_rust_files(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).expect("source files are readable");
            let relative = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            // A file `src/a/b.rs` is module `a::b`: `super::super` from it is the crate;
            // `src/a/mod.rs` is module `a`: `super` is.
            let mut depth = relative.matches('/').count();
            if relative.ends_with("/mod.rs") {
                depth -= 1;
            }
            (relative, crate_modules(&source, depth))
        })
        .collect()
}

fn collect_rust_files(path: &Path, files: &mut Vec<std::path::PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        collect_rust_files(&entry.path(), files);
    }
}

/// The top-level crate modules a source names through `crate::…` (grouped `crate::{…}` too)
/// or through enough `super::` to reach the crate root from a module `depth` levels deep
/// (`src/diff/fields.rs` is 2: `super::super::x` is `crate::x`). Line comments are skipped.
fn crate_modules(source: &str, depth: usize) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.find("//").map_or(line, |comment| &line[..comment]))
        .collect::<Vec<_>>()
        .join("\n");
    let mut prefixes = vec!["crate::".to_string()];
    if depth >= 1 {
        prefixes.push("super::".repeat(depth));
    }
    let mut modules = BTreeSet::new();
    for prefix in &prefixes {
        for (start, _) in code.match_indices(prefix.as_str()) {
            let rest = &code[start + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                modules.extend(top_level_names(group));
            } else {
                modules.extend(leading_identifier(rest));
            }
        }
    }
    modules
}

/// The first path segment of each entry of a `{…}` group, up to its closing brace.
fn top_level_names(group: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut expecting_name = true;
    for (index, character) in group.char_indices() {
        match character {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expecting_name = true,
            character if expecting_name && depth == 0 && !character.is_whitespace() => {
                expecting_name = false;
                names.extend(leading_identifier(&group[index..]));
            }
            _ => {}
        }
    }
    names
}

fn leading_identifier(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
        .collect();
    (!name.is_empty() && name.starts_with(|first: char| first.is_ascii_lowercase())).then_some(name)
}
