use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::choices::PriceInterval;
use super::item::PlanItem;

/// What a customer subscribes to or buys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub add_on: bool,
    /// Given to new customers automatically (Autumn's `auto_enable`).
    pub default: bool,
    pub price: Option<BasePrice>,
    pub free_trial: Option<FreeTrial>,
    /// Feature or credit system id → what the plan grants of it.
    pub items: BTreeMap<String, PlanItem>,
    pub archived: bool,
    pub protect: bool,
}

/// A plan's base price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasePrice {
    #[serde(with = "super::decimal")]
    pub amount: Decimal,
    pub interval: PriceInterval,
}

/// A free trial before the first charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeTrial {
    pub days: u32,
    pub card_required: bool,
}
