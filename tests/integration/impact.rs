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
      help: see docs/impact.md for the usage format (JSON Lines or CSV: customer, feature, value, timestamp; plan, version and prepaid for subscriptions; grants, quantity changes and entities)
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
      20 customers, 427 records: 0 pay more, 0 pay less, 20 pay the same
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

/// What each customer of `tests/fixtures/impact/every-operation.toml` does, as the ledger's
/// operations (their JSON form) with their times: attaches and tracks, grants (one expiring),
/// a one-off credit pack bought again, a seat quantity changed mid-term, auto top-ups, an
/// upgrade with a trial, a downgrade scheduled for a period's end, a track capped at the
/// balance, an entity created and deleted; then renewals up to May.
const EVERY_OPERATION: &[(&str, &str)] = &[
    // acme: Basic with 2 seats, 4 from January 16, Pro from February 10 (its trial), usage
    // beyond the included messages each month.
    (
        "2026-01-01T00:00:00Z",
        r#"{"operation": "create_customer", "customer_id": "acme"}"#,
    ),
    (
        "2026-01-01T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "acme", "plan_id": "basic", "quantities": {"seats": "2"}}"#,
    ),
    (
        "2026-01-05T09:00:00Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "messages", "value": "600", "idempotency_key": null}"#,
    ),
    (
        "2026-01-06T09:00:00Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "seats", "value": "3", "idempotency_key": null}"#,
    ),
    (
        "2026-01-07T09:00:00Z",
        r#"{"operation": "create_entity", "customer_id": "acme", "entity_id": "ada", "feature_id": "seats"}"#,
    ),
    (
        "2026-01-16T00:00:00Z",
        r#"{"operation": "set_quantity", "customer_id": "acme", "plan_id": "basic", "quantities": {"seats": "4"}, "idempotency_key": null}"#,
    ),
    (
        "2026-01-20T09:00:00Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "messages", "value": "700", "idempotency_key": "acme-1"}"#,
    ),
    (
        "2026-01-20T09:00:01Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "messages", "value": "700", "idempotency_key": "acme-1"}"#,
    ),
    (
        "2026-02-10T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "acme", "plan_id": "pro", "quantities": {"seats": "4"}}"#,
    ),
    (
        "2026-02-12T09:00:00Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "messages", "value": "5200", "idempotency_key": null}"#,
    ),
    (
        "2026-02-20T09:00:00Z",
        r#"{"operation": "delete_entity", "customer_id": "acme", "entity_id": "ada"}"#,
    ),
    (
        "2026-03-10T09:00:00Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "messages", "value": "5500", "idempotency_key": null}"#,
    ),
    (
        "2026-04-02T09:00:00Z",
        r#"{"operation": "track", "customer_id": "acme", "feature_id": "messages", "value": "4999", "idempotency_key": null}"#,
    ),
    // globex: the credit pack, reloaded below 200 credits, bought again (its top-up left to the
    // plan's default), a gift that spares it a reload, and its auto top-up switched off.
    (
        "2026-01-02T00:00:00Z",
        r#"{"operation": "create_customer", "customer_id": "globex"}"#,
    ),
    (
        "2026-01-02T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "globex", "plan_id": "credit-pack", "quantities": {"credits": "500"}}"#,
    ),
    (
        "2026-01-03T09:00:00Z",
        r#"{"operation": "track", "customer_id": "globex", "feature_id": "images", "value": "50", "idempotency_key": null}"#,
    ),
    (
        "2026-01-04T09:00:00Z",
        r#"{"operation": "track", "customer_id": "globex", "feature_id": "images", "value": "20", "idempotency_key": null}"#,
    ),
    (
        "2026-02-01T12:00:00Z",
        r#"{"operation": "attach", "customer_id": "globex", "plan_id": "credit-pack", "quantities": {"credits": "1000"}}"#,
    ),
    (
        "2026-02-02T00:00:00Z",
        r#"{"operation": "set_auto_top_up", "customer_id": "globex", "switches": {"credits": "plan"}}"#,
    ),
    (
        "2026-02-05T00:00:00Z",
        r#"{"operation": "grant", "customer_id": "globex", "feature_id": "credits", "amount": "900", "expires_at": 1772323200000, "reason": "apology"}"#,
    ),
    (
        "2026-02-10T09:00:00Z",
        r#"{"operation": "track", "customer_id": "globex", "feature_id": "images", "value": "100", "idempotency_key": null}"#,
    ),
    (
        "2026-02-20T09:00:00Z",
        r#"{"operation": "track", "customer_id": "globex", "feature_id": "images", "value": "60", "idempotency_key": null}"#,
    ),
    // Its auto top-up turned off from March: the 10 images below leave 150 credits, under
    // the threshold, and buy nothing (a replay that reloaded would charge $10 more).
    (
        "2026-03-01T00:00:00Z",
        r#"{"operation": "set_auto_top_up", "customer_id": "globex", "switches": {"credits": "off"}}"#,
    ),
    (
        "2026-03-05T09:00:00Z",
        r#"{"operation": "track", "customer_id": "globex", "feature_id": "images", "value": "390", "idempotency_key": null}"#,
    ),
    (
        "2026-03-06T09:00:00Z",
        r#"{"operation": "track", "customer_id": "globex", "feature_id": "images", "value": "10", "idempotency_key": null}"#,
    ),
    // initech: Pro's trial (its usage waived), then a gift of messages that covers the
    // overage of the month after.
    (
        "2026-01-03T00:00:00Z",
        r#"{"operation": "create_customer", "customer_id": "initech"}"#,
    ),
    (
        "2026-01-03T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "initech", "plan_id": "pro", "quantities": {}}"#,
    ),
    (
        "2026-01-10T09:00:00Z",
        r#"{"operation": "track", "customer_id": "initech", "feature_id": "messages", "value": "6000", "idempotency_key": null}"#,
    ),
    (
        "2026-01-20T00:00:00Z",
        r#"{"operation": "grant", "customer_id": "initech", "feature_id": "messages", "amount": "1000", "expires_at": null, "reason": "launch partner"}"#,
    ),
    (
        "2026-02-05T09:00:00Z",
        r#"{"operation": "track", "customer_id": "initech", "feature_id": "messages", "value": "5500", "idempotency_key": null}"#,
    ),
    (
        "2026-03-05T09:00:00Z",
        r#"{"operation": "track", "customer_id": "initech", "feature_id": "messages", "value": "5800", "idempotency_key": null}"#,
    ),
    // umbrella: Basic, Pro, then back to Basic at the end of the period paid for.
    (
        "2026-01-05T00:00:00Z",
        r#"{"operation": "create_customer", "customer_id": "umbrella"}"#,
    ),
    (
        "2026-01-05T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "umbrella", "plan_id": "basic", "quantities": {}}"#,
    ),
    (
        "2026-01-10T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "umbrella", "plan_id": "pro", "quantities": {}}"#,
    ),
    (
        "2026-01-30T09:00:00Z",
        r#"{"operation": "track", "customer_id": "umbrella", "feature_id": "messages", "value": "2500", "idempotency_key": null}"#,
    ),
    (
        "2026-02-15T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "umbrella", "plan_id": "basic", "quantities": {"seats": "1"}}"#,
    ),
    (
        "2026-02-20T09:00:00Z",
        r#"{"operation": "track", "customer_id": "umbrella", "feature_id": "messages", "value": "1500", "idempotency_key": null}"#,
    ),
    (
        "2026-03-20T09:00:00Z",
        r#"{"operation": "track", "customer_id": "umbrella", "feature_id": "messages", "value": "1200", "idempotency_key": null}"#,
    ),
    // hooli: Free, a track capped at its balance, then Basic.
    (
        "2026-01-01T00:00:00Z",
        r#"{"operation": "create_customer", "customer_id": "hooli"}"#,
    ),
    (
        "2026-01-08T09:00:00Z",
        r#"{"operation": "track", "customer_id": "hooli", "feature_id": "messages", "value": "150", "idempotency_key": null, "overage": "cap"}"#,
    ),
    (
        "2026-01-20T00:00:00Z",
        r#"{"operation": "attach", "customer_id": "hooli", "plan_id": "basic", "quantities": {}}"#,
    ),
    (
        "2026-01-25T09:00:00Z",
        r#"{"operation": "track", "customer_id": "hooli", "feature_id": "messages", "value": "1010", "idempotency_key": null}"#,
    ),
];

/// Under the pricing it recorded with, the ledger's own operations replay to its own charges:
/// `impact --from-ledger` with the same pricing on both sides reports old = new = the sum of
/// the charges the ledger made, customer by customer to the cent, and no change.
#[test]
fn the_ledger_replayed_under_its_own_pricing_charges_what_it_charged() {
    use std::collections::BTreeMap;

    use pricectl::impact::{PricedCatalog, Window, ledger_usage, replay};
    use pricectl::ledger::{Instant, Ledger, Operation};
    use pricectl::store::{Access, Store};
    use rust_decimal::Decimal;

    let context = TestContext::new();
    let pricing =
        std::fs::read_to_string(root().join("tests/fixtures/impact/every-operation.toml"))
            .expect("the fixture");
    context.write("pricing.toml", &pricing);
    let applied = context.run(&["apply", "--auto-approve"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let store = context.path(".pricectl/local.db");
    let until = "2026-05-01T00:00:00Z";
    let end = Instant::parse(until).expect("an instant");
    let mut ledger_totals: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut lines = Vec::new();
    {
        let mut ledger = Ledger::open(&store).expect("the ledger");
        for (at, operation) in EVERY_OPERATION {
            let operation: Operation = serde_json::from_str(operation).expect(operation);
            ledger
                .execute(&operation, Instant::parse(at).expect("an instant"))
                .unwrap_or_else(|error| panic!("{at} {}: {error}", operation.describe()));
        }
        ledger.advance(None, end).expect("advances");
        for customer in ["acme", "globex", "initech", "umbrella", "hooli"] {
            let charges = ledger.charges(customer).expect("charges");
            ledger_totals.insert(
                customer.to_string(),
                charges.iter().map(|charge| charge.total).sum(),
            );
            lines.extend(charges.into_iter().flat_map(|charge| charge.line_items));
        }
    }
    // The ledger did what the operations are for: a reload, a second pack, a prorated seat
    // change, an upgrade's credit, a waived trial, a downgrade at the period's end.
    let described: Vec<&str> = lines.iter().map(|line| line.description.as_str()).collect();
    for expected in ["auto top-up", "prorated", "free trial"] {
        assert!(
            described.iter().any(|line| line.contains(expected)),
            "no line mentions {expected}: {described:#?}"
        );
    }
    assert!(
        lines.iter().any(|line| line.amount < Decimal::ZERO),
        "no credit: {described:#?}"
    );
    let total: Decimal = ledger_totals.values().sum();
    assert!(total > Decimal::ZERO);

    // The report: old = new = what the ledger charged, no customer moved, nothing unpriced.
    let output = context.run(&[
        "impact",
        "pricing.toml",
        "pricing.toml",
        "--from-ledger",
        "--until",
        until,
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let decimal = |value: &serde_json::Value| -> Decimal {
        value
            .as_str()
            .expect("a decimal string")
            .parse()
            .expect("a decimal")
    };
    assert_eq!(decimal(&report["total_before"]), total, "{report:#}");
    assert_eq!(decimal(&report["total_after"]), total, "{report:#}");
    assert_eq!(report["change_percent"], "0.0", "{report:#}");
    assert_eq!(report["customers"], 5, "{report:#}");
    assert_eq!(report["paying_same"], 5, "{report:#}");
    assert_eq!(report["movers"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["problem_count"], 0, "{report:#}");

    // Customer by customer, summing usage between the ledger's changes and event by event.
    let catalog = pricectl::compile_path(&context.path("pricing.toml"))
        .expect("compiles")
        .catalog
        .expect("valid");
    for coalesce in [true, false] {
        let records = ledger_usage(
            Store::open(&store, Access::Read).expect("the store"),
            Some(end),
        )
        .expect("the ledger's usage");
        let revenue = replay(
            &PricedCatalog::current(&catalog),
            records,
            Window {
                since: None,
                until: Some(end),
            },
            coalesce,
        )
        .expect("replays");
        let replayed: BTreeMap<String, Decimal> = revenue
            .customers
            .iter()
            .map(|(customer, revenue)| (customer.clone(), revenue.total))
            .collect();
        assert_eq!(replayed, ledger_totals, "coalesced: {coalesce}");
        for (customer, revenue) in &revenue.customers {
            assert_eq!(revenue.problem, None, "{customer}");
        }
    }
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
