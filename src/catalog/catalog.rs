use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::credit_system::CreditSystem;
use super::feature::Feature;
use super::plan::Plan;

/// A whole pricing catalog. See the module documentation for its invariants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// ISO 4217 code of every amount in the catalog.
    pub currency: String,
    pub features: BTreeMap<String, Feature>,
    pub credit_systems: BTreeMap<String, CreditSystem>,
    pub plans: BTreeMap<String, Plan>,
}

impl Catalog {
    /// The catalog's canonical JSON text: byte-for-byte identical for equal catalogs.
    pub fn to_canonical_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a catalog always serializes");
        text.push('\n');
        text
    }
}
