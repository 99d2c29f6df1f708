use std::time::Duration;

use crate::store::StoreError;

/// A failure talking to a billing system, or of the store behind it.
///
/// Callers decide with [`BackendError::kind`] (retry, give up, plan again, ask the user); the
/// message only explains.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The billing system refused one change as invalid: applying it again will fail again.
    #[error("the change to `{address}` was rejected: {reason}")]
    Rejected { address: String, reason: String },
    /// The object is not what the plan saw: someone else changed the catalog since.
    #[error("the change to `{address}` conflicts with the live catalog: {reason}")]
    Conflict { address: String, reason: String },
    /// The billing system asks to slow down; `retry_after` when it said how long.
    #[error("the {system} is rate-limiting requests{}", retry_phrase(*retry_after))]
    RateLimited {
        system: String,
        retry_after: Option<Duration>,
    },
    /// The billing system could not be reached, or failed on its side.
    #[error("the {system} is unavailable: {detail}")]
    Unavailable { system: String, detail: String },
    /// The billing system refused the credentials.
    #[error("the {system} refused the credentials: {detail}")]
    Unauthorized { system: String, detail: String },
    /// The store holds something pricectl cannot read.
    #[error("the local store holds an object pricectl cannot read: {detail}")]
    Corrupt { detail: String },
    /// The local store could not be opened, read or written (the error names the file).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A `SQLite` failure inside the local backend, before it is named by its store (the
    /// backend names it before returning: [`BackendError::Store`]).
    #[error("the local store failed")]
    Sqlite(#[from] rusqlite::Error),
}

/// What a caller can do about a [`BackendError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A change was refused as invalid: fix the pricing (or the plan); retrying will not help.
    Rejected,
    /// The live catalog moved under the plan: plan again.
    Conflict,
    /// Too many requests: retry, after `retry_after` when the system said.
    RateLimited { retry_after: Option<Duration> },
    /// The system is down or unreachable: retry later.
    Unavailable,
    /// The credentials were refused: fix the key.
    Unauthorized,
    /// The store holds data pricectl cannot read (or is not a store at all).
    Corrupt,
    /// The store could not be opened, read or written (a path, a permission, a disk).
    Store,
}

impl ErrorKind {
    /// The billing system or its store could not be used, whatever the pricing says: a CI job
    /// tells this from "the pricing is wrong" by the exit status.
    pub fn is_operational(self) -> bool {
        !matches!(self, ErrorKind::Rejected | ErrorKind::Conflict)
    }
}

impl BackendError {
    /// What a caller can do about this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            BackendError::Rejected { .. } => ErrorKind::Rejected,
            BackendError::Conflict { .. } => ErrorKind::Conflict,
            BackendError::RateLimited { retry_after, .. } => ErrorKind::RateLimited {
                retry_after: *retry_after,
            },
            BackendError::Unavailable { .. } => ErrorKind::Unavailable,
            BackendError::Unauthorized { .. } => ErrorKind::Unauthorized,
            BackendError::Corrupt { .. } => ErrorKind::Corrupt,
            BackendError::Store(error) => store_kind(error),
            BackendError::Sqlite(source) => sqlite_kind(source),
        }
    }

    /// The object the error is about, when it is about one.
    pub fn address(&self) -> Option<&str> {
        match self {
            BackendError::Rejected { address, .. } | BackendError::Conflict { address, .. } => {
                Some(address)
            }
            _ => None,
        }
    }
}

/// A file that is not a store (or not one this build reads) is corrupt for the caller; the
/// rest is the store's to fix (a path, a permission, a disk), or busy.
fn store_kind(error: &StoreError) -> ErrorKind {
    match error {
        StoreError::NotAStore { .. }
        | StoreError::NewerSchema { .. }
        | StoreError::OlderSchema { .. }
        | StoreError::Corrupt { .. } => ErrorKind::Corrupt,
        StoreError::Open { source, .. } | StoreError::Sqlite { source, .. } => sqlite_kind(source),
        StoreError::Missing { .. }
        | StoreError::ReadOnly { .. }
        | StoreError::CreateDirectory { .. }
        | StoreError::Thread { .. } => ErrorKind::Store,
    }
}

/// `SQLite`'s own codes say whether the file is not a store or the store is busy.
fn sqlite_kind(error: &rusqlite::Error) -> ErrorKind {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => ErrorKind::Corrupt,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => ErrorKind::Unavailable,
        _ => ErrorKind::Store,
    }
}

fn retry_phrase(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |wait| {
        format!("; retry after {} s", wait.as_secs().max(1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rejections_and_conflicts_are_about_the_pricing() {
        let address = || "plan.pro".to_string();
        let system = || "autumn".to_string();
        let cases = [
            (
                BackendError::Rejected {
                    address: address(),
                    reason: "bad".into(),
                },
                false,
            ),
            (
                BackendError::Conflict {
                    address: address(),
                    reason: "moved".into(),
                },
                false,
            ),
            (
                BackendError::RateLimited {
                    system: system(),
                    retry_after: Some(Duration::from_secs(3)),
                },
                true,
            ),
            (
                BackendError::Unavailable {
                    system: system(),
                    detail: "503".into(),
                },
                true,
            ),
            (
                BackendError::Unauthorized {
                    system: system(),
                    detail: "401".into(),
                },
                true,
            ),
            (BackendError::Corrupt { detail: "x".into() }, true),
        ];
        for (error, operational) in cases {
            assert_eq!(error.kind().is_operational(), operational, "{error}");
        }
    }

    #[test]
    fn a_file_that_is_not_a_database_is_corrupt_and_a_busy_one_unavailable() {
        let error = |code| {
            BackendError::Store(StoreError::Sqlite {
                location: "local.db".into(),
                source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
            })
        };
        assert_eq!(
            error(rusqlite::ffi::SQLITE_NOTADB).kind(),
            ErrorKind::Corrupt
        );
        assert_eq!(
            error(rusqlite::ffi::SQLITE_BUSY).kind(),
            ErrorKind::Unavailable
        );
        assert_eq!(
            error(rusqlite::ffi::SQLITE_CANTOPEN).kind(),
            ErrorKind::Store
        );
    }

    #[test]
    fn a_rate_limit_says_when_to_retry() {
        let error = BackendError::RateLimited {
            system: "Autumn API".into(),
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            error.kind(),
            ErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(30))
            }
        );
        assert_eq!(
            error.to_string(),
            "the Autumn API is rate-limiting requests; retry after 30 s"
        );
    }
}
