//! A write transaction whose `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` are prepared once.
//!
//! rusqlite's `Transaction` parses those statements on every use; on the ledger's hot path
//! (`track`: one small transaction per event) that parsing was a fifth of the work.

use std::ops::Deref;

use rusqlite::Connection;

/// An open `BEGIN IMMEDIATE` transaction: it holds the write lock, so writers queue instead of
/// interleaving. Dropped without [`WriteTransaction::commit`], it rolls back.
pub struct WriteTransaction<'a> {
    connection: &'a Connection,
    open: bool,
}

impl<'a> WriteTransaction<'a> {
    pub fn begin(connection: &'a Connection) -> rusqlite::Result<Self> {
        connection.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(Self {
            connection,
            open: true,
        })
    }

    pub fn commit(mut self) -> rusqlite::Result<()> {
        self.connection.prepare_cached("COMMIT")?.execute([])?;
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
            let _ = self
                .connection
                .prepare_cached("ROLLBACK")
                .and_then(|mut statement| statement.execute([]));
        }
    }
}
