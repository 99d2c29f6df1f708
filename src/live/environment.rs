//! Which of a billing system's environments a catalog is in.

use serde::{Deserialize, Serialize};

/// A billing system's environment, for systems that have two (Autumn's sandbox and live keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// A sandbox: no real customers, no real money.
    Sandbox,
    /// The catalog real customers buy from.
    Live,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Live => "live",
        }
    }
}
