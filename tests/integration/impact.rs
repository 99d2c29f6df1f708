//! `pricectl impact OLD NEW --usage FILE` (or `--from-ledger`), and the same on `diff` and
//! `plan`: the revenue of recorded usage under two pricings, in every format, with customers
//! grandfathered on their plan's version or moved to the new one.

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
    let args = [
        "impact",
        "old.toml",
        "new.toml",
        "--usage",
        "usage.jsonl",
        "--move-customers",
    ];
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
        "--move-customers",
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
        "--move-customers",
    ]);
    let document: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(document["revenue"]["total_after"], "1890");
    assert_eq!(document["revenue"]["change_percent"], "7.7");
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
      help: see docs/impact.md for the usage format (JSON Lines or CSV: customer, feature, value, timestamp; plan, version and prepaid for subscriptions)
    ");
}

/// By default the diff's change to Pro's charges becomes a new version when customers are on
/// Pro, as the usage says they are: they stay on their version and pay what they paid.
#[test]
fn customers_on_a_changed_plan_stay_on_their_version_by_default() {
    let context = TestContext::new();
    repriced(&context);
    let output = context.run(&["impact", "old.toml", "new.toml", "--usage", "usage.jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output), @r"
    Revenue impact from 2026-01-01T00:00:00Z to 2026-03-31T18:36:00.001Z:
      Total: $1,755.00 → $1,755.00 ($0.00, 0.0%)
      20 customers, 420 records: 0 pay more, 0 pay less, 20 pay the same
      Paying more than 10% more: 0; more than 25% more: 0; more than 50% more: 0
      9 customers stay on their plan's version (grandfathered), priced on it under the new pricing; --move-customers prices them on the new version

      Where the money moved:
        base price: $540.00 → $540.00 ($0.00)
        credits: $870.00 → $870.00 ($0.00)
        seats: $345.00 → $345.00 ($0.00)
    ");
}

/// `--usage` or `--from-ledger`: `impact` needs one, and takes only one.
#[test]
fn impact_needs_one_usage_source() {
    let context = TestContext::new();
    repriced(&context);
    let none = context.run(&["impact", "old.toml", "new.toml"]);
    assert_eq!(none.status.code(), Some(64));
    insta::assert_snapshot!(stderr(&none), @r"
    error: no usage to price
      help: name a usage file with `--usage FILE` (JSON Lines or CSV, docs/impact.md), or price what the local ledger recorded with `--from-ledger`
    ");
    let both = context.run(&[
        "impact",
        "old.toml",
        "new.toml",
        "--usage",
        "usage.jsonl",
        "--from-ledger",
    ]);
    assert_eq!(both.status.code(), Some(64), "{}", stderr(&both));
}

/// Usage recorded through the ledger (`pricectl customer create`, `attach`, `track`) is
/// priced as the same usage written to a file; `plan --from-ledger` grandfathers the
/// customer on Pro, which the ledger knows is on it.
#[test]
fn usage_from_the_ledger_prices_as_the_same_usage_in_a_file() {
    let context = TestContext::new();
    repriced(&context);
    context.write("pricing.toml", &context.read("old.toml"));
    let applied = context.run(&["apply", "--auto-approve"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let steps: [&[&str]; 6] = [
        &["customer", "create", "acme", "--at", "2026-01-01T00:00:00Z"],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "pro",
            "--quantity",
            "credits=2000",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
        &[
            "customer",
            "create",
            "globex",
            "--at",
            "2026-01-02T00:00:00Z",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "ai-messages",
            "--value",
            "1900",
            "--at",
            "2026-01-10T12:00:00Z",
        ],
        &[
            "track",
            "--customer",
            "globex",
            "--feature",
            "ai-messages",
            "--value",
            "30",
            "--at",
            "2026-01-11T12:00:00Z",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "image-generations",
            "--value",
            "130",
            "--at",
            "2026-02-03T08:00:00Z",
        ],
    ];
    for step in steps {
        let output = context.run(step);
        assert!(output.status.success(), "{step:?}: {}", stderr(&output));
    }
    context.write(
        "recorded.jsonl",
        "{\"customer\": \"acme\", \"plan\": \"free\", \"timestamp\": \"2026-01-01T00:00:00Z\"}
{\"customer\": \"acme\", \"plan\": \"pro\", \"prepaid\": {\"credits\": 2000}, \"timestamp\": \"2026-01-01T00:00:00Z\"}
{\"customer\": \"acme\", \"feature\": \"ai-messages\", \"value\": 1900, \"timestamp\": \"2026-01-10T12:00:00Z\"}
{\"customer\": \"acme\", \"feature\": \"image-generations\", \"value\": 130, \"timestamp\": \"2026-02-03T08:00:00Z\"}
{\"customer\": \"globex\", \"plan\": \"free\", \"timestamp\": \"2026-01-02T00:00:00Z\"}
{\"customer\": \"globex\", \"feature\": \"ai-messages\", \"value\": 30, \"timestamp\": \"2026-01-11T12:00:00Z\"}
",
    );
    let window = ["--until", "2026-03-01", "--move-customers"];
    let from_file = context.run(
        &[
            &[
                "impact",
                "old.toml",
                "new.toml",
                "--usage",
                "recorded.jsonl",
            ][..],
            &window,
        ]
        .concat(),
    );
    let from_ledger = context.run(
        &[
            &["impact", "old.toml", "new.toml", "--from-ledger"][..],
            &window,
        ]
        .concat(),
    );
    assert!(from_ledger.status.success(), "{}", stderr(&from_ledger));
    assert_eq!(stdout(&from_ledger), stdout(&from_file));
    assert!(
        stdout(&from_ledger).contains("Total: $"),
        "{}",
        stdout(&from_ledger)
    );
    assert!(
        stdout(&from_ledger).contains("acme (pro)"),
        "{}",
        stdout(&from_ledger)
    );

    // Against the live store: acme is on Pro, so the change is a new version and acme stays
    // on its version unless moved.
    context.write("pricing.toml", &context.read("new.toml"));
    let kept = context.run(&["plan", "--from-ledger", "--until", "2026-03-01"]);
    assert!(kept.status.success(), "{}", stderr(&kept));
    assert!(
        stdout(&kept).contains("0 pay more, 0 pay less, 2 pay the same")
            && stdout(&kept).contains("1 customer stays on its plan's version (grandfathered)"),
        "{}",
        stdout(&kept)
    );
    let moved = context.run(&[
        "plan",
        "--from-ledger",
        "--until",
        "2026-03-01",
        "--move-customers",
    ]);
    assert!(stdout(&moved).contains("1 pay more"), "{}", stdout(&moved));
}

/// Revenue impact counts what auto top-ups buy: Acme buys 1,500 credits ($15.00), then usage
/// crosses the threshold twice ($20.00 each). Without the top-up, only the $15.00 is charged.
#[test]
fn revenue_impact_counts_auto_top_up_purchases() {
    let context = TestContext::new();
    let old = example("anthropic-auto-reload");
    let new: String = old
        .lines()
        .filter(|line| !line.starts_with("auto_top_up"))
        .flat_map(|line| [line, "\n"])
        .collect();
    assert_ne!(new, old);
    context.write("old.toml", &old);
    context.write("new.toml", &new);
    context.write(
        "usage.jsonl",
        r#"{"customer":"acme","plan":"api-credits","prepaid":{"credits":1500},"timestamp":"2026-01-01"}
{"customer":"acme","feature":"sonnet-input-tokens","value":2000000,"timestamp":"2026-01-01T02:00:00Z"}
{"customer":"acme","feature":"sonnet-input-tokens","value":6500000,"timestamp":"2026-01-01T03:00:00Z"}
"#,
    );
    let output = context.run(&[
        "impact",
        "old.toml",
        "new.toml",
        "--usage",
        "usage.jsonl",
        "--move-customers",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    // 900 credits left after the first track, 950 after the second: two purchases.
    assert_eq!(report["total_before"], "55");
    assert_eq!(report["total_after"], "15");
}
