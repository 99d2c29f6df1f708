//! Autumn's secret key: read from the environment only, never printed.

use std::fmt;

pub use crate::live::Environment;

/// The environment variable the key is read from unless the pricing project names another.
pub const KEY_VARIABLE: &str = "AUTUMN_SECRET_KEY";

/// An Autumn secret key (`am_sk_test_…` or `am_sk_live_…`). `Debug` and `Display` print
/// `[redacted]`, so no error, log line or panic message can carry it; the only way to the key
/// is [`SecretKey::expose`], for the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a key; `None` for an empty one.
    pub fn new(key: &str) -> Option<SecretKey> {
        let key = key.trim().to_string();
        (!key.is_empty()).then_some(SecretKey(key))
    }

    /// The key from the environment variable `variable`, if set and not empty.
    pub fn from_environment(variable: &str) -> Option<SecretKey> {
        std::env::var(variable)
            .ok()
            .and_then(|key| SecretKey::new(&key))
    }

    /// The environment the key reaches, from its shape (as Autumn's own CLI tells them): a key
    /// that says neither `_test_` nor `_live_` is treated as live, the careful reading.
    pub fn environment(&self) -> Environment {
        if self.0.contains("_test_") {
            Environment::Sandbox
        } else {
            Environment::Live
        }
    }

    /// The key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SecretKey([redacted])")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_prints() {
        let key = SecretKey::new("am_sk_live_very_secret").expect("a key");
        assert_eq!(format!("{key} {key:?}"), "[redacted] SecretKey([redacted])");
        assert_eq!(key.expose(), "am_sk_live_very_secret");
    }

    #[test]
    fn the_environment_comes_from_the_key() {
        let environment = |key: &str| SecretKey::new(key).map(|key| key.environment());
        assert_eq!(environment("am_sk_test_abc"), Some(Environment::Sandbox));
        assert_eq!(environment("am_sk_live_abc"), Some(Environment::Live));
        assert_eq!(environment("something_else"), Some(Environment::Live));
        assert_eq!(environment("  "), None);
    }
}
