//! A request to Autumn that did not succeed, and what it means for the caller.

use std::time::Duration;

use crate::autumn::wire::error::code;
use crate::backend::BackendError;

/// The system's name in messages.
pub const SYSTEM: &str = "Autumn API";

/// Why a request to Autumn failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Autumn answered with an error status, its code and message.
    #[error("{status} {code}: {message}")]
    Answered {
        status: u16,
        code: String,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No answer came: the connection failed, timed out or dropped.
    #[error("no answer: {detail}")]
    NoAnswer { detail: String },
    /// An answer came that is not the shape pricectl reads.
    #[error("the answer of `{route}` could not be read: {detail}")]
    Unreadable { route: String, detail: String },
    /// A retried write was refused as a duplicate of an earlier try: that try took.
    #[error("an earlier try of the request took")]
    EarlierTryTook,
    /// The key cannot go in an HTTP header (a control character).
    #[error("the secret key holds characters an HTTP header cannot carry")]
    BadKey,
}

impl CallError {
    /// Autumn's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Answered { code, .. } if !code.is_empty() => Some(code),
            _ => None,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            CallError::Answered { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Worth another try: rate-limited, a failure on Autumn's side, or no answer at all.
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::Answered { status, .. } => *status == 429 || *status >= 500,
            CallError::NoAnswer { .. } => true,
            CallError::Unreadable { .. } | CallError::EarlierTryTook | CallError::BadKey => false,
        }
    }

    /// The failure as a backend error. `address` is the object a change was about, when the
    /// request made one; a 4xx about it is a rejection of that change (or a conflict, when
    /// Autumn says the object is not what the plan saw).
    pub fn into_backend_error(self, address: Option<&str>) -> BackendError {
        let system = SYSTEM.to_string();
        match self {
            CallError::Answered {
                status: 401 | 403,
                code,
                message,
                ..
            } => BackendError::Unauthorized {
                system,
                detail: with_code(&message, &code),
            },
            CallError::Answered {
                status: 429,
                retry_after,
                ..
            } => BackendError::RateLimited {
                system,
                retry_after,
            },
            CallError::Answered {
                status,
                code,
                message,
                ..
            } if status >= 500 => BackendError::Unavailable {
                system,
                detail: format!("it answered {status}: {}", with_code(&message, &code)),
            },
            CallError::Answered {
                status,
                code,
                message,
                ..
            } => {
                let reason = format!("Autumn answered {status}: {}", with_code(&message, &code));
                let Some(address) = address else {
                    return BackendError::Rejected {
                        address: "catalog".into(),
                        reason,
                    };
                };
                let address = address.to_string();
                if status == 409 || is_conflict_code(&code) {
                    BackendError::Conflict { address, reason }
                } else {
                    BackendError::Rejected { address, reason }
                }
            }
            CallError::NoAnswer { detail } => BackendError::Unavailable { system, detail },
            CallError::Unreadable { route, detail } => BackendError::Corrupt {
                detail: format!("Autumn's answer of `{route}` could not be read: {detail}"),
            },
            CallError::EarlierTryTook => BackendError::Unavailable {
                system,
                detail: "an earlier try of a read was refused as a duplicate".into(),
            },
            CallError::BadKey => BackendError::Unauthorized {
                system,
                detail: "the secret key holds characters an HTTP header cannot carry".into(),
            },
        }
    }
}

/// Codes that say the object is not what the plan saw: someone created or removed it since.
fn is_conflict_code(text: &str) -> bool {
    [
        code::DUPLICATE_FEATURE_ID,
        code::PRODUCT_ALREADY_EXISTS,
        code::FEATURE_NOT_FOUND,
        code::PRODUCT_NOT_FOUND,
    ]
    .contains(&text)
}

fn with_code(message: &str, code: &str) -> String {
    if code.is_empty() {
        message.to_string()
    } else {
        format!("{message} (`{code}`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ErrorKind;

    fn answered(status: u16, code: &str) -> CallError {
        CallError::Answered {
            status,
            code: code.into(),
            message: "words".into(),
            retry_after: Some(Duration::from_secs(2)),
        }
    }

    #[test]
    fn each_failure_gets_the_kind_a_caller_acts_on() {
        let cases = [
            (answered(401, "invalid_secret_key"), ErrorKind::Unauthorized),
            (
                answered(429, "rate_limit_exceeded"),
                ErrorKind::RateLimited {
                    retry_after: Some(Duration::from_secs(2)),
                },
            ),
            (answered(503, ""), ErrorKind::Unavailable),
            (answered(400, "invalid_inputs"), ErrorKind::Rejected),
            (answered(400, "duplicate_feature_id"), ErrorKind::Conflict),
            (answered(404, "product_not_found"), ErrorKind::Conflict),
            (answered(409, "change_blocked"), ErrorKind::Conflict),
            (
                CallError::NoAnswer {
                    detail: "reset".into(),
                },
                ErrorKind::Unavailable,
            ),
        ];
        for (error, kind) in cases {
            let transient = error.is_transient();
            let backend = error.into_backend_error(Some("plan.pro"));
            assert_eq!(backend.kind(), kind, "{backend}");
            assert_eq!(
                transient,
                matches!(kind, ErrorKind::RateLimited { .. } | ErrorKind::Unavailable),
                "{backend}"
            );
        }
    }

    #[test]
    fn a_rejection_names_the_object_and_autumns_words() {
        let error = CallError::Answered {
            status: 400,
            code: "invalid_inputs".into(),
            message: "items[0].price: amount and tiers are exclusive".into(),
            retry_after: None,
        };
        assert_eq!(
            error.into_backend_error(Some("plan.pro")).to_string(),
            "the change to `plan.pro` was rejected: Autumn answered 400: items[0].price: amount and tiers are exclusive (`invalid_inputs`)"
        );
    }
}
