//! The diff: desired catalog vs live state → a [`Plan`].
//!
//! Decisions live here (create, update, new version, delete or archive; what protection
//! refuses); renderers only show them and backends only perform them.

mod fields;
mod impact;
mod plan;

pub use plan::{
    Action, Change, FieldChange, Fingerprints, ObjectState, PLAN_FORMAT_VERSION, Plan, PriceImpact,
    Refusal, Summary,
};

use std::collections::{BTreeMap, BTreeSet};

use fields::changed_fields;
use impact::price_impact;

use crate::catalog::{Catalog, Plan as PricingPlan};
use crate::live::{LivePlan, LiveState, fingerprint};

/// The plan that makes `live` match `desired`.
pub fn diff(desired: &Catalog, live: &LiveState) -> Plan {
    let mut builder = Builder {
        live,
        refusals: Vec::new(),
    };
    if !live.catalog.currency.is_empty() && live.catalog.currency != desired.currency {
        builder.refusals.push(Refusal {
            address: "catalog".into(),
            reason: format!(
                "the live catalog is in {} and the pricing in {}",
                live.catalog.currency, desired.currency
            ),
            help: "a catalog's currency cannot change: every price and balance is in it; keep the currency, or start a new catalog".into(),
        });
    }

    // Removals first, from the top down: whether a feature can be deleted depends on whether
    // the plans and credit systems that use it are deleted too.
    let mut removed_addresses = BTreeSet::new();
    let plan_removals = builder.removals(
        &live.catalog.plans,
        &desired.plans,
        desired,
        "plan",
        &mut removed_addresses,
    );
    let system_removals = builder.removals(
        &live.catalog.credit_systems,
        &desired.credit_systems,
        desired,
        "credit_system",
        &mut removed_addresses,
    );
    let feature_removals = builder.removals(
        &live.catalog.features,
        &desired.features,
        desired,
        "feature",
        &mut removed_addresses,
    );

    let mut changes = Vec::new();
    for (id, feature) in &desired.features {
        let before = live.catalog.features.get(id);
        builder.upsert(
            &mut changes,
            "feature",
            id,
            before,
            feature,
            ObjectState::Feature,
        );
    }
    for (id, system) in &desired.credit_systems {
        let before = live.catalog.credit_systems.get(id);
        builder.upsert(
            &mut changes,
            "credit_system",
            id,
            before,
            system,
            ObjectState::CreditSystem,
        );
    }
    for (id, plan) in &desired.plans {
        if let Some(change) = builder.plan_change(id, live.catalog.plans.get(id), plan) {
            changes.push(change);
        }
    }
    changes.extend(plan_removals);
    changes.extend(system_removals);
    changes.extend(feature_removals);

    let summary = Summary::of(&changes);
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        pricectl_version: env!("CARGO_PKG_VERSION").to_string(),
        currency: desired.currency.clone(),
        impact: price_impact(&live.catalog, desired),
        changes,
        summary,
        refusals: builder.refusals,
        fingerprints: Fingerprints {
            live: live.catalog_fingerprint(),
            pricing: fingerprint(desired),
        },
    }
}

/// What every kind of catalog object offers the diff.
trait Object: Clone + PartialEq + serde::Serialize {
    fn archived(&self) -> bool;
    fn protect(&self) -> bool;
    fn archive(&self) -> Self;
    fn state(&self) -> ObjectState;
}

macro_rules! object {
    ($type:ty, $variant:ident) => {
        impl Object for $type {
            fn archived(&self) -> bool {
                self.archived
            }
            fn protect(&self) -> bool {
                self.protect
            }
            fn archive(&self) -> Self {
                let mut archived = self.clone();
                archived.archived = true;
                archived
            }
            fn state(&self) -> ObjectState {
                ObjectState::$variant(self.clone())
            }
        }
    };
}
object!(crate::catalog::Feature, Feature);
object!(crate::catalog::CreditSystem, CreditSystem);
object!(PricingPlan, Plan);

struct Builder<'a> {
    live: &'a LiveState,
    refusals: Vec<Refusal>,
}

impl Builder<'_> {
    /// Changes for the live objects of one kind that the pricing no longer has.
    fn removals<T: Object>(
        &mut self,
        live: &BTreeMap<String, T>,
        desired: &BTreeMap<String, T>,
        desired_catalog: &Catalog,
        kind: &str,
        removed: &mut BTreeSet<String>,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for (id, object) in live.iter().rev() {
            if desired.contains_key(id) {
                continue;
            }
            let address = format!("{kind}.{id}");
            let keeps = self.keeps(kind, id, desired_catalog, removed);
            let change = if let Some(kept_because) = keeps {
                if object.archived() {
                    continue; // already archived, and it cannot go further
                }
                Change {
                    address: address.clone(),
                    action: Action::Archive,
                    before: Some(object.state()),
                    after: Some(object.archive().state()),
                    fields: changed_fields(object, &object.archive(), &[]),
                    reason: format!(
                        "removed from the pricing, but {kept_because}: archived instead of deleted"
                    ),
                    customers_staying: 0,
                    items: Vec::new(),
                }
            } else {
                removed.insert(address.clone());
                Change {
                    address: address.clone(),
                    action: Action::Delete,
                    before: Some(object.state()),
                    after: None,
                    fields: Vec::new(),
                    reason: "removed from the pricing".into(),
                    customers_staying: 0,
                    items: Vec::new(),
                }
            };
            if object.protect() {
                self.refusals.push(Refusal {
                    address: address.clone(),
                    reason: format!("`{address}` is protected, and this plan would {} it", verb(change.action)),
                    help: format!(
                        "protection is recorded in the live catalog: put `{address}` back in the pricing with `protect = false`, apply that, then remove it"
                    ),
                });
            }
            changes.push(change);
        }
        changes.reverse();
        changes
    }

    /// Why a removed object must be kept (archived), if it must: customers on a plan, or a
    /// use of a feature or credit system that outlives this plan.
    fn keeps(
        &self,
        kind: &str,
        id: &str,
        desired: &Catalog,
        removed: &BTreeSet<String>,
    ) -> Option<String> {
        if kind == "plan" {
            let plan = self.live.plans.get(id)?;
            let customers = plan.customers();
            if customers > 0 {
                return Some(format!("{customers} customer{} on it", plural(customers)));
            }
            // Customers who left keep their history (invoices, the ledger): archive, never delete.
            return (plan.customers_ever > 0).then(|| "customers have been on it".to_string());
        }
        let mut users = Vec::new();
        for (system_id, system) in &self.live.catalog.credit_systems {
            let address = format!("credit_system.{system_id}");
            // A credit system the pricing keeps draws from what the pricing says (which, once
            // checked, is not this id); one it removes keeps its costs only if it is archived.
            if system.costs.contains_key(id)
                && !desired.credit_systems.contains_key(system_id)
                && !removed.contains(&address)
            {
                users.push(address);
            }
        }
        for (plan_id, plan) in &self.live.catalog.plans {
            let address = format!("plan.{plan_id}");
            if !plan.items.contains_key(id) {
                continue;
            }
            // The current version survives when the plan is archived, or when customers on it
            // keep it while the change becomes a new version.
            let customers_on_current = self
                .live
                .plans
                .get(plan_id)
                .map_or(0, LivePlan::customers_on_current);
            let survives = if desired.plans.contains_key(plan_id) {
                customers_on_current > 0
            } else {
                !removed.contains(&address)
            };
            if survives {
                users.push(address);
            }
        }
        for (plan_id, items) in &self.live.grandfathered {
            if items.contains(id) {
                users.push(format!("plan.{plan_id} (an older version with customers)"));
            }
        }
        users.sort();
        users.dedup();
        (!users.is_empty()).then(|| {
            let names: Vec<String> = users.iter().map(|address| format!("`{address}`")).collect();
            format!(
                "{} still use{} it",
                names.join(", "),
                if users.len() == 1 { "s" } else { "" }
            )
        })
    }

    /// A create or update of a feature or credit system.
    fn upsert<T: Object>(
        &mut self,
        changes: &mut Vec<Change>,
        kind: &str,
        id: &str,
        before: Option<&T>,
        after: &T,
        state: fn(T) -> ObjectState,
    ) {
        let address = format!("{kind}.{id}");
        let Some(before) = before else {
            changes.push(created(address, state(after.clone())));
            return;
        };
        if before == after {
            return;
        }
        self.refuse_archiving(&address, before, after);
        changes.push(Change {
            address,
            action: Action::Update,
            before: Some(state(before.clone())),
            after: Some(state(after.clone())),
            fields: changed_fields(before, after, &[]),
            reason: "differs from the pricing".into(),
            customers_staying: 0,
            items: Vec::new(),
        });
    }

    /// `archived = true` on a protected object is a removal too.
    fn refuse_archiving<T: Object>(&mut self, address: &str, before: &T, after: &T) {
        if before.protect() && after.archived() && !before.archived() {
            self.refusals.push(Refusal {
                address: address.to_string(),
                reason: format!("`{address}` is protected, and this plan would archive it"),
                help: format!("apply `protect = false` on `{address}` first, then archive it"),
            });
        }
    }

    fn plan_change(
        &mut self,
        id: &str,
        before: Option<&PricingPlan>,
        after: &PricingPlan,
    ) -> Option<Change> {
        let address = format!("plan.{id}");
        let Some(before) = before else {
            let mut change = created(address.clone(), ObjectState::Plan(after.clone()));
            change.items = after
                .items
                .iter()
                .map(|(item_id, item)| {
                    created(
                        format!("{address}.item.{item_id}"),
                        ObjectState::Item(item.clone()),
                    )
                })
                .collect();
            return Some(change);
        };
        if before == after {
            return None;
        }
        self.refuse_archiving(&address, before, after);
        let items = item_changes(&address, before, after);
        // What a customer pays for changes: customers on the current version keep it.
        let charges_change = before.items != after.items
            || before.price != after.price
            || before.free_trial != after.free_trial;
        let customers = self
            .live
            .plans
            .get(id)
            .map_or(0, LivePlan::customers_on_current);
        let (action, reason, customers_staying) = if charges_change && customers > 0 {
            let version = self.live.plans.get(id).map_or(1, |plan| plan.version);
            (
                Action::NewVersion,
                format!(
                    "what customers on version {version} pay is kept there (grandfathered); the change becomes version {}",
                    version + 1
                ),
                customers,
            )
        } else if charges_change {
            (
                Action::Update,
                "differs from the pricing; no customer is on it, so it is changed in place".into(),
                0,
            )
        } else {
            (
                Action::Update,
                "differs from the pricing; what customers pay does not change".into(),
                0,
            )
        };
        Some(Change {
            address,
            action,
            before: Some(ObjectState::Plan(before.clone())),
            after: Some(ObjectState::Plan(after.clone())),
            fields: changed_fields(before, after, &["items"]),
            reason,
            customers_staying,
            items,
        })
    }
}

/// The item-level changes of a plan that exists on both sides.
fn item_changes(address: &str, before: &PricingPlan, after: &PricingPlan) -> Vec<Change> {
    let ids: BTreeSet<&String> = before.items.keys().chain(after.items.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        let item_address = format!("{address}.item.{id}");
        match (before.items.get(id), after.items.get(id)) {
            (None, Some(item)) => {
                changes.push(created(item_address, ObjectState::Item(item.clone())));
            }
            (Some(item), None) => changes.push(Change {
                address: item_address,
                action: Action::Delete,
                before: Some(ObjectState::Item(item.clone())),
                after: None,
                fields: Vec::new(),
                reason: "removed from the plan".into(),
                customers_staying: 0,
                items: Vec::new(),
            }),
            (Some(old), Some(new)) if old != new => changes.push(Change {
                address: item_address,
                action: Action::Update,
                before: Some(ObjectState::Item(old.clone())),
                after: Some(ObjectState::Item(new.clone())),
                fields: changed_fields(old, new, &[]),
                reason: "differs from the pricing".into(),
                customers_staying: 0,
                items: Vec::new(),
            }),
            _ => {}
        }
    }
    changes
}

fn created(address: String, after: ObjectState) -> Change {
    Change {
        address,
        action: Action::Create,
        before: None,
        after: Some(after),
        fields: Vec::new(),
        reason: "not in the live catalog".into(),
        customers_staying: 0,
        items: Vec::new(),
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::NewVersion => "version",
        Action::Delete => "delete",
        Action::Archive => "archive",
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}
