//! Billing controls and the credit lifecycle: what a plan says about a balance beyond its
//! price (Autumn's plan `billing_controls`: auto top-ups, spend limits, usage limits, usage
//! alerts; and rollovers and expiries of credits).
//!
//! Every control is optional and absent from the canonical JSON when not given, so a catalog
//! that uses none compiles byte for byte as it did before controls existed.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::choices::{LimitAnchor, PurchaseLimitInterval, UsageLimitInterval};

/// The controls of one plan item. All empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemControls {
    /// Buy `quantity` more when the balance falls below `threshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_top_up: Option<AutoTopUp>,
    /// A cap on the money this item's usage price may bill per billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_limit: Option<SpendLimit>,
    /// Thresholds on usage or on what is left, recorded as events when crossed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
    /// Included units left at a reset carried into the next periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollover: Option<Rollover>,
    /// How long purchased units last (prepaid items); `None`: as the price interval says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<Duration>,
}

impl ItemControls {
    /// Whether the item has no control at all (the ledger's fast path).
    pub fn is_empty(&self) -> bool {
        self == &ItemControls::default()
    }
}

/// An automatic purchase of a prepaid item (Autumn's `auto_topups[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoTopUp {
    /// A purchase is made when the balance falls below this.
    #[serde(with = "super::decimal")]
    pub threshold: Decimal,
    /// The units each purchase buys, charged at the item's price.
    #[serde(with = "super::decimal")]
    pub quantity: Decimal,
    /// Whether customers on the plan have it on; `false` declares it off by default.
    pub enabled: bool,
    /// At most so many purchases per window; `None`: no limit.
    pub purchase_limit: Option<PurchaseLimit>,
}

/// At most `limit` automatic purchases in each `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLimit {
    pub limit: u32,
    pub interval: PurchaseLimitInterval,
}

/// A cap on the overage money of one billing period: an amount, or a percentage of the plan's
/// base price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendLimit {
    Amount(#[serde(with = "super::decimal")] Decimal),
    Percent(#[serde(with = "super::decimal")] Decimal),
}

impl SpendLimit {
    /// The cap in money, given the plan's base price (a percentage of no base price is none).
    pub fn cap(self, base_price: Option<Decimal>) -> Decimal {
        match self {
            SpendLimit::Amount(amount) => amount,
            SpendLimit::Percent(percent) => base_price
                .and_then(|price| price.checked_mul(percent))
                .and_then(|product| product.checked_div(Decimal::ONE_HUNDRED))
                .unwrap_or(Decimal::ZERO),
        }
    }
}

/// At most `limit` units per `interval` (Autumn's `usage_limits[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageLimit {
    #[serde(with = "super::decimal")]
    pub limit: Decimal,
    pub interval: UsageLimitInterval,
    pub anchor: LimitAnchor,
}

/// A threshold the ledger records an event at when a balance crosses it (Autumn's
/// `usage_alerts[]` with its four `threshold_type`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    /// Units used in the period reach this.
    Usage(#[serde(with = "super::decimal")] Decimal),
    /// Units used reach this percentage of what was granted.
    UsagePercent(#[serde(with = "super::decimal")] Decimal),
    /// What is left falls to this or below.
    Remaining(#[serde(with = "super::decimal")] Decimal),
    /// What is left falls to this percentage of what was granted or below.
    RemainingPercent(#[serde(with = "super::decimal")] Decimal),
}

impl Alert {
    /// The word the language and the history use for the kind of threshold.
    pub fn kind(self) -> &'static str {
        match self {
            Alert::Usage(_) => "usage",
            Alert::UsagePercent(_) => "usage_percent",
            Alert::Remaining(_) => "remaining",
            Alert::RemainingPercent(_) => "remaining_percent",
        }
    }

    /// The threshold's number.
    pub fn threshold(self) -> Decimal {
        match self {
            Alert::Usage(value)
            | Alert::UsagePercent(value)
            | Alert::Remaining(value)
            | Alert::RemainingPercent(value) => value,
        }
    }
}

/// Included units left at a reset that carry over (Autumn's item `rollover`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollover {
    /// At most this many units carried; `None`: all of them.
    #[serde(with = "super::decimal::option")]
    pub max: Option<Decimal>,
    /// Carried units expire after this many months; `None`: never.
    pub months: Option<u32>,
}

/// A length of time in days or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duration {
    Days(u32),
    Months(u32),
}

impl std::fmt::Display for Duration {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (count, unit) = match self {
            Duration::Days(days) => (*days, "day"),
            Duration::Months(months) => (*months, "month"),
        };
        let plural = if count == 1 { "" } else { "s" };
        write!(formatter, "{count} {unit}{plural}")
    }
}
