//! The operations a replay of the ledger needs and its entries cannot tell: each attach (with
//! the version it attached, at the time it was asked: a downgrade waits for its period's end,
//! but it was asked for, and is replayed, now), quantity change, grant, entity created or
//! deleted, and each track whose request the usage entries do not say (one for an entity, or
//! one capped at the balance). Plain tracks are their usage entries; renewals, top-ups and
//! expiries follow from the operations and the time.
//!
//! Each row holds the ledger's own [`Operation`] and the range of entry ids around it, so a
//! reader puts the usage entries in the order they were made (those up to `entries_before`
//! came first) and leaves out the operation's own (those after it, up to `entries_after`).
//! `pricectl impact --from-ledger` reads it (`crate::impact::ledger_usage`); the table is the
//! store's migration 9.

use rusqlite::{Connection, params};

use super::error::LedgerError;
use super::operation::Operation;

/// The id of the last entry written (0 for none): what an operation's range starts after.
pub(super) fn last_entry(transaction: &Connection) -> Result<i64, LedgerError> {
    Ok(transaction
        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM entries")?
        .query_row([], |row| row.get(0))?)
}

/// One operation performed, to be journaled.
pub(super) struct Performed<'a> {
    pub customer_id: &'a str,
    /// The operation's time (unix milliseconds).
    pub at: i64,
    /// [`last_entry`] before the operation wrote any.
    pub entries_before: i64,
    /// Without its idempotency key: a replay performs it once, as the ledger did.
    pub operation: Operation,
    /// For an attach, the plan version it attached.
    pub version: Option<u32>,
}

/// Journals an operation in the transaction that performed it, so it stands or falls with it.
pub(super) fn record(
    transaction: &Connection,
    performed: &Performed<'_>,
) -> Result<(), LedgerError> {
    let operation = serde_json::to_string(&performed.operation)
        .map_err(|error| LedgerError::Corrupt(error.to_string()))?;
    transaction
        .prepare_cached(
            "INSERT INTO operations (customer_id, at, entries_before, entries_after, operation, version)
             VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(id), 0) FROM entries), ?4, ?5)",
        )?
        .execute(params![
            performed.customer_id,
            performed.at,
            performed.entries_before,
            operation,
            performed.version,
        ])?;
    Ok(())
}
