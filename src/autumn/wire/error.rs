//! Autumn's error body: `{"message": "...", "code": "snake_case_code", "env": "sandbox"}`.

use serde::{Deserialize, Serialize};

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong and how to fix it, for a person.
    pub message: String,
    /// A stable code a program acts on (see [`code`]).
    pub code: String,
    /// `sandbox` or `live`: the environment the key belongs to (absent before auth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
}

/// The codes Autumn answers with that pricectl answers too (Autumn's `ErrCode`,
/// `shared/enums/ErrCode.ts`).
pub mod code {
    pub const INVALID_INPUTS: &str = "invalid_inputs";
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// A page cursor that is not one the server wrote.
    pub const INVALID_CURSOR: &str = "invalid_cursor";
    pub const NO_SECRET_KEY: &str = "no_secret_key";
    pub const INVALID_SECRET_KEY: &str = "invalid_secret_key";
    pub const INVALID_API_VERSION: &str = "invalid_api_version";
    pub const NOT_FOUND: &str = "not_found";
    pub const FEATURE_NOT_FOUND: &str = "feature_not_found";
    pub const DUPLICATE_FEATURE_ID: &str = "duplicate_feature_id";
    pub const PRODUCT_NOT_FOUND: &str = "product_not_found";
    pub const PRODUCT_ALREADY_EXISTS: &str = "product_already_exists";
    pub const CONFLICTING_VERSION_FLAGS: &str = "conflicting_version_flags";
    pub const CUSTOMER_NOT_FOUND: &str = "customer_not_found";
    pub const CUSTOMER_ALREADY_EXISTS: &str = "customer_already_exists";
    pub const ENTITY_NOT_FOUND: &str = "entity_not_found";
    pub const ENTITY_ALREADY_EXISTS: &str = "entity_already_exists";
    pub const PLAN_ALREADY_ATTACHED: &str = "plan_already_attached";
    pub const INVALID_OPTIONS: &str = "invalid_options";
    pub const CUS_PRODUCT_NOT_FOUND: &str = "cus_product_not_found";
    pub const DUPLICATE_IDEMPOTENCY_KEY: &str = "duplicate_idempotency_key";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    pub const INTERNAL_ERROR: &str = "internal_error";
    /// A catalog change the reconciler's rules refuse (protection, a feature still in use).
    pub const CHANGE_BLOCKED: &str = "change_blocked";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_error_body_round_trips() {
        for text in [
            r#"{"message":"Invalid secret key","code":"invalid_secret_key","env":"sandbox"}"#,
            r#"{"message":"\"9.9\" is not a valid API version","code":"invalid_api_version"}"#,
        ] {
            let body: ErrorBody = serde_json::from_str(text).expect(text);
            assert_eq!(serde_json::to_string(&body).expect("serializes"), text);
        }
    }
}
