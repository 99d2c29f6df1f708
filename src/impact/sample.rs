//! Generated usage for a pricing: customers on its plans (with their prepaid quantities)
//! using what the plans grant, over three months. The examples' `usage.jsonl` files and the
//! benchmark are made by it. Deterministic for a seed; streamed, so a million events take no
//! more memory than ten.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::UsageRecord;
use crate::catalog::{Billing, Catalog, FeatureType};
use crate::ledger::{Instant, Period};

/// When generated usage starts: every customer subscribes then.
pub const START: &str = "2026-01-01";

/// `events` usage records for `customers` customers, after one subscription record per
/// customer (and one per add-on it buys), in time order over three months; among them, now
/// and then, a grant of something a customer's plans grant and a one-off add-on bought again.
pub fn sample_usage(
    catalog: &Catalog,
    customers: usize,
    events: usize,
    seed: u64,
) -> impl Iterator<Item = UsageRecord> {
    let start = Instant::parse(START).unwrap_or(Instant(0));
    let end = start.add(Period::Months(3), 1);
    let plans: Vec<&crate::catalog::Plan> = catalog
        .plans
        .values()
        .filter(|plan| !plan.archived && !plan.add_on)
        .collect();
    let add_ons: Vec<&crate::catalog::Plan> = catalog
        .plans
        .values()
        .filter(|plan| !plan.archived && plan.add_on)
        .collect();
    let mut random = Random(seed.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1));
    // Grants and purchases again draw from a generator of their own, so the usage is what the
    // seed made before they were added.
    let mut occasional = Random(seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(3));
    let span = end.0 - start.0;
    let mut extras = Vec::new();
    // Per customer: its plans, and the features they let it use (directly or by credits).
    let mut subscriptions = Vec::new();
    let mut uses: Vec<Vec<String>> = Vec::with_capacity(customers);
    for index in 0..customers {
        let customer = format!("customer-{index:05}");
        let mut chosen = Vec::new();
        if !plans.is_empty() {
            chosen.push(plans[random.below(plans.len())]);
        }
        if !add_ons.is_empty() && (chosen.is_empty() || random.below(2) == 0) {
            chosen.push(add_ons[random.below(add_ons.len())]);
        }
        let mut features = Vec::new();
        let mut grantable = Vec::new();
        for plan in &chosen {
            let mut prepaid = BTreeMap::new();
            for (item_id, item) in &plan.items {
                if let Some(price) = item
                    .price
                    .as_ref()
                    .filter(|price| price.billing == Billing::Prepaid)
                {
                    let minimum = price.prepaid.map_or(Decimal::ZERO, |bounds| bounds.min);
                    let steps = Decimal::from(random.below(4));
                    prepaid.insert(item_id.clone(), minimum + steps * price.per);
                }
                let granted = catalog.credit_systems.get(item_id).map_or_else(
                    || vec![item_id.clone()],
                    |system| system.costs.keys().cloned().collect(),
                );
                let consumed = |feature: &String| {
                    catalog.features.get(feature).is_some_and(|feature| {
                        feature.kind == FeatureType::Metered && feature.consumable
                    })
                };
                if catalog.credit_systems.contains_key(item_id) || consumed(item_id) {
                    grantable.push(item_id.clone());
                }
                features.extend(granted.into_iter().filter(consumed));
            }
            if plan.add_on && one_off(plan) && occasional.below(2) == 0 {
                extras.push(UsageRecord::Subscribe {
                    customer: customer.clone(),
                    plan: plan.id.clone(),
                    version: None,
                    prepaid: prepaid.clone(),
                    at: Instant(start.0 + 1 + occasional.below_i64(span)),
                });
            }
            subscriptions.push(UsageRecord::Subscribe {
                customer: customer.clone(),
                plan: plan.id.clone(),
                version: None,
                prepaid,
                at: start,
            });
        }
        if !grantable.is_empty() && occasional.below(4) == 0 {
            let at = Instant(start.0 + 1 + occasional.below_i64(span));
            extras.push(UsageRecord::Grant {
                customer: customer.clone(),
                feature: grantable[occasional.below(grantable.len())].clone(),
                amount: Decimal::from(100 * (1 + occasional.below(5))),
                expires: (occasional.below(2) == 0).then(|| at.add(Period::Day, 30)),
                at,
            });
        }
        features.sort();
        features.dedup();
        uses.push(features);
    }
    let magnitudes: BTreeMap<String, u64> = catalog
        .features
        .keys()
        .map(|id| (id.clone(), magnitude(catalog, id)))
        .collect();
    let usage = (0..events).filter_map(move |event| {
        let index = random.below(customers.max(1));
        let features = uses.get(index)?;
        if features.is_empty() {
            return None;
        }
        let feature = &features[random.below(features.len())];
        let scale = magnitudes.get(feature).copied().unwrap_or(10);
        let value = 1 + random.next() % scale;
        let offset = i64::try_from(event).unwrap_or(i64::MAX) * span
            / i64::try_from(events.max(1)).unwrap_or(1);
        Some(UsageRecord::Use {
            customer: format!("customer-{index:05}"),
            feature: feature.clone(),
            value: Decimal::from(value),
            entity: None,
            capped: false,
            at: Instant(start.0 + 1 + offset),
        })
    });
    extras.sort_by_key(UsageRecord::at);
    let mut extras = extras.into_iter().peekable();
    let mut usage = usage.peekable();
    let merged = std::iter::from_fn(move || match (extras.peek(), usage.peek()) {
        (Some(extra), Some(event)) if extra.at() <= event.at() => extras.next(),
        (_, Some(_)) => usage.next(),
        (Some(_), None) => extras.next(),
        (None, None) => None,
    });
    subscriptions.into_iter().chain(merged)
}

/// Whether nothing of a plan recurs: an add-on of it may be bought again and again.
fn one_off(plan: &crate::catalog::Plan) -> bool {
    plan.price
        .is_none_or(|price| Period::of_price(price.interval).is_none())
        && plan.items.values().all(|item| {
            item.price
                .as_ref()
                .is_none_or(|price| Period::of_price(price.interval).is_none())
        })
}

/// How many units an event uses at most: tokens by the thousand when a unit costs less than a
/// credit's hundredth, a few units otherwise.
fn magnitude(catalog: &Catalog, feature: &str) -> u64 {
    let cheap = catalog.credit_systems.values().any(|system| {
        system
            .costs
            .get(feature)
            .is_some_and(|cost| cost.credits < Decimal::new(1, 2))
    });
    if cheap { 20_000 } else { 40 }
}

/// One record as a JSON Lines line (without its newline), as docs/impact.md writes it.
pub fn jsonl(record: &UsageRecord) -> String {
    let quantities = |quantities: &BTreeMap<String, Decimal>| {
        serde_json::Value::Object(
            quantities
                .iter()
                .map(|(item, quantity)| {
                    (
                        item.clone(),
                        serde_json::Value::String(quantity.normalize().to_string()),
                    )
                })
                .collect(),
        )
    };
    let mut object = serde_json::json!({"customer": record.customer()});
    match record {
        UsageRecord::Subscribe {
            plan,
            version,
            prepaid,
            ..
        } => {
            object["plan"] = plan.as_str().into();
            object["timestamp"] = record.at().to_string().into();
            if let Some(version) = version {
                object["version"] = serde_json::Value::from(*version);
            }
            if !prepaid.is_empty() {
                object["prepaid"] = quantities(prepaid);
            }
        }
        UsageRecord::AutoTopUp { switches, .. } => {
            object["auto_top_up"] = serde_json::Value::Object(
                switches
                    .iter()
                    .map(|(balance, switch)| (balance.clone(), switch.as_str().into()))
                    .collect(),
            );
        }
        UsageRecord::SetQuantity {
            plan,
            quantities: set,
            ..
        } => {
            object["plan"] = plan.as_str().into();
            object["set_quantity"] = quantities(set);
        }
        UsageRecord::Use {
            feature,
            value,
            entity,
            capped,
            ..
        } => {
            object["feature"] = feature.as_str().into();
            object["value"] = value.normalize().to_string().into();
            if let Some(entity) = entity {
                object["entity"] = entity.as_str().into();
            }
            if *capped {
                object["capped"] = true.into();
            }
        }
        UsageRecord::Grant {
            feature,
            amount,
            expires,
            ..
        } => {
            object["feature"] = feature.as_str().into();
            object["grant"] = amount.normalize().to_string().into();
            if let Some(expires) = expires {
                object["expires"] = expires.to_string().into();
            }
        }
        UsageRecord::CreateEntity {
            entity, feature, ..
        } => {
            object["entity"] = entity.as_str().into();
            object["feature"] = feature.as_str().into();
        }
        UsageRecord::DeleteEntity { entity, .. } => {
            object["entity"] = entity.as_str().into();
            object["deleted"] = true.into();
        }
    }
    if object.get("timestamp").is_none() {
        object["timestamp"] = record.at().to_string().into();
    }
    object.to_string()
}

/// A small deterministic generator (a 64-bit linear congruential one; quality does not
/// matter here, reproducibility does).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % bound.max(1)
    }

    /// Below a bound wider than one draw's 31 bits (milliseconds over months).
    fn below_i64(&mut self, bound: i64) -> i64 {
        let wide = (self.next() << 31) | self.next();
        i64::try_from(wide).unwrap_or(0) % bound.max(1)
    }
}

/// The examples' directories, sorted.
#[cfg(test)]
pub fn examples() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-examples");
    let mut examples: Vec<std::path::PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("pricing.toml").is_file())
        .collect();
    examples.sort();
    examples
}

#[cfg(test)]
mod tests {
    use super::{examples, jsonl, sample_usage};

    /// Each example's `usage.jsonl` is what the generator makes of its pricing (20 customers,
    /// 400 events). `PRICECTL_WRITE_SAMPLES=1` writes them anew.
    #[test]
    fn example_usage_files_are_generated() {
        for example in examples() {
            let catalog = crate::compile::compile_path(&example.join("pricing.toml"))
                .unwrap()
                .catalog
                .unwrap();
            let text: String = sample_usage(&catalog, 20, 400, 11)
                .map(|record| jsonl(&record) + "\n")
                .collect();
            let path = example.join("usage.jsonl");
            if std::env::var_os("PRICECTL_WRITE_SAMPLES").is_some() {
                std::fs::write(&path, &text).unwrap();
            }
            assert_eq!(
                std::fs::read_to_string(&path).unwrap_or_default(),
                text,
                "{}: run with PRICECTL_WRITE_SAMPLES=1",
                path.display()
            );
        }
    }
}
