//! Usage and entitlement: `balances.track` (also `/v1/track`, `/v1/events`),
//! `balances.check` (also `/v1/check`, `/v1/entitled`) and `balances.create`. Shapes from
//! Autumn's `shared/api/balances/` and the inbound schemas of autumn-js 1.3.13.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::customer::{Balance, Flag};
use super::plan::Reset;

/// `balances.track`: `feature_id` or `event_name`, and a value (default 1; negative refunds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Unix milliseconds; stamps the event only (the balance changes now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overage_behavior: Option<OverageBehavior>,
    #[serde(rename = "async", default, skip_serializing_if = "Option::is_none")]
    pub run_async: Option<bool>,
}

/// `cap` (the default) or `overflow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverageBehavior {
    Cap,
    Overflow,
}

/// What a track deducted from one balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deduction {
    pub balance_id: String,
    pub feature_id: String,
    pub plan_id: Option<String>,
    pub reset: Option<Reset>,
    #[serde(with = "super::number")]
    pub value: Decimal,
}

/// The answer of a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackResponse {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    #[serde(with = "super::number")]
    pub value: Decimal,
    pub balance: Option<Balance>,
    #[serde(default)]
    pub balances: BTreeMap<String, Balance>,
    #[serde(default)]
    pub deductions: Vec<Deduction>,
}

/// `balances.check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub feature_id: String,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub required_balance: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
    /// Also track `required_balance` when allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_event: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_preview: Option<bool>,
}

/// The answer of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResponse {
    pub allowed: bool,
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub required_balance: Option<Decimal>,
    pub balance: Option<Balance>,
    pub flag: Option<Flag>,
}

/// `balances.create`: a balance granted outside any plan (a gift).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBalanceParams {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub feature_id: String,
    #[serde(
        default,
        with = "super::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub included_grant: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlimited: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<Reset>,
    /// Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_id: Option<String>,
}

/// The answer of `balances.create` (`handleCreateBalance.ts`) and of other writes that
/// answer only whether they succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Success {
    pub success: bool,
}
