//! Customers: `customers.get_or_create`, `customers.get`, `customers.list`. Shapes from the
//! inbound schemas of autumn-js 1.3.13 (`Customer$inboundSchema`), which validates every
//! response: keys it requires are always written, `null` where there is no value.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cursor::Page;

/// `customers.get_or_create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetOrCreateCustomerParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// The new customer's own billing controls (Autumn's `CustomerDataSchema`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_controls: Option<super::billing_controls::BillingControls>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<Vec<String>>,
}

/// `customers.update` (Autumn's `UpdateCustomerParamsV1Schema`): the fields pricectl keeps;
/// any other is refused as unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// The customer's own billing controls: a lane given replaces the customer's lane, one
    /// left out keeps it (Autumn's `updateCustomer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_controls: Option<super::billing_controls::BillingControls>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<Vec<String>>,
}

/// `customers.get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetCustomerParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<Vec<String>>,
}

/// `customers.list`: a page of customers, the newest first. From API 2.3.0 pages go by
/// `start_cursor` (`ListCustomersV2_3ParamsSchema`: default 50 a page, at most 1,000, the
/// `ListCustomers` pagination limit); before, by `offset` (`ListCustomersV2ParamsSchema`:
/// default 10, at most 1,000). Both are read here and the version decides which one a request
/// may use, as Autumn's `handleListCustomersV2` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListCustomersParams {
    /// The `next_cursor` of the previous page; empty (the default): the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// A page of `customers.list`.
pub type CustomerPage = Page<Customer>;

/// A customer with its plans, balances and flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub fingerprint: Option<String>,
    pub stripe_id: Option<String>,
    pub env: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub send_email_receipts: bool,
    pub billing_controls: serde_json::Map<String, serde_json::Value>,
    pub subscriptions: Vec<Subscription>,
    pub purchases: Vec<Purchase>,
    pub licenses: Vec<serde_json::Value>,
    /// Feature id → balance.
    pub balances: BTreeMap<String, Balance>,
    /// Boolean feature id → flag.
    pub flags: BTreeMap<String, Flag>,
}

/// `active` or `scheduled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Active,
    Scheduled,
}

/// A recurring plan a customer is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub plan_id: String,
    pub auto_enable: bool,
    pub add_on: bool,
    pub status: SubscriptionStatus,
    pub past_due: bool,
    pub canceled_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub trial_ends_at: Option<i64>,
    pub started_at: i64,
    pub current_period_start: Option<i64>,
    pub current_period_end: Option<i64>,
    #[serde(with = "super::number")]
    pub quantity: Decimal,
}

/// A one-off purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    pub plan_id: String,
    pub expires_at: Option<i64>,
    pub started_at: i64,
    #[serde(with = "super::number")]
    pub quantity: Decimal,
}

/// A balance of a feature (for a credit system: its credits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub feature_id: String,
    #[serde(with = "super::number")]
    pub granted: Decimal,
    #[serde(with = "super::number")]
    pub remaining: Decimal,
    #[serde(with = "super::number")]
    pub usage: Decimal,
    pub unlimited: bool,
    pub overage_allowed: bool,
    #[serde(with = "super::number::option")]
    pub max_purchase: Option<Decimal>,
    /// Unix milliseconds; `null` when it never resets.
    pub next_reset_at: Option<i64>,
}

/// A boolean feature a customer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub id: String,
    pub plan_id: Option<String>,
    pub expires_at: Option<i64>,
    pub feature_id: String,
}
