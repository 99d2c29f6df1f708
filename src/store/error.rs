use std::path::Path;

/// Why the store could not be opened, read or written. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A command that only reads found no store: it never creates one.
    #[error("no local store at `{location}`")]
    Missing { location: String },
    /// The file exists but is not a pricectl store; it was left untouched.
    #[error("`{location}` is not a pricectl store: {reason}")]
    NotAStore { location: String, reason: String },
    #[error("the local store `{location}` could not be opened")]
    Open {
        location: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the local store `{location}` was written by a newer pricectl (schema version {found}, this build knows up to {known})"
    )]
    NewerSchema {
        location: String,
        found: i64,
        known: i64,
    },
    /// A read never migrates: the store stays as an older pricectl left it.
    #[error(
        "the local store `{location}` has the schema of an older pricectl (version {found}, this build reads {known})"
    )]
    OlderSchema {
        location: String,
        found: i64,
        known: i64,
    },
    /// A command that writes met a store it may not write (the file's or its directory's
    /// permissions, or a store opened for reading).
    #[error("the local store `{location}` is read-only")]
    ReadOnly {
        location: String,
        #[source]
        source: Option<rusqlite::Error>,
    },
    #[error("could not create the directory `{location}` for the local store")]
    CreateDirectory {
        location: String,
        #[source]
        source: std::io::Error,
    },
    /// A thread that works on the store (the server's checkpoints) could not start.
    #[error("a thread for the local store `{location}` could not start")]
    Thread {
        location: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the local store `{location}` failed")]
    Sqlite {
        location: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the local store `{location}` holds {what} pricectl cannot read: {detail}")]
    Corrupt {
        location: String,
        what: String,
        detail: String,
    },
}

impl StoreError {
    /// A `SQLite` failure on the store at `location` (a write refused by the file's
    /// permissions is [`StoreError::ReadOnly`]).
    pub fn at(location: String, source: rusqlite::Error) -> StoreError {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
            StoreError::ReadOnly {
                location,
                source: Some(source),
            }
        } else {
            StoreError::Sqlite { location, source }
        }
    }

    /// What to do about it, for the CLI's `help:` line.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            StoreError::Missing { .. } => Some(
                "`pricectl apply` creates the store with your pricing; pass `--state` to name another store",
            ),
            StoreError::NotAStore { .. } => {
                Some("pass `--state` with the path of a store that `pricectl apply` created")
            }
            StoreError::OlderSchema { .. } => Some(
                "a command that writes (`pricectl apply`, `attach`, `track`) upgrades the store first",
            ),
            StoreError::NewerSchema { .. } => Some("use the pricectl that wrote this store"),
            StoreError::ReadOnly { .. } => Some(
                "allow writing to the file and to its directory (SQLite keeps a `-wal` file beside it)",
            ),
            _ => None,
        }
    }

    /// The `SQLite` error behind this one, if any.
    pub fn sqlite(&self) -> Option<&rusqlite::Error> {
        match self {
            StoreError::Open { source, .. } | StoreError::Sqlite { source, .. } => Some(source),
            StoreError::ReadOnly { source, .. } => source.as_ref(),
            _ => None,
        }
    }
}

/// How a store is named in messages: its path, or `:memory:`.
pub fn location_of(path: Option<&Path>) -> String {
    path.map_or_else(|| ":memory:".to_string(), |path| path.display().to_string())
}
