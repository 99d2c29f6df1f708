use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::choices::{PriceInterval, TrialOncePer};
use super::controls::UsageLimit;
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
    /// Feature or credit system id → at most so many units per window (Autumn's
    /// `usage_limits`); written only when there are some.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub usage_limits: BTreeMap<String, UsageLimit>,
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
    /// Written as `"days": 14` or `"months": 1`.
    #[serde(flatten)]
    pub length: TrialLength,
    pub card_required: bool,
    /// Whether the trial is given once per customer and plan, or once per customer.
    #[serde(default)]
    pub once_per: TrialOncePer,
}

/// How long a free trial lasts: days, or calendar months (counted from the attach, clamped to
/// a month's end as periods are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrialLength {
    Days(u32),
    Months(u32),
}

impl TrialLength {
    /// The length in days, a month counted as 30: to tell a shorter trial from a longer one.
    pub fn nominal_days(self) -> u64 {
        match self {
            TrialLength::Days(days) => u64::from(days),
            TrialLength::Months(months) => u64::from(months) * 30,
        }
    }

    /// Whether the trial lasts at all (a 0-day trial in an old catalog does not).
    pub fn is_empty(self) -> bool {
        matches!(self, TrialLength::Days(0) | TrialLength::Months(0))
    }
}

impl std::fmt::Display for TrialLength {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (count, unit) = match self {
            TrialLength::Days(days) => (*days, "day"),
            TrialLength::Months(months) => (*months, "month"),
        };
        let plural = if count == 1 { "" } else { "s" };
        write!(formatter, "{count} {unit}{plural}")
    }
}
