//! A track answers the balance it drew as it stands after the track (`balance_after`, read in
//! the track's own transaction, which `pricectl serve` answers with instead of a second read):
//! under any sequence of tracks (capped or not, allocating and releasing), grants that expire,
//! plan changes and renewals, in every example, it is exactly what `balances` lists for that
//! balance afterwards, its absence included.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pricectl::catalog::{Catalog, FeatureType};
use pricectl::ledger::{AttachRequest, GrantRequest, Instant, Ledger, Overage, TrackRequest};
use pricectl::scenario::fresh_ledger;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::config;

/// One step; indices pick among the example's features, balances and plans.
#[derive(Debug, Clone)]
enum Step {
    /// `units` hundredths of a feature (whole units for an allocated one, which may release).
    Track {
        feature: usize,
        units: i64,
        overflow: bool,
    },
    /// Gift units of a feature or credit system, expiring `expires_in_days` later if any.
    Grant {
        balance: usize,
        units: u32,
        expires_in_days: Option<u8>,
    },
    Attach {
        plan: usize,
    },
    /// Time passes: periods renew, lots expire.
    Wait {
        days: u8,
    },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        6 => (0_usize..16, -300_i64..30_000, any::<bool>())
            .prop_map(|(feature, units, overflow)| Step::Track { feature, units, overflow }),
        2 => (0_usize..16, 1_u32..200, proptest::option::of(1_u8..40))
            .prop_map(|(balance, units, expires_in_days)| Step::Grant { balance, units, expires_in_days }),
        1 => (0_usize..16).prop_map(|plan| Step::Attach { plan }),
        1 => (1_u8..40).prop_map(|days| Step::Wait { days }),
    ];
    proptest::collection::vec(step, 1..40)
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-examples");
    let mut examples: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("the examples")
        .map(|entry| entry.expect("an entry").path().join("pricing.toml"))
        .filter(|path| path.exists())
        .collect();
    examples.sort();
    examples
}

fn catalog(path: &Path) -> Catalog {
    pricectl::compile_path(path)
        .expect("the example loads")
        .catalog
        .expect("the example is valid")
}

/// Performs `step` at `at`; for a track that was applied, the balance it answered next to
/// the one `balances` lists.
fn perform(
    ledger: &mut Ledger,
    catalog: &Catalog,
    step: &Step,
    at: Instant,
) -> Option<(String, Option<String>, Option<String>)> {
    let metered: Vec<_> = catalog
        .features
        .values()
        .filter(|feature| feature.kind == FeatureType::Metered)
        .collect();
    let balances: Vec<&String> = metered
        .iter()
        .map(|feature| &feature.id)
        .chain(catalog.credit_systems.keys())
        .collect();
    let plans: Vec<&String> = catalog.plans.keys().collect();
    match step {
        Step::Track {
            feature,
            units,
            overflow,
        } => {
            let feature = metered.get(feature % metered.len().max(1))?;
            let value = if feature.consumable {
                Decimal::new(units.abs(), 2)
            } else {
                Decimal::from(units / 100)
            };
            let result = ledger
                .track(
                    &TrackRequest {
                        customer_id: "acme".into(),
                        feature_id: feature.id.clone(),
                        value,
                        idempotency_key: None,
                        overage: if *overflow {
                            Overage::Overflow
                        } else {
                            Overage::Cap
                        },
                        entity_id: None,
                    },
                    at,
                )
                .ok()?;
            let listed = ledger
                .balances("acme", at)
                .expect("balances")
                .into_iter()
                .find(|view| view.balance_key == result.balance_key);
            let shown = |view: Option<&pricectl::ledger::BalanceView>| {
                view.map(|view| serde_json::to_string(view).expect("serializes"))
            };
            Some((
                format!("track {value} {} at {at}", feature.id),
                shown(result.balance_after.as_ref()),
                shown(listed.as_ref()),
            ))
        }
        Step::Grant {
            balance,
            units,
            expires_in_days,
        } => {
            let balance = balances.get(balance % balances.len().max(1))?;
            let _ = ledger.grant(
                &GrantRequest {
                    customer_id: "acme".into(),
                    feature_id: (*balance).clone(),
                    amount: Decimal::from(*units),
                    expires_at: expires_in_days.map(|days| at.0 + i64::from(days) * 86_400_000),
                    reason: "goodwill".into(),
                },
                at,
            );
            None
        }
        Step::Attach { plan } => {
            let plan = plans.get(plan % plans.len().max(1))?;
            let _ = ledger.attach(
                &AttachRequest {
                    customer_id: "acme".into(),
                    plan_id: (*plan).clone(),
                    quantities: BTreeMap::new(),
                    idempotency_key: None,
                },
                at,
            );
            None
        }
        Step::Wait { .. } => None,
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn a_tracks_balance_after_is_what_balances_lists(steps in steps()) {
        let start = Instant::parse("2026-01-01T00:00:00Z").expect("an instant");
        for example in examples() {
            let catalog = catalog(&example);
            let mut ledger = fresh_ledger(&catalog)
                .expect("a fresh ledger")
                .answering_with_balance();
            ledger.create_customer("acme", None, None, start).expect("customer");
            let mut at = start;
            for step in &steps {
                at = Instant(at.0 + match step {
                    Step::Wait { days } => i64::from(*days) * 86_400_000,
                    _ => 60_000,
                });
                if let Some((track, answered, listed)) = perform(&mut ledger, &catalog, step, at) {
                    prop_assert_eq!(answered, listed, "{}: {}", example.display(), track);
                }
            }
        }
    }
}
