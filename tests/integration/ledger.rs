//! The credit ledger: Autumn's credit-system experience, exact charges, idempotency, resets,
//! draw order, concurrency across processes, and durability of acknowledged events.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;

use pricectl::backend::local::LocalStore;
use pricectl::ledger::{AttachRequest, GrantRequest, Instant, Ledger, Overage, TrackRequest};
use pricectl::reconcile::{ApplyOptions, apply, plan};
use rust_decimal::Decimal;

use crate::support::{TestContext, example, examples, pricectl, root, stdout};

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn at(text: &str) -> Instant {
    Instant::parse(text).expect("instant")
}

/// A store file holding an example's catalog.
fn store_with(example: &str, directory: &Path) -> PathBuf {
    store_holding(
        &root()
            .join("pricing-examples")
            .join(example)
            .join("pricing.toml"),
        directory,
    )
}

/// A store file holding the catalog of pricing written for a test.
fn store_with_pricing(pricing: &str, directory: &Path) -> PathBuf {
    let path = directory.join("pricing.toml");
    std::fs::write(&path, pricing).expect("write pricing");
    store_holding(&path, directory)
}

/// `local.db` in `directory`, with the catalog of the pricing at `pricing` applied.
fn store_holding(pricing: &Path, directory: &Path) -> PathBuf {
    let catalog = pricectl::compile_path(pricing)
        .expect("loads")
        .catalog
        .expect("valid");
    let path = directory.join("local.db");
    let mut store = LocalStore::open(&path).expect("store");
    let planned = plan(&mut store, &catalog).expect("plan");
    apply(&mut store, &planned, &catalog, ApplyOptions::default()).expect("apply");
    path
}

fn track(
    ledger: &mut Ledger,
    customer: &str,
    feature: &str,
    value: &str,
    key: Option<&str>,
    when: &str,
) -> Decimal {
    ledger
        .track(
            &TrackRequest {
                customer_id: customer.into(),
                feature_id: feature.into(),
                value: decimal(value),
                idempotency_key: key.map(str::to_string),
                overage: Overage::Overflow,
                entity_id: None,
            },
            at(when),
        )
        .expect("track")
        .balance
}

fn attach(
    ledger: &mut Ledger,
    customer: &str,
    plan: &str,
    quantities: &[(&str, &str)],
    key: Option<&str>,
    when: &str,
) -> pricectl::ledger::AttachResult {
    ledger
        .attach(
            &AttachRequest {
                customer_id: customer.into(),
                plan_id: plan.into(),
                quantities: quantities
                    .iter()
                    .map(|(item, quantity)| ((*item).to_string(), decimal(quantity)))
                    .collect(),
                idempotency_key: key.map(str::to_string),
            },
            at(when),
        )
        .expect("attach")
}

fn balance_of(ledger: &mut Ledger, customer: &str, feature: &str, when: &str) -> Decimal {
    ledger
        .check(customer, feature, None, at(when))
        .expect("check")
        .balance
        .expect("metered")
        .balance
}

#[test]
fn autumns_openai_credits_walkthrough() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", Some("Acme"), None, at("2026-01-01"))
        .expect("customer");
    // 1. No credits: not allowed.
    let denied = ledger
        .check("acme", "o1-input-tokens", None, at("2026-01-01"))
        .expect("check");
    assert!(!denied.allowed);
    assert_eq!(denied.balance.expect("metered").balance, Decimal::ZERO);
    // 2. Buy 500 credits: $5.00.
    let bought = attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "500")],
        None,
        "2026-01-01",
    );
    assert_eq!(bought.charge.total.to_string(), "5.00");
    assert_eq!(
        balance_of(&mut ledger, "acme", "o1-input-tokens", "2026-01-01"),
        decimal("500")
    );
    // 3. 100,000 o1 input tokens draw 150 credits.
    assert_eq!(
        track(
            &mut ledger,
            "acme",
            "o1-input-tokens",
            "100000",
            None,
            "2026-01-02"
        ),
        decimal("350")
    );
    // 4. A gift of 1,000 credits, with its reason.
    let gift = ledger
        .grant(
            &GrantRequest {
                customer_id: "acme".into(),
                feature_id: "credits".into(),
                amount: decimal("1000"),
                expires_at: None,
                reason: "outage".into(),
            },
            at("2026-01-03"),
        )
        .expect("grant");
    assert_eq!(gift.balance, decimal("1350"));
    let history = ledger.history("acme").expect("history");
    assert!(
        history
            .iter()
            .any(|entry| entry.kind == "gift" && entry.reason.as_deref() == Some("outage"))
    );
    // 1,000 credits cost $10.00.
    ledger
        .create_customer("globex", None, None, at("2026-01-01"))
        .expect("customer");
    let thousand = attach(
        &mut ledger,
        "globex",
        "credit-top-up",
        &[("credits", "1000")],
        None,
        "2026-01-01",
    );
    assert_eq!(thousand.charge.total.to_string(), "10.00");
    assert_eq!(
        thousand
            .charge
            .line_items
            .iter()
            .map(|line| line.amount)
            .sum::<Decimal>(),
        thousand.charge.total
    );
}

#[test]
fn prepaid_quantities_are_checked_against_bounds() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    for (quantity, message) in [
        ("100", "below the minimum purchase of 500"),
        ("2000000", "above the maximum purchase"),
        ("500.5", "not a multiple"),
    ] {
        let error = ledger
            .attach(
                &AttachRequest {
                    customer_id: "acme".into(),
                    plan_id: "credit-top-up".into(),
                    quantities: [("credits".to_string(), decimal(quantity))].into(),
                    idempotency_key: None,
                },
                at("2026-01-01"),
            )
            .expect_err("refused");
        assert!(error.to_string().contains(message), "{quantity}: {error}");
    }
    assert!(
        ledger.charges("acme").expect("charges").is_empty(),
        "a refused attach charges nothing"
    );
}

#[test]
fn usage_is_never_dropped_and_checks_deny_until_topped_up() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "500")],
        None,
        "2026-01-01",
    );
    // 1M o1 output tokens cost 6,000 credits: 5,500 more than the balance.
    assert_eq!(
        track(
            &mut ledger,
            "acme",
            "o1-output-tokens",
            "1000000",
            None,
            "2026-01-02"
        ),
        decimal("-5500")
    );
    assert!(
        !ledger
            .check("acme", "o1-input-tokens", None, at("2026-01-02"))
            .expect("check")
            .allowed
    );
    // A top-up pays the debt first.
    attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "6000")],
        None,
        "2026-01-03",
    );
    assert_eq!(
        balance_of(&mut ledger, "acme", "o1-input-tokens", "2026-01-03"),
        decimal("500")
    );
    assert!(
        ledger
            .check("acme", "o1-input-tokens", None, at("2026-01-03"))
            .expect("check")
            .allowed
    );
    // The entries add up to the balance.
    let sum: Decimal = ledger
        .history("acme")
        .expect("history")
        .iter()
        .filter(|entry| entry.balance_key == "credits")
        .map(|entry| entry.amount)
        .sum();
    assert_eq!(sum, decimal("500"));
    // The paid-off overdraft runs up again: the lot that was empty is in force again, so
    // every read of the balance sees it.
    assert_eq!(
        track(
            &mut ledger,
            "acme",
            "o1-output-tokens",
            "1000000",
            None,
            "2026-01-04"
        ),
        decimal("-5500")
    );
    assert_eq!(
        balance_of(&mut ledger, "acme", "o1-input-tokens", "2026-01-04"),
        decimal("-5500")
    );
    let sum: Decimal = ledger
        .history("acme")
        .expect("history")
        .iter()
        .filter(|entry| entry.balance_key == "credits")
        .map(|entry| entry.amount)
        .sum();
    assert_eq!(sum, decimal("-5500"));
}

#[test]
fn the_same_idempotency_key_applies_once() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    let first = attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "1000")],
        Some("order-1"),
        "2026-01-01",
    );
    let again = attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "1000")],
        Some("order-1"),
        "2026-01-01",
    );
    assert!(!first.replayed && again.replayed);
    assert_eq!(
        pricectl::ledger::AttachResult {
            replayed: false,
            ..again
        },
        first
    );
    assert_eq!(ledger.charges("acme").expect("charges").len(), 1);
    for _ in 0..3 {
        assert_eq!(
            track(
                &mut ledger,
                "acme",
                "o1-input-tokens",
                "100000",
                Some("event-1"),
                "2026-01-02"
            ),
            decimal("850")
        );
    }
    assert_eq!(
        balance_of(&mut ledger, "acme", "o1-input-tokens", "2026-01-02"),
        decimal("850")
    );
    let conflict = ledger
        .track(
            &TrackRequest {
                customer_id: "acme".into(),
                feature_id: "o1-input-tokens".into(),
                value: decimal("5"),
                idempotency_key: Some("event-1".into()),
                overage: Overage::Overflow,
                entity_id: None,
            },
            at("2026-01-02"),
        )
        .expect_err("a reused key with another request is refused");
    assert!(conflict.to_string().contains("event-1"));
}

#[test]
fn included_credits_reset_each_period_without_rolling_over() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger =
        Ledger::open(&store_with("saas-seats-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-15"))
        .expect("customer");
    attach(&mut ledger, "acme", "pro", &[], None, "2026-01-15");
    assert_eq!(
        balance_of(&mut ledger, "acme", "credits", "2026-01-15"),
        decimal("500")
    );
    track(
        &mut ledger,
        "acme",
        "ai-messages",
        "200",
        None,
        "2026-01-20",
    );
    assert_eq!(
        balance_of(&mut ledger, "acme", "credits", "2026-02-14T23:59:59Z"),
        decimal("300")
    );
    // A month after the start: a fresh 500, the 300 left do not roll over.
    assert_eq!(
        balance_of(&mut ledger, "acme", "credits", "2026-02-15"),
        decimal("500")
    );
    let history = ledger.history("acme").expect("history");
    assert!(
        history
            .iter()
            .any(|entry| entry.kind == "expire" && entry.amount == decimal("-300")),
        "{history:?}"
    );
    // The base price was charged again at the boundary.
    let charges = ledger.charges("acme").expect("charges");
    assert_eq!(
        charges
            .iter()
            .map(|charge| charge.total)
            .collect::<Vec<_>>(),
        [decimal("20.00"), decimal("20.00")]
    );
}

#[test]
fn usage_draws_from_the_soonest_to_expire_then_purchased_then_gifted() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    let grant = |ledger: &mut Ledger, amount: &str, expires: Option<&str>| {
        ledger
            .grant(
                &GrantRequest {
                    customer_id: "acme".into(),
                    feature_id: "credits".into(),
                    amount: decimal(amount),
                    expires_at: expires.map(|text| at(text).0),
                    reason: "test".into(),
                },
                at("2026-01-01"),
            )
            .expect("grant");
    };
    grant(&mut ledger, "100", None);
    attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "500")],
        None,
        "2026-01-01",
    );
    grant(&mut ledger, "50", Some("2026-03-01"));
    grant(&mut ledger, "30", Some("2026-02-01"));
    // 200 credits: 30 (expires first), 50 (expires next), then 120 of the 500 purchased.
    track(&mut ledger, "acme", "credits", "200", None, "2026-01-02");
    let balances = ledger.balances("acme", at("2026-01-02")).expect("balances");
    let lots: Vec<(String, String)> = balances[0]
        .lots
        .iter()
        .map(|lot| (lot.source.clone(), lot.remaining.to_string()))
        .collect();
    assert_eq!(
        lots,
        [
            ("purchased".to_string(), "380".to_string()),
            ("gifted".to_string(), "100".to_string())
        ]
    );
}

#[test]
fn eight_processes_tracking_at_once_lose_and_double_count_nothing() {
    if let Ok(store) = std::env::var("PRICECTL_LEDGER_WORKER") {
        return worker(Path::new(&store));
    }
    let directory = tempfile::tempdir().expect("temp dir");
    let store = store_with("openai-credits", directory.path());
    let mut ledger = Ledger::open(&store).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    drop(ledger);
    let children: Vec<_> = (0..8)
        .map(|index| {
            Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "--exact",
                    "ledger::eight_processes_tracking_at_once_lose_and_double_count_nothing",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("PRICECTL_LEDGER_WORKER", &store)
                .env("PRICECTL_WORKER_INDEX", index.to_string())
                .stdout(Stdio::null())
                .spawn()
                .expect("worker starts")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("worker ends").success());
    }
    let mut ledger = Ledger::open(&store).expect("ledger");
    // 8 × 500 events of 1,000 tokens at 0.0015 credits: 6,000 credits of usage, plus 10
    // repeats per worker that carry an idempotency key already used.
    assert_eq!(
        balance_of(&mut ledger, "acme", "o1-input-tokens", "2026-01-02"),
        decimal("-6000")
    );
    let usage = ledger
        .history("acme")
        .expect("history")
        .iter()
        .filter(|entry| entry.kind == "usage")
        .count();
    assert_eq!(usage, 8 * 500);
}

/// One of the eight processes: 500 events, each its own transaction; every tenth is sent twice.
fn worker(store: &Path) {
    let index = std::env::var("PRICECTL_WORKER_INDEX").expect("index");
    let mut ledger = Ledger::open(store).expect("ledger");
    for event in 0..500 {
        let key = format!("{index}-{event}");
        let repeats = if event % 50 == 0 { 2 } else { 1 };
        for _ in 0..repeats {
            track(
                &mut ledger,
                "acme",
                "o1-input-tokens",
                "1000",
                Some(&key),
                "2026-01-02",
            );
        }
    }
}

#[test]
fn an_acknowledged_event_survives_the_process_being_killed() {
    if let Ok(store) = std::env::var("PRICECTL_LEDGER_KILLED") {
        let mut ledger = Ledger::open(Path::new(&store)).expect("ledger");
        for event in 0.. {
            track(
                &mut ledger,
                "acme",
                "o1-input-tokens",
                "1000",
                Some(&event.to_string()),
                "2026-01-02",
            );
            println!("ack {event}");
        }
        return;
    }
    let directory = tempfile::tempdir().expect("temp dir");
    let store = store_with("openai-credits", directory.path());
    let mut ledger = Ledger::open(&store).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    drop(ledger);
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "ledger::an_acknowledged_event_survives_the_process_being_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PRICECTL_LEDGER_KILLED", &store)
        .stdout(Stdio::piped())
        .spawn()
        .expect("child starts");
    let mut acknowledged = 0;
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        if line.expect("line").starts_with("ack ") {
            acknowledged += 1;
            if acknowledged == 300 {
                child.kill().expect("SIGKILL");
                break;
            }
        }
    }
    child.wait().expect("reaped");
    let mut ledger = Ledger::open(&store).expect("ledger reopens after the kill");
    let usage = ledger
        .history("acme")
        .expect("history")
        .iter()
        .filter(|entry| entry.kind == "usage")
        .count();
    // Every acknowledged event is there (the child may have committed more before the kill
    // reached it: acknowledgements wait in the pipe), and none is half written.
    assert!(
        usage >= 300,
        "{usage} usage entries for 300 acknowledged events"
    );
    let balance = balance_of(&mut ledger, "acme", "o1-input-tokens", "2026-01-02");
    assert_eq!(
        balance,
        decimal("-1.5") * Decimal::from(usage),
        "the balance agrees with the entries"
    );
}

#[test]
fn pricectl_test_runs_the_scenarios_of_every_example() {
    for example in examples() {
        let output = pricectl()
            .arg("test")
            .arg(example.join("pricing.toml"))
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{}:\n{}{}",
            example.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_failing_scenario_shows_expected_and_actual() {
    let context = TestContext::new();
    // The pricing change a reviewer should catch: credits cost twice as much.
    context.write(
        "pricing.toml",
        &example("openai-credits").replace("amount = 0.01,", "amount = 0.02,"),
    );
    context.write(
        "top-up.scenario.toml",
        "name = \"500 credits cost $5\"\n\n[[steps]]\ndo = \"attach\"\ncustomer = \"acme\"\nplan = \"credit-top-up\"\nquantities = { credits = 500 }\nexpect = { charge = 5.00, balance = 500 }\n",
    );
    let output = context.run(&["test"]);
    assert_eq!(output.status.code(), Some(1));
    context.bind(|| insta::assert_snapshot!(stdout(&output)));
}

#[test]
fn a_malformed_scenario_file_says_where_and_what() {
    let context = TestContext::with_example("openai-credits");
    context.write(
        "typo.scenario.toml",
        "name = \"typo\"\n\n[[steps]]\ndo = \"track\"\ncustomer = \"acme\"\nfeature = \"o1-input-tokens\"\nvalu = 5\n",
    );
    context.write(
        "number.scenario.toml",
        "name = \"number\"\n\n[[steps]]\ndo = \"grant\"\ncustomer = \"acme\"\nfeature = \"credits\"\namount = \"lots\"\nreason = \"x\"\n",
    );
    let output = context.run(&["test"]);
    assert_eq!(output.status.code(), Some(1));
    context.bind(|| insta::assert_snapshot!(stdout(&output)));
}

#[test]
fn usage_beyond_the_included_units_is_billed_at_the_end_of_the_period_through_the_tiers() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("api-tiered", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    let attached = attach(&mut ledger, "acme", "api", &[], None, "2026-01-01");
    assert!(
        attached.charge.line_items.is_empty(),
        "no base price, nothing charged upfront"
    );
    // 101,000 requests: 1,000 included, then 99,000 at $0.50 per 1,000 (tier up to 100,000,
    // counting the included ones) and 1,000 at $0.40 per 1,000.
    assert_eq!(
        track(
            &mut ledger,
            "acme",
            "api-requests",
            "101000",
            None,
            "2026-01-20"
        ),
        decimal("-100000")
    );
    assert!(
        ledger
            .check("acme", "api-requests", None, at("2026-01-20"))
            .expect("check")
            .allowed,
        "usage beyond is billed, so allowed"
    );
    assert!(
        ledger.charges("acme").expect("charges").is_empty(),
        "billed at the end of the period, not before"
    );
    // The month ends: the overage is billed, and a new 1,000 arrive.
    assert_eq!(
        balance_of(&mut ledger, "acme", "api-requests", "2026-02-01"),
        decimal("1000")
    );
    let charges = ledger.charges("acme").expect("charges");
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].total.to_string(), "49.90");
}

#[test]
fn usage_charges_multiply_before_dividing_by_the_billing_unit() {
    let directory = tempfile::tempdir().expect("temp dir");
    let pricing = "version = 1\ncurrency = \"USD\"\n\n[features.calls]\ntype = \"metered\"\n\n[plans.metered]\n\n[plans.metered.items.calls]\nprice = { amount = 0.045, per = 3, billing = \"usage\", interval = \"month\" }\n";
    let mut ledger = Ledger::open(&store_with_pricing(pricing, directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    attach(&mut ledger, "acme", "metered", &[], None, "2026-01-01");
    track(&mut ledger, "acme", "calls", "241", None, "2026-01-15");
    // The month ends: 241 / 3 × 0.045 is exactly 3.615, which rounds half away from zero to
    // 3.62 (divided first, it was 3.6149999…, charged 3.61).
    ledger.balances("acme", at("2026-02-01")).expect("balances");
    let charges = ledger.charges("acme").expect("charges");
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(charges[0].line_items[0].exact.to_string(), "3.615");
    assert_eq!(charges[0].total.to_string(), "3.62");
}

/// Pricing for the test of a ledger that stays open across an apply: Pro at `price` a month
/// with 1,000 credits, tokens at `cost` credits each, and (when `team` is given) a Team plan.
fn pricing_of(price: &str, cost: &str, team: bool) -> String {
    let mut pricing = format!(
        "version = 1\ncurrency = \"USD\"\n\n[features.tokens]\ntype = \"metered\"\n\n[credit_systems.credits]\n[credit_systems.credits.costs]\ntokens = {{ credits = {cost}, per = 1 }}\n\n[plans.pro]\nname = \"Pro\"\ngroup = \"main\"\nprice = {{ amount = {price}, interval = \"month\" }}\n\n[plans.pro.items.credits]\nincluded = 1_000\nreset = \"month\"\n"
    );
    if team {
        pricing.push_str("\n[plans.team]\nname = \"Team\"\ngroup = \"main\"\nprice = { amount = 30, interval = \"month\" }\n\n[plans.team.items.credits]\nincluded = 5_000\nreset = \"month\"\n");
    }
    pricing
}

#[test]
fn a_ledger_opened_before_an_apply_runs_on_what_the_apply_made() {
    let directory = tempfile::tempdir().expect("temp dir");
    let path = store_with_pricing(&pricing_of("10", "1", false), directory.path());
    let mut ledger = Ledger::open(&path).expect("ledger");
    ledger
        .create_customer("early", None, None, at("2026-01-01"))
        .expect("customer");
    let first = attach(&mut ledger, "early", "pro", &[], None, "2026-01-01");
    assert_eq!(
        (first.version, first.charge.total.to_string().as_str()),
        (1, "10.00")
    );

    // Another process applies new pricing while the ledger stays open: Pro costs 12 (a new
    // version, since a customer is on it), a Team plan appears, tokens cost 2 credits.
    let changed = store_with_pricing(&pricing_of("12", "2", true), directory.path());
    assert_eq!(changed, path);

    ledger
        .create_customer("late", None, None, at("2026-01-02"))
        .expect("customer");
    let second = attach(&mut ledger, "late", "pro", &[], None, "2026-01-02");
    assert_eq!(
        (second.version, second.charge.total.to_string().as_str()),
        (2, "12.00"),
        "a new customer gets the new version"
    );
    assert_eq!(
        track(&mut ledger, "late", "tokens", "10", None, "2026-01-03"),
        decimal("980"),
        "10 tokens at the new cost of 2 credits"
    );
    let team = attach(&mut ledger, "early", "team", &[], None, "2026-01-04");
    assert_eq!(
        (
            team.plan_id.as_str(),
            team.version,
            team.replaced.as_slice()
        ),
        ("team", 1, &["pro".to_string()][..]),
        "the new plan is known"
    );
}

#[test]
fn monthly_boundaries_count_from_the_start_and_do_not_drift() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger =
        Ledger::open(&store_with("saas-seats-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-31"))
        .expect("customer");
    attach(&mut ledger, "acme", "pro", &[], None, "2026-01-31");
    // Brought up to date on May 1: February 28, March 31 and April 30 have passed.
    let customer = ledger.customer("acme", at("2026-05-01")).expect("customer");
    let credits = customer
        .balances
        .iter()
        .find(|balance| balance.balance_key == "credits")
        .expect("credits");
    let included = credits
        .lots
        .iter()
        .find(|lot| lot.source == "included")
        .expect("included lot");
    assert_eq!(included.expires_at.as_deref(), Some("2026-05-31T00:00:00Z"));
    let history = ledger.history("acme").expect("history");
    let included_at: Vec<&str> = history
        .iter()
        // Pro's 500 (the customer started on Free's 50, which Pro replaced).
        .filter(|entry| {
            entry.kind == "included"
                && entry.balance_key == "credits"
                && entry.amount == decimal("500")
        })
        .map(|entry| entry.at.as_str())
        .collect();
    assert_eq!(
        included_at,
        [
            "2026-01-31T00:00:00Z",
            "2026-02-28T00:00:00Z",
            "2026-03-31T00:00:00Z",
            "2026-04-30T00:00:00Z"
        ]
    );
    assert_eq!(
        ledger.charges("acme").expect("charges").len(),
        4,
        "the attach and three renewals"
    );
}

#[test]
fn switching_plans_bills_the_old_plans_usage_first() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("api-tiered", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    attach(&mut ledger, "acme", "api", &[], None, "2026-01-01");
    track(
        &mut ledger,
        "acme",
        "api-requests",
        "51000",
        None,
        "2026-01-15",
    );
    let upgraded = attach(
        &mut ledger,
        "acme",
        "api-enterprise",
        &[],
        None,
        "2026-01-20",
    );
    assert_eq!(upgraded.replaced, ["api"]);
    // 50,000 requests beyond the 1,000 included at $0.50 per 1,000, billed at the switch; the
    // new plan's 1,000,000 included requests are not spent on the old plan's overage.
    let totals: Vec<String> = ledger
        .charges("acme")
        .expect("charges")
        .iter()
        .map(|charge| charge.total.to_string())
        .collect();
    assert_eq!(totals, ["25.00", "500.00"]);
    assert_eq!(
        balance_of(&mut ledger, "acme", "api-requests", "2026-01-20"),
        decimal("1000000")
    );
}

#[test]
fn a_subscription_cannot_be_attached_twice_but_a_top_up_can() {
    let directory = tempfile::tempdir().expect("temp dir");
    let pricing = "version = 1\ncurrency = \"USD\"\n\n[features.tok]\ntype = \"metered\"\n\n[plans.boost]\nadd_on = true\nprice = { amount = 10, interval = \"month\" }\n\n[plans.boost.items.tok]\nincluded = 100\nreset = \"month\"\n\n[plans.top-up]\nadd_on = true\n\n[plans.top-up.items.tok]\nprice = { amount = 1, per = 100, billing = \"prepaid\", interval = \"one_off\" }\n";
    let mut ledger = Ledger::open(&store_with_pricing(pricing, directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    attach(&mut ledger, "acme", "boost", &[], None, "2026-01-01");
    let twice = ledger
        .attach(
            &AttachRequest {
                customer_id: "acme".into(),
                plan_id: "boost".into(),
                quantities: BTreeMap::new(),
                idempotency_key: None,
            },
            at("2026-01-02"),
        )
        .expect_err("a recurring add-on is attached once");
    assert!(
        twice.to_string().contains("already on plan `boost`"),
        "{twice}"
    );
    attach(
        &mut ledger,
        "acme",
        "top-up",
        &[("tok", "500")],
        None,
        "2026-01-02",
    );
    attach(
        &mut ledger,
        "acme",
        "top-up",
        &[("tok", "500")],
        None,
        "2026-01-03",
    );
    assert_eq!(
        balance_of(&mut ledger, "acme", "tok", "2026-01-03"),
        decimal("1100")
    );
}

#[test]
fn an_idempotency_key_is_one_request_across_customers() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    for customer in ["acme", "globex"] {
        ledger
            .create_customer(customer, None, None, at("2026-01-01"))
            .expect("customer");
    }
    track(
        &mut ledger,
        "acme",
        "o1-input-tokens",
        "1000",
        Some("event-1"),
        "2026-01-02",
    );
    let reused = ledger
        .track(
            &TrackRequest {
                customer_id: "globex".into(),
                feature_id: "o1-input-tokens".into(),
                value: decimal("1000"),
                idempotency_key: Some("event-1".into()),
                overage: Overage::Overflow,
                entity_id: None,
            },
            at("2026-01-02"),
        )
        .expect_err("the key names acme's request");
    assert!(reused.to_string().contains("event-1"));
}

#[test]
fn a_balance_too_large_for_a_decimal_is_an_error_not_a_crash() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&store_with("openai-credits", directory.path())).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    let huge = GrantRequest {
        customer_id: "acme".into(),
        feature_id: "credits".into(),
        amount: decimal("50000000000000000000000000000"),
        expires_at: None,
        reason: "test".into(),
    };
    ledger
        .grant(&huge, at("2026-01-01"))
        .expect("the first fits");
    let error = ledger
        .grant(&huge, at("2026-01-01"))
        .expect_err("the sum does not fit");
    assert!(error.to_string().contains("largest decimal"), "{error}");
}

#[test]
fn the_ledger_commands_as_users_see_them() {
    let context = TestContext::with_example("openai-credits");
    let run = |args: &[&str]| context.transcript(args);
    assert!(run(&["apply", "--auto-approve", "--quiet"]).ends_with("[exit 0]\n"));
    let mut transcript = String::new();
    for args in [
        &[
            "customer",
            "create",
            "acme",
            "--name",
            "Acme",
            "--at",
            "2026-01-01",
        ][..],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--at",
            "2026-01-01",
        ],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "credit-top-up",
            "--quantity",
            "credits=500",
            "--at",
            "2026-01-01",
        ],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "credit-top-up",
            "--quantity",
            "credits=100",
            "--at",
            "2026-01-01",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--value",
            "100_000",
            "--at",
            "2026-01-02",
        ],
        &[
            "grant",
            "--customer",
            "acme",
            "--feature",
            "credits",
            "--amount",
            "1000",
            "--reason",
            "outage",
            "--at",
            "2026-01-03",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--format",
            "json",
            "--at",
            "2026-01-04",
        ],
        &["balance", "--customer", "acme", "--at", "2026-01-04"],
        &["history", "--customer", "acme"],
        &["customer", "show", "acme", "--at", "2026-01-04"],
        &[
            "track",
            "--customer",
            "nobody",
            "--feature",
            "o1-input-tokens",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--at",
            "yesterday",
        ],
    ] {
        transcript.push_str(&run(args));
    }
    context.bind(|| insta::assert_snapshot!(transcript));
}

#[test]
fn a_ledger_command_without_a_time_records_the_current_one() {
    let context = TestContext::with_example("openai-credits").with_filtered_times();
    assert!(
        context
            .transcript(&["apply", "--auto-approve", "--quiet"])
            .ends_with("[exit 0]\n")
    );
    let before = Instant::now().to_string();
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "acme"][..],
        &[
            "grant",
            "--customer",
            "acme",
            "--feature",
            "credits",
            "--amount",
            "5",
            "--reason",
            "welcome",
        ],
        &["history", "--customer", "acme"],
    ] {
        transcript.push_str(&context.transcript(args));
    }
    let after = Instant::now().to_string();
    // The grant is stamped with today (the date before or after the commands ran, should
    // they straddle midnight), not with some fixed or zero time.
    assert!(
        transcript.contains(&before[..10]) || transcript.contains(&after[..10]),
        "{before}..{after}:\n{transcript}"
    );
    context.bind(|| insta::assert_snapshot!(transcript));
}

/// What the ledger refuses, whoever asks (the CLI here; scenarios and `pricectl serve` reach
/// the same checks): customer ids Autumn would refuse or longer than 256 characters,
/// idempotency keys that are empty or hold a newline, a track of 0 and a grant that expires
/// before it is made. Each was accepted without a word before.
#[test]
fn invalid_ids_keys_values_and_expiries_are_refused() {
    let context = TestContext::with_example("openai-credits");
    assert!(
        context
            .transcript(&["apply", "--auto-approve", "--quiet"])
            .ends_with("[exit 0]\n")
    );
    let long_id = "a".repeat(100_000);
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "", "--at", "2026-01-01"][..],
        &["customer", "create", "acme\nevil", "--at", "2026-01-01"],
        &[
            "customer",
            "create",
            "user@example.com",
            "--at",
            "2026-01-01",
        ],
        &["customer", "create", &long_id, "--at", "2026-01-01"],
        &[
            "track",
            "--customer",
            &long_id,
            "--feature",
            "o1-input-tokens",
        ],
        &["customer", "create", "acme", "--at", "2026-01-01"],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--value",
            "0",
            "--at",
            "2026-01-02",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--value",
            "10",
            "--idempotency-key",
            "",
            "--at",
            "2026-01-02",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "o1-input-tokens",
            "--value",
            "10",
            "--idempotency-key",
            "event-1\nforged line",
            "--at",
            "2026-01-02",
        ],
        &[
            "grant",
            "--customer",
            "acme",
            "--feature",
            "credits",
            "--amount",
            "100",
            "--reason",
            "late gift",
            "--expires",
            "2026-01-01",
            "--at",
            "2026-01-02",
        ],
        &["history", "--customer", "acme"],
    ] {
        let shown: Vec<&str> = args
            .iter()
            .map(|arg| {
                if arg.len() > 80 {
                    "[100,000 × a]"
                } else {
                    *arg
                }
            })
            .collect();
        transcript.push_str(&crate::support::transcript(&shown, &context.run(args)));
    }
    context.bind(|| insta::assert_snapshot!(transcript));
}
