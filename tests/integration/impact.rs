//! `pricectl impact OLD NEW --usage FILE`, and `--usage` on `diff` and `plan`: the revenue of
//! recorded usage under two pricings, in every format.

use crate::support::{TestContext, example, root, stderr, stdout};

/// The seats-and-credits example, and the same with Pro at $25 a month and 400 credits included.
fn repriced(context: &TestContext) {
    let old = example("saas-seats-credits");
    let new = old
        .replace(
            "price = { amount = 20, interval = \"month\" }",
            "price = { amount = 25, interval = \"month\" }",
        )
        .replace("included = 500\n", "included = 400\n");
    assert_ne!(new, old);
    context.write("old.toml", &old);
    context.write("new.toml", &new);
    let usage =
        std::fs::read_to_string(root().join("pricing-examples/saas-seats-credits/usage.jsonl"))
            .expect("the example's usage");
    context.write("usage.jsonl", &usage);
}

#[test]
fn impact_reports_in_every_format() {
    let context = TestContext::new();
    repriced(&context);
    let args = ["impact", "old.toml", "new.toml", "--usage", "usage.jsonl"];
    context.bind(|| {
        for format in ["text", "markdown", "json"] {
            let output = context.run(&[&args[..], &["--format", format]].concat());
            assert!(output.status.success(), "{}", stderr(&output));
            insta::assert_snapshot!(format!("impact_{format}"), stdout(&output));
        }
    });
}

#[test]
fn the_diff_comment_carries_the_revenue_impact_before_its_details() {
    let context = TestContext::new();
    repriced(&context);
    let markdown = context.run(&[
        "diff",
        "old.toml",
        "new.toml",
        "--format",
        "markdown",
        "--usage",
        "usage.jsonl",
    ]);
    assert!(markdown.status.success(), "{}", stderr(&markdown));
    let text = stdout(&markdown);
    let section = text.find("### Revenue impact").expect("the section");
    let details = text.find("<details>").expect("the details");
    assert!(section < details, "{text}");
    assert!(
        text.contains("- Total: \\$1,755.00 → \\$1,890.00 (+\\$135.00, +7.7%)"),
        "{text}"
    );
    let json = context.run(&[
        "diff",
        "old.toml",
        "new.toml",
        "--format",
        "json",
        "--usage",
        "usage.jsonl",
    ]);
    let document: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(document["revenue"]["total_after"], "1890");
    assert_eq!(document["changes"][0]["address"], "plan.pro");
    // Without --usage, no section.
    let plain = context.run(&["diff", "old.toml", "new.toml", "--format", "markdown"]);
    assert!(!stdout(&plain).contains("Revenue impact"));
}

#[test]
fn plan_prices_the_usage_against_the_live_catalog() {
    let context = TestContext::new();
    repriced(&context);
    context.write("pricing.toml", &context.read("old.toml"));
    let applied = context.run(&["apply", "--auto-approve"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    context.write("pricing.toml", &context.read("new.toml"));
    let plan = context.run(&["plan", "--usage", "usage.jsonl"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    assert!(
        stdout(&plan).contains("Revenue impact from 2026-01-01T00:00:00Z")
            && stdout(&plan).contains("Total: $1,755.00 → $1,890.00 (+$135.00, +7.7%)"),
        "{}",
        stdout(&plan)
    );
}

#[test]
fn a_bad_record_is_refused_with_its_line() {
    let context = TestContext::new();
    repriced(&context);
    context.write(
        "usage.jsonl",
        "{\"customer\": \"acme\", \"plan\": \"pro\", \"timestamp\": \"2026-01-01\"}\n{\"customer\": \"acme\", \"feature\": \"ai-messages\", \"value\": 3, \"timestamp\": \"yesterday\"}\n",
    );
    let output = context.run(&["impact", "old.toml", "new.toml", "--usage", "usage.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: usage.jsonl:2: `yesterday` is not a date (`2026-01-31`) or an RFC 3339 date-time (`2026-01-31T12:00:00Z`)
      help: see docs/impact.md for the usage format (JSON Lines or CSV: customer, feature, value, timestamp; plan and prepaid for subscriptions)
    ");
}
