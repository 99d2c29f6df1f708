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
    /// A catalog in `currency` of these objects, each under its own id.
    pub fn of(
        currency: &str,
        features: Vec<Feature>,
        credit_systems: Vec<CreditSystem>,
        plans: Vec<Plan>,
    ) -> Catalog {
        Catalog {
            currency: currency.to_string(),
            features: features
                .into_iter()
                .map(|feature| (feature.id.clone(), feature))
                .collect(),
            credit_systems: credit_systems
                .into_iter()
                .map(|system| (system.id.clone(), system))
                .collect(),
            plans: plans
                .into_iter()
                .map(|plan| (plan.id.clone(), plan))
                .collect(),
        }
    }

    /// The catalog's canonical JSON text: byte-for-byte identical for equal catalogs.
    pub fn to_canonical_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a catalog always serializes");
        text.push('\n');
        text
    }
}
