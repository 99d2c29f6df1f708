//! What a customer's active plans give them of a feature, and which balance its usage draws.

use rust_decimal::Decimal;

use super::error::LedgerError;
use crate::catalog::{Billing, Catalog, FeatureType, Included, Plan, PlanItem};

/// An active subscription with the plan version it is pinned to.
#[derive(Debug, Clone)]
pub struct ActivePlan<'a> {
    pub plan: &'a Plan,
    /// The subscription: what a control's purchase is charged to, and whose cycle anchors
    /// its windows.
    pub subscription_id: i64,
}

/// How usage of one feature is accounted for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The balance usage draws from: the feature itself, or the credit system covering it.
    pub balance_key: String,
    /// Units of the balance per unit of the feature (the credit cost; 1 for the feature itself).
    pub rate: Decimal,
    pub unlimited: bool,
    /// A usage price covers what the balance does not: checks allow it, and it is billed.
    pub overage_allowed: bool,
    /// An item grants it with no price (Autumn lets such an allocated balance go below zero
    /// even when usage is capped).
    pub granted_free: bool,
    /// The allocated feature whose entities each hold the balance (an item's `per_entity`);
    /// `None`: the customer holds it.
    pub per_entity: Option<String>,
}

/// What a boolean feature resolves to: the plan granting it, if any.
pub enum Resolved {
    Metered(Resolution),
    Boolean { granted_by: Option<String> },
}

/// Resolves a feature or credit system id for a customer's active plans.
///
/// A plan item for the feature itself wins; otherwise the credit system covering the feature
/// that the customer's plans grant; otherwise the first credit system covering it (so usage
/// without a plan is still recorded, against the balance a top-up would fill).
pub fn resolve(
    catalog: &Catalog,
    active: &[ActivePlan<'_>],
    id: &str,
) -> Result<Resolved, LedgerError> {
    let items = |key: &str| -> Vec<&PlanItem> {
        active
            .iter()
            .filter_map(|active| active.plan.items.get(key))
            .collect()
    };
    if let Some(feature) = catalog.features.get(id) {
        if feature.kind == FeatureType::Boolean {
            let granted_by = active
                .iter()
                .find(|active| active.plan.items.contains_key(id))
                .map(|active| active.plan.id.clone());
            return Ok(Resolved::Boolean { granted_by });
        }
        let direct = items(id);
        if !direct.is_empty() {
            return Ok(Resolved::Metered(resolution(id, Decimal::ONE, &direct)));
        }
        let covering: Vec<(&String, Decimal)> = catalog
            .credit_systems
            .iter()
            .filter_map(|(system_id, system)| {
                system.costs.get(id).map(|cost| (system_id, cost.credits))
            })
            .collect();
        let chosen = covering
            .iter()
            .find(|(system_id, _)| !items(system_id).is_empty())
            .or_else(|| covering.first());
        return Ok(Resolved::Metered(match chosen {
            Some((system_id, credits)) => resolution(system_id, *credits, &items(system_id)),
            None => resolution(id, Decimal::ONE, &[]),
        }));
    }
    if catalog.credit_systems.contains_key(id) {
        return Ok(Resolved::Metered(resolution(id, Decimal::ONE, &items(id))));
    }
    Err(LedgerError::UnknownFeature(id.to_string()))
}

fn resolution(key: &str, rate: Decimal, items: &[&PlanItem]) -> Resolution {
    Resolution {
        balance_key: key.to_string(),
        rate,
        unlimited: items
            .iter()
            .any(|item| item.included == Included::Unlimited),
        overage_allowed: items.iter().any(|item| {
            item.price
                .as_ref()
                .is_some_and(|price| price.billing == Billing::Usage)
        }),
        granted_free: items.iter().any(|item| item.price.is_none()),
        per_entity: items.iter().find_map(|item| item.per_entity.clone()),
    }
}
