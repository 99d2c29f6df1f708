//! What the ledger commands print (issue 9, items 11 and 13): a replayed idempotent request
//! prints what the first printed and says it was a replay; `attach` prints the balances it
//! leaves; boolean features show no amount anywhere.

use std::fmt::Write as _;

use crate::support::TestContext;

/// The replay line: the rest of a replay's output is the first answer's.
const REPLAYED: &str =
    "replayed: an earlier request had this idempotency key; nothing was applied again\n";

/// Runs `pricectl ARGS` in the context and returns its stdout, checking it succeeded.
fn stdout_of(context: &TestContext, args: &[&str]) -> String {
    let output = context.run(args);
    assert!(
        output.status.success(),
        "pricectl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn applied(example: &str) -> TestContext {
    let context = TestContext::with_example(example);
    stdout_of(&context, &["apply", "--auto-approve", "--quiet"]);
    stdout_of(
        &context,
        &["customer", "create", "acme", "--at", "2026-01-01"],
    );
    context
}

#[test]
fn a_replayed_request_prints_what_the_first_printed_and_says_so() {
    let context = applied("saas-seats-credits");
    let attach = [
        "attach",
        "--customer",
        "acme",
        "--plan",
        "pro",
        "--quantity",
        "seats=2",
        "--idempotency-key",
        "order-1",
        "--at",
        "2026-01-01",
    ];
    let track = [
        "track",
        "--customer",
        "acme",
        "--feature",
        "ai-messages",
        "--value",
        "1.50",
        "--idempotency-key",
        "event-1",
        "--at",
        "2026-01-02",
    ];
    let mut transcript = String::new();
    for request in [&attach[..], &track[..]] {
        let first = stdout_of(&context, request);
        let again = stdout_of(&context, request);
        // Money keeps its currency's two decimals (`USD 30.00`), and the replay adds only the
        // line that says it is one.
        assert_eq!(again, format!("{first}{REPLAYED}"));
        let json = [request, &["--format", "json"][..]].concat();
        let replayed_json = stdout_of(&context, &json);
        assert!(
            replayed_json.contains("\"replayed\": true"),
            "{replayed_json}"
        );
        let _ = write!(
            transcript,
            "$ pricectl {}\n{first}$ (again)\n{again}$ (again, --format json)\n{replayed_json}",
            request.join(" ")
        );
    }
    // Applied once: one attach charge, and the track deducted once.
    let balance = stdout_of(
        &context,
        &["balance", "--customer", "acme", "--at", "2026-01-02"],
    );
    assert!(balance.contains("credits: 498.5"), "{balance}");
    transcript.push_str(&balance);
    context.bind(|| insta::assert_snapshot!(transcript));
}

#[test]
fn attach_prints_the_balances_it_leaves_and_booleans_show_no_amount() {
    // `included = 0` on a boolean item is what Autumn's CLI writes; it grants the feature and
    // no balance.
    let pricing = crate::support::example("saas-seats-credits").replace(
        "[plans.pro.items.sso]",
        "[plans.pro.items.sso]\nincluded = 0",
    );
    assert!(pricing.contains("included = 0"));
    let context = TestContext::new();
    context.write("pricing.toml", &pricing);
    stdout_of(&context, &["apply", "--auto-approve", "--quiet"]);
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "acme", "--at", "2026-01-01"][..],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "pro",
            "--quantity",
            "seats=2",
            "--at",
            "2026-01-01",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "sso",
            "--format",
            "json",
            "--at",
            "2026-01-01",
        ],
        &["balance", "--customer", "acme", "--at", "2026-01-01"],
        &[
            "customer",
            "show",
            "acme",
            "--format",
            "json",
            "--at",
            "2026-01-01",
        ],
    ] {
        let output = stdout_of(&context, args);
        // No balance, lot or amount of the boolean feature: it is on or off.
        for line in output.lines().filter(|line| line.contains("sso")) {
            assert!(
                line.contains("\"feature_id\": \"sso\"") || line.contains("\"granted_by\""),
                "`sso` shown with an amount: {line}"
            );
        }
        assert!(!output.contains("\"required\": \"0\""), "{output}");
        let _ = write!(transcript, "$ pricectl {}\n{output}", args.join(" "));
    }
    let attached = transcript
        .split("$ pricectl attach")
        .nth(1)
        .unwrap_or_default();
    assert!(
        attached.contains("balances:\n  credits: 500\n") && attached.contains("  seats: 5\n"),
        "{attached}"
    );
    context.bind(|| insta::assert_snapshot!(transcript));
}

#[test]
fn set_quantity_prints_the_change_its_charge_and_the_balances() {
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        &std::fs::read_to_string(
            crate::support::root().join("tests/ledger-rules/quantity-changes/pricing.toml"),
        )
        .expect("the rule's pricing"),
    );
    stdout_of(&context, &["apply", "--auto-approve", "--quiet"]);
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "acme", "--at", "2026-01-01"][..],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "studio",
            "--quantity",
            "seats=5",
            "--at",
            "2026-01-01",
        ],
        &[
            "set-quantity",
            "--customer",
            "acme",
            "--plan",
            "studio",
            "--quantity",
            "seats=8",
            "--idempotency-key",
            "seats-8",
            "--at",
            "2026-01-16",
        ],
        &[
            "set-quantity",
            "--customer",
            "acme",
            "--plan",
            "studio",
            "--quantity",
            "seats=8",
            "--idempotency-key",
            "seats-8",
            "--at",
            "2026-01-16",
            "--format",
            "json",
        ],
        &[
            "set-quantity",
            "--customer",
            "acme",
            "--plan",
            "studio",
            "--quantity",
            "seats=4",
            "--at",
            "2026-02-15",
        ],
        &[
            "set-quantity",
            "--customer",
            "acme",
            "--plan",
            "studio",
            "--quantity",
            "seats=60",
            "--at",
            "2026-02-15",
        ],
        &[
            "set-quantity",
            "--customer",
            "acme",
            "--plan",
            "team",
            "--quantity",
            "seats=2",
            "--at",
            "2026-02-15",
        ],
    ] {
        transcript.push_str(&context.transcript(args));
    }
    assert!(transcript.contains("seats 5 → 8"), "{transcript}");
    context.bind(|| insta::assert_snapshot!(transcript));
}
