//! Plans: what `plans.*` take and answer, and the plans of `catalog.*` bodies. Shapes from
//! Autumn's `ApiPlanV1Schema`, `CreatePlanParamsV1Schema` and `CreatePlanItemParamsV1Schema`
//! (`shared/api/products/`).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::billing_controls::{BillingControls, Expiry, Rollover};
use super::patch::present;

/// How often a price is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingInterval {
    OneOff,
    Week,
    Month,
    Quarter,
    SemiAnnual,
    Year,
}

/// How often included usage resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetInterval {
    OneOff,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    SemiAnnual,
    Year,
}

/// `prepaid` (bought upfront) or `usage_based` (billed in arrears).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingMethod {
    Prepaid,
    UsageBased,
}

/// `graduated` or `volume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierBehavior {
    Graduated,
    Volume,
}

/// `day`, `month` or `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrialDuration {
    Day,
    Month,
    Year,
}

/// A plan's base price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasePrice {
    #[serde(with = "super::number")]
    pub amount: Decimal,
    pub interval: BillingInterval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
}

/// A free trial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeTrial {
    pub duration_length: u32,
    #[serde(default = "TrialDuration::month")]
    pub duration_type: TrialDuration,
    #[serde(default = "yes")]
    pub card_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_end: Option<TrialEnd>,
}

/// What happens when a trial ends: `bill` (the default) or `revert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrialEnd {
    Bill,
    Revert,
}

impl TrialDuration {
    fn month() -> TrialDuration {
        TrialDuration::Month
    }
}

fn yes() -> bool {
    true
}

/// When an item's included usage resets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reset {
    pub interval: ResetInterval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
}

/// A tier's upper bound: a number of units (in API 2.x including the item's `included`), or
/// `"inf"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierTo {
    Units(Decimal),
    Infinite,
}

/// One tier of a price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub to: TierTo,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub flat_amount: Option<Decimal>,
}

/// What more units of an item cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPrice {
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Tier>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_behavior: Option<TierBehavior>,
    pub interval: BillingInterval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
    /// Units per amount (Autumn's default 1).
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub billing_units: Option<Decimal>,
    pub billing_method: BillingMethod,
    /// The most units one purchase may buy; written even when `null`, which the SDK requires.
    #[serde(default, with = "super::number::option")]
    pub max_purchase: Option<Decimal>,
}

/// What a plan grants of one feature, as Autumn answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub feature_id: String,
    #[serde(with = "super::number")]
    pub included: Decimal,
    pub unlimited: bool,
    pub reset: Option<Reset>,
    pub price: Option<ItemPrice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proration: Option<Proration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollover: Option<Rollover>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    /// The allocated feature whose entities each hold this item's balance (Autumn's
    /// `entity_feature_id`, `ApiPlanItemV1Schema`); left out when the balance is the
    /// customer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_feature_id: Option<String>,
}

/// What quantity changes charge or credit (`prorate_immediately`, `bill_next_cycle`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proration {
    pub on_increase: String,
    pub on_decrease: String,
}

/// An item of a plan being created or replaced (`included`, `unlimited`, `reset` and `price`
/// may be left out: 0, false, none, none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItemParams {
    pub feature_id: String,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub included: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlimited: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<Reset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<ItemPrice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proration: Option<Proration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollover: Option<Rollover>,
    /// Left out, an update keeps the item's expiry (Autumn's CLI has no field for it);
    /// `null` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiry: Option<Option<Expiry>>,
    /// The allocated feature whose entities each hold this item's balance (Autumn's
    /// `CreatePlanItemParamsV1Schema`; atmn sends it from a config's `entityFeatureId`). Left
    /// out, the balance is the customer's, as Autumn reads an item without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_feature_id: Option<String>,
}

/// Plan-level configuration flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanConfig {
    #[serde(default)]
    pub ignore_past_due: bool,
}

/// A plan as Autumn answers it (API 2.x).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub version: u32,
    pub add_on: bool,
    pub auto_enable: bool,
    pub price: Option<BasePrice>,
    pub items: Vec<PlanItem>,
    #[serde(default)]
    pub free_trial: Option<FreeTrial>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub env: String,
    pub archived: bool,
    #[serde(default)]
    pub config: PlanConfig,
    #[serde(default)]
    pub billing_controls: BillingControls,
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub base_variant_id: Option<String>,
}

/// `plans.create`, `plans.update`, and each plan of a `catalog.*` body. In a create or a
/// catalog body a left-out field takes its default; in an update it stays as it is. `null`
/// clears a price or a trial.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanParams {
    pub plan_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_on: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_enable: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub price: Option<Option<BasePrice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<PlanItemParams>>,
    /// Plans offered as licenses under this one: accepted only empty (pricectl has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<Vec<serde_json::Value>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub free_trial: Option<Option<FreeTrial>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PlanConfig>,
    /// Left out, an update keeps the plan's controls; a lane given replaces that lane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_controls: Option<BillingControls>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    // Update flags (`plans.update`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_plan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_version: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_versions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_version: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    // What `catalog.preview_update` asks to see (`atmn push` sets both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_versions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_variants: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_license_parents: Option<bool>,
}

/// `plans.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanListParams {
    #[serde(default)]
    pub include_archived: bool,
    #[serde(default)]
    pub all_versions: bool,
}

/// `plans.get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanGetParams {
    pub plan_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

/// `plans.delete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDeleteParams {
    pub plan_id: String,
    #[serde(default)]
    pub all_versions: bool,
}

impl Serialize for TierTo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TierTo::Units(units) => super::number::serialize(units, serializer),
            TierTo::Infinite => serializer.serialize_str("inf"),
        }
    }
}

impl<'de> Deserialize<'de> for TierTo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Number(number) => super::number::parse(number.as_str())
                .map(TierTo::Units)
                .map_err(D::Error::custom),
            serde_json::Value::String(text) if text == "inf" => Ok(TierTo::Infinite),
            other => Err(D::Error::custom(format!(
                "expected a number or \"inf\", found {other}"
            ))),
        }
    }
}
