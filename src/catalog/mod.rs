//! The canonical catalog: what the pricing means, independent of how it was written and of
//! any billing provider.
//!
//! Invariants: every default is filled in, every decimal is normalized (`0.0150` is stored as
//! `0.015`), maps are ordered by id. Two catalogs are equal exactly when they mean the same
//! pricing, so equality is the definition of "no changes". This module imports nothing else of
//! the crate; every other stage depends on it.

mod address;
mod catalog;
pub mod charge;
mod choice;
mod choices;
mod controls;
mod credit_system;
mod currency;
pub mod decimal;
mod feature;
mod item;
mod plan;
pub mod random;

pub use address::{Address, AddressError, ObjectKind};
pub use catalog::Catalog;
pub use choice::Choice;
pub use choices::{
    Billing, FeatureType, LimitAnchor, OnDecrease, OnIncrease, PriceInterval,
    PurchaseLimitInterval, ResetInterval, TierMode, TrialOncePer, UsageLimitInterval,
};
pub use controls::{
    Alert, AutoTopUp, Duration, ItemControls, PurchaseLimit, Rollover, SpendLimit, UsageLimit,
};
pub use credit_system::{CreditCost, CreditSystem};
pub use currency::Currency;
pub use feature::{Display, Feature};
pub use item::{Included, ItemPrice, PlanItem, PrepaidBounds, Proration, Rate, Tier, TierBound};
pub use plan::{BasePrice, FreeTrial, Plan, TrialLength};
