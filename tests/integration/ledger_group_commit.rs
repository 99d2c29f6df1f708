//! `Ledger::in_one_commit`: operations committed together (what `pricectl serve` does with the
//! tracks and checks waiting for it). A failing operation undoes its own writes alone, the
//! others stand as if each had been its own transaction, and nothing of the group is seen by
//! another connection (nor durable) before the one commit.

use pricectl::backend::local::LocalStore;
use pricectl::ledger::{
    GrantRequest, Instant, Ledger, LedgerError, Operation, Outcome, Overage, TrackRequest,
};
use pricectl::reconcile::{ApplyOptions, apply, plan};
use rust_decimal::Decimal;

use crate::support::root;

fn at(text: &str) -> Instant {
    Instant::parse(text).expect("an instant")
}

/// `local.db` in `directory` with the openai-credits example applied and the customer `acme`
/// holding 100 credits (gifted at 2026-01-01).
fn store(directory: &std::path::Path) -> std::path::PathBuf {
    let catalog =
        pricectl::compile_path(&root().join("pricing-examples/openai-credits/pricing.toml"))
            .expect("loads")
            .catalog
            .expect("valid");
    let path = directory.join("local.db");
    let mut store = LocalStore::open(&path).expect("store");
    let planned = plan(&mut store, &catalog).expect("plan");
    apply(&mut store, &planned, &catalog, ApplyOptions::default()).expect("apply");
    let mut ledger = Ledger::open(&path).expect("ledger");
    ledger
        .create_customer("acme", None, None, at("2026-01-01"))
        .expect("customer");
    ledger
        .grant(&grant("credits", 100), at("2026-01-01"))
        .expect("grant");
    path
}

fn grant(feature: &str, amount: u32) -> GrantRequest {
    GrantRequest {
        customer_id: "acme".into(),
        feature_id: feature.into(),
        amount: Decimal::from(amount),
        expires_at: None,
        reason: "goodwill".into(),
    }
}

/// 1,000 o3 input tokens: 1 credit.
fn track_operation() -> Operation {
    Operation::Track(TrackRequest {
        customer_id: "acme".into(),
        feature_id: "o3-input-tokens".into(),
        value: Decimal::from(1000),
        idempotency_key: None,
        overage: Overage::Overflow,
        entity_id: None,
    })
}

fn usage_entries(ledger: &mut Ledger) -> usize {
    ledger
        .history("acme")
        .expect("history")
        .iter()
        .filter(|entry| entry.kind == "usage")
        .count()
}

fn credits(ledger: &mut Ledger, when: &str) -> Decimal {
    ledger
        .balances("acme", at(when))
        .expect("balances")
        .into_iter()
        .find(|view| view.balance_key == "credits")
        .expect("a credit balance")
        .balance
}

#[test]
fn a_failing_operation_undoes_its_own_writes_and_the_others_stand() {
    let directory = tempfile::tempdir().expect("a directory");
    let path = store(directory.path());
    let mut ledger = Ledger::open(&path).expect("ledger");
    let answers = ledger
        .in_one_commit(|ledger| {
            vec![
                ledger.execute(&track_operation(), at("2026-01-02T00:00:00Z")),
                // A grant of a feature the catalog does not have: it moves the customer's
                // clock to its own time, then fails. Undone, the clock stays where the first
                // track left it, so the track dated before the failed grant is not late.
                ledger.execute(
                    &Operation::Grant(grant("no-such-feature", 5)),
                    at("2026-01-04T00:00:00Z"),
                ),
                ledger.execute(&track_operation(), at("2026-01-03T00:00:00Z")),
            ]
        })
        .expect("the group commits");
    assert!(matches!(answers[0], Ok(Outcome::Tracked(_))), "{answers:?}");
    assert!(
        matches!(answers[1], Err(LedgerError::UnknownFeature(_))),
        "{answers:?}"
    );
    match &answers[2] {
        Ok(Outcome::Tracked(result)) => assert_eq!(result.balance, Decimal::from(98)),
        other => panic!("the second track stands: {other:?}"),
    }
    drop(ledger);
    let mut reopened = Ledger::open(&path).expect("ledger");
    assert_eq!(usage_entries(&mut reopened), 2);
    assert_eq!(
        credits(&mut reopened, "2026-01-03T00:00:00Z"),
        Decimal::from(98)
    );
}

#[test]
fn nothing_of_a_group_is_seen_by_another_connection_before_its_commit() {
    let directory = tempfile::tempdir().expect("a directory");
    let path = store(directory.path());
    let mut ledger = Ledger::open(&path).expect("ledger");
    let mut other = Ledger::open(&path).expect("a second connection");
    let seen_during = ledger
        .in_one_commit(|ledger| {
            for hour in 1..=3 {
                ledger
                    .execute(
                        &track_operation(),
                        at(&format!("2026-01-02T0{hour}:00:00Z")),
                    )
                    .expect("track");
            }
            usage_entries(&mut other)
        })
        .expect("the group commits");
    assert_eq!(
        seen_during, 0,
        "the group's tracks were seen before its commit"
    );
    assert_eq!(usage_entries(&mut other), 3);
    assert_eq!(
        credits(&mut other, "2026-01-02T03:00:00Z"),
        Decimal::from(97)
    );
}

#[test]
fn a_group_within_a_group_is_refused_and_the_outer_one_still_commits() {
    let directory = tempfile::tempdir().expect("a directory");
    let path = store(directory.path());
    let mut ledger = Ledger::open(&path).expect("ledger");
    let inner = ledger
        .in_one_commit(|ledger| {
            ledger
                .execute(&track_operation(), at("2026-01-02"))
                .expect("track");
            ledger.in_one_commit(|_| ()).map(|()| "opened")
        })
        .expect("the outer group commits");
    assert!(
        inner.is_err(),
        "a nested group must not commit the outer one"
    );
    assert_eq!(usage_entries(&mut ledger), 1);
}
