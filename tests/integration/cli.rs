//! The command line as users see it: exit codes, stdout vs stderr, formats.

use crate::support::{run, stderr, stdout};

#[test]
fn validate_exit_codes() {
    let valid = run(&["validate", "pricing-examples/openai-credits/pricing.toml"]);
    assert_eq!(valid.status.code(), Some(0));
    assert_eq!(stdout(&valid), "", "human diagnostics go to stderr only");
    insta::assert_snapshot!(stderr(&valid), @"pricing-examples/openai-credits/pricing.toml: valid (0 errors and 0 warnings)");

    let invalid = run(&["validate", "tests/fixtures/invalid/unknown_key.toml"]);
    assert_eq!(invalid.status.code(), Some(1));

    // A usage error must not exit 2: that is `plan --detailed-exitcode`'s "changes".
    let usage = run(&["validate", "--format", "yaml"]);
    assert_eq!(usage.status.code(), Some(64));
    let unknown_command = run(&["frobnicate"]);
    assert_eq!(unknown_command.status.code(), Some(64));

    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("validate"));
}

#[test]
fn warnings_pass_unless_denied() {
    let path = "tests/fixtures/invalid/unused_feature.toml";
    let allowed = run(&["validate", path]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    let denied = run(&["validate", "--deny-warnings", path]);
    assert_eq!(denied.status.code(), Some(1));
    let json = run(&["validate", "--deny-warnings", "--format", "json", path]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["valid"], false);
    assert_eq!(report["error_count"], 1);
    assert_eq!(report["warning_count"], 0);
}

#[test]
fn json_format_is_one_document_on_stdout() {
    let output = run(&[
        "validate",
        "--format",
        "json",
        "tests/fixtures/invalid/unknown_key.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(report["valid"], false);
    assert_eq!(report["diagnostics"][0]["code"], "pricectl::unknown_key");
}

#[test]
fn github_format_annotates_lines() {
    let output = run(&[
        "validate",
        "--format",
        "github",
        "tests/fixtures/invalid/unknown_key.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn missing_file_is_a_clear_error() {
    let output = run(&["validate", "does/not/exist.toml"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: `does/not/exist.toml` does not exist
      help: pass the pricing file or directory, or run pricectl where `pricing.toml` is
    ");
}

#[test]
fn compile_refuses_invalid_pricing_and_writes_nothing_to_stdout() {
    let output = run(&["compile", "tests/fixtures/invalid/unknown_key.toml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("no catalog written"));
}

#[test]
fn explain_prints_the_documentation_of_a_code() {
    let output = run(&["explain", "unknown_key"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("## `pricectl::unknown_key`"), "{text}");
    assert_eq!(
        text,
        run(&["explain", "pricectl::unknown_key"])
            .stdout
            .iter()
            .map(|byte| *byte as char)
            .collect::<String>()
    );

    let unknown = run(&["explain", "unknown_keys"]);
    assert_eq!(unknown.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&unknown), @r"
    error: `unknown_keys` is not a pricectl diagnostic code
      help: did you mean `pricectl::unknown_key`?
    ");
}
