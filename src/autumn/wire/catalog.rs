//! `catalog.preview_update` and `catalog.update` (what `atmn push` uses), `rewards.list` and
//! `referral_programs.list` (what `atmn pull` reads), and the `{list}` envelope. Shapes from
//! Autumn's `shared/api/catalog/`.

use serde::{Deserialize, Serialize};

use super::feature::{Feature, FeatureParams};
use super::plan::{BasePrice, Plan, PlanItem, PlanParams};

/// The body of `catalog.preview_update` and `catalog.update`: the whole desired catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogUpdateParams {
    #[serde(default)]
    pub features: Vec<FeatureParams>,
    #[serde(default)]
    pub plans: Vec<PlanParams>,
    /// Accepted only empty: pricectl's catalog has no rewards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewards: Option<Vec<serde_json::Value>>,
    /// Accepted only empty: pricectl's catalog has no referral programs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_programs: Option<Vec<serde_json::Value>>,
    /// `false`: what the body leaves out is deleted, or archived when it has history.
    /// Autumn's default is `true`.
    #[serde(default = "yes")]
    pub skip_deletions: bool,
    #[serde(default)]
    pub skip_feature_ids: Vec<String>,
    #[serde(default)]
    pub skip_plan_ids: Vec<String>,
}

fn yes() -> bool {
    true
}

/// What a feature change would do. Note the verb forms differ from a plan change's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureAction {
    Create,
    Update,
    Remove,
    Skipped,
    None,
}

/// What a plan change would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanAction {
    Created,
    Updated,
    Deleted,
    Skipped,
    None,
}

/// Why a feature change is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockedReason {
    HasCustomers,
    UsedInProducts,
    UsedInCreditSystem,
    HasUsagePrice,
    IdAlreadyExists,
    CreditSystemTypeChange,
    UnsupportedDependency,
}

/// One feature of a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureChange {
    pub feature_id: String,
    #[serde(default)]
    pub feature: Option<Feature>,
    pub action: FeatureAction,
    pub will_archive: bool,
    pub blocked: bool,
    pub blocked_reason: Option<BlockedReason>,
    pub previous_attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One plan of a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChange {
    pub plan_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    pub action: PlanAction,
    /// Customers are on the plan and the change touches what they pay or get: a new version.
    pub versionable: bool,
    pub has_customers: bool,
    /// Customers on the plan's current version (the others are in `other_versions`).
    pub customer_count: u64,
    pub will_archive: bool,
    pub previous_attributes: Option<serde_json::Map<String, serde_json::Value>>,
    pub customize: Option<serde_json::Value>,
    /// The base price before and after, when it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_change: Option<PriceChange>,
    /// Items removed and items added; an item that changes is both (Autumn's
    /// `diffPlanV1ItemChanges`: "out with the old, in with the new").
    #[serde(default)]
    pub item_changes: Vec<ItemChange>,
    #[serde(default)]
    pub license_changes: Vec<serde_json::Value>,
    #[serde(default)]
    pub license_parents: Vec<serde_json::Value>,
    #[serde(default)]
    pub variants: Vec<serde_json::Value>,
    /// The plan's other versions, each with its customers (`include_versions`).
    #[serde(default)]
    pub other_versions: Vec<OtherVersion>,
}

/// Another version of a plan in a preview (Autumn's `PlanUpdatePreviewOtherVersionSchema`):
/// the customers on it, whom the previewed update leaves there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherVersion {
    pub plan_id: String,
    pub version: u32,
    pub has_customers: bool,
    /// Customers on this version.
    pub customer_count: u64,
    pub versionable: bool,
    pub customize: Option<serde_json::Value>,
    pub previous_attributes: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub item_changes: Vec<serde_json::Value>,
    #[serde(default)]
    pub license_changes: Vec<serde_json::Value>,
    #[serde(default)]
    pub conflicts: Vec<serde_json::Value>,
}

/// What happens to an item of a plan (`PlanItemChangeV0`): note the plan verb forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    Created,
    Deleted,
}

/// One item added to or removed from a plan, with the item as it is (removed) or will be
/// (added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    pub action: ItemAction,
    pub feature_id: String,
    pub item: PlanItem,
}

/// A plan's base price before and after a change (`null`: no base price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChange {
    pub previous: Option<BasePrice>,
    pub current: Option<BasePrice>,
}

/// The answer of `catalog.preview_update`: all four lists, which `atmn` iterates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPreview {
    pub feature_changes: Vec<FeatureChange>,
    pub plan_changes: Vec<PlanChange>,
    pub reward_changes: Vec<serde_json::Value>,
    pub referral_program_changes: Vec<serde_json::Value>,
}

/// The answer of `catalog.update`: the catalog after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogUpdateResponse {
    pub plans: Vec<Plan>,
    pub features: Vec<Feature>,
    pub rewards: Vec<serde_json::Value>,
    pub referral_programs: Vec<serde_json::Value>,
}

/// The answer of `rewards.list`: `{coupons, feature_grants}`, not `{list}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardList {
    pub coupons: Vec<serde_json::Value>,
    pub feature_grants: Vec<serde_json::Value>,
}

/// A list answer: `{"list": [...]}` (catalog lists are not paginated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct List<T> {
    pub list: Vec<T>,
}

/// A body that must be an object with no fields (`rewards.list`, `features.list`); an absent
/// body reads as `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}
