use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{
    Address, Alert, AutoTopUp, Billing, CreditSystem, Duration, Feature, Included, ItemPrice,
    Plan as PricingPlan, PlanItem, PriceInterval, Rate, ResetInterval, Rollover, SpendLimit,
    TrialLength, TrialOncePer, UsageLimit,
};
use crate::live::{Environment, Unmanaged};

/// What it takes to make the live catalog match the pricing: the changes, in an order in which
/// each is valid when applied, and what they mean for customers and prices.
///
/// A plan is data. It decides nothing when rendered and is rendered many ways (text, Markdown,
/// JSON); `apply` performs its changes and nothing else. A saved plan (`--out`) carries the
/// fingerprints of the live catalog and of the pricing it was computed from, so it is never
/// applied to a world that has moved.
///
/// Its serde form is its data only; the plan document (`render::plan_document`, what
/// `plan --format json` prints and a saved plan holds) adds the words of each reason and
/// refusal, which reading a document back leaves aside.
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
    /// Every change to what a customer pays or gets (base prices, included amounts, resets,
    /// prices and tiers, prepaid bounds, credit costs, trials, intervals), before and after.
    #[serde(default)]
    pub terms: Vec<TermChange>,
    /// Objects the plan may not touch (`protect = true`); a plan with refusals cannot be applied.
    pub refusals: Vec<Refusal>,
    /// What the billing system holds that the language cannot express: kept as it is, never
    /// changed or deleted, named so nothing is dropped silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmanaged: Vec<Unmanaged>,
    /// The environment of the billing system the plan was made against, when it has several:
    /// a plan against a live one says so at the top of every view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// The billing system's own preview of the pricing, beside this plan, for a system that
    /// has one (Autumn): where the two disagree, `apply` refuses unless told otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<super::Verdict>,
    pub fingerprints: Fingerprints,
}

impl Plan {
    /// What the plan does, change by change, as data (see [`Change::decision`]).
    pub fn decisions(&self) -> Vec<Decision<'_>> {
        self.changes.iter().map(Change::decision).collect()
    }
}

/// The version of the plan document layout.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// One change to one object of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    /// The object as it is live; `None` when it is created.
    pub before: Option<ObjectState>,
    /// The object as it will be; `None` when it is deleted.
    pub after: Option<ObjectState>,
    /// The fields that change, by dotted path within the object (`price.amount`).
    pub fields: Vec<FieldChange>,
    /// Why this action and not another, as data with its facts; the views word it.
    pub why: Reason,
    /// Customers on the plan's current version who keep their price (new versions only).
    pub customers_staying: u64,
    /// For a plan: its items that change, each with its own address.
    pub items: Vec<Change>,
}

impl Change {
    /// What this change does, as data: its address, action, the object before and after, the
    /// fields, the rule that decided it, and its items' decisions. Not the facts that only
    /// explain it (how many customers stay, who uses an archived object): a saved plan whose
    /// decisions are those of a fresh diff may be applied, however those counts moved.
    pub fn decision(&self) -> Decision<'_> {
        Decision {
            address: &self.address,
            action: self.action,
            before: self.before.as_ref(),
            after: self.after.as_ref(),
            fields: &self.fields,
            rule: std::mem::discriminant(&self.why),
            items: self.items.iter().map(Change::decision).collect(),
        }
    }
}

/// A change's decision (see [`Change::decision`]); compared for equality.
#[derive(Debug, PartialEq, Eq)]
pub struct Decision<'a> {
    address: &'a Address,
    action: Action,
    before: Option<&'a ObjectState>,
    after: Option<&'a ObjectState>,
    fields: &'a [FieldChange],
    rule: std::mem::Discriminant<Reason>,
    items: Vec<Decision<'a>>,
}

/// Why a change is what it is: the rule the diff applied, with the facts it applied it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Not in the live catalog: created.
    NotLive,
    /// A feature, credit system or item that differs from the pricing: changed in place.
    Differs,
    /// A plan whose charges change while no customer is on its current version: changed in
    /// place.
    NoCustomersOnIt,
    /// A plan whose charges change, compared with a pricing rather than a billing system
    /// (`pricectl diff`): whether customers on its current version keep it (a new version) or
    /// it changes in place is decided when it is planned against the live system.
    DecidedAtPlanTime,
    /// A plan whose change leaves what customers pay as it is (its name, say): changed in
    /// place.
    ChargesUnchanged,
    /// A plan whose charges change while `customers` are on its current `version`: they stay
    /// there, and the change becomes `version + 1`.
    Grandfathered { version: u32, customers: u64 },
    /// Removed from the pricing, and nothing keeps it: deleted.
    Removed,
    /// An item its plan no longer grants: deleted with the plan's change.
    RemovedFromPlan,
    /// A plan removed from the pricing with `customers` on it now, or with none now but some
    /// in the past (`0`): archived, as their history stays.
    KeptForCustomers { customers: u64 },
    /// A feature or credit system removed from the pricing that objects staying live still
    /// use: archived.
    KeptInUse { users: Vec<User> },
}

/// An object that keeps a removed feature or credit system in use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct User {
    pub address: Address,
    /// `true`: an older version of the plan, which customers are still on, uses it (the
    /// current version may not).
    pub older_version: bool,
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
    /// Money per unit, exact; `None` where the plan does not sell it.
    #[serde(with = "crate::catalog::decimal::option")]
    pub before: Option<Decimal>,
    #[serde(with = "crate::catalog::decimal::option")]
    pub after: Option<Decimal>,
    /// The change in percent, rounded to one decimal (`-80.0`); `None` when one side is
    /// missing or zero.
    #[serde(with = "one_decimal")]
    pub change_percent: Option<Decimal>,
    /// Units the rendered price is quoted for: 1, or 1,000,000 where a unit costs less than
    /// one minor unit (tokens).
    pub quoted_per: u64,
    pub currency: String,
    /// What one unit of the feature is called ("seat", "token").
    #[serde(default)]
    pub unit: Option<Unit>,
    /// How often the price is charged; `None` for a one-off purchase.
    #[serde(default)]
    pub interval: Option<PriceInterval>,
}

/// One change to what a customer pays or gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermChange {
    /// The plan (base price, interval, trial), item (what it grants) or credit system (its
    /// costs) the term belongs to.
    pub address: Address,
    pub term: Term,
    /// `None` where the term did not exist (an item a plan starts granting, a trial added).
    pub before: Option<TermValue>,
    pub after: Option<TermValue>,
    /// The change in percent, one decimal, where the two sides are alike numbers.
    #[serde(with = "one_decimal")]
    pub change_percent: Option<Decimal>,
    /// What a unit of the item's feature (or a credit cost's feature) is called.
    pub unit: Option<Unit>,
    /// For a rising credit cost: the prepaid credits customers already hold of the system,
    /// and what they buy before and after. `None` where the live system does not say.
    pub holders: Option<Holders>,
}

/// Which term changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Term {
    /// A plan's base price, with how often it is charged.
    BasePrice,
    FreeTrial,
    /// An item granted, or no longer granted, by a plan.
    Granted,
    /// Units included, with when they reset.
    Included,
    Reset,
    /// An item's usage or prepaid price: amount or tiers, billing unit, interval.
    Price,
    PrepaidBounds,
    /// Credits one unit of `feature` draws.
    CreditCost {
        feature: String,
    },
    /// An item's automatic purchase when its balance runs low.
    AutoTopUp,
    /// An item's cap on overage money per billing period.
    SpendLimit,
    /// A plan's cap on the usage of `feature` (a feature or credit system) per window.
    UsageLimit {
        feature: String,
    },
    /// An item's alert thresholds.
    Alerts,
    /// What an item's included units left at a reset carry over.
    Rollover,
    /// How long an item's purchased units last.
    PurchaseExpiry,
}

/// One side of a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TermValue {
    Money {
        #[serde(with = "crate::catalog::decimal")]
        amount: Decimal,
        interval: PriceInterval,
    },
    Trial {
        /// `"days": 14` or `"months": 1`.
        #[serde(flatten)]
        length: TrialLength,
        card_required: bool,
        /// Left out when it is the default, once per plan.
        #[serde(default, skip_serializing_if = "TrialOncePer::is_plan")]
        once_per: TrialOncePer,
    },
    Granted {
        included: Included,
        reset: Option<ResetInterval>,
        price: Option<ItemPrice>,
    },
    Included {
        included: Included,
        reset: Option<ResetInterval>,
    },
    Reset {
        reset: Option<ResetInterval>,
    },
    Rate {
        billing: Billing,
        interval: PriceInterval,
        #[serde(with = "crate::catalog::decimal")]
        per: Decimal,
        rate: Rate,
    },
    Bounds {
        #[serde(with = "crate::catalog::decimal")]
        min: Decimal,
        #[serde(with = "crate::catalog::decimal::option")]
        max: Option<Decimal>,
    },
    Credits {
        #[serde(with = "crate::catalog::decimal")]
        credits: Decimal,
    },
    AutoTopUp {
        top_up: AutoTopUp,
    },
    SpendLimit {
        limit: SpendLimit,
    },
    UsageLimit {
        limit: UsageLimit,
    },
    Alerts {
        alerts: Vec<Alert>,
    },
    Rollover {
        rollover: Rollover,
    },
    Expiry {
        after: Duration,
    },
}

/// What a unit is called: the feature's (or credit system's) name and display words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub name: String,
    pub singular: String,
    pub plural: String,
}

/// Customers already holding prepaid credits whose cost for a feature rises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holders {
    pub customers: u64,
    #[serde(with = "crate::catalog::decimal")]
    pub credits: Decimal,
    /// Units of the feature those credits are worth at the old cost and at the new.
    #[serde(with = "crate::catalog::decimal::option")]
    pub units_before: Option<Decimal>,
    #[serde(with = "crate::catalog::decimal::option")]
    pub units_after: Option<Decimal>,
}

impl PriceImpact {
    /// Whether what a unit costs goes up (from free counts; from not sold does not).
    pub fn is_increase(&self) -> bool {
        matches!((self.before, self.after), (Some(before), Some(after)) if after > before)
    }
}

/// A change the plan may not make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The object refused; `None` for the catalog as a whole (`"catalog"` in the document).
    #[serde(with = "catalog_or_object")]
    pub address: Option<Address>,
    /// What the plan would do that it may not, as data; the views word it and say how to
    /// proceed.
    pub why: RefusalReason,
}

/// Why a change may not be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefusalReason {
    /// The pricing's currency is not the live catalog's: every price and balance is in it.
    CurrencyChange { live: String, pricing: String },
    /// A protected object the pricing removes: the plan would `action` it (delete or
    /// archive).
    ProtectedRemoval { action: Action },
    /// A protected object the pricing marks `archived = true`.
    ProtectedArchive,
}

/// What the plan was computed from. Hex SHA-256 of canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    pub live: String,
    pub pricing: String,
}

/// A change in percent in the document: a string with exactly one digit after the point
/// (`"-80.0"`, `"20.0"`).
mod one_decimal {
    use rust_decimal::Decimal;
    use serde::Serializer;

    /// Read exactly, as every decimal of the document.
    pub use crate::catalog::decimal::option::deserialize;

    #[allow(clippy::ref_option)] // serde's `with` hands the field by reference
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(percent) => serializer.collect_str(&format_args!("{percent:.1}")),
            None => serializer.serialize_none(),
        }
    }
}

/// A refusal's address in the document: an object's address, or `"catalog"`.
mod catalog_or_object {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::catalog::Address;

    const CATALOG: &str = "catalog";

    #[allow(clippy::ref_option)] // serde's `with` hands the field by reference
    pub fn serialize<S: Serializer>(
        value: &Option<Address>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(address) => address.serialize(serializer),
            None => serializer.serialize_str(CATALOG),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Address>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text == CATALOG {
            return Ok(None);
        }
        text.parse().map(Some).map_err(serde::de::Error::custom)
    }
}
