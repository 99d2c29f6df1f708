//! The ledger under any interleaving of attach, track and grant from several clients, some
//! carrying idempotency keys (reused, by the same request or by another): every balance is
//! the sum of its entries, and each key counts once. The second is checked against a ledger
//! that was sent only the requests the first one applied, without keys: the two agree to the
//! last decimal and hold the same entries.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pricectl::catalog::Catalog;
use pricectl::ledger::{AttachRequest, GrantRequest, Instant, Ledger, Overage, TrackRequest};
use pricectl::scenario::fresh_ledger;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::config;

/// One client's request; `key` picks one of a few idempotency keys.
#[derive(Debug, Clone)]
enum Request {
    /// Buy `credits` credits of the top-up.
    Attach { credits: u32, key: Option<u8> },
    /// Use `tokens` o1 input tokens (1,500 credits per million).
    Track { tokens: u32, key: Option<u8> },
    /// Gift `credits` credits.
    Grant { credits: u32 },
}

fn requests() -> impl Strategy<Value = Vec<Request>> {
    let key = proptest::option::of(0_u8..4);
    let request = prop_oneof![
        1 => (prop_oneof![Just(500_u32), Just(1_000), Just(2_500)], key.clone())
            .prop_map(|(credits, key)| Request::Attach { credits, key }),
        3 => (1_u32..400_000, key).prop_map(|(tokens, key)| Request::Track { tokens, key }),
        1 => (1_u32..1_000).prop_map(|credits| Request::Grant { credits }),
    ];
    proptest::collection::vec(request, 1..40)
}

/// The openai-credits example, compiled.
fn catalog() -> Catalog {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-examples/openai-credits/pricing.toml");
    pricectl::compile_path(&path)
        .expect("the example loads")
        .catalog
        .expect("the example is valid")
}

/// A fresh in-memory ledger holding the example, with the customer `acme`.
fn ledger(catalog: &Catalog) -> Ledger {
    let mut ledger = fresh_ledger(catalog).expect("a fresh ledger");
    ledger
        .create_customer("acme", None, None, start())
        .expect("customer");
    ledger
}

fn start() -> Instant {
    Instant::parse("2026-01-01T00:00:00Z").expect("an instant")
}

/// The `index`th request's time: a minute apart, all within the first period.
fn time(index: usize) -> Instant {
    Instant(start().0 + 60_000 * (i64::try_from(index).expect("few requests") + 1))
}

/// Sends `request` at `at`, its key (when `keyed`) as `key-N`; whether the ledger applied it
/// (an answer that is not a replay).
fn send(ledger: &mut Ledger, request: &Request, keyed: bool, at: Instant) -> bool {
    let key = |key: &Option<u8>| key.filter(|_| keyed).map(|key| format!("key-{key}"));
    match request {
        Request::Attach { credits, key: k } => ledger
            .attach(
                &AttachRequest {
                    customer_id: "acme".into(),
                    plan_id: "credit-top-up".into(),
                    quantities: BTreeMap::from([("credits".to_string(), Decimal::from(*credits))]),
                    idempotency_key: key(k),
                },
                at,
            )
            .is_ok_and(|result| !result.replayed),
        Request::Track { tokens, key: k } => ledger
            .track(
                &TrackRequest {
                    customer_id: "acme".into(),
                    feature_id: "o1-input-tokens".into(),
                    value: Decimal::from(*tokens),
                    idempotency_key: key(k),
                    overage: Overage::Overflow,
                    entity_id: None,
                },
                at,
            )
            .is_ok_and(|result| !result.replayed),
        Request::Grant { credits } => ledger
            .grant(
                &GrantRequest {
                    customer_id: "acme".into(),
                    feature_id: "credits".into(),
                    amount: Decimal::from(*credits),
                    expires_at: None,
                    reason: "goodwill".into(),
                },
                at,
            )
            .is_ok(),
    }
}

/// Each balance, and the sum of its entries.
fn balances_and_sums(
    ledger: &mut Ledger,
    at: Instant,
) -> (BTreeMap<String, Decimal>, BTreeMap<String, Decimal>) {
    let balances = ledger
        .balances("acme", at)
        .expect("balances")
        .into_iter()
        .map(|view| (view.balance_key, view.balance))
        .collect();
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for entry in ledger.history("acme").expect("history") {
        *sums.entry(entry.balance_key).or_default() += entry.amount;
    }
    (balances, sums)
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn balances_are_their_entries_and_each_key_counts_once(requests in requests()) {
        let catalog = catalog();
        let mut keyed = ledger(&catalog);
        let mut applied = Vec::new();
        let mut claimed = BTreeSet::new();
        for (index, request) in requests.iter().enumerate() {
            if send(&mut keyed, request, true, time(index)) {
                let key = match request {
                    Request::Attach { key, .. } | Request::Track { key, .. } => *key,
                    Request::Grant { .. } => None,
                };
                if let Some(key) = key {
                    prop_assert!(claimed.insert(key), "key-{} applied twice", key);
                }
                applied.push((index, request.clone()));
            }
        }
        let end = time(requests.len());
        let (balances, sums) = balances_and_sums(&mut keyed, end);
        for (key, balance) in &balances {
            prop_assert_eq!(Some(balance), sums.get(key), "balance `{}` is not the sum of its entries", key);
        }
        let mut unkeyed = ledger(&catalog);
        for (index, request) in &applied {
            prop_assert!(send(&mut unkeyed, request, false, time(*index)), "{:?} applied once, not again", request);
        }
        let (expected, _) = balances_and_sums(&mut unkeyed, end);
        prop_assert_eq!(balances, expected);
        let entries = |ledger: &mut Ledger| ledger.history("acme").expect("history").into_iter().map(|entry| (entry.balance_key, entry.amount, entry.kind)).collect::<Vec<_>>();
        prop_assert_eq!(entries(&mut keyed), entries(&mut unkeyed));
    }
}
