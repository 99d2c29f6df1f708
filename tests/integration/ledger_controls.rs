//! Billing controls in the ledger: an auto top-up bought once however many processes cross
//! its threshold together, a customer's own switch of its plan's top-up, alerts recorded once
//! per crossing and listed in `history`, and what `track`, `check` and `customer set` print
//! when a control acts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;

use pricectl::backend::local::LocalStore;
use pricectl::ledger::{
    AttachRequest, AutoTopUpResult, ControlSource, Instant, Ledger, Overage, SetAutoTopUpRequest,
    TopUpSwitch, TrackRequest, TrackResult,
};
use pricectl::reconcile::{ApplyOptions, apply, plan};
use rust_decimal::Decimal;

use crate::support::{TestContext, root};

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn at(text: &str) -> Instant {
    Instant::parse(text).expect("instant")
}

/// `local.db` in `directory`, holding the catalog of `pricing-examples/EXAMPLE`.
fn example_store(example: &str, directory: &Path) -> PathBuf {
    let pricing = root()
        .join("pricing-examples")
        .join(example)
        .join("pricing.toml");
    let catalog = pricectl::compile_path(&pricing)
        .expect("loads")
        .catalog
        .expect("valid");
    let path = directory.join("local.db");
    let mut store = LocalStore::open(&path).expect("store");
    let planned = plan(&mut store, &catalog).expect("plan");
    apply(&mut store, &planned, &catalog, ApplyOptions::default()).expect("apply");
    path
}

fn attach(ledger: &mut Ledger, plan: &str, quantities: &[(&str, &str)], when: &str) {
    ledger
        .create_customer("acme", None, None, at(when))
        .expect("customer");
    ledger
        .attach(
            &AttachRequest {
                customer_id: "acme".into(),
                plan_id: plan.into(),
                quantities: quantities
                    .iter()
                    .map(|(feature, quantity)| ((*feature).to_string(), decimal(quantity)))
                    .collect(),
                idempotency_key: None,
            },
            at(when),
        )
        .expect("attach");
}

fn track(ledger: &mut Ledger, feature: &str, value: &str, when: &str) -> TrackResult {
    ledger
        .track(
            &TrackRequest {
                customer_id: "acme".into(),
                feature_id: feature.into(),
                value: decimal(value),
                idempotency_key: None,
                overage: Overage::Overflow,
                entity_id: None,
            },
            at(when),
        )
        .expect("track")
}

/// The entries of `kind` in acme's history, as `time reason`.
fn entries(ledger: &mut Ledger, kind: &str) -> Vec<String> {
    ledger
        .history("acme")
        .expect("history")
        .into_iter()
        .filter(|entry| entry.kind == kind)
        .map(|entry| format!("{} {}", entry.at, entry.reason.unwrap_or_default()))
        .collect()
}

#[test]
fn eight_processes_crossing_a_top_up_threshold_buy_once() {
    if let Ok(store) = std::env::var("PRICECTL_TOP_UP_WORKER") {
        // Five tracks of 40,000 input tokens (12 credits each), each its own transaction.
        let mut ledger = Ledger::open(Path::new(&store)).expect("ledger");
        for _ in 0..5 {
            track(
                &mut ledger,
                "sonnet-input-tokens",
                "40000",
                "2026-01-01T01:00:00Z",
            );
        }
        return;
    }
    let directory = tempfile::tempdir().expect("temp dir");
    let store = example_store("anthropic-auto-reload", directory.path());
    let mut ledger = Ledger::open(&store).expect("ledger");
    // 1,050 credits: the fifth track of 12 credits, whichever process makes it, leaves 990,
    // below the threshold of 1,000, while the other processes are tracking too.
    attach(
        &mut ledger,
        "api-credits",
        &[("credits", "1050")],
        "2026-01-01",
    );
    drop(ledger);
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "--exact",
                    "ledger_controls::eight_processes_crossing_a_top_up_threshold_buy_once",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("PRICECTL_TOP_UP_WORKER", &store)
                .stdout(Stdio::null())
                .spawn()
                .expect("worker starts")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("worker ends").success());
    }
    let mut ledger = Ledger::open(&store).expect("ledger");
    assert_eq!(entries(&mut ledger, "usage").len(), 40);
    assert_eq!(
        entries(&mut ledger, "top_up").len(),
        1,
        "one crossing, one purchase"
    );
    let totals: Vec<Decimal> = ledger
        .charges("acme")
        .expect("charges")
        .iter()
        .map(|charge| charge.total)
        .collect();
    assert_eq!(
        totals,
        [decimal("10.5"), decimal("20")],
        "the attach, then one top-up"
    );
    // 1,050 − 40 × 12 + 2,000.
    let balance = ledger
        .check(
            "acme",
            "sonnet-input-tokens",
            None,
            at("2026-01-01T02:00:00Z"),
        )
        .expect("check")
        .balance
        .expect("metered")
        .balance;
    assert_eq!(balance, decimal("2570"));
}

#[test]
fn alerts_are_recorded_once_per_crossing_and_listed_in_history() {
    let directory = tempfile::tempdir().expect("temp dir");
    let store = example_store("capped-overage", directory.path());
    let mut ledger = Ledger::open(&store).expect("ledger");
    // Pro: 500 requests a month, alerts at 80% used and at none left, 200 a day at most.
    attach(&mut ledger, "pro", &[], "2026-01-01");
    track(
        &mut ledger,
        "premium-requests",
        "200",
        "2026-01-01T10:00:00Z",
    );
    assert!(entries(&mut ledger, "alert").is_empty(), "200 used of 500");
    track(
        &mut ledger,
        "premium-requests",
        "200",
        "2026-01-02T10:00:00Z",
    );
    track(
        &mut ledger,
        "premium-requests",
        "50",
        "2026-01-03T10:00:00Z",
    );
    track(
        &mut ledger,
        "premium-requests",
        "50",
        "2026-01-03T11:00:00Z",
    );
    track(
        &mut ledger,
        "premium-requests",
        "10",
        "2026-01-03T12:00:00Z",
    );
    // A new month grants 500 again: 80% used is crossed again.
    track(
        &mut ledger,
        "premium-requests",
        "200",
        "2026-02-02T10:00:00Z",
    );
    track(
        &mut ledger,
        "premium-requests",
        "200",
        "2026-02-03T10:00:00Z",
    );
    assert_eq!(
        entries(&mut ledger, "alert"),
        [
            "2026-01-02T10:00:00Z alert: usage_percent 80 crossed (100 left)",
            "2026-01-03T11:00:00Z alert: remaining 0 crossed (0 left)",
            "2026-02-03T10:00:00Z alert: usage_percent 80 crossed (100 left)",
        ]
    );
}

#[test]
fn track_prints_its_auto_top_up_and_check_the_limit_that_refuses() {
    let context = TestContext::with_example("anthropic-auto-reload");
    let run = |args: &[&str]| context.transcript(args);
    assert!(run(&["apply", "--auto-approve", "--quiet"]).ends_with("[exit 0]\n"));
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "acme", "--at", "2026-01-01"][..],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "api-credits",
            "--quantity",
            "credits=1050",
            "--at",
            "2026-01-01",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "sonnet-output-tokens",
            "--value",
            "40000",
            "--at",
            "2026-01-01T01:00:00Z",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "sonnet-output-tokens",
            "--value",
            "40000",
            "--format",
            "json",
            "--at",
            "2026-01-01T02:00:00Z",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "sonnet-output-tokens",
            "--required",
            "1920001",
            "--at",
            "2026-01-01T03:00:00Z",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "sonnet-output-tokens",
            "--value",
            "1920001",
            "--at",
            "2026-01-01T04:00:00Z",
        ],
    ] {
        transcript.push_str(&run(args));
    }
    insta::assert_snapshot!(transcript);
}

fn set_top_up(ledger: &mut Ledger, switch: TopUpSwitch, when: &str) -> AutoTopUpResult {
    ledger
        .set_auto_top_up(
            &SetAutoTopUpRequest {
                customer_id: "acme".into(),
                switches: [("credits".to_string(), switch)].into(),
            },
            at(when),
        )
        .expect("set")
}

/// A customer's own switch of its plan's auto top-up (Autumn's customer `auto_topups` entry,
/// which shadows the plan's): off, a track below the threshold buys nothing; turned on while
/// below it, the top-up is bought at once; back to the plan's default, it follows the plan.
#[test]
fn a_customer_turns_its_plans_auto_top_up_off_and_on() {
    let directory = tempfile::tempdir().expect("temp dir");
    let store = example_store("anthropic-auto-reload", directory.path());
    let mut ledger = Ledger::open(&store).expect("ledger");
    attach(
        &mut ledger,
        "api-credits",
        &[("credits", "1500")],
        "2026-01-01",
    );
    let off = set_top_up(&mut ledger, TopUpSwitch::Off, "2026-01-01T01:00:00Z");
    assert!(off.top_ups.is_empty());
    assert_eq!(
        (off.auto_top_ups[0].enabled, off.auto_top_ups[0].source),
        (false, ControlSource::Customer)
    );
    // 600 credits: 900 left, below 1,000, and nothing bought.
    let tracked = track(
        &mut ledger,
        "sonnet-input-tokens",
        "2000000",
        "2026-01-01T02:00:00Z",
    );
    assert_eq!((tracked.balance, tracked.top_up), (decimal("900"), None));
    // On, below the threshold: bought at once, in the same transaction.
    let on = set_top_up(&mut ledger, TopUpSwitch::On, "2026-01-01T03:00:00Z");
    let totals: Vec<Decimal> = on.top_ups.iter().map(|charge| charge.total).collect();
    assert_eq!(totals, [decimal("20")]);
    // Back to the plan's default (on): it was on, so nothing more is bought.
    let plan = set_top_up(&mut ledger, TopUpSwitch::Plan, "2026-01-01T04:00:00Z");
    assert!(plan.top_ups.is_empty());
    assert_eq!(
        (plan.auto_top_ups[0].enabled, plan.auto_top_ups[0].source),
        (true, ControlSource::Plan)
    );
    // 2,900 − 1,950 = 950: the plan's top-up buys again.
    let tracked = track(
        &mut ledger,
        "sonnet-input-tokens",
        "6500000",
        "2026-01-01T05:00:00Z",
    );
    assert_eq!(tracked.balance, decimal("2950"));
    assert!(tracked.top_up.is_some());
    assert_eq!(
        entries(&mut ledger, "setting"),
        [
            "2026-01-01T01:00:00Z auto top-up turned off by the customer",
            "2026-01-01T03:00:00Z auto top-up turned on by the customer",
            "2026-01-01T04:00:00Z auto top-up back to the plan's default (on)",
        ]
    );
    assert_eq!(entries(&mut ledger, "top_up").len(), 2);
    // What the customer answers: the plan's top-up, on by the plan's say.
    let customer = ledger
        .customer("acme", at("2026-01-01T06:00:00Z"))
        .expect("customer");
    assert_eq!(customer.auto_top_ups, plan.auto_top_ups);
    // A balance its plans have no top-up of is refused, and nothing is written.
    let refused = ledger
        .set_auto_top_up(
            &SetAutoTopUpRequest {
                customer_id: "acme".into(),
                switches: [("sonnet-input-tokens".to_string(), TopUpSwitch::On)].into(),
            },
            at("2026-01-01T07:00:00Z"),
        )
        .expect_err("refused");
    assert_eq!(
        refused.to_string(),
        "`acme`'s plans have no auto top-up of `sonnet-input-tokens` to turn on or off (they have: `credits`)"
    );
    assert_eq!(entries(&mut ledger, "setting").len(), 3);
}

/// Turned on at its purchase limit, a top-up buys nothing more until the window has room: the
/// switch never buys past the limit.
#[test]
fn turning_a_top_up_on_never_buys_past_its_purchase_limit() {
    let directory = tempfile::tempdir().expect("temp dir");
    let store = example_store("anthropic-auto-reload", directory.path());
    let mut ledger = Ledger::open(&store).expect("ledger");
    attach(
        &mut ledger,
        "api-credits",
        &[("credits", "1500")],
        "2026-01-01",
    );
    // Three purchases today (the limit), each leaving the balance below 1,000 again.
    for hour in 1..=3_usize {
        let tracked = track(
            &mut ledger,
            "sonnet-input-tokens",
            ["2000000", "6500000", "7000000"][hour - 1],
            &format!("2026-01-01T0{hour}:00:00Z"),
        );
        assert!(tracked.top_up.is_some(), "purchase {hour}");
    }
    set_top_up(&mut ledger, TopUpSwitch::Off, "2026-01-01T04:00:00Z");
    track(
        &mut ledger,
        "sonnet-input-tokens",
        "7000000",
        "2026-01-01T05:00:00Z",
    );
    let on = set_top_up(&mut ledger, TopUpSwitch::On, "2026-01-01T06:00:00Z");
    assert!(on.top_ups.is_empty(), "3 purchases today already");
    assert_eq!(entries(&mut ledger, "top_up").len(), 3);
}

/// What `customer set` prints, and `customer show` with a top-up on by the customer's say.
#[test]
fn customer_set_prints_the_switch_and_what_it_bought() {
    let context = TestContext::with_example("anthropic-auto-reload");
    let run = |args: &[&str]| context.transcript(args);
    assert!(run(&["apply", "--auto-approve", "--quiet"]).ends_with("[exit 0]\n"));
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "acme", "--at", "2026-01-01"][..],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "api-credits",
            "--quantity",
            "credits=1500",
            "--at",
            "2026-01-01",
        ],
        &[
            "customer",
            "set",
            "acme",
            "--auto-top-up",
            "credits=off",
            "--at",
            "2026-01-01T01:00:00Z",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "sonnet-input-tokens",
            "--value",
            "2000000",
            "--at",
            "2026-01-01T02:00:00Z",
        ],
        &[
            "customer",
            "set",
            "acme",
            "--auto-top-up",
            "credits=on",
            "--at",
            "2026-01-01T03:00:00Z",
        ],
        &["customer", "show", "acme", "--at", "2026-01-01T04:00:00Z"],
        &[
            "customer",
            "set",
            "acme",
            "--auto-top-up",
            "credits=plan",
            "--format",
            "json",
            "--at",
            "2026-01-01T05:00:00Z",
        ],
        &["customer", "set", "acme", "--auto-top-up", "seats=on"],
        &["customer", "set", "acme", "--auto-top-up", "credits=maybe"],
    ] {
        transcript.push_str(&run(args));
    }
    insta::assert_snapshot!(transcript);
}

/// A scenario step's `alerts` are the alerts it recorded: one that expects others fails,
/// naming both.
#[test]
fn a_scenario_expecting_other_alerts_fails_naming_them() {
    let context = TestContext::with_example("capped-overage");
    let scenario = std::fs::read_to_string(
        root().join("pricing-examples/capped-overage/pricing.scenario.toml"),
    )
    .expect("the example's scenario");
    let wrong = scenario.replace(r#"alerts = ["remaining 0"]"#, r#"alerts = ["remaining 5"]"#);
    assert_ne!(wrong, scenario);
    context.write("pricing.scenario.toml", &wrong);
    let output = context.run(&["test"]);
    assert_eq!(output.status.code(), Some(1));
    context.bind(|| insta::assert_snapshot!(crate::support::stdout(&output)));
}
