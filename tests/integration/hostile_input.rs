//! Hostile and oversized input, each case found by probing (docs/reliability.md): a clear error
//! or a correct answer, with output bounded whatever the size of the input. The expensive
//! sizes (200,000 features, a 32 MiB line) are measured runs recorded in docs/reliability.md;
//! these are the cheap ones.

use std::fmt::Write as _;
use std::path::Path;

use pricectl::input::{PRICING_BYTES, SCENARIO_BYTES};
use pricectl::reconcile::SavedPlan;
use pricectl::scenario::read_scenario;

use crate::support::{TestContext, stderr, stdout};

/// A pricing of `count` features that no plan uses: one warning each.
fn unused_features(count: usize) -> String {
    let mut text = String::from("version = 1\ncurrency = \"USD\"\n");
    for index in 0..count {
        let _ = write!(text, "\n[features.f{index}]\ntype = \"metered\"\n");
    }
    text
}

/// `/dev/zero` given as pricing grew to 18 GB: now it is refused at the limit.
#[cfg(unix)]
#[test]
fn a_pricing_that_never_ends_is_refused_at_the_limit() {
    let context = TestContext::new();
    context.bind(|| {
        insta::assert_snapshot!(context.transcript(&["validate", "/dev/zero"]), @r"
        $ pricectl validate /dev/zero
        error: `/dev/zero` is larger than 32 MiB, the most pricectl reads as a pricing file
          help: check that this is the pricing file; a larger catalog can be split over the files of a directory
        [exit 1]
        ");
    });
}

/// The limit is on each file, exactly: a file of the limit is read, one byte more is not.
#[test]
fn the_pricing_limit_is_exact() {
    let context = TestContext::new();
    let limit = usize::try_from(PRICING_BYTES).expect("fits");
    // Comments fill the file to the limit; the pricing itself is valid.
    let mut text = String::from("version = 1\ncurrency = \"USD\"\n");
    let line = format!("#{}\n", "x".repeat(1022));
    while text.len() + line.len() <= limit {
        text.push_str(&line);
    }
    text.push_str(&" ".repeat(limit - text.len()));
    assert_eq!(text.len(), limit);
    context.write("pricing.toml", &text);
    let at_limit = context.run(&["validate"]);
    assert_eq!(at_limit.status.code(), Some(0), "{}", stderr(&at_limit));
    text.push('\n');
    context.write("pricing.toml", &text);
    let over = context.run(&["validate"]);
    assert_eq!(over.status.code(), Some(1));
    assert!(
        stderr(&over).contains("is larger than 32 MiB"),
        "{}",
        stderr(&over)
    );
}

/// Scenarios, saved plans and usage are read within their own limits; a device that never
/// ends is refused at them.
#[cfg(unix)]
#[test]
fn scenarios_saved_plans_and_usage_that_never_end_are_refused() {
    let zero = Path::new("/dev/zero");
    let scenario = read_scenario(zero).expect_err("refused");
    assert_eq!(
        scenario.to_string(),
        format!(
            "/dev/zero:1:1: cannot be read: it is larger than {} MiB, the most pricectl reads",
            SCENARIO_BYTES >> 20
        )
    );
    let saved_plan = SavedPlan::read(zero).expect_err("refused");
    assert_eq!(
        std::error::Error::source(&saved_plan)
            .expect("a cause")
            .to_string(),
        "it is larger than 256 MiB, the most pricectl reads"
    );
    let context = TestContext::with_example("openai-credits");
    let usage = context.run(&[
        "impact",
        "pricing.toml",
        "pricing.toml",
        "--usage",
        "/dev/zero",
    ]);
    assert_eq!(usage.status.code(), Some(1), "{}", stderr(&usage));
    assert!(
        stderr(&usage).contains(
            "/dev/zero:1: the line is longer than 1 MiB, the most pricectl reads as one record"
        ),
        "{}",
        stderr(&usage)
    );
}

/// 150 warnings: the terminal report and the annotations show 100 and count the rest; JSON
/// lists every one.
#[test]
fn at_most_a_hundred_diagnostics_are_printed_with_a_count_of_the_rest() {
    let context = TestContext::new();
    context.write("pricing.toml", &unused_features(150));
    let human = context.run(&["validate"]);
    assert_eq!(human.status.code(), Some(0));
    let report = stderr(&human);
    assert_eq!(report.matches("pricectl::unused_feature").count(), 100);
    let tail: Vec<&str> = report.lines().rev().take(2).collect();
    insta::assert_snapshot!(tail.join("\n"), @r"
    pricing.toml: valid (0 errors and 150 warnings)
    50 more diagnostics not shown (0 errors and 50 warnings); `pricectl validate --format json` lists every one
    ");
    let denied = context.run(&["validate", "--deny-warnings"]);
    assert!(
        stderr(&denied).contains("50 more diagnostics not shown (50 errors and 0 warnings)"),
        "{}",
        stderr(&denied)
    );
    let json = context.run(&["validate", "--format", "json"]);
    assert_eq!(
        stdout(&json)
            .matches("\"pricectl::unused_feature\"")
            .count(),
        150
    );
    let github = context.run(&["validate", "--format", "github"]);
    let annotations = stdout(&github);
    assert_eq!(
        annotations
            .matches("title=pricectl%3A%3Aunused_feature")
            .count(),
        100
    );
    insta::assert_snapshot!(annotations.lines().last().unwrap_or_default(), @"::warning title=pricectl::50 more diagnostics not shown (0 errors and 50 warnings); `pricectl validate --format json` lists every one");
}

/// One 60 KB line of garbage made 217 MB of stderr: each diagnostic echoed the whole line.
/// Now each shows a window of it, and at most 100 are printed.
#[test]
fn a_long_garbage_line_gives_a_bounded_report() {
    let context = TestContext::new();
    // A dotted key broken by `+` every four characters: 15,000 syntax errors on one line.
    let line = "a.b+".repeat(15_000);
    context.write("pricing.toml", &format!("{line}\n"));
    let output = context.run(&["validate"]);
    assert_eq!(output.status.code(), Some(1));
    let report = stderr(&output);
    assert!(report.contains("more diagnostics not shown"), "{report}");
    assert!(
        report.len() < 100 * 1024,
        "{} bytes of report for a 60 KB line",
        report.len()
    );
    assert!(
        report.lines().all(|line| line.chars().count() < 400),
        "a line of the report is not windowed"
    );
}

/// A 100,000-character id hung the suggestion of a close id (the distance costs the product of
/// the lengths) and was repeated whole in every message that named it.
#[test]
fn a_hundred_thousand_character_id_is_named_short() {
    let context = TestContext::new();
    let id = "a".repeat(100_000);
    context.write(
        "pricing.toml",
        &format!(
            "version = 1\ncurrency = \"USD\"\n\n[features.{id}]\ntype = \"metered\"\n\n[plans.pro.items.{id}b]\nincluded = 1\nreset = \"month\"\n"
        ),
    );
    let output = context.run(&["validate"]);
    assert_eq!(output.status.code(), Some(1));
    let report = stderr(&output);
    assert!(report.contains("pricectl::unknown_reference"), "{report}");
    assert!(
        report.contains(&format!("`{}…`", "a".repeat(60))),
        "{report}"
    );
    assert!(report.len() < 8 * 1024, "{} bytes", report.len());
}

/// 100,000-deep nesting, in an array and in inline tables: a syntax error, no stack overflow.
#[test]
fn deep_nesting_is_a_syntax_error() {
    let context = TestContext::new();
    for value in [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}1{}", "{ a = ".repeat(100_000), " }".repeat(100_000)),
    ] {
        context.write(
            "pricing.toml",
            &format!("version = 1\ncurrency = \"USD\"\nx = {value}\n"),
        );
        let output = context.run(&["validate"]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(stderr(&output).contains("pricectl::syntax"));
    }
}

/// A 10 MB string where a table belongs: one diagnostic, its snippet a window of the line.
#[test]
fn a_ten_megabyte_string_is_reported_in_a_window() {
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        &format!(
            "version = 1\ncurrency = \"USD\"\n\n[features.a]\ntype = \"metered\"\ndisplay = \"{}\"\n",
            "x".repeat(10_000_000)
        ),
    );
    let output = context.run(&["validate"]);
    assert_eq!(output.status.code(), Some(1));
    let report = stderr(&output);
    assert!(report.contains("pricectl::invalid_value"), "{report}");
    assert!(report.len() < 8 * 1024, "{} bytes", report.len());
}

/// Bytes that are not UTF-8 are refused before parsing, never converted lossily.
#[test]
fn invalid_utf8_is_refused() {
    let context = TestContext::new();
    std::fs::write(
        context.path("pricing.toml"),
        b"version = 1\ncurrency = \"USD\"\n# \xff\xfe\n",
    )
    .expect("write");
    context.bind(|| {
        insta::assert_snapshot!(context.transcript(&["validate"]), @r"
        $ pricectl validate
        error: `pricing.toml` is not UTF-8 text
          help: save the file as UTF-8
        [exit 1]
        ");
    });
}

/// A million items in one array (5 MB): read and checked whole, in a few seconds of the debug
/// build (1 s and 210 MB released, docs/reliability.md).
#[test]
fn a_million_array_items_are_read() {
    let context = TestContext::new();
    let names = vec!["\"e\""; 1_000_000].join(", ");
    context.write(
        "pricing.toml",
        &format!(
            "version = 1\ncurrency = \"USD\"\n\n[features.f]\ntype = \"metered\"\nevent_names = [{names}]\n"
        ),
    );
    let output = context.run(&["validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("pricing.toml: valid (0 errors and 1 warning)"),
        "{}",
        stderr(&output)
    );
}
