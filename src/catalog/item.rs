use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::choices::{Billing, OnDecrease, OnIncrease, PriceInterval, ResetInterval, TierMode};
use super::controls::ItemControls;

/// What a plan grants of one feature or credit system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// The feature or credit system granted (the item's key in its plan).
    pub feature_id: String,
    pub included: Included,
    /// When included usage resets; `None` means never (a one-off grant, or an allocation).
    pub reset: Option<ResetInterval>,
    pub price: Option<ItemPrice>,
    /// The balance starts again from what this plan grants whenever a plan granting it is
    /// attached, instead of carrying over (Autumn's `reset_usage_when_enabled`).
    #[serde(default)]
    pub reset_on_attach: bool,
    /// The allocated feature whose entities (seats, workspaces) each hold their own balance of
    /// this item; `None`: one balance per customer.
    #[serde(default)]
    pub per_entity: Option<String>,
    /// What quantity changes and plan switches charge or credit for this item; `None`: the
    /// ledger's rules.
    #[serde(default)]
    pub proration: Option<Proration>,
    /// Auto top-up, spend limit, alerts, rollover and expiry; written only when given.
    #[serde(default, flatten)]
    pub controls: ItemControls,
}

impl PlanItem {
    /// An item that grants `feature_id` and nothing more: nothing included, no reset, no
    /// price, one balance per customer, the ledger's proration rules.
    pub fn granting(feature_id: &str) -> PlanItem {
        PlanItem {
            feature_id: feature_id.to_string(),
            included: Included::Units(Decimal::ZERO),
            reset: None,
            price: None,
            reset_on_attach: false,
            per_entity: None,
            proration: None,
            controls: ItemControls::default(),
        }
    }
}

/// A per-item proration policy (Autumn's `proration.on_increase` / `on_decrease`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proration {
    pub on_increase: OnIncrease,
    pub on_decrease: OnDecrease,
}

/// Units included every period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Included {
    Units(Decimal),
    Unlimited,
}

/// What more units of an item cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPrice {
    pub billing: Billing,
    pub interval: PriceInterval,
    /// The billing unit: amounts are money for every `per` units.
    #[serde(with = "super::decimal")]
    pub per: Decimal,
    #[serde(flatten)]
    pub rate: Rate,
    /// Bounds on a prepaid purchase; always present for prepaid prices, never for usage.
    pub prepaid: Option<PrepaidBounds>,
}

/// The money side of an item price: one amount, or tiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Rate {
    Flat {
        #[serde(with = "super::decimal")]
        amount: Decimal,
    },
    Tiered {
        tier_mode: TierMode,
        tiers: Vec<Tier>,
    },
}

/// One tier: money for every `per` units up to `up_to` units of usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub up_to: TierBound,
    #[serde(with = "super::decimal")]
    pub amount: Decimal,
}

/// A tier's upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TierBound {
    Units(Decimal),
    Infinite,
}

/// Bounds on the quantity bought at checkout, on top of what is included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaidBounds {
    #[serde(with = "super::decimal")]
    pub min: Decimal,
    #[serde(with = "super::decimal::option")]
    pub max: Option<Decimal>,
}

/// `"unlimited"` or a decimal string.
impl Serialize for Included {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Included::Units(units) => super::decimal::serialize(units, serializer),
            Included::Unlimited => serializer.serialize_str("unlimited"),
        }
    }
}

impl<'de> Deserialize<'de> for Included {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text == "unlimited" {
            return Ok(Included::Unlimited);
        }
        Decimal::from_str_exact(&text)
            .map(Included::Units)
            .map_err(serde::de::Error::custom)
    }
}

/// `"inf"` or a decimal string.
impl Serialize for TierBound {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TierBound::Units(units) => super::decimal::serialize(units, serializer),
            TierBound::Infinite => serializer.serialize_str("inf"),
        }
    }
}

impl<'de> Deserialize<'de> for TierBound {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text == "inf" {
            return Ok(TierBound::Infinite);
        }
        Decimal::from_str_exact(&text)
            .map(TierBound::Units)
            .map_err(serde::de::Error::custom)
    }
}
