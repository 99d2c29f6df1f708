//! Between Autumn's catalog shapes and pricectl's canonical catalog.
//!
//! [`to_wire`] writes the catalog as Autumn answers it; [`from_wire`] reads the features and
//! plans a client sends into catalog objects. Some facts exist on one side only; each
//! direction says what it does with them:
//! - pricectl only: `protect`, a prepaid item's smallest purchase (`prepaid.min`) and the
//!   billing controls as the language says them (Autumn's `billing_controls` are not mapped
//!   yet); and a feature's `display`, which Autumn's API has but its CLI does not send. A plan's facts
//!   travel in its `metadata.pricectl` ([`pricectl_facts`]); left out (Autumn's CLI never
//!   sends them), they keep the live object's value (a new object takes the language's
//!   default), so a client that cannot express them never clears them. A feature's
//!   `protect` has no place in Autumn's feature shape.
//! - Autumn only: billing controls, licenses, rewards, rollovers, multiple currencies,
//!   interval counts other than 1, trials counted in months: refused when sent, never dropped.
//!
//! [`item_changes`] and [`price_change`] say what a change to a plan does to it, as a catalog
//! preview answers it.

mod answer;
mod from_wire;
mod plan_changes;
mod pricectl_facts;
mod to_wire;

pub use answer::{
    credit_system_body, feature_body, feature_from_answer, feature_params, plan_body,
    plan_from_answer, plan_params,
};
pub use from_wire::{CatalogFeature, MappingError, feature_from_wire, plan_from_wire};
pub use plan_changes::{item_changes, price_change};
pub use pricectl_facts::{METADATA_KEY, PlanFacts};
pub use to_wire::{credit_system_to_wire, feature_to_wire, features_to_wire, plan_to_wire};
