use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::feature::Display;

/// One credit balance that several metered features draw from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditSystem {
    pub id: String,
    pub name: String,
    pub display: Option<Display>,
    /// Metered feature id → credits drawn per unit.
    pub costs: BTreeMap<String, CreditCost>,
    pub archived: bool,
    pub protect: bool,
}

/// Credits drawn per unit of a feature, always normalized to `per = 1`: a rate written as
/// 1,500 credits per million tokens is stored as 0.0015 credits per token, so the two ways
/// of writing the same cost compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditCost {
    #[serde(with = "super::decimal")]
    pub credits: Decimal,
    #[serde(with = "super::decimal")]
    pub per: Decimal,
}

impl CreditCost {
    /// A cost of `credits` per single unit.
    pub fn per_unit(credits: Decimal) -> Self {
        Self {
            credits: credits.normalize(),
            per: Decimal::ONE,
        }
    }
}
