use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Environment, Unmanaged};
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
    /// Whether the customer facts above are known. `false` for the old side of `pricectl
    /// diff`, which is a pricing file, not a billing system: whether a plan with changed
    /// charges is versioned or changed in place is decided when it is planned against one.
    #[serde(default = "known")]
    pub customers_known: bool,
    /// Credit system id → the prepaid credits customers hold of it now (bought, unexpired,
    /// unspent). `None` when the billing system does not say (a remote backend may omit it).
    #[serde(default)]
    pub held_credits: Option<BTreeMap<String, HeldCredits>>,
    /// What the billing system holds that the language cannot express, sorted: named in plans
    /// and imports, never changed or deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmanaged: Vec<Unmanaged>,
    /// The environment of a system that has several (a live key's catalog is what real
    /// customers buy from); `None` for one that has not (the local store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
}

/// The prepaid credits of one credit system that customers hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldCredits {
    /// Customers holding some.
    pub customers: u64,
    /// Credits they hold between them, exact.
    #[serde(with = "crate::catalog::decimal")]
    pub credits: Decimal,
}

fn known() -> bool {
    true
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

    /// A billing system holding `catalog`, with no customers.
    pub fn without_customers(catalog: Catalog) -> LiveState {
        LiveState {
            catalog,
            plans: BTreeMap::new(),
            grandfathered: BTreeMap::new(),
            customers_known: true,
            held_credits: None,
            unmanaged: Vec::new(),
            environment: None,
        }
    }

    /// `catalog` as a pricing file holds it, with nothing known of customers (the old side
    /// of `pricectl diff`).
    pub fn of_pricing(catalog: Catalog) -> LiveState {
        LiveState {
            customers_known: false,
            ..LiveState::without_customers(catalog)
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
            customers_known: true,
            held_credits: None,
            unmanaged: Vec::new(),
            environment: None,
        }
    }
}
