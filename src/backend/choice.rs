use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Which billing system a command works on, as data: its kind and where it is, never a
/// secret (credentials come from the environment when the backend is opened). A saved plan
/// records it, so `apply FILE` reaches the system the plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BackendChoice {
    /// The embedded `SQLite` store at `path`.
    Local { path: PathBuf },
    /// An Autumn organization's catalog through Autumn's API at `api_url`, with the secret
    /// key read from the environment variable `key_variable` (its name, never its value).
    Autumn {
        api_url: String,
        #[serde(default = "default_key_variable")]
        key_variable: String,
    },
}

/// Autumn's public API, when neither `--api-url`, `AUTUMN_API_URL` nor `pricectl.toml` says
/// otherwise.
pub const DEFAULT_AUTUMN_API_URL: &str = "https://api.useautumn.com";

fn default_key_variable() -> String {
    "AUTUMN_SECRET_KEY".to_string()
}

impl BackendChoice {
    /// The local store it names, whose ledger `--from-ledger` reads (`None`: a remote system).
    pub fn local_store(&self) -> Option<&Path> {
        match self {
            BackendChoice::Local { path } => Some(path),
            BackendChoice::Autumn { .. } => None,
        }
    }

    /// The same backend with its location rewritten by `relocate` (a saved plan stores
    /// locations relative to its own directory, so it can move with its repository).
    #[must_use]
    pub fn relocated(&self, relocate: impl Fn(&Path) -> PathBuf) -> BackendChoice {
        match self {
            BackendChoice::Local { path } => BackendChoice::Local {
                path: relocate(path),
            },
            BackendChoice::Autumn { .. } => self.clone(),
        }
    }
}
