//! An error answer: an HTTP status and Autumn's body `{message, code, env}`.

use axum::http::StatusCode;

use crate::autumn::mapping::MappingError;
use crate::autumn::wire::ErrorBody;
use crate::autumn::wire::error::code;
use crate::backend::{BackendError, ErrorKind};
use crate::ledger::LedgerError;

/// Why a request was not served, as the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `invalid_inputs`: the body does not say what the route needs.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_INPUTS, message)
    }

    /// 404 with a resource's code.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// The body, in the environment of the key used (if it was known).
    pub fn body(&self, env: Option<&str>) -> ErrorBody {
        ErrorBody {
            message: self.message.clone(),
            code: self.code.to_string(),
            env: env.map(str::to_string),
        }
    }
}

impl From<MappingError> for ApiError {
    fn from(error: MappingError) -> ApiError {
        ApiError::invalid(error.to_string())
    }
}

impl From<LedgerError> for ApiError {
    fn from(error: LedgerError) -> ApiError {
        let message = error.to_string();
        match error {
            LedgerError::UnknownCustomer(_) => {
                ApiError::not_found(code::CUSTOMER_NOT_FOUND, message)
            }
            LedgerError::CustomerExists(_) => {
                ApiError::new(StatusCode::CONFLICT, code::CUSTOMER_ALREADY_EXISTS, message)
            }
            LedgerError::UnknownEntity { .. } => {
                ApiError::not_found(code::ENTITY_NOT_FOUND, message)
            }
            LedgerError::EntityExists { .. } => {
                ApiError::new(StatusCode::CONFLICT, code::ENTITY_ALREADY_EXISTS, message)
            }
            LedgerError::UnknownPlan(_) => ApiError::not_found(code::PRODUCT_NOT_FOUND, message),
            LedgerError::UnknownFeature(_) => ApiError::not_found(code::FEATURE_NOT_FOUND, message),
            LedgerError::NotSubscribed { .. } => {
                ApiError::not_found(code::CUS_PRODUCT_NOT_FOUND, message)
            }
            LedgerError::AlreadyAttached { .. } => {
                ApiError::new(StatusCode::CONFLICT, code::PLAN_ALREADY_ATTACHED, message)
            }
            LedgerError::Quantity { .. } | LedgerError::QuantityRequired { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_OPTIONS, message)
            }
            LedgerError::IdempotencyConflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                code::DUPLICATE_IDEMPOTENCY_KEY,
                message,
            ),
            LedgerError::NoCatalog => ApiError::not_found(
                code::PRODUCT_NOT_FOUND,
                "the store has no catalog yet: push one (`atmn push`, `catalog.update`) or run `pricectl apply`",
            ),
            LedgerError::Store(_) | LedgerError::Corrupt(_) | LedgerError::RolledBack => {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code::INTERNAL_ERROR,
                    message,
                )
            }
            _ => ApiError::invalid(message),
        }
    }
}

impl From<BackendError> for ApiError {
    fn from(error: BackendError) -> ApiError {
        let message = error.to_string();
        match error.kind() {
            ErrorKind::Rejected => ApiError::invalid(message),
            ErrorKind::Conflict => {
                ApiError::new(StatusCode::CONFLICT, code::CHANGE_BLOCKED, message)
            }
            _ => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL_ERROR,
                message,
            ),
        }
    }
}
