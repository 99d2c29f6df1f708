//! What the ledger's operations take and answer (also their JSON form).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::charge::Charge;

/// `attach`: subscribe a customer to a plan, or buy an add-on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    pub customer_id: String,
    pub plan_id: String,
    /// Prepaid quantity bought per item, on top of what the plan includes.
    #[serde(default, with = "crate::catalog::decimal::map")]
    pub quantities: BTreeMap<String, Decimal>,
    pub idempotency_key: Option<String>,
}

/// `set_quantity`: change the prepaid quantity a customer holds of items of a plan it is on,
/// mid-term (Autumn's `billing.update` with feature quantities).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetQuantityRequest {
    pub customer_id: String,
    pub plan_id: String,
    /// The new quantity per item, on top of what the plan includes (as `attach` counts it).
    #[serde(with = "crate::catalog::decimal::map")]
    pub quantities: BTreeMap<String, Decimal>,
    pub idempotency_key: Option<String>,
}

/// What `set_quantity` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct QuantityResult {
    pub customer_id: String,
    pub plan_id: String,
    pub subscription_id: i64,
    /// Each item whose quantity changed.
    pub changes: Vec<QuantityChange>,
    /// What was charged (positive) or credited (negative) now.
    pub charge: ChargeRecord,
    /// Line items that go on the next invoice (the item's next period boundary): a
    /// `prorate_next_cycle` policy.
    pub next_cycle: Vec<super::charge::LineItem>,
    /// The customer's balances after the change, as `balance` shows them.
    pub balances: Vec<BalanceView>,
    /// This answers a repeat of an earlier request with the same idempotency key.
    #[serde(default)]
    pub replayed: bool,
}

/// One item's quantity change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct QuantityChange {
    pub item: String,
    #[serde(with = "crate::catalog::decimal")]
    pub from: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub to: Decimal,
    /// When the units follow: now, or (a decrease that credits nothing) at the end of the
    /// period, the freed units staying usable until then.
    pub units_from: String,
}

/// `track`: usage of a metered feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackRequest {
    pub customer_id: String,
    pub feature_id: String,
    #[serde(with = "crate::catalog::decimal")]
    pub value: Decimal,
    pub idempotency_key: Option<String>,
    /// What happens to usage beyond the balance: recorded in full unless told to cap.
    #[serde(default, skip_serializing_if = "Overage::is_overflow")]
    pub overage: Overage,
    /// The entity the usage is for, for a balance held per entity (`per_entity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
}

/// What `track` does with usage beyond what the balance holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overage {
    /// Deducted in full: the balance goes negative (the ledger's rule, and Autumn's
    /// `overflow`).
    #[default]
    Overflow,
    /// Autumn's `cap` (its default): only what the balance holds is deducted, and it stops at
    /// zero, unless usage beyond it is billed (a usage price) or the feature is allocated and
    /// granted without a price (`performDeduction.sql`, `prepareFeatureDeduction.ts`).
    Cap,
}

impl Overage {
    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "serde's skip_serializing_if passes a reference"
    )]
    fn is_overflow(&self) -> bool {
        *self == Overage::Overflow
    }
}

/// `create_entity`: a seat, workspace… of a customer: one unit of an allocated feature in use,
/// holding its own balance of every item held per entity of that feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEntityRequest {
    pub customer_id: String,
    pub entity_id: String,
    /// The allocated feature the entity is one unit of (`seats`).
    pub feature_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `grant`: a gift of units of a feature or credits of a credit system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub customer_id: String,
    pub feature_id: String,
    #[serde(with = "crate::catalog::decimal")]
    pub amount: Decimal,
    /// Unix milliseconds (as Autumn's API counts them); `None`: never expires.
    pub expires_at: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AttachResult {
    pub customer_id: String,
    pub plan_id: String,
    pub version: u32,
    pub subscription_id: i64,
    pub charge: ChargeRecord,
    /// Plans this attach replaced (same group).
    pub replaced: Vec<String>,
    /// When the free trial this attach started ends (the first charge, and the anchor of
    /// every period); `None` without a trial.
    pub trial_ends_at: Option<String>,
    /// For a downgrade: when it takes effect (the end of the current plan's period; nothing
    /// changes or is charged before). `None` when the plan starts now.
    pub starts_at: Option<String>,
    /// The customer's balances after the attach, as `balance` shows them.
    #[serde(default)]
    pub balances: Vec<BalanceView>,
    /// This answers a repeat of an earlier request with the same idempotency key: nothing was
    /// applied again, and the answer is the first one's.
    #[serde(default)]
    pub replayed: bool,
}

/// A charge as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChargeRecord {
    pub currency: String,
    #[serde(with = "crate::catalog::decimal")]
    pub total: Decimal,
    pub line_items: Vec<super::charge::LineItem>,
}

impl From<Charge> for ChargeRecord {
    fn from(charge: Charge) -> Self {
        ChargeRecord {
            currency: charge.currency,
            total: charge.total,
            line_items: charge.line_items,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrackResult {
    pub customer_id: String,
    pub feature_id: String,
    #[serde(with = "crate::catalog::decimal")]
    pub value: Decimal,
    /// What was deducted, from which balance (`value × cost` credits for a feature under a
    /// credit system).
    pub balance_key: String,
    #[serde(with = "crate::catalog::decimal")]
    pub deducted: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub balance: Decimal,
    pub unlimited: bool,
    /// What the balance's auto top-up bought in this track's transaction, with its charge;
    /// absent when none was bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_up: Option<ChargeRecord>,
    /// This answers a repeat of an earlier request with the same idempotency key: nothing was
    /// applied again, and the answer is the first one's.
    #[serde(default)]
    pub replayed: bool,
    /// The entity the usage was for (its balance is `balance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// The balance drawn, after the track, as [`Ledger::balances`](super::Ledger::balances)
    /// would list it, read in the track's own transaction (a server answers a track with it,
    /// no second read). `None` when the customer has no such balance (no lot of it and no plan
    /// item for it), in a replayed answer (the answer kept for a key does not hold it), for a
    /// track for an entity, and unless the ledger was asked for it
    /// ([`Ledger::answering_with_balance`](super::Ledger::answering_with_balance)). Not part of
    /// the JSON form.
    #[serde(skip)]
    pub balance_after: Option<BalanceView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub customer_id: String,
    pub feature_id: String,
    /// The entity asked about; without one, a balance held per entity is the sum over them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub allowed: bool,
    /// The balance the decision was made on (credits for a feature under a credit system);
    /// `None` for a boolean feature.
    pub balance: Option<BalanceView>,
    /// What the requested usage needs of that balance; `None` for a boolean feature (on or
    /// off, it has no amount).
    #[serde(with = "crate::catalog::decimal::option")]
    pub required: Option<Decimal>,
    /// For a boolean feature: the plan that grants it.
    pub granted_by: Option<String>,
    /// Why a usage or spend limit says no, when one does; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GrantResult {
    pub customer_id: String,
    pub balance_key: String,
    #[serde(with = "crate::catalog::decimal")]
    pub amount: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub balance: Decimal,
}

/// One balance (a feature's units, or a credit system's credits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BalanceView {
    pub balance_key: String,
    /// May be negative: usage is never dropped.
    #[serde(with = "crate::catalog::decimal")]
    pub balance: Decimal,
    pub unlimited: bool,
    /// Usage beyond the balance is billed (a usage price), so checks allow it.
    pub overage_allowed: bool,
    /// The lots with something left (or owed), in the order usage draws from them.
    pub lots: Vec<LotView>,
    /// For a balance held per entity: the part of it each entity holds (its own lots).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntityBalance>,
}

/// The part of a balance one entity holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EntityBalance {
    pub entity_id: String,
    #[serde(with = "crate::catalog::decimal")]
    pub balance: Decimal,
}

/// An entity of a customer (a seat, a workspace) and the balances it may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityView {
    pub id: String,
    pub customer_id: String,
    pub feature_id: String,
    pub name: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// What the entity may use of each balance held per entity of its feature: its own lots
    /// and the customer's (as `check` with the entity answers).
    pub balances: Vec<BalanceView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LotView {
    /// The entity holding the lot; none: the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub source: String,
    #[serde(with = "crate::catalog::decimal")]
    pub granted: Decimal,
    #[serde(with = "crate::catalog::decimal")]
    pub remaining: Decimal,
    pub expires_at: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerView {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub created_at: String,
    pub subscriptions: Vec<SubscriptionView>,
    pub balances: Vec<BalanceView>,
    /// Every charge, oldest first: attaches, renewals, billed usage.
    pub charges: Vec<ChargeView>,
    /// The customer's entities (seats, workspaces), by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntitySummary>,
    /// The auto top-ups of the customer's plans, each on or off by the plan's default or the
    /// customer's own setting.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub auto_top_ups: Vec<super::customer_controls::AutoTopUpView>,
}

/// An entity as a customer lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitySummary {
    pub id: String,
    pub feature_id: String,
    pub name: Option<String>,
    pub created_at: String,
}

/// A charge with when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChargeView {
    pub at: String,
    #[serde(flatten)]
    pub charge: ChargeRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionView {
    pub id: i64,
    pub plan_id: String,
    pub version: u32,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub quantities: BTreeMap<String, String>,
}

/// One ledger entry, as `history` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub balance_key: String,
    #[serde(with = "crate::catalog::decimal")]
    pub amount: Decimal,
    pub feature_id: Option<String>,
    pub units: Option<String>,
    pub reason: Option<String>,
    /// The entity whose balance the entry changed; none: the customer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
}
