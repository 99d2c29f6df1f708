//! Price impact: what one unit of a metered feature costs through each plan that sells it,
//! directly or through a credit system, before and after.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::percent::change_percent;

use super::plan::PriceImpact;
use super::terms::unit;
use crate::catalog::{Catalog, Currency, FeatureType, PriceInterval, Rate};

/// (feature, plan, credit system) → money per unit, and how often it is charged (`None`:
/// once). Borrowed from the catalog priced: only the impacts that differ own their ids.
type Prices<'a> = BTreeMap<(&'a str, &'a str, Option<&'a str>), (Decimal, Option<PriceInterval>)>;

/// The price per unit of every (feature, plan, via) that differs between `live` and `desired`.
///
/// Only plans and credit systems that changed can change a price, so only those are priced:
/// a plan with no changes costs nothing here, however large the catalog.
pub fn price_impact(live: &Catalog, desired: &Catalog) -> Vec<PriceImpact> {
    let changed_systems: BTreeSet<&str> =
        changed_keys(&live.credit_systems, &desired.credit_systems);
    let changed_plans: BTreeSet<&str> = changed_keys(&live.plans, &desired.plans);
    let before = prices(live, &changed_plans, &changed_systems);
    let after = prices(desired, &changed_plans, &changed_systems);
    let currency = if desired.currency.is_empty() {
        &live.currency
    } else {
        &desired.currency
    };
    let minor_unit = Currency::from_code(currency).map_or(Decimal::new(1, 2), Currency::minor_unit);
    let keys: BTreeSet<&(&str, &str, Option<&str>)> = before.keys().chain(after.keys()).collect();
    let mut impact = Vec::new();
    for key in keys {
        let (old_quote, new_quote) = (before.get(key), after.get(key));
        if old_quote == new_quote {
            continue;
        }
        let interval = new_quote.or(old_quote).and_then(|(_, interval)| *interval);
        let (old, new) = (
            old_quote.map(|quote| &quote.0),
            new_quote.map(|quote| &quote.0),
        );
        let &(feature, plan, via) = key;
        let unit = unit(desired, live, feature);
        let smallest = [old, new]
            .into_iter()
            .flatten()
            .filter(|price| !price.is_zero())
            .min();
        let quoted_per = if smallest.is_some_and(|price| *price < minor_unit) {
            1_000_000
        } else {
            1
        };
        impact.push(PriceImpact {
            feature: feature.to_string(),
            feature_name: unit.name.clone(),
            plan: plan.to_string(),
            via: via.map(str::to_string),
            before: old.map(Decimal::normalize),
            after: new.map(Decimal::normalize),
            change_percent: percent(old, new),
            quoted_per,
            currency: currency.clone(),
            unit: Some(unit),
            interval,
        });
    }
    impact
}

fn changed_keys<'a, T: PartialEq>(
    live: &'a BTreeMap<String, T>,
    desired: &'a BTreeMap<String, T>,
) -> BTreeSet<&'a str> {
    live.keys()
        .chain(desired.keys())
        .filter(|key| live.get(*key) != desired.get(*key))
        .map(String::as_str)
        .collect()
}

/// The prices of a catalog that a change can touch.
fn prices<'a>(
    catalog: &'a Catalog,
    changed_plans: &BTreeSet<&str>,
    changed_systems: &BTreeSet<&str>,
) -> Prices<'a> {
    let mut prices = Prices::new();
    for (plan_id, plan) in &catalog.plans {
        let plan_changed = changed_plans.contains(plan_id.as_str());
        if plan.archived {
            continue;
        }
        for (item_id, item) in &plan.items {
            let Some(price) = &item.price else { continue };
            let Some(per_unit) = unit_price(&price.rate, price.per) else {
                continue;
            };
            let interval = (price.interval != PriceInterval::OneOff).then_some(price.interval);
            if let Some(system) = catalog.credit_systems.get(item_id) {
                if !plan_changed && !changed_systems.contains(item_id.as_str()) {
                    continue;
                }
                for (feature_id, cost) in &system.costs {
                    if let Some(money) = cost.credits.checked_mul(per_unit) {
                        prices.insert(
                            (feature_id, plan_id, Some(item_id.as_str())),
                            (money, interval),
                        );
                    }
                }
            } else if plan_changed && is_metered(catalog, item_id) {
                prices.insert((item_id, plan_id, None), (per_unit, interval));
            }
        }
    }
    prices
}

fn is_metered(catalog: &Catalog, id: &str) -> bool {
    catalog
        .features
        .get(id)
        .is_some_and(|feature| feature.kind == FeatureType::Metered)
}

/// Money per single unit: a flat amount over its billing unit, or the first tier's (the price
/// a first unit pays).
fn unit_price(rate: &Rate, per: Decimal) -> Option<Decimal> {
    let amount = match rate {
        Rate::Flat { amount } => *amount,
        Rate::Tiered { tiers, .. } => tiers.first()?.amount,
    };
    amount.checked_div(per)
}

/// The change in percent ([`change_percent`]); `None` when a side is missing.
pub(super) fn percent(before: Option<&Decimal>, after: Option<&Decimal>) -> Option<Decimal> {
    change_percent(*before?, *after?)
}
