//! Output discipline: data on stdout, notes and errors on stderr, `--quiet` leaves out notes
//! only, no colour off a terminal or with `NO_COLOR`.

use crate::support::{TestContext, stderr, stdout};

#[test]
fn quiet_leaves_out_notes_and_nothing_else() {
    let context = TestContext::with_example("openai-credits");

    let loud = context.run(&["validate"]);
    insta::assert_snapshot!(stderr(&loud), @"pricing.toml: valid (0 errors and 0 warnings)");
    let quiet = context.run(&["validate", "--quiet"]);
    assert_eq!(
        (quiet.status.code(), stderr(&quiet)),
        (Some(0), String::new())
    );

    let plan = context.run(&["plan", "--out", "plan.json"]);
    let quiet_plan = context.run(&["-q", "plan", "--out", "plan.json"]);
    insta::assert_snapshot!(stderr(&plan), @"Saved the plan to plan.json; apply exactly it with `pricectl apply plan.json`");
    assert_eq!(stderr(&quiet_plan), "");
    assert_eq!(stdout(&quiet_plan), stdout(&plan), "data is never left out");

    let applied = context.run(&["apply", "--quiet", "plan.json"]);
    assert_eq!(applied.status.code(), Some(0));
    assert_eq!(stderr(&applied), "");
    assert!(
        stdout(&applied).contains(" to create, "),
        "{}",
        stdout(&applied)
    );

    // Errors are never left out.
    let missing = context.run(&["validate", "-q", "missing.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).starts_with("error: `missing.toml` does not exist"));
    let stale = context.run(&["apply", "-q", "plan.json"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(stderr(&stale).starts_with("error: "), "{}", stderr(&stale));
    context.write(
        "bad.toml",
        "version = 1\ncurrency = \"USD\"\nfeatures = 3\n",
    );
    let invalid = context.run(&["validate", "-q", "bad.toml"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(
        stderr(&invalid).contains("pricectl::invalid_value"),
        "{}",
        stderr(&invalid)
    );
}

#[test]
fn data_on_stdout_and_nothing_else_there() {
    let context = TestContext::with_example("openai-credits");
    context.write("old.toml", &context.read("pricing.toml"));
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
        let output = context.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{args:?} writes nothing but data");
    }
    let json = context.run(&["plan", "--format", "json"]);
    let _: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
}

#[test]
fn no_colour_off_a_terminal_or_with_no_color() {
    let context = TestContext::with_example("openai-credits");
    context.write(
        "bad.toml",
        "version = 1\ncurrency = \"USD\"\nfeatures = 3\n",
    );
    for args in [
        &["plan"][..],
        &["validate", "bad.toml"],
        &["diff", "pricing.toml", "bad.toml"],
    ] {
        // Not a terminal: no escape codes, whatever NO_COLOR says.
        let output = context
            .command()
            .env_remove("NO_COLOR")
            .args(args)
            .output()
            .expect("pricectl runs");
        assert!(!output.stdout.contains(&0x1b), "{args:?}");
        assert!(!output.stderr.contains(&0x1b), "{args:?}");
    }
}
