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
    pub version: u32,
    /// Version → customers subscribed to it (only versions with customers are listed).
    pub customers_by_version: BTreeMap<u32, u64>,
}

impl LivePlan {
    pub fn customers_on_current(&self) -> u64 {
        self.customers_by_version
            .get(&self.version)
            .copied()
            .unwrap_or(0)
    }

    pub fn customers(&self) -> u64 {
        self.customers_by_version.values().sum()
    }
}

impl LiveState {
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
