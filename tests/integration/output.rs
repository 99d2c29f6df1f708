//! Output discipline: data on stdout, notes and errors on stderr, `--quiet` leaves out notes
//! only, no colour off a terminal or with `NO_COLOR`.

use std::path::Path;
use std::process::Output;

use crate::support::{pricectl, root};

fn run_in(directory: &Path, args: &[&str]) -> Output {
    pricectl()
        .current_dir(directory)
        .args(args)
        .output()
        .expect("pricectl runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

fn workspace() -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        root().join("pricing-examples/openai-credits/pricing.toml"),
        directory.path().join("pricing.toml"),
    )
    .expect("copy the example");
    directory
}

#[test]
fn quiet_leaves_out_notes_and_nothing_else() {
    let directory = workspace();
    let path = directory.path();

    let loud = run_in(path, &["validate"]);
    insta::assert_snapshot!(stderr(&loud), @"pricing.toml: valid (0 errors and 0 warnings)");
    let quiet = run_in(path, &["validate", "--quiet"]);
    assert_eq!(
        (quiet.status.code(), stderr(&quiet)),
        (Some(0), String::new())
    );

    let plan = run_in(path, &["plan", "--out", "plan.json"]);
    let quiet_plan = run_in(path, &["-q", "plan", "--out", "plan.json"]);
    insta::assert_snapshot!(stderr(&plan), @"Saved the plan to plan.json; apply exactly it with `pricectl apply plan.json`");
    assert_eq!(stderr(&quiet_plan), "");
    assert_eq!(stdout(&quiet_plan), stdout(&plan), "data is never left out");

    let applied = run_in(path, &["apply", "--quiet", "plan.json"]);
    assert_eq!(applied.status.code(), Some(0));
    assert_eq!(stderr(&applied), "");
    assert!(
        stdout(&applied).contains(" to create, "),
        "{}",
        stdout(&applied)
    );

    // Errors are never left out.
    let missing = run_in(path, &["validate", "-q", "missing.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).starts_with("error: `missing.toml` does not exist"));
    let stale = run_in(path, &["apply", "-q", "plan.json"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(stderr(&stale).starts_with("error: "), "{}", stderr(&stale));
    std::fs::write(
        path.join("bad.toml"),
        "version = 1\ncurrency = \"USD\"\nfeatures = 3\n",
    )
    .expect("write");
    let invalid = run_in(path, &["validate", "-q", "bad.toml"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(
        stderr(&invalid).contains("pricectl::invalid_value"),
        "{}",
        stderr(&invalid)
    );
}

#[test]
fn data_on_stdout_and_nothing_else_there() {
    let directory = workspace();
    let path = directory.path();
    std::fs::copy(path.join("pricing.toml"), path.join("old.toml")).expect("copy");
    for args in [
        &["plan", "--format", "json"][..],
        &["plan", "--format", "markdown"],
        &["plan", "--format", "github"],
        &["diff", "old.toml", "pricing.toml", "--format", "json"],
        &["validate", "--format", "json"],
        &["validate", "--format", "github"],
        &["compile"],
        &["completions", "fish"],
        &["man"],
    ] {
        let output = run_in(path, args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{args:?} writes nothing but data");
    }
    let json = run_in(path, &["plan", "--format", "json"]);
    let _: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
}

#[test]
fn no_colour_off_a_terminal_or_with_no_color() {
    let directory = workspace();
    let path = directory.path();
    std::fs::write(
        path.join("bad.toml"),
        "version = 1\ncurrency = \"USD\"\nfeatures = 3\n",
    )
    .expect("write");
    for args in [
        &["plan"][..],
        &["validate", "bad.toml"],
        &["diff", "pricing.toml", "bad.toml"],
    ] {
        // Not a terminal: no escape codes, whatever NO_COLOR says.
        let output = pricectl()
            .env_remove("NO_COLOR")
            .current_dir(path)
            .args(args)
            .output()
            .expect("pricectl runs");
        assert!(!output.stdout.contains(&0x1b), "{args:?}");
        assert!(!output.stderr.contains(&0x1b), "{args:?}");
    }
}
