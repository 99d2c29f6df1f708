//! A plan's billing controls (`billing_controls`: defaults for the customers on the plan) and
//! an item's rollover and purchase expiry, as Autumn's API writes them.
//!
//! Shapes from Autumn's `PlanBillingControlsParamsSchema` (`shared/api/billingControls/
//! planBillingControls.ts`) over `CustomerBillingControlsParamsSchema` (`shared/models/
//! cusModels/billingControls/customerBillingControls.ts`, `spendLimit.ts`, `usageLimit.ts`,
//! `usageAlert.ts`, `overageAllowed.ts`), as bundled in atmn 1.1.25 (`dist/cli.js`), and the
//! plan item's `rollover` and `expiry` of autumn-js 1.3.13 (`PlanItemRollover`, `ItemExpiry`).
//! Every field Autumn defines is here, so a field pricectl cannot express is read and named,
//! never dropped; a field Autumn does not define is refused.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The five lanes of a plan's billing controls. A lane left out of an update keeps what the
/// plan has (Autumn's `mergeBillingControls`); a lane given replaces it whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingControls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_topups: Option<Vec<AutoTopup>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_limits: Option<Vec<SpendLimit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_limits: Option<Vec<UsageLimit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_alerts: Option<Vec<UsageAlert>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overage_allowed: Option<Vec<OverageAllowed>>,
}

impl BillingControls {
    /// Whether no lane holds an entry.
    pub fn is_empty(&self) -> bool {
        self.lanes_with_entries().is_empty()
    }

    /// The lanes given with at least one entry, by name, in the order above.
    pub fn lanes_with_entries(&self) -> Vec<&'static str> {
        [
            ("auto_topups", self.auto_topups.as_ref().map(Vec::len)),
            ("spend_limits", self.spend_limits.as_ref().map(Vec::len)),
            ("usage_limits", self.usage_limits.as_ref().map(Vec::len)),
            ("usage_alerts", self.usage_alerts.as_ref().map(Vec::len)),
            (
                "overage_allowed",
                self.overage_allowed.as_ref().map(Vec::len),
            ),
        ]
        .into_iter()
        .filter(|(_, entries)| entries.is_some_and(|entries| entries > 0))
        .map(|(lane, _)| lane)
        .collect()
    }
}

/// An automatic purchase when a balance falls below `threshold` (`auto_topups[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoTopup {
    pub feature_id: String,
    /// Autumn's default is `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(with = "super::number")]
    pub threshold: Decimal,
    #[serde(with = "super::number")]
    pub quantity: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_limit: Option<PurchaseLimit>,
    /// An invoice to send instead of a charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_mode: Option<bool>,
}

/// At most `limit` automatic purchases per `interval_count` × `interval`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseLimit {
    pub interval: PurchaseLimitInterval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
    pub limit: u32,
    /// A customer's purchases in the current window (runtime state a customer update sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// `hour`, `day`, `week` or `month`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseLimitInterval {
    Hour,
    Day,
    Week,
    Month,
}

/// A cap on overage (`spend_limits[]`): `overage_limit` units beyond the balance, or that
/// percent of the plan's allowance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendLimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<String>,
    /// Autumn's default is `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_type: Option<SpendLimitType>,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub overage_limit: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_overage_billing: Option<bool>,
}

/// `absolute` (units, the default) or `usage_percentage` (of the plan's allowance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendLimitType {
    Absolute,
    UsagePercentage,
}

/// At most `limit` units per `interval` (`usage_limits[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageLimit {
    pub feature_id: String,
    /// Autumn's default is `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(with = "super::number")]
    pub limit: Decimal,
    pub interval: UsageLimitInterval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<UsageLimitAnchor>,
    /// Only events whose properties match count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
}

/// `day`, `week`, `month` or `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageLimitInterval {
    Day,
    Week,
    Month,
    Year,
}

/// `billing_cycle` (from the customer's renewal) or `utc` (calendar windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageLimitAnchor {
    BillingCycle,
    Utc,
}

/// A threshold that raises an alert when crossed (`usage_alerts[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageAlert {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<String>,
    /// Autumn's default is `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(with = "super::number")]
    pub threshold: Decimal,
    pub threshold_type: ThresholdType,
    /// What 100% is; Autumn's default is `balance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<AlertBasis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `usage`, `usage_percentage`, `remaining` or `remaining_percentage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdType {
    Usage,
    UsagePercentage,
    Remaining,
    RemainingPercentage,
}

/// `balance` (every grant), `included`, `recurring` or `usage_limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertBasis {
    Balance,
    Included,
    Recurring,
    UsageLimit,
}

/// Usage allowed past the balance, or not (`overage_allowed[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverageAllowed {
    pub feature_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Included units left at a reset that carry over (an item's `rollover`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollover {
    /// At most so many units; `null` (or left out): all of them. Written even when `null`,
    /// as Autumn answers it.
    #[serde(default, with = "super::number::option")]
    pub max: Option<Decimal>,
    /// At most this percent of the included and prepaid grant (instead of `max`).
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_percentage: Option<Decimal>,
    pub expiry_duration_type: RolloverExpiry,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_duration_length: Option<u32>,
}

/// Carried units expire after months (`month`) or never (`forever`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloverExpiry {
    Month,
    Forever,
}

/// How long each purchase of a one-off prepaid item lasts (an item's `expiry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expiry {
    pub duration: ExpiryDuration,
    pub length: u32,
}

/// `day`, `week`, `month` or `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryDuration {
    Day,
    Week,
    Month,
    Year,
}
