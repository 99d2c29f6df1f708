//! `GET /v1/organization/me`: the organization a key belongs to.

use serde::{Deserialize, Serialize};

/// The organization, as much of it as pricectl reads (Autumn's `FrontendOrgSchema` has more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// `sandbox` or `live`: the key's environment.
    pub env: String,
    /// The currency amounts are in (`usd`, as Autumn stores it); absent from older answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
}
