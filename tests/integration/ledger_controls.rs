//! Billing controls in the ledger: an auto top-up bought once however many processes cross
//! its threshold together, alerts recorded once per crossing and listed in `history`, and what
//! `track` and `check` print when a control acts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;

use pricectl::backend::local::LocalStore;
use pricectl::ledger::{AttachRequest, Instant, Ledger, Overage, TrackRequest, TrackResult};
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
