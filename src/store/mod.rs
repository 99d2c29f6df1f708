//! The store: one `SQLite` file (or a database in memory, for scenarios) that holds the
//! catalog (`features`, `credit_systems`, `plans`, `plan_versions`), the customers and the
//! credit ledger (`subscriptions`, `lots`, `entries`, `charges`, `renewals`, `idempotency`).
//!
//! This module owns the connection: how a file is opened for each kind of command, every
//! pragma, every migration, and the catalog revision that tells a long-lived ledger an apply
//! happened. `backend::local` (the catalog as a billing system) and `ledger` run on it.
//!
//! Durability: WAL journal with `synchronous = FULL` (the ledger lowers it to `NORMAL` on its
//! own connections, docs/ledger.md), so a committed transaction survives the process being
//! killed and a power loss.
//!
//! Opening never harms a file that is not a store: it is identified from its header and table
//! names first (see [`identity`]) and refused untouched. A command that only reads never
//! creates or migrates a store.

mod catalog;
mod change_stamp;
mod checkpointer;
mod error;
mod identity;
mod migrations;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, MAIN_DB, OpenFlags};

pub(crate) use catalog::catalog_revision_sql;
pub use catalog::{
    PlanVersions, StoredCatalog, bump_catalog_revision, catalog_revision, revision_of,
};
pub use change_stamp::ChangeStamp;
pub use checkpointer::Checkpointer;
pub use error::StoreError;
pub use identity::APPLICATION_ID;
pub use migrations::SCHEMA_VERSION;

use error::location_of;
use identity::{Identity, identify};

/// What a command does with the store, which decides how it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads (`balance`, `history`, `check`, `customer show`, `import`): the store must exist
    /// and have this build's schema. Nothing is created or migrated. A store the process may
    /// not write (a read-only file or directory) is read from a copy in memory, so the
    /// ledger can still bring periods up to date for the answer.
    Read,
    /// [`Access::Read`], except that a missing store reads as an empty one and is not created
    /// (`plan` before the first `apply`).
    ReadOrEmpty,
    /// Writes to a store that exists (the ledger's writes: without a store there is no catalog
    /// to run on); migrates it forward.
    Write,
    /// Writes, creating the store and its directory when missing (`apply`); migrates it
    /// forward.
    Create,
}

impl Access {
    /// Whether commands may change the store through this access.
    pub fn writes(self) -> bool {
        matches!(self, Access::Write | Access::Create)
    }
}

/// An open store. See the module documentation.
pub struct Store {
    connection: Connection,
    path: Option<PathBuf>,
    access: Access,
}

impl Store {
    /// Opens the store at `path` for `access`.
    pub fn open(path: &Path, access: Access) -> Result<Store, StoreError> {
        let location = || location_of(Some(path));
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => {
                return Err(StoreError::NotAStore {
                    location: location(),
                    reason: "it is a directory".into(),
                });
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => match access {
                Access::Read | Access::Write => {
                    return Err(StoreError::Missing {
                        location: location(),
                    });
                }
                Access::ReadOrEmpty => {
                    let mut store = Store::open_in_memory()?;
                    store.path = Some(path.to_path_buf());
                    store.access = Access::Read;
                    return Ok(store);
                }
                Access::Create => create_directory(path)?,
            },
            // Anything else (a directory that cannot be listed): SQLite says it better.
            Ok(_) | Err(_) => {}
        }
        if access.writes() {
            Store::open_for_writing(path, access)
        } else {
            Store::open_for_reading(path)
        }
    }

    /// A fresh, empty store in memory (scenarios, and tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open {
            location: location_of(None),
            source,
        };
        let connection = Connection::open_in_memory().map_err(open_error)?;
        let mut store = Store {
            connection,
            path: None,
            access: Access::Create,
        };
        store.prepare_for_writing(Identity::Empty)?;
        Ok(store)
    }

    /// The connection, for queries and [`WriteTransaction`](rusqlite::Connection)s.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The connection, for rusqlite's own transactions.
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// The file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// How messages name the store: its path, or `:memory:`.
    pub fn location(&self) -> String {
        location_of(self.path())
    }

    /// Leaves the log's checkpoints to a [`Checkpointer`]: this connection checkpoints only
    /// once the log passes its bound (`SQLite`'s default is at 1,000 pages, in whichever
    /// connection commits). For a long-lived writer whose commits must not wait for the syncs
    /// of a checkpoint.
    pub fn defer_checkpoints(&self) -> Result<(), StoreError> {
        self.connection
            .pragma_update(
                None,
                "wal_autocheckpoint",
                checkpointer::WRITER_CHECKPOINT_PAGES,
            )
            .map_err(|source| self.failed(source))
    }

    /// Refuses to change a store opened for reading (it may be a copy in memory, where a
    /// change would be lost).
    pub fn require_writable(&self) -> Result<(), StoreError> {
        if self.access.writes() {
            Ok(())
        } else {
            Err(StoreError::ReadOnly {
                location: self.location(),
                source: None,
            })
        }
    }

    /// A `SQLite` failure on this store, named by its file.
    pub fn failed(&self, source: rusqlite::Error) -> StoreError {
        StoreError::at(self.location(), source)
    }

    /// Opens for a command that writes: the file must be a store (or, for
    /// [`Access::Create`], empty) and writable; then it is migrated forward.
    fn open_for_writing(path: &Path, access: Access) -> Result<Store, StoreError> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if access == Access::Create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let connection = open_file(path, flags)?;
        let identity = identify_file(&connection, path)?;
        let refusal = match &identity {
            Identity::Foreign(reason) => Some(reason.clone()),
            Identity::Empty if access != Access::Create => Some("it is empty".into()),
            _ => None,
        };
        if let Some(reason) = refusal {
            return Err(StoreError::NotAStore {
                location: location_of(Some(path)),
                reason,
            });
        }
        let mut store = Store {
            connection,
            path: Some(path.to_path_buf()),
            access,
        };
        if store
            .connection
            .is_readonly(MAIN_DB)
            .map_err(|source| store.failed(source))?
        {
            return Err(StoreError::ReadOnly {
                location: store.location(),
                source: None,
            });
        }
        store.prepare_for_writing(identity)?;
        Ok(store)
    }

    /// Opens for a command that reads. The file is opened for writing when the process may
    /// (`SQLite` opens a write-protected file read-only instead), so the ledger can store the
    /// periods it brings up to date; otherwise it is read from a copy in memory.
    fn open_for_reading(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = open_file(path, flags)?;
        let writable = match connection.is_readonly(MAIN_DB) {
            Ok(read_only) => !read_only,
            Err(_) => false,
        };
        let identity = if writable {
            match identify(&connection) {
                Ok(identity) => Some(identity),
                Err(error) if is_not_a_database(&error) => {
                    return Err(not_a_database(path));
                }
                // A WAL store in a directory the process may not write: SQLite cannot create
                // the shared-memory file a reader needs. The copy below does not need it.
                Err(_) => None,
            }
        } else {
            None
        };
        let Some(identity) = identity else {
            drop(connection);
            return Store::read_copy(path);
        };
        let store = Store {
            connection,
            path: Some(path.to_path_buf()),
            access: Access::Read,
        };
        store.require_current(&identity)?;
        store.configure()?;
        Ok(store)
    }

    /// A store the process may not write, copied into memory. Opened `immutable` (no lock, no
    /// shared memory) unless a write-ahead log beside it may hold commits not yet in the file.
    fn read_copy(path: &Path) -> Result<Store, StoreError> {
        let location = || location_of(Some(path));
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let immutable = !Path::new(&wal).exists();
        let uri = file_uri(path, immutable).ok_or_else(|| StoreError::NotAStore {
            location: location(),
            reason: "its path is not valid UTF-8".into(),
        })?;
        let source = open_file(
            Path::new(&uri),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let identity = identify_file(&source, path)?;
        let mut copy = Store::open_in_memory()?;
        copy.path = Some(path.to_path_buf());
        copy.access = Access::Read;
        copy.require_current(&identity)?;
        rusqlite::backup::Backup::new(&source, &mut copy.connection)
            .and_then(|backup| backup.run_to_completion(1024, Duration::ZERO, None))
            .map_err(|source| StoreError::Open {
                location: location(),
                source,
            })?;
        Ok(copy)
    }

    /// Refuses a store of another schema version: a read never migrates.
    fn require_current(&self, identity: &Identity) -> Result<(), StoreError> {
        match identity {
            Identity::Pricectl { schema } if *schema == SCHEMA_VERSION => Ok(()),
            Identity::Pricectl { schema } if *schema > SCHEMA_VERSION => {
                Err(StoreError::NewerSchema {
                    location: self.location(),
                    found: *schema,
                    known: SCHEMA_VERSION,
                })
            }
            Identity::Pricectl { schema } => Err(StoreError::OlderSchema {
                location: self.location(),
                found: *schema,
                known: SCHEMA_VERSION,
            }),
            Identity::Empty => Err(StoreError::NotAStore {
                location: self.location(),
                reason: "it is empty".into(),
            }),
            Identity::Foreign(reason) => Err(StoreError::NotAStore {
                location: self.location(),
                reason: reason.clone(),
            }),
        }
    }

    /// The pragmas of every connection: none of them writes to the file.
    fn configure(&self) -> Result<(), StoreError> {
        let connection = &self.connection;
        let set = || -> rusqlite::Result<()> {
            connection.busy_timeout(Duration::from_secs(10))?;
            connection.pragma_update(None, "foreign_keys", "ON")?;
            connection.pragma_update(None, "synchronous", "FULL")?;
            // The ledger runs a few dozen distinct statements per operation; keep them all
            // prepared.
            connection.set_prepared_statement_cache_capacity(128);
            // And keep them prepared for real: without the query planner stability
            // guarantee, SQLite marks a statement for re-preparing on every new binding of a
            // parameter it compared with a literal while planning (a `customer_id = ?1` term
            // is compared with a partial index's `empty = 0`), and re-preparing costs many
            // times what running it does. The plans here never depend on a bound value.
            connection.set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
                true,
            )?;
            Ok(())
        };
        set().map_err(|source| self.failed(source))
    }

    /// Makes a store (or an empty file) ready for writing: WAL, then the schema migrated
    /// forward and the file marked as pricectl's.
    fn prepare_for_writing(&mut self, identity: Identity) -> Result<(), StoreError> {
        if let Identity::Foreign(reason) = identity {
            return Err(StoreError::NotAStore {
                location: self.location(),
                reason,
            });
        }
        if let Identity::Pricectl { schema } = identity
            && schema > SCHEMA_VERSION
        {
            return Err(StoreError::NewerSchema {
                location: self.location(),
                found: schema,
                known: SCHEMA_VERSION,
            });
        }
        self.configure()?;
        let failed = |source| StoreError::Sqlite {
            location: location_of(self.path.as_deref()),
            source,
        };
        // WAL lets readers work while a writer commits.
        self.connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(failed)?;
        migrations::migrate(&mut self.connection).map_err(failed)?;
        let application_id: i64 = self
            .connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(failed)?;
        if application_id != APPLICATION_ID {
            self.connection
                .pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(failed)?;
        }
        Ok(())
    }
}

fn create_directory(path: &Path) -> Result<(), StoreError> {
    let Some(directory) = path
        .parent()
        .filter(|directory| !directory.as_os_str().is_empty())
    else {
        return Ok(());
    };
    std::fs::create_dir_all(directory).map_err(|source| StoreError::CreateDirectory {
        location: directory.display().to_string(),
        source,
    })
}

fn open_file(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        location: location_of(Some(path)),
        source,
    })
}

/// [`identify`], with a file that is not a database reported as not a store, and a store
/// the process may not write (`SQLite` needs to write beside a WAL store even to read it) as
/// read-only.
fn identify_file(connection: &Connection, path: &Path) -> Result<Identity, StoreError> {
    identify(connection).map_err(|source| {
        if is_not_a_database(&source) {
            not_a_database(path)
        } else if source.sqlite_error_code() == Some(ErrorCode::ReadOnly) {
            StoreError::ReadOnly {
                location: location_of(Some(path)),
                source: Some(source),
            }
        } else {
            StoreError::Open {
                location: location_of(Some(path)),
                source,
            }
        }
    })
}

fn is_not_a_database(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(ErrorCode::NotADatabase)
}

fn not_a_database(path: &Path) -> StoreError {
    StoreError::NotAStore {
        location: location_of(Some(path)),
        reason: "it is not a SQLite database".into(),
    }
}

/// `file:PATH?mode=ro` (and `&immutable=1`), with the characters a URI gives meaning to
/// escaped. `None` for a path that is not UTF-8.
fn file_uri(path: &Path, immutable: bool) -> Option<String> {
    let mut uri = String::from("file:");
    for character in path.to_str()?.chars() {
        match character {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            other => uri.push(other),
        }
    }
    uri.push_str("?mode=ro");
    if immutable {
        uri.push_str("&immutable=1");
    }
    Some(uri)
}
