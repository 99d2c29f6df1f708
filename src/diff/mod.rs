//! The diff: desired catalog vs live state → a [`Plan`].
//!
//! Decisions live here (create, update, new version, delete or archive; what protection
//! refuses); renderers only show them and backends only perform them.

mod fields;
mod impact;
pub mod percent;
mod plan;
mod terms;
#[cfg(test)]
mod tests;
mod verdict;

pub use plan::{
    Action, Change, Decision, FieldChange, Fingerprints, Holders, ObjectState, PLAN_FORMAT_VERSION,
    Plan, PriceImpact, Reason, Refusal, RefusalReason, Summary, Term, TermChange, TermValue, Unit,
    User,
};
pub use verdict::{Disagreement, SystemView, Verdict};

use std::collections::{BTreeMap, BTreeSet};

use fields::changed_fields;
use impact::price_impact;
use terms::term_changes;

use crate::catalog::{Address, Catalog, FeatureType, ObjectKind, Plan as PricingPlan};
use crate::live::{LivePlan, LiveState, fingerprint};

/// The plan that makes `live` match `desired`.
pub fn diff(desired: &Catalog, live: &LiveState) -> Plan {
    let fingerprints = Fingerprints {
        live: live.catalog_fingerprint(),
        pricing: fingerprint(desired),
    };
    diff_fingerprinted(desired, live, fingerprints)
}

/// [`diff`], given the fingerprints of `live` and `desired` (`live.catalog_fingerprint()`,
/// `fingerprint(desired)`), for a caller that keeps both and diffs them again and again (a
/// server): each fingerprint writes and hashes a whole catalog.
pub fn diff_fingerprinted(desired: &Catalog, live: &LiveState, fingerprints: Fingerprints) -> Plan {
    let Decisions { changes, refusals } = decide(desired, live);
    let summary = Summary::of(&changes);
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        pricectl_version: env!("CARGO_PKG_VERSION").to_string(),
        currency: desired.currency.clone(),
        impact: price_impact(&live.catalog, desired),
        terms: term_changes(live, desired),
        changes,
        summary,
        refusals,
        unmanaged: live.unmanaged.clone(),
        environment: live.environment,
        verdict: None,
        fingerprints,
    }
}

/// The address of each change of [`diff`]'s plan, in its order, without the rest of the
/// plan (its price impact, terms and fingerprints): what still differs after an apply.
pub fn changed_addresses(desired: &Catalog, live: &LiveState) -> Vec<Address> {
    decide(desired, live)
        .changes
        .into_iter()
        .map(|change| change.address)
        .collect()
}

/// What a diff decides: the changes, in the order a billing system can follow them, and the
/// refusals.
#[derive(Debug, Clone, PartialEq)]
pub struct Decisions {
    pub changes: Vec<Change>,
    pub refusals: Vec<Refusal>,
}

/// The decisions of [`diff`] alone, without what they mean for prices and terms or the
/// fingerprints: for a caller that shows only the decisions (a server's preview, which a
/// client also asks for the customers on each plan, diffing an empty catalog against the
/// whole live one).
pub fn decide(desired: &Catalog, live: &LiveState) -> Decisions {
    let mut builder = Builder {
        live,
        refusals: Vec::new(),
        plans_with_item: None,
    };
    if !live.catalog.currency.is_empty() && live.catalog.currency != desired.currency {
        builder.refusals.push(Refusal {
            address: None,
            why: RefusalReason::CurrencyChange {
                live: live.catalog.currency.clone(),
                pricing: desired.currency.clone(),
            },
        });
    }

    // Removals first, from the top down: whether a feature can be deleted depends on whether
    // the plans and credit systems that use it are deleted too.
    let mut removed_addresses = BTreeSet::new();
    let plan_removals = builder.removals(
        &live.catalog.plans,
        &desired.plans,
        desired,
        ObjectKind::Plan,
        &mut removed_addresses,
    );
    let system_removals = builder.removals(
        &live.catalog.credit_systems,
        &desired.credit_systems,
        desired,
        ObjectKind::CreditSystem,
        &mut removed_addresses,
    );
    let feature_removals = builder.removals(
        &live.catalog.features,
        &desired.features,
        desired,
        ObjectKind::Feature,
        &mut removed_addresses,
    );

    let mut changes = Vec::new();
    for (id, feature) in &desired.features {
        let before = live.catalog.features.get(id);
        builder.upsert(
            &mut changes,
            ObjectKind::Feature,
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
            ObjectKind::CreditSystem,
            id,
            before,
            system,
            ObjectState::CreditSystem,
        );
    }
    // A metered feature turning boolean loses its usage: what prices or counts it (a plan's
    // item, a credit system's cost) changes first, so the update waits until after them
    // (Autumn refuses a type change while a usage price or a credit system uses it:
    // `detectFeatureUpdateBlockers.ts`; and a boolean item has no price).
    let (losing_usage, first): (Vec<Change>, Vec<Change>) =
        changes.into_iter().partition(turns_boolean);
    let mut changes = first;
    for (id, plan) in &desired.plans {
        if let Some(change) = builder.plan_change(id, live.catalog.plans.get(id), plan) {
            changes.push(change);
        }
    }
    changes.extend(plan_removals);
    changes.extend(system_removals);
    changes.extend(losing_usage);
    changes.extend(feature_removals);
    Decisions {
        changes,
        refusals: builder.refusals,
    }
}

/// An update that turns a metered feature boolean.
fn turns_boolean(change: &Change) -> bool {
    matches!(
        (&change.before, &change.after),
        (Some(ObjectState::Feature(before)), Some(ObjectState::Feature(after)))
            if before.kind == FeatureType::Metered && after.kind == FeatureType::Boolean
    )
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
    /// Item id → the live plans that have an item of it, by plan id: built when a removal
    /// first asks, so a removal of every feature looks at the plans of each, not all plans.
    plans_with_item: Option<BTreeMap<&'a str, Vec<&'a String>>>,
}

impl Builder<'_> {
    /// Changes for the live objects of one kind that the pricing no longer has.
    fn removals<T: Object>(
        &mut self,
        live: &BTreeMap<String, T>,
        desired: &BTreeMap<String, T>,
        desired_catalog: &Catalog,
        kind: ObjectKind,
        removed: &mut BTreeSet<Address>,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for (id, object) in live.iter().rev() {
            if desired.contains_key(id) {
                continue;
            }
            let address = Address::object(kind, id.clone());
            let keeps = self.keeps(kind, id, desired_catalog, removed);
            let change = if let Some(why) = keeps {
                if object.archived() {
                    continue; // already archived, and it cannot go further
                }
                Change {
                    address: address.clone(),
                    action: Action::Archive,
                    before: Some(object.state()),
                    after: Some(object.archive().state()),
                    fields: changed_fields(object, &object.archive(), &[]),
                    why,
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
                    why: Reason::Removed,
                    customers_staying: 0,
                    items: Vec::new(),
                }
            };
            if object.protect() {
                self.refusals.push(Refusal {
                    address: Some(address),
                    why: RefusalReason::ProtectedRemoval {
                        action: change.action,
                    },
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
        &mut self,
        kind: ObjectKind,
        id: &str,
        desired: &Catalog,
        removed: &BTreeSet<Address>,
    ) -> Option<Reason> {
        if kind == ObjectKind::Plan {
            let plan = self.live.plans.get(id)?;
            let customers = plan.customers();
            // Customers who left keep their history (invoices, the ledger): archive, never delete.
            return (customers > 0 || plan.customers_ever > 0)
                .then_some(Reason::KeptForCustomers { customers });
        }
        let mut users = Vec::new();
        for (system_id, system) in &self.live.catalog.credit_systems {
            // A credit system the pricing keeps draws from what the pricing says (which, once
            // checked, is not this id); one it removes keeps its costs only if it is archived.
            if !system.costs.contains_key(id) || desired.credit_systems.contains_key(system_id) {
                continue;
            }
            let address = Address::credit_system(system_id.clone());
            if !removed.contains(&address) {
                users.push(User {
                    address,
                    older_version: false,
                });
            }
        }
        let live = self.live;
        let plans_with_item = self.plans_with_item.get_or_insert_with(|| {
            let mut index: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
            for (plan_id, plan) in &live.catalog.plans {
                for item_id in plan.items.keys() {
                    index.entry(item_id).or_default().push(plan_id);
                }
            }
            index
        });
        for &plan_id in plans_with_item.get(id).map_or(&[][..], Vec::as_slice) {
            let address = Address::plan(plan_id.clone());
            // The current version survives when the plan is archived, or when customers on it
            // keep it while the change becomes a new version.
            let customers_on_current = live
                .plans
                .get(plan_id)
                .map_or(0, LivePlan::customers_on_current);
            let survives = if desired.plans.contains_key(plan_id) {
                customers_on_current > 0
            } else {
                !removed.contains(&address)
            };
            if survives {
                users.push(User {
                    address,
                    older_version: false,
                });
            }
        }
        for (plan_id, items) in &self.live.grandfathered {
            if items.contains(id) {
                users.push(User {
                    address: Address::plan(plan_id.clone()),
                    older_version: true,
                });
            }
        }
        users.sort();
        users.dedup();
        (!users.is_empty()).then_some(Reason::KeptInUse { users })
    }

    /// A create or update of a feature or credit system.
    fn upsert<T: Object>(
        &mut self,
        changes: &mut Vec<Change>,
        kind: ObjectKind,
        id: &str,
        before: Option<&T>,
        after: &T,
        state: fn(T) -> ObjectState,
    ) {
        let address = Address::object(kind, id);
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
            why: Reason::Differs,
            customers_staying: 0,
            items: Vec::new(),
        });
    }

    /// `archived = true` on a protected object is a removal too.
    fn refuse_archiving<T: Object>(&mut self, address: &Address, before: &T, after: &T) {
        if before.protect() && after.archived() && !before.archived() {
            self.refusals.push(Refusal {
                address: Some(address.clone()),
                why: RefusalReason::ProtectedArchive,
            });
        }
    }

    fn plan_change(
        &mut self,
        id: &str,
        before: Option<&PricingPlan>,
        after: &PricingPlan,
    ) -> Option<Change> {
        let address = Address::plan(id);
        let Some(before) = before else {
            let mut change = created(address, ObjectState::Plan(after.clone()));
            change.items = after
                .items
                .iter()
                .map(|(item_id, item)| {
                    created(
                        Address::item(id, item_id.clone()),
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
        let items = item_changes(id, before, after);
        // What a customer pays for changes: customers on the current version keep it.
        // Billing controls count: Autumn versions a plan whose `billing_controls` change while
        // customers are on it (`billingControlsWillVersion`, product/actions/updateProduct.ts).
        let charges_change = charges_differ(before, after);
        let customers = self
            .live
            .plans
            .get(id)
            .map_or(0, LivePlan::customers_on_current);
        let (action, why, customers_staying) = if charges_change && !self.live.customers_known {
            (Action::Update, Reason::DecidedAtPlanTime, 0)
        } else if charges_change && customers > 0 {
            let version = self.live.plans.get(id).map_or(1, |plan| plan.version);
            (
                Action::NewVersion,
                Reason::Grandfathered { version, customers },
                customers,
            )
        } else if charges_change {
            (Action::Update, Reason::NoCustomersOnIt, 0)
        } else {
            (Action::Update, Reason::ChargesUnchanged, 0)
        };
        Some(Change {
            address,
            action,
            before: Some(ObjectState::Plan(before.clone())),
            after: Some(ObjectState::Plan(after.clone())),
            fields: changed_fields(before, after, &["items"]),
            why,
            customers_staying,
            items,
        })
    }
}

/// Whether what a customer of the plan pays or gets differs between two of its definitions:
/// such a change becomes a new version when customers are on the plan (they stay on theirs),
/// anything else (names, descriptions) is changed in place.
pub fn charges_differ(before: &PricingPlan, after: &PricingPlan) -> bool {
    before.items != after.items
        || before.price != after.price
        || before.free_trial != after.free_trial
        || before.usage_limits != after.usage_limits
}

/// The item-level changes of a plan that exists on both sides.
fn item_changes(plan_id: &str, before: &PricingPlan, after: &PricingPlan) -> Vec<Change> {
    let ids: BTreeSet<&String> = before.items.keys().chain(after.items.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        let item_address = Address::item(plan_id, id.clone());
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
                why: Reason::RemovedFromPlan,
                customers_staying: 0,
                items: Vec::new(),
            }),
            (Some(old), Some(new)) if old != new => changes.push(Change {
                address: item_address,
                action: Action::Update,
                before: Some(ObjectState::Item(old.clone())),
                after: Some(ObjectState::Item(new.clone())),
                fields: changed_fields(old, new, &[]),
                why: Reason::Differs,
                customers_staying: 0,
                items: Vec::new(),
            }),
            _ => {}
        }
    }
    changes
}

fn created(address: Address, after: ObjectState) -> Change {
    Change {
        address,
        action: Action::Create,
        before: None,
        after: Some(after),
        fields: Vec::new(),
        why: Reason::NotLive,
        customers_staying: 0,
        items: Vec::new(),
    }
}
