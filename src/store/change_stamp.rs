//! Whether a store changed since a moment: what a reader that keeps what it read checks
//! before it answers from it again.

use super::{Store, StoreError};

/// What a connection of the store says about changes to its database, read at one moment.
/// Two stamps of the same connection are equal only if nothing was written to the database in
/// between, by this connection or any other:
///
/// - `PRAGMA data_version` changes when another connection (of this process or another) has
///   committed a change, and is unchanged for this connection's own commits
///   (<https://sqlite.org/pragma.html#pragma_data_version>);
/// - `sqlite3_total_changes()` counts the rows every INSERT, UPDATE and DELETE of this
///   connection changed since it was opened, and ignores other connections
///   (<https://sqlite.org/c3ref/total_changes.html>). Rows a REPLACE removes are not counted,
///   but the row it inserts is; a statement that changes no row changes nothing; a change
///   rolled back still counts, so a stamp may move when nothing changed, never the other way.
///
/// Schema changes count in neither, but they happen only while a store is opened (its
/// migrations), before any stamp is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeStamp {
    data_version: i64,
    total_changes: u64,
}

impl Store {
    /// The stamp now. Read it BEFORE reading what is kept under it: a commit between the two
    /// then moves the next stamp, so what was read is read again, never kept past a change.
    pub fn change_stamp(&self) -> Result<ChangeStamp, StoreError> {
        let connection = self.connection();
        let data_version = connection
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
            .map_err(|source| self.failed(source))?;
        Ok(ChangeStamp {
            data_version,
            total_changes: connection.total_changes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Access, Store};

    #[test]
    fn the_stamp_moves_with_a_write_of_this_connection_or_of_another_and_only_then() {
        let directory = tempfile::tempdir().expect("a directory");
        let path = directory.path().join("store.db");
        let store = Store::open(&path, Access::Create).expect("a store");
        let other = Store::open(&path, Access::Write).expect("another connection");
        let first = store.change_stamp().expect("a stamp");
        store
            .connection()
            .query_row("SELECT COUNT(*) FROM features", [], |row| {
                row.get::<_, i64>(0)
            })
            .expect("a read");
        assert_eq!(store.change_stamp().expect("a stamp"), first, "a read");

        store
            .connection()
            .execute("INSERT INTO meta (key, value) VALUES ('own', '1')", [])
            .expect("a write");
        let own = store.change_stamp().expect("a stamp");
        assert_ne!(own, first, "this connection's write");

        other
            .connection()
            .execute("INSERT INTO meta (key, value) VALUES ('other', '1')", [])
            .expect("a write");
        let after_other = store.change_stamp().expect("a stamp");
        assert_ne!(after_other, own, "another connection's commit");
        assert_eq!(store.change_stamp().expect("a stamp"), after_other);
    }
}
