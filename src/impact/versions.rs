//! Which definition of its plan each customer is priced on, under each pricing.
//!
//! A customer is on a version of its plan. Under the old pricing it pays what that version
//! says. Under the new one, the reconciler's rule decides (see `crate::diff::charges_differ`):
//! a change to what a plan's customers pay becomes a new version, and the customers on the
//! plan stay on theirs (grandfathered); only a change that leaves what they pay alone reaches
//! them. Features and credit systems are not versioned: their changes reach everyone. Unless
//! customers are moved to the new version (`move_customers`), a customer is therefore priced
//! on the definition of its version with the new pricing's features and credit systems.
//!
//! A ledger runs one definition per plan id, so every other definition a replay needs is in
//! its catalog under an id of its own (`pro@v2`, or `pro@live` for the current one when its
//! number is unknown), with the subscription records routed to it.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, Plan};
use crate::diff::charges_differ;
use crate::store::PlanVersions;

/// The versions the live system holds: each plan's current version and every version's
/// definition (a local store has them all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveVersions {
    pub current: BTreeMap<String, u32>,
    pub definitions: PlanVersions,
}

/// A pricing as a replay runs it: the catalog its ledgers hold, and the plan each
/// subscription (plan, version) is priced on.
#[derive(Debug, Clone)]
pub struct PricedCatalog {
    pub catalog: Catalog,
    /// (plan, version) → the catalog's plan that prices it, where it is not the plan itself.
    /// `None` stands for the current version.
    routes: BTreeMap<(String, Option<u32>), Route>,
}

/// Where a subscription is priced.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    plan: String,
    /// The customer stays on a definition the new pricing changes (grandfathered).
    kept: bool,
}

impl PricedCatalog {
    /// Every customer on the pricing's current definitions.
    pub fn current(catalog: &Catalog) -> PricedCatalog {
        PricedCatalog {
            catalog: catalog.clone(),
            routes: BTreeMap::new(),
        }
    }

    /// The old pricing: a customer on an older live version is priced on that version.
    pub fn old(old: &Catalog, live: Option<&LiveVersions>) -> PricedCatalog {
        let mut priced = PricedCatalog::current(old);
        for ((plan, version), definition) in
            live.map(|live| &live.definitions).into_iter().flatten()
        {
            if live.and_then(|live| live.current.get(plan)) != Some(version) {
                priced.add(plan, Some(*version), definition, false, old);
            }
        }
        priced
    }

    /// The new pricing, as applying it leaves the customers of `old`: each on the definition
    /// of its version where the new one changes what it pays, unless `move_customers`, or
    /// unless the plan is changed `in_place` (the live system has no customer on its current
    /// version, so the reconciler makes no new version: see `crate::diff::Reason`).
    pub fn new(
        old: &Catalog,
        live: Option<&LiveVersions>,
        new: &Catalog,
        move_customers: bool,
        in_place: &BTreeSet<String>,
    ) -> PricedCatalog {
        let mut priced = PricedCatalog::current(new);
        let current = |plan: &str| live.and_then(|live| live.current.get(plan).copied());
        let mut definitions: Vec<(&String, Option<u32>, &Plan)> = old
            .plans
            .iter()
            .map(|(id, plan)| (id, None, plan))
            .collect();
        for ((plan, version), definition) in
            live.map(|live| &live.definitions).into_iter().flatten()
        {
            if current(plan) != Some(*version) {
                definitions.push((plan, Some(*version), definition));
            }
        }
        for (plan, version, definition) in definitions {
            let stays = match new.plans.get(plan) {
                // A plan the new pricing drops (or archives) is archived, its customers kept
                // on it.
                None => true,
                Some(after) if after.archived => true,
                Some(_) if move_customers => false,
                Some(_) if version.is_none() && in_place.contains(plan) => false,
                Some(after) => charges_differ(definition, after),
            };
            if stays {
                let number = version.or_else(|| current(plan));
                priced.add(plan, number, definition, true, old);
                if version.is_none() && number.is_some() {
                    // The current version is named by its number, or by none.
                    let route = priced.routes[&(plan.clone(), number)].clone();
                    priced.routes.insert((plan.clone(), None), route);
                }
            }
        }
        priced
    }

    /// Puts `definition` in the catalog under an id of its own and routes `(plan, version)`
    /// to it; features and credit systems it uses that the catalog lacks come from `old`
    /// (what a plan's customers keep is kept).
    fn add(
        &mut self,
        plan: &str,
        version: Option<u32>,
        definition: &Plan,
        kept: bool,
        old: &Catalog,
    ) {
        let id = match version {
            Some(version) => format!("{plan}@v{version}"),
            None => format!("{plan}@live"),
        };
        let mut copy = definition.clone();
        copy.id.clone_from(&id);
        // Customers reach it only through their subscriptions, never as a default.
        copy.default = false;
        copy.archived = false;
        for item in copy.items.keys() {
            if self.catalog.features.contains_key(item)
                || self.catalog.credit_systems.contains_key(item)
            {
                continue;
            }
            if let Some(feature) = old.features.get(item) {
                self.catalog.features.insert(item.clone(), feature.clone());
            }
            if let Some(system) = old.credit_systems.get(item) {
                self.catalog
                    .credit_systems
                    .insert(item.clone(), system.clone());
                for feature in system.costs.keys() {
                    if let Some(definition) = old.features.get(feature) {
                        self.catalog
                            .features
                            .entry(feature.clone())
                            .or_insert_with(|| definition.clone());
                    }
                }
            }
        }
        self.catalog.plans.insert(id.clone(), copy);
        self.routes
            .insert((plan.to_string(), version), Route { plan: id, kept });
    }

    /// The catalog's plan that prices a subscription to `plan` at `version` (`None`: the
    /// current one), and whether the customer stays on a definition the new pricing changes.
    pub fn route<'a>(&'a self, plan: &'a str, version: Option<u32>) -> (&'a str, bool) {
        self.routes
            .get(&(plan.to_string(), version))
            .or_else(|| self.routes.get(&(plan.to_string(), None)))
            .map_or((plan, false), |route| (route.plan.as_str(), route.kept))
    }
}
