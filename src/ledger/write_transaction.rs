//! A write transaction whose `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` are prepared once.
//!
//! rusqlite's `Transaction` parses those statements on every use; on the ledger's hot path
//! (`track`: one small transaction per event) that parsing was a fifth of the work.
//!
//! Inside a transaction already open on the connection (a group of operations committed
//! together, [`Ledger::in_one_commit`](super::Ledger::in_one_commit)) it is a savepoint
//! instead: committing releases it into the enclosing transaction, and dropping it undoes its
//! own writes alone, so a failed operation of a group leaves the others' work in place.

use std::ops::Deref;

use rusqlite::Connection;

/// An open `BEGIN IMMEDIATE` transaction: it holds the write lock, so writers queue instead of
/// interleaving. Dropped without [`WriteTransaction::commit`], it rolls back. Within an
/// enclosing transaction, a savepoint of it.
pub struct WriteTransaction<'a> {
    connection: &'a Connection,
    open: bool,
    /// A savepoint within an enclosing transaction, not a transaction of its own.
    nested: bool,
}

impl<'a> WriteTransaction<'a> {
    pub fn begin(connection: &'a Connection) -> rusqlite::Result<Self> {
        let nested = !connection.is_autocommit();
        let begin = if nested {
            "SAVEPOINT ledger_operation"
        } else {
            "BEGIN IMMEDIATE"
        };
        connection.prepare_cached(begin)?.execute([])?;
        Ok(Self {
            connection,
            open: true,
            nested,
        })
    }

    pub fn commit(mut self) -> rusqlite::Result<()> {
        let commit = if self.nested {
            "RELEASE ledger_operation"
        } else {
            "COMMIT"
        };
        self.connection.prepare_cached(commit)?.execute([])?;
        self.open = false;
        Ok(())
    }
}

impl Deref for WriteTransaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.connection
    }
}

impl Drop for WriteTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // A failed rollback leaves SQLite to roll back when the connection closes; there is
            // nothing better to do in a destructor.
            let rollback: &[&str] = if self.nested {
                // Back to the savepoint, then off the stack: the enclosing transaction goes on.
                &["ROLLBACK TO ledger_operation", "RELEASE ledger_operation"]
            } else {
                &["ROLLBACK"]
            };
            for statement in rollback {
                let _ = self
                    .connection
                    .prepare_cached(statement)
                    .and_then(|mut statement| statement.execute([]));
            }
        }
    }
}
