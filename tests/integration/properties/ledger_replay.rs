//! Replaying usage under a pricing equals the charges the ledger made for it: for any
//! sequence of attaches (upgrades, downgrades, add-ons bought again), quantity changes,
//! tracks (capped or not, for an entity or not), grants (expiring or not), entities created
//! and deleted, and time passing over renewals, by several customers, in every example and in
//! `tests/fixtures/impact/every-operation.toml`, what `pricectl impact --from-ledger` reads
//! from the ledger and replays under the same pricing charges each customer exactly what the
//! ledger charged it: summing usage between the ledger's changes, and event by event.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pricectl::catalog::{Billing, Catalog, FeatureType};
use pricectl::impact::{PricedCatalog, UsageRecord, Window, ledger_usage, replay};
use pricectl::ledger::{
    AttachRequest, CreateEntityRequest, GrantRequest, Instant, Ledger, Overage, SetQuantityRequest,
    TrackRequest,
};
use pricectl::scenario::fresh_ledger;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::config;

const CUSTOMERS: usize = 3;
const ENTITIES: usize = 2;

/// One step of one customer; indices pick among the pricing's features, balances and plans.
#[derive(Debug, Clone)]
enum Step {
    /// `units` hundredths of a feature (for an allocated one, -2 to 4 whole units: a negative
    /// value releases).
    Track {
        customer: usize,
        feature: usize,
        units: i64,
        capped: bool,
        entity: Option<usize>,
    },
    /// Gift units of a feature or credit system, expiring `expires_in_days` later if any.
    Grant {
        customer: usize,
        balance: usize,
        units: u32,
        expires_in_days: Option<u8>,
    },
    /// Attach a plan, buying `quantity` steps of each prepaid item above its minimum.
    Attach {
        customer: usize,
        plan: usize,
        quantity: u8,
    },
    /// Change the quantity of the prepaid items of a plan.
    SetQuantity {
        customer: usize,
        plan: usize,
        quantity: u8,
    },
    /// Create or delete an entity of the pricing's first allocated feature.
    Entity {
        customer: usize,
        entity: usize,
        create: bool,
    },
    /// Time passes: periods renew, lots expire, trials end, downgrades take effect.
    Wait { days: u8 },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let customer = 0..CUSTOMERS;
    let step = prop_oneof![
        6 => (customer.clone(), 0_usize..16, -300_i64..300_000, any::<bool>(), proptest::option::weighted(0.2, 0..ENTITIES))
            .prop_map(|(customer, feature, units, capped, entity)| Step::Track { customer, feature, units, capped, entity }),
        2 => (customer.clone(), 0_usize..16, 1_u32..2_000, proptest::option::of(1_u8..40))
            .prop_map(|(customer, balance, units, expires_in_days)| Step::Grant { customer, balance, units, expires_in_days }),
        2 => (customer.clone(), 0_usize..16, 0_u8..4)
            .prop_map(|(customer, plan, quantity)| Step::Attach { customer, plan, quantity }),
        1 => (customer.clone(), 0_usize..16, 0_u8..6)
            .prop_map(|(customer, plan, quantity)| Step::SetQuantity { customer, plan, quantity }),
        1 => (customer, 0..ENTITIES, any::<bool>())
            .prop_map(|(customer, entity, create)| Step::Entity { customer, entity, create }),
        2 => (1_u8..40).prop_map(|days| Step::Wait { days }),
    ];
    proptest::collection::vec(step, 1..40)
}

/// Every example's pricing, and the fixture with something for every operation.
fn pricings() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pricings: Vec<PathBuf> = std::fs::read_dir(root.join("pricing-examples"))
        .expect("the examples")
        .map(|entry| entry.expect("an entry").path().join("pricing.toml"))
        .filter(|path| path.exists())
        .collect();
    pricings.sort();
    pricings.push(root.join("tests/fixtures/impact/every-operation.toml"));
    pricings
}

fn catalog(path: &Path) -> Catalog {
    pricectl::compile_path(path)
        .expect("the pricing loads")
        .catalog
        .expect("the pricing is valid")
}

fn customer(index: usize) -> String {
    format!("customer-{index}")
}

/// The quantity of each prepaid item of `plan`: its minimum (or one billing unit), plus
/// `steps` billing units.
fn quantities(catalog: &Catalog, plan: &str, steps: u8) -> BTreeMap<String, Decimal> {
    catalog.plans[plan]
        .items
        .iter()
        .filter_map(|(item_id, item)| {
            let price = item
                .price
                .as_ref()
                .filter(|price| price.billing == Billing::Prepaid)?;
            let minimum = price
                .prepaid
                .map_or(Decimal::ZERO, |bounds| bounds.min)
                .max(price.per);
            Some((item_id.clone(), minimum + Decimal::from(steps) * price.per))
        })
        .collect()
}

/// Performs `step` at `at`. What the ledger refuses (an unknown entity, a usage limit, a
/// plan already attached) leaves nothing, and a replay never sees it.
fn perform(ledger: &mut Ledger, catalog: &Catalog, step: &Step, at: Instant) {
    let metered: Vec<_> = catalog
        .features
        .values()
        .filter(|feature| feature.kind == FeatureType::Metered)
        .collect();
    let allocated = metered.iter().find(|feature| !feature.consumable);
    let balances: Vec<&String> = metered
        .iter()
        .map(|feature| &feature.id)
        .chain(catalog.credit_systems.keys())
        .collect();
    let plans: Vec<&String> = catalog.plans.keys().collect();
    match step {
        Step::Track {
            customer: index,
            feature,
            units,
            capped,
            entity,
        } => {
            let Some(feature) = metered.get(feature % metered.len().max(1)) else {
                return;
            };
            let value = if feature.consumable {
                Decimal::new(units.abs(), 2)
            } else {
                Decimal::from(units.rem_euclid(7) - 2)
            };
            if value.is_zero() {
                return;
            }
            let _ = ledger.track(
                &TrackRequest {
                    customer_id: customer(*index),
                    feature_id: feature.id.clone(),
                    value,
                    idempotency_key: None,
                    overage: if *capped {
                        Overage::Cap
                    } else {
                        Overage::Overflow
                    },
                    entity_id: entity.map(|entity| format!("entity-{entity}")),
                },
                at,
            );
        }
        Step::Grant {
            customer: index,
            balance,
            units,
            expires_in_days,
        } => {
            let Some(balance) = balances.get(balance % balances.len().max(1)) else {
                return;
            };
            let _ = ledger.grant(
                &GrantRequest {
                    customer_id: customer(*index),
                    feature_id: (*balance).clone(),
                    amount: Decimal::from(*units),
                    expires_at: expires_in_days.map(|days| at.0 + i64::from(days) * 86_400_000),
                    reason: "goodwill".into(),
                },
                at,
            );
        }
        Step::Attach {
            customer: index,
            plan,
            quantity,
        } => {
            let Some(plan) = plans.get(plan % plans.len().max(1)) else {
                return;
            };
            let _ = ledger.attach(
                &AttachRequest {
                    customer_id: customer(*index),
                    plan_id: (*plan).clone(),
                    quantities: quantities(catalog, plan, *quantity),
                    idempotency_key: None,
                },
                at,
            );
        }
        Step::SetQuantity {
            customer: index,
            plan,
            quantity,
        } => {
            let Some(plan) = plans.get(plan % plans.len().max(1)) else {
                return;
            };
            let _ = ledger.set_quantity(
                &SetQuantityRequest {
                    customer_id: customer(*index),
                    plan_id: (*plan).clone(),
                    quantities: quantities(catalog, plan, *quantity),
                    idempotency_key: None,
                },
                at,
            );
        }
        Step::Entity {
            customer: index,
            entity,
            create,
        } => {
            let Some(feature) = allocated else {
                return;
            };
            let entity_id = format!("entity-{entity}");
            let _ = if *create {
                ledger
                    .create_entity(
                        &CreateEntityRequest {
                            customer_id: customer(*index),
                            entity_id,
                            feature_id: feature.id.clone(),
                            name: None,
                        },
                        at,
                    )
                    .map(|_| ())
            } else {
                ledger
                    .delete_entity(&customer(*index), &entity_id, at)
                    .map(|_| ())
            };
        }
        Step::Wait { .. } => {}
    }
}

proptest! {
    #![proptest_config(config(16))]

    #[test]
    fn replaying_the_ledger_under_its_pricing_charges_what_it_charged(steps in steps()) {
        let start = Instant::parse("2026-01-01T00:00:00Z").expect("an instant");
        for pricing in pricings() {
            let catalog = catalog(&pricing);
            let mut ledger = fresh_ledger(&catalog).expect("a fresh ledger");
            for index in 0..CUSTOMERS {
                ledger.create_customer(&customer(index), None, None, start).expect("customer");
            }
            let mut at = start;
            for step in &steps {
                at = Instant(at.0 + match step {
                    Step::Wait { days } => i64::from(*days) * 86_400_000,
                    _ => 60_000,
                });
                perform(&mut ledger, &catalog, step, at);
            }
            // Past the last period's end, so its usage is billed.
            let end = Instant(at.0 + 40 * 86_400_000);
            ledger.advance(None, end).expect("advances");
            let charged: Vec<Decimal> = (0..CUSTOMERS)
                .map(|index| {
                    ledger
                        .charges(&customer(index))
                        .expect("charges")
                        .iter()
                        .map(|charge| charge.total)
                        .sum()
                })
                .collect();
            let records: Vec<UsageRecord> = ledger_usage(ledger.into_store(), Some(end))
                .expect("the ledger's usage")
                .collect::<Result<_, _>>()
                .expect("reads");
            for coalesce in [true, false] {
                let revenue = replay(
                    &PricedCatalog::current(&catalog),
                    records.iter().cloned().map(Ok),
                    Window { since: None, until: Some(end) },
                    coalesce,
                )
                .expect("replays");
                for (index, charged) in charged.iter().enumerate() {
                    let replayed = revenue.customers.get(&customer(index));
                    prop_assert_eq!(
                        replayed.and_then(|revenue| revenue.problem.clone()),
                        None,
                        "{}: customer {}, coalesced: {}",
                        pricing.display(),
                        index,
                        coalesce
                    );
                    prop_assert_eq!(
                        replayed.map_or(Decimal::ZERO, |revenue| revenue.total),
                        *charged,
                        "{}: customer {}, coalesced: {}",
                        pricing.display(),
                        index,
                        coalesce
                    );
                }
            }
        }
    }
}
