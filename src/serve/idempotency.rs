//! The `Idempotency-Key`s the server claimed, kept in the store (`serve_idempotency`) with the
//! answer each request got, so a repeat is refused after a restart as before it. Autumn's
//! rules (`withIdempotencyKey.ts`): a key is claimed before the work, for the whole
//! organization, for 24 hours; a repeat is 409 `duplicate_idempotency_key` and is not
//! performed; a request that fails (other than as a repeat) releases its key.

use std::path::Path;

use axum::http::StatusCode;
use rusqlite::{OptionalExtension, params};

use super::api_error::ApiError;
use crate::autumn::wire::error::code;
use crate::backend::BackendError;
use crate::ledger::Instant;
use crate::store::{Access, Store};

/// How long a claimed key stays claimed (Autumn's default TTL).
const TTL_MILLISECONDS: i64 = 24 * 60 * 60 * 1000;

/// The claimed keys of one store.
pub struct Claims {
    store: Store,
}

impl Claims {
    /// The claims kept in the store at `path`.
    pub fn open(path: &Path) -> Result<Claims, ApiError> {
        let store = Store::open(path, Access::Create).map_err(BackendError::from)?;
        store.defer_checkpoints().map_err(BackendError::from)?;
        Ok(Claims { store })
    }

    fn failed(&self, error: rusqlite::Error) -> ApiError {
        BackendError::from(self.store.failed(error)).into()
    }

    /// Claims `key` at `now`, committed before the work starts (a crash during the work leaves
    /// the key claimed: a retry is refused rather than risk performing it twice). A key claimed
    /// within the TTL is 409 `duplicate_idempotency_key`.
    pub fn claim(&mut self, key: &str, now: Instant) -> Result<(), ApiError> {
        let connection = self.store.connection();
        let claimed_at: Option<i64> = connection
            .prepare_cached("SELECT claimed_at FROM serve_idempotency WHERE key = ?1")
            .and_then(|mut statement| statement.query_row([key], |row| row.get(0)).optional())
            .map_err(|error| self.failed(error))?;
        if claimed_at.is_some_and(|at| now.0 - at < TTL_MILLISECONDS) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                code::DUPLICATE_IDEMPOTENCY_KEY,
                "Another request with the same idempotency key has already been received",
            ));
        }
        connection
            .prepare_cached(
                "INSERT INTO serve_idempotency (key, claimed_at, answer) VALUES (?1, ?2, NULL)
                 ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at, answer = NULL",
            )
            .and_then(|mut statement| statement.execute(params![key, now.0]))
            .map_err(|error| self.failed(error))?;
        Ok(())
    }

    /// Records the answer a claimed key's request got.
    pub fn answered(&mut self, key: &str, answer: &[u8]) -> Result<(), ApiError> {
        self.store
            .connection()
            .prepare_cached("UPDATE serve_idempotency SET answer = ?2 WHERE key = ?1")
            .and_then(|mut statement| {
                statement.execute(params![key, String::from_utf8_lossy(answer)])
            })
            .map_err(|error| self.failed(error))?;
        Ok(())
    }

    /// Frees a key whose request failed, so the client may retry it.
    pub fn release(&mut self, key: &str) -> Result<(), ApiError> {
        self.store
            .connection()
            .prepare_cached("DELETE FROM serve_idempotency WHERE key = ?1")
            .and_then(|mut statement| statement.execute([key]))
            .map_err(|error| self.failed(error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_holds_for_the_ttl_and_a_released_key_may_be_claimed_again() {
        let directory = tempfile::tempdir().expect("a directory");
        let mut claims = Claims::open(&directory.path().join("local.db")).expect("a store");
        claims.claim("k", Instant(1_000)).expect("a first claim");
        claims.answered("k", b"{}").expect("the answer is kept");
        let repeat = claims
            .claim("k", Instant(1_000 + TTL_MILLISECONDS - 1))
            .expect_err("a repeat within the TTL");
        assert_eq!(repeat.code, code::DUPLICATE_IDEMPOTENCY_KEY);
        claims
            .claim("k", Instant(1_000 + TTL_MILLISECONDS))
            .expect("claimed again once the TTL has passed");
        claims.release("k").expect("released");
        claims
            .claim("k", Instant(1_000 + TTL_MILLISECONDS))
            .expect("a released key is free");
    }
}
