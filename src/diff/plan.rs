use serde::{Deserialize, Serialize};

use crate::catalog::{CreditSystem, Feature, Plan as PricingPlan, PlanItem};

/// What it takes to make the live catalog match the pricing: the changes, in an order in which
/// each is valid when applied, and what they mean for customers and prices.
///
/// A plan is data. It decides nothing when rendered and is rendered many ways (text, Markdown,
/// JSON); `apply` performs its changes and nothing else. A saved plan (`--out`) carries the
/// fingerprints of the live catalog and of the pricing it was computed from, so it is never
/// applied to a world that has moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The layout of this document; a pricectl that does not know it refuses the plan.
    pub format_version: u32,
    /// The pricectl that made the plan.
    pub pricectl_version: String,
    /// The pricing's currency: an empty live catalog takes it on the first apply.
    pub currency: String,
    pub changes: Vec<Change>,
    pub summary: Summary,
    /// Money per unit of every metered feature through every plan that sells it, before and
    /// after, where it differs.
    pub impact: Vec<PriceImpact>,
    /// Objects the plan may not touch (`protect = true`); a plan with refusals cannot be applied.
    pub refusals: Vec<Refusal>,
    pub fingerprints: Fingerprints,
}

/// The version of the plan document layout.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// One change to one object of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `feature.<id>`, `credit_system.<id>`, `plan.<id>` or `plan.<id>.item.<id>`.
    pub address: String,
    pub action: Action,
    /// The object as it is live; `None` when it is created.
    pub before: Option<ObjectState>,
    /// The object as it will be; `None` when it is deleted.
    pub after: Option<ObjectState>,
    /// The fields that change, by dotted path within the object (`price.amount`).
    pub fields: Vec<FieldChange>,
    /// Why this action and not another, in words for the reviewer.
    pub reason: String,
    /// Customers on the plan's current version who keep their price (new versions only).
    pub customers_staying: u64,
    /// For a plan: its items that change, each with its own address.
    pub items: Vec<Change>,
}

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    /// A plan with customers on its current version changes what it charges: the change
    /// becomes version N+1 and those customers stay on N.
    NewVersion,
    /// Removed from the pricing and unused: gone.
    Delete,
    /// Removed from the pricing but with customers or references: kept, archived.
    Archive,
}

impl Action {
    /// Deletes and archives need `--allow-destroy`.
    pub fn is_destructive(self) -> bool {
        matches!(self, Action::Delete | Action::Archive)
    }
}

/// An object of the catalog, as a change carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "object", rename_all = "snake_case")]
pub enum ObjectState {
    Feature(Feature),
    CreditSystem(CreditSystem),
    Plan(PricingPlan),
    Item(PlanItem),
}

/// One field that changes. Values are the catalog's JSON form (decimals as strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// How many changes of each action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub archive: usize,
    pub new_version: usize,
}

impl Summary {
    /// The counts of a plan's changes (its items are part of their plan's change).
    pub fn of(changes: &[Change]) -> Summary {
        let mut summary = Summary::default();
        for change in changes {
            match change.action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::NewVersion => summary.new_version += 1,
                Action::Delete => summary.delete += 1,
                Action::Archive => summary.archive += 1,
            }
        }
        summary
    }

    pub fn total(&self) -> usize {
        self.create + self.update + self.delete + self.archive + self.new_version
    }

    pub fn destructive(&self) -> usize {
        self.delete + self.archive
    }
}

/// The money price of one unit of a metered feature through one plan, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceImpact {
    pub feature: String,
    pub feature_name: String,
    pub plan: String,
    /// `None` when the feature is priced directly; the credit system otherwise.
    pub via: Option<String>,
    /// Money per unit, as decimal strings; `None` where the plan does not sell it.
    pub before: Option<String>,
    pub after: Option<String>,
    /// The change in percent, one decimal (`-80.0`); `None` when one side is missing or zero.
    pub change_percent: Option<String>,
    /// Units the rendered price is quoted for: 1, or 1,000,000 where a unit costs less than
    /// one minor unit (tokens).
    pub quoted_per: u64,
    pub currency: String,
}

/// Why an object may not be changed as planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub address: String,
    pub reason: String,
    pub help: String,
}

/// What the plan was computed from. Hex SHA-256 of canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    pub live: String,
    pub pricing: String,
}
