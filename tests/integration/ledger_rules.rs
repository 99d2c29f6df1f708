//! The ledger bills what a billing system would (issue 9): free trials, prepaid quantities,
//! allocated features, late events, exactness. Each rule is a scenario under
//! `tests/ledger-rules/` (run here through `pricectl test`) and a test through the library.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pricectl::backend::local::LocalStore;
use pricectl::ledger::{AttachRequest, Instant, Ledger, LedgerError, Overage, TrackRequest};
use pricectl::reconcile::{ApplyOptions, apply, plan};
use rust_decimal::Decimal;

use crate::support::{TestContext, root};

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn at(text: &str) -> Instant {
    Instant::parse(text).expect("instant")
}

/// The pricing of one rule's scenarios.
fn rules(name: &str) -> PathBuf {
    root()
        .join("tests/ledger-rules")
        .join(name)
        .join("pricing.toml")
}

/// A ledger on a fresh store file holding a pricing.
pub(crate) fn ledger_for(pricing: &Path, directory: &Path) -> Ledger {
    let catalog = pricectl::compile_path(pricing)
        .expect("loads")
        .catalog
        .expect("valid");
    let path = directory.join("local.db");
    let mut store = LocalStore::open(&path).expect("store");
    let planned = plan(&mut store, &catalog).expect("plan");
    apply(&mut store, &planned, &catalog, ApplyOptions::default()).expect("apply");
    drop(store);
    Ledger::open(&path).expect("ledger")
}

fn attach(
    ledger: &mut Ledger,
    customer: &str,
    plan: &str,
    quantities: &[(&str, &str)],
    when: &str,
) -> Result<pricectl::ledger::AttachResult, LedgerError> {
    ledger.ensure_customer(customer, at(when))?;
    ledger.attach(
        &AttachRequest {
            customer_id: customer.into(),
            plan_id: plan.into(),
            quantities: quantities
                .iter()
                .map(|(item, quantity)| ((*item).to_string(), decimal(quantity)))
                .collect(),
            idempotency_key: None,
        },
        at(when),
    )
}

fn track(
    ledger: &mut Ledger,
    customer: &str,
    feature: &str,
    value: &str,
    when: &str,
) -> Result<pricectl::ledger::TrackResult, LedgerError> {
    ledger.track(
        &TrackRequest {
            customer_id: customer.into(),
            feature_id: feature.into(),
            value: decimal(value),
            idempotency_key: None,
            overage: Overage::Overflow,
            entity_id: None,
        },
        at(when),
    )
}

fn balance(ledger: &mut Ledger, customer: &str, feature: &str, when: &str) -> Decimal {
    ledger
        .check(customer, feature, None, at(when))
        .expect("check")
        .balance
        .expect("metered")
        .balance
}

/// `(date, total)` of every charge of a customer between two instants.
fn charged(ledger: &mut Ledger, customer: &str, after: &str, until: &str) -> Vec<String> {
    ledger
        .charges_between(customer, at(after), at(until))
        .expect("charges")
        .iter()
        .map(|charge| charge.total.to_string())
        .collect()
}

/// Applies `pricing` in a fresh directory and runs each command there: what a user sees.
fn session(pricing: &str, commands: &[&[&str]]) -> (TestContext, String) {
    let context = TestContext::new();
    context.write("pricing.toml", pricing);
    assert!(
        context
            .run(&["apply", "--auto-approve", "--quiet"])
            .status
            .success()
    );
    let transcript = commands
        .iter()
        .map(|args| context.transcript(args))
        .collect();
    (context, transcript)
}

#[test]
fn every_rule_scenario_passes() {
    let mut directories: Vec<PathBuf> = std::fs::read_dir(root().join("tests/ledger-rules"))
        .expect("rules")
        .map(|entry| entry.expect("entry").path())
        .collect();
    directories.sort();
    assert!(!directories.is_empty());
    for directory in directories {
        let output = crate::support::pricectl()
            .arg("test")
            .arg(directory.join("pricing.toml"))
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{}:\n{}{}",
            directory.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_trial_charges_nothing_and_its_end_anchors_every_period() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("trials"), directory.path());
    let attached =
        attach(&mut ledger, "acme", "team", &[("seats", "5")], "2026-01-01").expect("attach");
    assert_eq!(attached.charge.total.to_string(), "0.00");
    assert_eq!(
        attached.trial_ends_at.as_deref(),
        Some("2026-01-15T00:00:00Z")
    );
    assert_eq!(
        balance(&mut ledger, "acme", "seats", "2026-01-02"),
        decimal("5")
    );
    assert!(charged(&mut ledger, "acme", "2026-01-01", "2026-01-14T23:59:59Z").is_empty());
    assert_eq!(
        charged(&mut ledger, "acme", "2026-01-14T23:59:59Z", "2026-01-15"),
        ["50.00"],
        "the first charge falls at the trial's end"
    );
    assert!(
        charged(&mut ledger, "acme", "2026-01-15", "2026-02-14").is_empty(),
        "no renewal on the 1st: periods count from the trial's end"
    );
    assert_eq!(
        charged(&mut ledger, "acme", "2026-02-14", "2026-02-15"),
        ["50.00"]
    );
}

#[test]
fn trial_usage_is_not_billed_and_resets_follow_the_trials_end() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("trials"), directory.path());
    attach(&mut ledger, "acme", "pro", &[], "2026-01-01").expect("attach");
    track(&mut ledger, "acme", "api-requests", "5000", "2026-01-10").expect("track");
    assert_eq!(
        charged(&mut ledger, "acme", "2026-01-01", "2026-01-15"),
        ["20.00"],
        "the base price at the trial's end; the trial's 4,000 beyond the balance are not billed"
    );
    assert_eq!(
        balance(&mut ledger, "acme", "api-requests", "2026-01-15"),
        decimal("1000")
    );
    track(&mut ledger, "acme", "api-requests", "1100", "2026-01-20").expect("track");
    assert_eq!(
        balance(&mut ledger, "acme", "api-requests", "2026-02-01"),
        decimal("-100"),
        "no reset at the attach date's month"
    );
    assert_eq!(
        charged(&mut ledger, "acme", "2026-02-01", "2026-02-15"),
        ["20.00", "1.00"],
        "base price and the month's overage, both at the trial's end plus a month"
    );
    let history = ledger.history("acme").expect("history");
    assert!(
        history
            .iter()
            .any(|entry| entry.kind == "waived" && entry.amount == decimal("4000")),
        "the trial's overage is written off, in the history"
    );
}

#[test]
fn a_customer_has_one_trial_per_plan() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("trials"), directory.path());
    let first = attach(&mut ledger, "acme", "pro", &[], "2026-01-01").expect("attach");
    assert!(first.trial_ends_at.is_some());
    let back = attach(&mut ledger, "acme", "free", &[], "2026-01-05").expect("back to free");
    assert_eq!(
        back.starts_at.as_deref(),
        Some("2026-01-15T00:00:00Z"),
        "a downgrade waits for the trial's end"
    );
    let again = attach(&mut ledger, "acme", "pro", &[], "2026-01-20").expect("attach");
    assert_eq!(again.trial_ends_at, None);
    assert_eq!(again.charge.total.to_string(), "20.00");
    let other = attach(&mut ledger, "globex", "pro", &[], "2026-01-20").expect("attach");
    assert!(other.trial_ends_at.is_some(), "trials are per customer");
}

#[test]
fn a_prepaid_item_that_includes_nothing_needs_a_quantity_within_its_bounds() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("quantities"), directory.path());
    for (quantities, message) in [
        (
            &[][..],
            "plan `team` needs a quantity for `seats`: buy from 1 to 100 in steps of 1",
        ),
        (
            &[("seats", "0")][..],
            "0 is below the minimum purchase of 1; buy from 1 to 100",
        ),
        (
            &[("seats", "101")][..],
            "101 is above the maximum purchase of 100",
        ),
        (
            &[("seats", "1.5")][..],
            "1.5 is not a multiple of the billing unit 1",
        ),
    ] {
        let error =
            attach(&mut ledger, "acme", "team", quantities, "2026-01-01").expect_err("refused");
        assert!(
            error.to_string().contains(message),
            "{quantities:?}: {error}"
        );
    }
    let sso = ledger
        .check("acme", "sso", None, at("2026-01-01"))
        .expect("check");
    assert!(!sso.allowed, "a refused attach grants no boolean feature");
    assert!(ledger.charges("acme").expect("charges").is_empty());
}

#[test]
fn a_one_off_add_on_bought_twice_is_one_subscription() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("quantities"), directory.path());
    let first = attach(
        &mut ledger,
        "acme",
        "tokens-pack",
        &[("tokens", "2000")],
        "2026-01-01",
    )
    .expect("attach");
    let second = attach(
        &mut ledger,
        "acme",
        "tokens-pack",
        &[("tokens", "1000")],
        "2026-01-02",
    )
    .expect("attach");
    assert_eq!(first.subscription_id, second.subscription_id);
    assert_eq!(second.charge.total.to_string(), "2.00");
    let customer = ledger.customer("acme", at("2026-03-01")).expect("customer");
    let packs: Vec<_> = customer
        .subscriptions
        .iter()
        .filter(|subscription| subscription.plan_id == "tokens-pack")
        .collect();
    assert_eq!(packs.len(), 1);
    assert_eq!(
        packs[0].quantities.get("tokens").map(String::as_str),
        Some("3000")
    );
    assert_eq!(
        balance(&mut ledger, "acme", "tokens", "2026-03-01"),
        decimal("3000")
    );
    assert!(
        ledger
            .charges_between("acme", at("2026-01-02"), at("2027-01-02"))
            .expect("charges")
            .is_empty(),
        "a one-off purchase never renews"
    );
}

#[test]
fn a_quantity_given_twice_on_the_command_line_is_refused() {
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        &std::fs::read_to_string(rules("quantities")).expect("pricing"),
    );
    assert!(
        context
            .run(&["apply", "--auto-approve", "--quiet"])
            .status
            .success()
    );
    assert!(
        context
            .run(&["customer", "create", "acme", "--at", "2026-01-01"])
            .status
            .success()
    );
    let twice = context.transcript(&[
        "attach",
        "--customer",
        "acme",
        "--plan",
        "tokens-pack",
        "--quantity",
        "tokens=1000",
        "--quantity",
        "tokens=2000",
        "--at",
        "2026-01-01",
    ]);
    context.bind(|| insta::assert_snapshot!(twice));
}

#[test]
fn an_allocated_feature_is_a_level_in_whole_units_never_borrowed() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("seats"), directory.path());
    attach(&mut ledger, "acme", "team", &[("seats", "2")], "2026-01-01").expect("attach");
    assert_eq!(
        track(&mut ledger, "acme", "seats", "4", "2026-01-02")
            .expect("allocate")
            .balance,
        decimal("1")
    );
    assert_eq!(
        track(&mut ledger, "acme", "seats", "-2", "2026-01-03")
            .expect("release")
            .balance,
        decimal("3")
    );
    let fraction =
        track(&mut ledger, "acme", "seats", "1.5", "2026-01-04").expect_err("whole units");
    assert!(
        fraction.to_string().contains("1.5 is not a whole number"),
        "{fraction}"
    );
    let too_many = track(&mut ledger, "acme", "seats", "-3", "2026-01-04").expect_err("2 in use");
    assert!(too_many.to_string().contains("2 in use"), "{too_many}");
    assert_eq!(
        track(&mut ledger, "acme", "seats", "5", "2026-01-05")
            .expect("allocate")
            .balance,
        decimal("-2")
    );
    // A renewal grants the 2 bought seats again; the 7 in use stay 7, nothing is borrowed.
    assert_eq!(
        balance(&mut ledger, "acme", "seats", "2026-03-01"),
        decimal("-2")
    );
    let consumable = ledger_for(
        &rules("trials"),
        tempfile::tempdir().expect("temp dir").path(),
    )
    .track(
        &TrackRequest {
            customer_id: "nobody".into(),
            feature_id: "api-requests".into(),
            value: decimal("-1"),
            idempotency_key: None,
            overage: Overage::Overflow,
            entity_id: None,
        },
        at("2026-01-01"),
    )
    .expect_err("consumable usage is never negative");
    assert!(
        consumable.to_string().contains("cannot be negative"),
        "{consumable}"
    );
}

#[test]
fn allocated_units_beyond_the_grant_are_billed_as_they_stand_at_the_periods_end() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("seats"), directory.path());
    attach(&mut ledger, "acme", "team", &[], "2026-01-01").expect("attach");
    track(&mut ledger, "acme", "projects", "6", "2026-01-10").expect("peak of 6");
    track(&mut ledger, "acme", "projects", "-3", "2026-01-20").expect("3 held");
    assert_eq!(
        charged(&mut ledger, "acme", "2026-01-01", "2026-02-01"),
        ["20.00", "4.00"]
    );
    assert_eq!(
        charged(&mut ledger, "acme", "2026-02-01", "2026-03-01"),
        ["20.00", "4.00"]
    );
    assert_eq!(
        balance(&mut ledger, "acme", "projects", "2026-03-01"),
        decimal("-1")
    );
}

#[test]
fn values_are_read_as_the_pricing_language_writes_them_and_negative_ones_release() {
    let (context, transcript) = session(
        &std::fs::read_to_string(rules("seats")).expect("pricing"),
        &[
            &["customer", "create", "acme", "--at", "2026-01-01"][..],
            &[
                "attach",
                "--customer",
                "acme",
                "--plan",
                "team",
                "--at",
                "2026-01-01",
            ],
            &[
                "track",
                "--customer",
                "acme",
                "--feature",
                "seats",
                "--value",
                "1e1",
                "--at",
                "2026-01-02",
            ],
            &[
                "track",
                "--customer",
                "acme",
                "--feature",
                "seats",
                "--value",
                "-2",
                "--at",
                "2026-01-02",
            ],
            &[
                "track",
                "--customer",
                "acme",
                "--feature",
                "seats",
                "--value",
                "1_0",
                "--at",
                "2026-01-02",
            ],
            &[
                "track",
                "--customer",
                "acme",
                "--feature",
                "seats",
                "--value",
                "0.5",
                "--at",
                "2026-01-02",
            ],
            &["balance", "--customer", "acme", "--at", "2026-01-03"],
        ],
    );
    context.bind(|| insta::assert_snapshot!(transcript));
}

/// A decimal at scale 28, as an integer: sums of these are exact (values stay below 1e9).
fn at_scale_28(value: Decimal) -> i128 {
    value.mantissa() * 10_i128.pow(28 - value.scale())
}

#[test]
fn a_balance_is_the_sum_of_its_entries_exactly_whatever_the_values() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(
        &root().join("pricing-examples/saas-seats-credits/pricing.toml"),
        directory.path(),
    );
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    // A fixed seed: the same sequence every run (xorshift64).
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut now = at("2026-01-01");
    let (mut applied, mut refused) = (0, 0);
    for _ in 0..300 {
        now = now.add(
            pricectl::ledger::Period::Hour,
            i64::try_from(next() % 200).expect("small"),
        );
        // Values of every precision, from whole units to 28 digits after the point, below 1e6.
        let scale = u32::try_from(next() % 29).expect("small");
        let digits = 1 + u32::try_from(next() % u64::from(scale + 6)).expect("small");
        let mantissa = i128::from(next() % 10_u64.pow(digits.min(18)));
        let value = Decimal::from_i128_with_scale(mantissa.max(1), scale);
        let outcome = match next() % 3 {
            0 => ledger
                .grant(
                    &pricectl::ledger::GrantRequest {
                        customer_id: "acme".into(),
                        feature_id: "credits".into(),
                        amount: value,
                        expires_at: None,
                        reason: "property".into(),
                    },
                    now,
                )
                .map(|_| ()),
            1 => ledger
                .track(
                    &TrackRequest {
                        customer_id: "acme".into(),
                        feature_id: "ai-messages".into(),
                        value,
                        idempotency_key: None,
                        overage: Overage::Overflow,
                        entity_id: None,
                    },
                    now,
                )
                .map(|_| ()),
            _ => ledger
                .track(
                    &TrackRequest {
                        customer_id: "acme".into(),
                        feature_id: "image-generations".into(),
                        value,
                        idempotency_key: None,
                        overage: Overage::Overflow,
                        entity_id: None,
                    },
                    now,
                )
                .map(|_| ()),
        };
        match outcome {
            Ok(()) => applied += 1,
            Err(error) => {
                assert!(
                    error.to_string().contains("cannot be held exactly"),
                    "{value}: {error}"
                );
                refused += 1;
            }
        }
        // The balance first: reading it brings the periods up to `now`.
        let balance = at_scale_28(balance(&mut ledger, "acme", "credits", &now.to_string()));
        let entries: i128 = ledger
            .history("acme")
            .expect("history")
            .iter()
            .filter(|entry| entry.balance_key == "credits")
            .map(|entry| at_scale_28(entry.amount))
            .sum();
        assert_eq!(balance, entries, "after {value} at {now}");
    }
    assert!(
        applied > 100 && refused > 10,
        "{applied} applied, {refused} refused"
    );
}

#[test]
fn an_upgrade_credits_the_unused_time_and_a_downgrade_waits_for_the_periods_end() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("switches"), directory.path());
    attach(&mut ledger, "acme", "basic", &[], "2026-01-01").expect("basic");
    let upgrade = attach(&mut ledger, "acme", "pro", &[], "2026-01-16").expect("pro");
    let lines: Vec<String> = upgrade
        .charge
        .line_items
        .iter()
        .map(|line| line.amount.to_string())
        .collect();
    assert_eq!(
        lines,
        ["-5.16", "15.48"],
        "16 of 31 days of $10 back, of $30 charged"
    );
    assert_eq!(upgrade.replaced, ["basic"]);
    assert_eq!(
        charged(&mut ledger, "acme", "2026-01-16", "2026-02-01"),
        ["30.00"],
        "the cycle is kept"
    );
    let downgrade = attach(&mut ledger, "acme", "basic", &[], "2026-02-10").expect("basic");
    assert_eq!(downgrade.charge.total.to_string(), "0.00");
    assert_eq!(downgrade.starts_at.as_deref(), Some("2026-03-01T00:00:00Z"));
    assert_eq!(
        balance(&mut ledger, "acme", "credits", "2026-02-20"),
        decimal("500"),
        "still pro"
    );
    assert_eq!(
        charged(&mut ledger, "acme", "2026-02-10", "2026-03-01"),
        ["10.00"]
    );
    assert_eq!(
        balance(&mut ledger, "acme", "credits", "2026-03-01"),
        decimal("100")
    );
    let plans: Vec<(String, Option<String>)> = ledger
        .customer("acme", at("2026-03-01"))
        .expect("customer")
        .subscriptions
        .into_iter()
        .map(|subscription| (subscription.plan_id, subscription.ended_at))
        .collect();
    assert_eq!(
        plans,
        [
            ("free".to_string(), Some("2026-01-01T00:00:00Z".to_string())),
            (
                "basic".to_string(),
                Some("2026-01-16T00:00:00Z".to_string())
            ),
            ("pro".to_string(), Some("2026-03-01T00:00:00Z".to_string())),
            ("basic".to_string(), None),
        ]
    );
}

#[test]
fn idle_periods_are_passed_in_one_step_and_a_far_future_time_is_bounded() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("catch-up"), directory.path());
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    track(&mut ledger, "acme", "requests", "4", "2026-01-01T00:00:30Z").expect("track");
    // A year of minutes: 525,600 boundaries, none of them with anything to do.
    assert_eq!(
        balance(&mut ledger, "acme", "requests", "2027-01-01T00:00:30Z"),
        decimal("10")
    );
    let entries = ledger.history("acme").expect("history").len();
    assert!(
        entries <= 5,
        "the idle minutes are not written out one by one: {entries} entries"
    );
    attach(&mut ledger, "acme", "weekly", &[], "2027-01-01T00:01:00Z").expect("weekly");
    let far = track(&mut ledger, "acme", "requests", "1", "2527-01-01").expect_err("bounded");
    assert!(
        far.to_string()
            .contains("passes more than 2000 period boundaries"),
        "{far}"
    );
    assert_eq!(
        track(&mut ledger, "acme", "requests", "1", "2028-01-01")
            .expect("a year of weeks")
            .balance,
        decimal("9")
    );
}

#[test]
fn events_are_applied_in_time_order_and_a_past_balance_is_a_true_point_in_time_view() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(
        &root().join("pricing-examples/openai-credits/pricing.toml"),
        directory.path(),
    );
    ledger
        .create_customer("acme", None, None, at("2026-01-10"))
        .expect("customer");
    let before_creation = track(
        &mut ledger,
        "acme",
        "o1-input-tokens",
        "100000",
        "2026-01-01",
    )
    .expect_err("before the customer existed");
    assert!(
        before_creation.to_string().contains("would come before it"),
        "{before_creation}"
    );
    attach(
        &mut ledger,
        "acme",
        "credit-top-up",
        &[("credits", "500")],
        "2026-01-10",
    )
    .expect("buy");
    track(
        &mut ledger,
        "acme",
        "o1-input-tokens",
        "100000",
        "2026-01-20",
    )
    .expect("150 credits");
    let late = track(
        &mut ledger,
        "acme",
        "o1-input-tokens",
        "100000",
        "2026-01-15",
    )
    .expect_err("late");
    assert_eq!(
        late.to_string(),
        "`acme`'s ledger is at 2026-01-20T00:00:00Z: an operation at 2026-01-15T00:00:00Z would come before it (events are applied in time order per customer)"
    );
    // Purchases and usage alike, as they stood.
    assert_eq!(
        balance(&mut ledger, "acme", "credits", "2026-01-09"),
        decimal("0")
    );
    assert_eq!(
        balance(&mut ledger, "acme", "credits", "2026-01-15"),
        decimal("500")
    );
    assert_eq!(
        balance(&mut ledger, "acme", "credits", "2026-01-20"),
        decimal("350")
    );
    assert_eq!(
        ledger.history("acme").expect("history").len(),
        2,
        "the refused events left nothing"
    );
}

#[test]
fn pricectl_test_runs_one_scenario_file_against_the_pricing_beside_it() {
    let output = crate::support::pricectl()
        .args(["test", "tests/ledger-rules/trials/seats.scenario.toml"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn unlimited_and_empty_balances_say_so() {
    let (context, transcript) = session(
        "version = 1\ncurrency = \"USD\"\n\n[features.requests]\ntype = \"metered\"\n\n[plans.unlimited]\n\n[plans.unlimited.items.requests]\nincluded = \"unlimited\"\n",
        &[
            &["customer", "create", "acme", "--at", "2026-01-01"][..],
            &["balance", "--customer", "acme", "--at", "2026-01-01"],
            &[
                "attach",
                "--customer",
                "acme",
                "--plan",
                "unlimited",
                "--at",
                "2026-01-01",
            ],
            &["balance", "--customer", "acme", "--at", "2026-01-01"],
            &[
                "check",
                "--customer",
                "acme",
                "--feature",
                "requests",
                "--at",
                "2026-01-01",
            ],
        ],
    );
    context.bind(|| insta::assert_snapshot!(transcript));
}

fn set_quantity(
    ledger: &mut Ledger,
    customer: &str,
    plan: &str,
    quantities: &[(&str, &str)],
    when: &str,
) -> Result<pricectl::ledger::QuantityResult, LedgerError> {
    ledger.set_quantity(
        &pricectl::ledger::SetQuantityRequest {
            customer_id: customer.into(),
            plan_id: plan.into(),
            quantities: quantities
                .iter()
                .map(|(item, quantity)| ((*item).to_string(), decimal(quantity)))
                .collect(),
            idempotency_key: None,
        },
        at(when),
    )
}

#[test]
fn a_quantity_change_moves_the_units_and_bills_as_the_items_policy_says() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger_for(&rules("quantity-changes"), directory.path());
    attach(
        &mut ledger,
        "acme",
        "team",
        &[("seats", "5"), ("reports", "10")],
        "2026-01-01",
    )
    .expect("attach");
    // The ledger's rules: prorated, now (16 of 31 days left).
    let raised =
        set_quantity(&mut ledger, "acme", "team", &[("seats", "8")], "2026-01-16").expect("raised");
    assert_eq!(raised.charge.total, decimal("15.48"));
    assert_eq!(raised.changes[0].from, decimal("5"));
    assert_eq!(raised.changes[0].to, decimal("8"));
    assert!(raised.next_cycle.is_empty());
    assert_eq!(
        balance(&mut ledger, "acme", "seats", "2026-01-16"),
        decimal("8")
    );
    // The lowered quantity is what renews.
    let lowered = set_quantity(&mut ledger, "acme", "team", &[("seats", "2")], "2026-01-16")
        .expect("lowered");
    assert_eq!(
        lowered.charge.total,
        decimal("-30.97"),
        "8 seats credited, 2 charged"
    );
    assert_eq!(
        balance(&mut ledger, "acme", "seats", "2026-01-16"),
        decimal("2")
    );
    let renewed: Decimal = ledger
        .charges_between("acme", at("2026-01-16"), at("2026-02-01"))
        .expect("renewals")
        .iter()
        .map(|charge| charge.total)
        .sum();
    assert_eq!(renewed, decimal("40.00"), "the base price and 2 seats");
    // Bounds as attach checks them; an item the plan does not sell.
    let error = set_quantity(&mut ledger, "acme", "team", &[("seats", "0")], "2026-02-01")
        .expect_err("below the minimum");
    assert!(
        error
            .to_string()
            .contains("below the minimum purchase of 1"),
        "{error}"
    );

    // bill_next_cycle: the 3 added seats are not paid for this period, so an upgrade credits
    // the 5 that were (16 of 31 days of $50), not 8.
    attach(
        &mut ledger,
        "guild",
        "guild",
        &[("seats", "5")],
        "2026-01-01",
    )
    .expect("attach");
    let unbilled = set_quantity(
        &mut ledger,
        "guild",
        "guild",
        &[("seats", "8")],
        "2026-01-16",
    )
    .expect("raised");
    assert_eq!(unbilled.charge.total, decimal("0.00"));
    assert_eq!(
        balance(&mut ledger, "guild", "seats", "2026-01-16"),
        decimal("8")
    );
    let upgraded = attach(
        &mut ledger,
        "guild",
        "guild-plus",
        &[("seats", "8")],
        "2026-01-16",
    )
    .expect("up");
    let credit = upgraded
        .charge
        .line_items
        .iter()
        .find(|line| line.description.starts_with("seats × 5: unused time"))
        .unwrap_or_else(|| panic!("a credit for the 5 seats paid: {:?}", upgraded.charge));
    assert_eq!(credit.amount, decimal("-25.81"));

    // prorate_next_cycle: what an upgrade finds owed for the next invoice is billed with it.
    attach(
        &mut ledger,
        "studio",
        "studio",
        &[("seats", "5")],
        "2026-01-01",
    )
    .expect("attach");
    let deferred = set_quantity(
        &mut ledger,
        "studio",
        "studio",
        &[("seats", "8")],
        "2026-01-16",
    )
    .expect("raised");
    assert_eq!(deferred.charge.total, decimal("0.00"));
    let next: Decimal = deferred.next_cycle.iter().map(|line| line.amount).sum();
    assert_eq!(next, decimal("15.48"));
}
