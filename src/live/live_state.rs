use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;

/// What a billing system holds now, with the facts a diff needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    /// Every live object, archived ones included (`archived = true`); each plan at its current
    /// version.
    pub catalog: Catalog,
    /// Per plan id: its current version and how many customers are on each version.
    pub plans: BTreeMap<String, LivePlan>,
    /// Plan id → the items (feature or credit system ids) of its older versions that still have
    /// customers: a grandfathered customer still uses what their version grants, so those
    /// cannot be deleted.
    pub grandfathered: BTreeMap<String, BTreeSet<String>>,
}

/// A live plan's versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePlan {
    /// The plan's current version: what a new customer gets.
    pub version: u32,
    /// Version → customers subscribed to it now (only versions with customers are listed).
    pub customers_by_version: BTreeMap<u32, u64>,
    /// Customers who have ever been on the plan, any version, including those who left: a plan
    /// with history is archived, never deleted.
    pub customers_ever: u64,
}

impl LivePlan {
    /// Customers on the current version: they keep what they pay if it changes.
    pub fn customers_on_current(&self) -> u64 {
        self.customers_by_version
            .get(&self.version)
            .copied()
            .unwrap_or(0)
    }

    /// Customers on any version now.
    pub fn customers(&self) -> u64 {
        self.customers_by_version.values().sum()
    }
}

/// The live catalog as a saved plan fingerprints it: the catalog and each plan's current
/// version, not the customers (a signup must not make every saved plan stale; what customers
/// change in a plan's decisions is checked by diffing again at apply time).
#[derive(Serialize)]
struct CatalogFacts<'a> {
    catalog: &'a Catalog,
    versions: BTreeMap<&'a str, u32>,
}

impl LiveState {
    /// The fingerprint of the live catalog and its plan versions (see `CatalogFacts`).
    pub fn catalog_fingerprint(&self) -> String {
        let facts = CatalogFacts {
            catalog: &self.catalog,
            versions: self
                .plans
                .iter()
                .map(|(id, plan)| (id.as_str(), plan.version))
                .collect(),
        };
        super::fingerprint(&facts)
    }

    /// A billing system holding `catalog`, with no customers (the old side of `pricectl
    /// diff`).
    pub fn without_customers(catalog: Catalog) -> LiveState {
        LiveState {
            catalog,
            plans: BTreeMap::new(),
            grandfathered: BTreeMap::new(),
        }
    }

    /// The same system with plan `id` at `version`, `now` customers on that version and
    /// `ever` in its history.
    #[cfg(test)]
    pub(crate) fn with_customers(
        mut self,
        id: &str,
        version: u32,
        now: u64,
        ever: u64,
    ) -> LiveState {
        let customers_by_version = if now > 0 {
            BTreeMap::from([(version, now)])
        } else {
            BTreeMap::new()
        };
        self.plans.insert(
            id.to_string(),
            LivePlan {
                version,
                customers_by_version,
                customers_ever: ever,
            },
        );
        self
    }

    /// An empty billing system.
    pub fn empty(currency: &str) -> LiveState {
        LiveState {
            catalog: Catalog {
                currency: currency.to_string(),
                features: BTreeMap::new(),
                credit_systems: BTreeMap::new(),
                plans: BTreeMap::new(),
            },
            plans: BTreeMap::new(),
            grandfathered: BTreeMap::new(),
        }
    }
}
