//! Attaching a plan: `billing.attach` (API 2.x) and the older `POST /v1/attach`; changing a
//! subscription's prepaid quantities: `billing.update`. Shapes from Autumn's
//! `shared/api/billing/` and the inbound schemas of autumn-js 1.3.13.

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

/// A prepaid quantity of `billing.update`: the total, `included` counted in, as in
/// `billing.attach`. Without `quantity` the item keeps the quantity it has (Autumn's
/// `paramsToFeatureOptions` and `setupFeatureQuantitiesContext`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateFeatureQuantity {
    pub feature_id: String,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// Whether a checkout page lets the customer change the quantity: there is no checkout
    /// here, so it changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustable: Option<bool>,
}

/// `billing.update` (Autumn's `ExtUpdateSubscriptionV1ParamsSchema`,
/// `shared/api/billing/updateSubscription/updateSubscriptionV1Params.ts`). pricectl performs
/// its quantity change; the other changes it names are kept as sent, to be refused by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// The plan whose subscription changes; optional in Autumn when `subscription_id` names
    /// it, or when the customer's subscriptions leave one choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_quantities: Option<Vec<UpdateFeatureQuantity>>,
    /// `if_required`, `always` or `never`: no payment step is ever needed here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customize: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_mode: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proration_behavior: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discounts: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_action: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_cycle_anchor: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_billing_changes: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_last_payment: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recalculate_balances: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carry_over_usages: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_quantities: Option<serde_json::Value>,
}

impl UpdateParams {
    /// The changes sent that are not a quantity change, by field name.
    pub fn other_changes(&self) -> Vec<&'static str> {
        [
            ("version", self.version.is_some()),
            ("customize", self.customize.is_some()),
            ("invoice_mode", self.invoice_mode.is_some()),
            ("proration_behavior", self.proration_behavior.is_some()),
            ("discounts", self.discounts.is_some()),
            ("cancel_action", self.cancel_action.is_some()),
            ("billing_cycle_anchor", self.billing_cycle_anchor.is_some()),
            ("no_billing_changes", self.no_billing_changes.is_some()),
            ("refund_last_payment", self.refund_last_payment.is_some()),
            ("recalculate_balances", self.recalculate_balances.is_some()),
            ("carry_over_usages", self.carry_over_usages.is_some()),
            ("license_quantities", self.license_quantities.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, sent)| sent.then_some(field))
        .collect()
    }
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

/// The answer of `billing.attach` and `billing.update` (Autumn's `BillingResponseSchema`).
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
