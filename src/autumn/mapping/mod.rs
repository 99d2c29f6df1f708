//! Between Autumn's catalog shapes and pricectl's canonical catalog.
//!
//! [`to_wire`] writes the catalog as Autumn answers it; [`from_wire`] reads the features and
//! plans a client sends into catalog objects. Some facts exist on one side only; each
//! direction says what it does with them:
//! - Billing controls map to Autumn's own fields ([`billing_controls`]): the plan's
//!   `billing_controls` lanes, an item's `rollover` and `expiry`. A lane left out keeps the
//!   live plan's controls (Autumn's merge); an item's `expiry` left out keeps the live one.
//! - pricectl only: `protect`, a prepaid item's smallest purchase (`prepaid.min`), a spend
//!   limit's money form and a recurring purchase's expiry; and a feature's `display`, which
//!   Autumn's API has but its CLI does not send. A plan's facts travel in its
//!   `metadata.pricectl` ([`pricectl_facts`]); left out (Autumn's CLI never sends them),
//!   they keep the live object's value (a new object takes the language's default), so a
//!   client that cannot express them never clears them. A feature's `protect` has no place
//!   in Autumn's feature shape.
//! - Autumn only: licenses, rewards, multiple currencies, interval counts other than 1,
//!   billing controls the language cannot say (an invoiced top-up, a filtered limit, a plan-wide
//!   alert, `overage_allowed`, …): refused when sent, set aside and named when read, never
//!   dropped.
//!
//! [`item_changes`] and [`price_change`] say what a change to a plan does to it, as a catalog
//! preview answers it.

mod answer;
mod billing_controls;
mod from_wire;
mod item_reset;
mod plan_changes;
mod pricectl_facts;
mod to_wire;

pub use answer::{
    credit_system_body, feature_body, feature_from_answer, feature_params, plan_body,
    plan_from_answer, plan_from_answer_setting_aside, plan_params,
};
pub use billing_controls::{SetAside, SetAsideNote, auto_topup, controls_to_wire, keep_set_aside};
pub use from_wire::{CatalogFeature, MappingError, feature_from_wire, plan_from_wire};
pub use item_reset::Features;
pub use plan_changes::{item_changes, price_change};
pub use pricectl_facts::{METADATA_KEY, PlanFacts};
pub use to_wire::{credit_system_to_wire, feature_to_wire, features_to_wire, plan_to_wire};
