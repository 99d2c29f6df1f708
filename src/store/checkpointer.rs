//! WAL checkpoints on a thread of their own, for a long-lived writer (`pricectl serve`).
//!
//! In WAL mode a commit appends to the log (`-wal`), and a checkpoint copies the log back into
//! the database file, syncing both. `SQLite` checkpoints by default in the connection that
//! commits, once the log passes 1,000 pages: the writer's thread then waits for two `fsync`s
//! (each several milliseconds on a busy disk), and so does every request queued behind it.
//! The ledger commits with `synchronous = NORMAL`, so those checkpoints are the only syncs its
//! commits wait for.
//!
//! A [`Checkpointer`] moves that work off the writer: its thread holds a connection of its
//! own and runs a `PASSIVE` checkpoint every [`PASS_INTERVAL`], which never blocks a writer
//! or a reader (it copies what no reader still needs and leaves the rest for the next pass).
//! The writer's connections checkpoint only past [`WRITER_CHECKPOINT_PAGES`]
//! ([`Store::defer_checkpoints`](super::Store::defer_checkpoints)), the bound on the log:
//! under a load that never pauses the log is never copied completely between two commits, so
//! `SQLite` never starts it over from the beginning, and the writer's own checkpoint at the
//! bound (of the few pages the last pass left) lets it. Once nothing has been written for
//! [`IDLE`], the thread truncates the log to nothing, without waiting for any lock.
//!
//! Durability is the same: a checkpoint copies what is already committed; where a commit is
//! durable (in the log, synced or not) does not change.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::StoreError;
use super::error::location_of;

/// How often the thread copies the log into the database.
pub const PASS_INTERVAL: Duration = Duration::from_millis(25);

/// How long nothing must have been written before the log is truncated.
pub const IDLE: Duration = Duration::from_secs(1);

/// The log size (in pages, 4 KiB each) past which a writer checkpoints itself: 64 MiB.
pub const WRITER_CHECKPOINT_PAGES: u32 = 16_384;

/// The thread that checkpoints a store's log; stopped (after a last, complete checkpoint)
/// by [`Checkpointer::stop`] or when dropped.
pub struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

/// What one `PRAGMA wal_checkpoint` said: pages in the log, and how many of them are in the
/// database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    log: i64,
    copied: i64,
}

impl Progress {
    fn complete(self) -> bool {
        self.log == self.copied
    }
}

impl Checkpointer {
    /// Starts checkpointing the store at `path` (which must exist and be in WAL mode, as every
    /// store opened for writing is).
    pub fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            location: location_of(Some(path)),
            source,
        })?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let thread = std::thread::Builder::new()
            .name("pricectl-checkpoint".into())
            .spawn({
                let stop = Arc::clone(&stop);
                move || run(&connection, &stop)
            })
            .map_err(|source| StoreError::Thread {
                location: location_of(Some(path)),
                source,
            })?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread once it has copied the whole log and truncated it (waiting for a
    /// writer still at work, up to the busy timeout).
    pub fn stop(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn run(connection: &Connection, stop: &(Mutex<bool>, Condvar)) {
    let (stopped, wake) = stop;
    let mut last_progress = None;
    let mut unchanged_since = Instant::now();
    let mut truncated = false;
    loop {
        {
            let guard = stopped.lock().unwrap_or_else(PoisonError::into_inner);
            let (guard, _) = wake
                .wait_timeout_while(guard, PASS_INTERVAL, |stopped| !*stopped)
                .unwrap_or_else(PoisonError::into_inner);
            if *guard {
                break;
            }
        }
        // A failure (the disk, a lock held by another process) is the next pass's to retry:
        // nothing depends on a checkpoint but the log's size.
        let Ok(progress) = checkpoint(connection, "PASSIVE") else {
            continue;
        };
        if last_progress != Some(progress) {
            last_progress = Some(progress);
            unchanged_since = Instant::now();
            truncated = false;
            continue;
        }
        if !truncated
            && progress.log > 0
            && progress.complete()
            && unchanged_since.elapsed() >= IDLE
        {
            // Idle: give the log's space back. Never wait for a lock here: a writer that
            // started meanwhile goes first, and the next idle second tries again.
            if connection.busy_timeout(Duration::ZERO).is_ok()
                && checkpoint(connection, "TRUNCATE").is_ok_and(Progress::complete)
            {
                truncated = true;
                last_progress = Some(Progress { log: 0, copied: 0 });
            }
            let _ = connection.busy_timeout(BUSY_TIMEOUT);
        }
    }
    // The last pass: everything copied, the log emptied, so the store is one file again.
    // If another process is writing still, it checkpoints its own commits.
    let _ = connection.busy_timeout(BUSY_TIMEOUT);
    let _ = checkpoint(connection, "TRUNCATE");
}

/// How long the last checkpoint waits for a writer of another process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn checkpoint(connection: &Connection, mode: &str) -> rusqlite::Result<Progress> {
    connection.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        Ok(Progress {
            log: row.get(1)?,
            copied: row.get(2)?,
        })
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::store::{Access, Store};

    /// A store whose writer defers its checkpoints, holding `rows` rows of 4,000 bytes, each
    /// committed on its own (a page or more of log each).
    fn written(path: &Path, rows: u32) -> Store {
        let store = Store::open(path, Access::Create).expect("a store");
        store.defer_checkpoints().expect("deferred");
        let connection = store.connection();
        connection
            .execute_batch("CREATE TABLE filler (bytes BLOB)")
            .expect("a table");
        for _ in 0..rows {
            connection
                .execute("INSERT INTO filler VALUES (randomblob(4000))", [])
                .expect("a row");
        }
        store
    }

    fn size(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |metadata| metadata.len())
    }

    fn log_of(path: &Path) -> PathBuf {
        let mut log = path.as_os_str().to_owned();
        log.push("-wal");
        PathBuf::from(log)
    }

    #[test]
    fn the_log_is_copied_off_the_writer_and_emptied_once_idle() {
        let directory = tempfile::tempdir().expect("a directory");
        let path = directory.path().join("local.db");
        let store = written(&path, 2_000);
        // SQLite's default would have checkpointed in the writer at 1,000 pages and started
        // the log over; deferred, the log holds all 2,000 commits.
        assert!(
            size(&log_of(&path)) > 2_000 * 4_096,
            "the writer checkpointed"
        );
        let database_before = size(&path);
        let checkpointer = Checkpointer::start(&path).expect("started");
        let deadline = Instant::now() + Duration::from_secs(10);
        while size(&log_of(&path)) > 0 && Instant::now() < deadline {
            std::thread::sleep(PASS_INTERVAL);
        }
        // Copied into the database file, and the log truncated after a second of idleness,
        // while the writer's connection stayed open.
        assert_eq!(size(&log_of(&path)), 0);
        assert!(size(&path) > database_before + 2_000 * 4_000);
        let rows: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM filler", [], |row| row.get(0))
            .expect("counted");
        assert_eq!(rows, 2_000);
        checkpointer.stop();
    }

    #[test]
    fn stopping_copies_the_whole_log_and_empties_it() {
        let directory = tempfile::tempdir().expect("a directory");
        let path = directory.path().join("local.db");
        let store = written(&path, 300);
        let checkpointer = Checkpointer::start(&path).expect("started");
        // More commits while it runs, then a stop well before the log could be idle.
        for _ in 0..300 {
            store
                .connection()
                .execute("INSERT INTO filler VALUES (randomblob(4000))", [])
                .expect("a row");
        }
        checkpointer.stop();
        assert_eq!(size(&log_of(&path)), 0);
        drop(store);
        let reopened = Store::open(&path, Access::Read).expect("reopened");
        let rows: i64 = reopened
            .connection()
            .query_row("SELECT COUNT(*) FROM filler", [], |row| row.get(0))
            .expect("counted");
        assert_eq!(rows, 600);
    }
}
