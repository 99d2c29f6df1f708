//! Features: what `features.*` take and answer, and the features of `catalog.*` bodies.
//! Shapes from Autumn's `ApiFeatureV1Schema` and `CreateFeatureV2ParamsSchema`
//! (`shared/api/features/`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `boolean`, `metered` or `credit_system` (also `single_use`/`continuous_use` from
/// versions before 1.2, which the server does not write).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureType {
    Boolean,
    Metered,
    CreditSystem,
}

/// A feature as Autumn answers it (API 2.x).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// Used up and reset (`true`), or allocated like seats (`false`).
    pub consumable: bool,
    pub archived: bool,
    #[serde(default)]
    pub event_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_schema: Option<Vec<CreditSchemaRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Display>,
}

/// One row of a credit system's schema: credits drawn per unit of a metered feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditSchemaRow {
    pub metered_feature_id: String,
    /// A JSON number; decimals kept exactly (`0.0015`).
    #[serde(with = "super::number")]
    pub credit_cost: Decimal,
}

/// A unit's names in user interfaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Display {
    pub singular: String,
    pub plural: String,
}

/// `features.create`, and each feature of a `catalog.*` body: the whole feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureParams {
    pub feature_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: FeatureType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Display>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_schema: Option<Vec<CreditSchemaRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_names: Option<Vec<String>>,
}

/// `features.update`: the fields given change, the others stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureUpdateParams {
    pub feature_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FeatureType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Display>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_schema: Option<Vec<CreditSchemaRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_feature_id: Option<String>,
}

/// `features.get` and `features.delete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureIdParams {
    pub feature_id: String,
}
