//! Attaching a plan: `billing.attach` (API 2.x) and the older `POST /v1/attach`. Shapes from
//! Autumn's `shared/api/billing/` and the inbound schemas of autumn-js 1.3.13.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A prepaid quantity. In `billing.attach` it is the total, `included` units counted in; in
/// the older `/v1/attach` (`options`) it is bought on top of what is included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureQuantity {
    pub feature_id: String,
    #[serde(with = "super::number")]
    pub quantity: Decimal,
}

/// `billing.attach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub plan_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feature_quantities: Vec<FeatureQuantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// `if_required` (the SDK's default), `always` or `never`: no payment is ever required
    /// here, so every mode attaches directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /v1/attach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyAttachParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub product_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FeatureQuantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_checkout: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The invoice an attach made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub status: Option<String>,
    pub stripe_id: String,
    #[serde(with = "super::number")]
    pub total: Decimal,
    pub currency: String,
    pub hosted_invoice_url: Option<String>,
}

/// The answer of `billing.attach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachResponse {
    pub customer_id: String,
    /// Where to pay; `null`: attached, no payment step.
    pub payment_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Invoice>,
}

/// The answer of `POST /v1/attach` (Autumn's `AttachResultSchema` of API 1.x, kept for the
/// older route: `success`, `message`, `customer_id`, `product_ids`, `code`, `checkout_url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyAttachResponse {
    pub success: bool,
    pub message: String,
    pub customer_id: String,
    pub product_ids: Vec<String>,
    pub code: String,
    #[serde(default)]
    pub checkout_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Invoice>,
}
