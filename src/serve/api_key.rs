//! The secret keys the server accepts: a type that cannot be printed, so no log line, error or
//! panic shows one.

use std::fmt;

/// One accepted secret key (`am_sk_test_…`).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// A key as given (`--api-key`, `PRICECTL_SERVE_KEYS`); surrounding spaces are dropped.
    pub fn new(text: &str) -> Option<ApiKey> {
        let text = text.trim();
        (!text.is_empty()).then(|| ApiKey(text.to_string()))
    }

    /// A fresh sandbox key: `am_sk_test_` and 32 random letters and digits from the operating
    /// system's generator.
    pub fn generate() -> Result<ApiKey, getrandom::Error> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let suffix: String = bytes
            .iter()
            // 62 letters: the modulo bias (4 in 256) does not matter for a local test key.
            .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
            .collect();
        Ok(ApiKey(format!("am_sk_test_{suffix}")))
    }

    /// The key itself: only for printing a generated key once at start, and comparing.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// `live` for a live key (`_live_`), else `sandbox`: the key alone picks the environment.
    pub fn env(&self) -> &'static str {
        if self.0.contains("_live_") {
            "live"
        } else {
            "sandbox"
        }
    }

    /// Whether `presented` is this key, comparing every byte whatever the first difference, so
    /// the time taken does not tell how much of a guess was right.
    pub fn matches(&self, presented: &str) -> bool {
        let (left, right) = (self.0.as_bytes(), presented.as_bytes());
        left.len() == right.len()
            && left
                .iter()
                .zip(right)
                .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                == 0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_never_prints() {
        let key = ApiKey::new("am_sk_test_secret").expect("a key");
        assert_eq!(format!("{key} {key:?}"), "<redacted> ApiKey(<redacted>)");
        assert!(key.matches("am_sk_test_secret"));
        assert!(!key.matches("am_sk_test_secreT"));
        assert!(!key.matches("am_sk_test_secre"));
        assert_eq!(key.env(), "sandbox");
        assert_eq!(ApiKey::new("am_sk_live_x").expect("a key").env(), "live");
        assert_eq!(ApiKey::new("  "), None);
    }

    #[test]
    fn generated_keys_are_sandbox_keys_and_differ() {
        let (first, second) = (
            ApiKey::generate().expect("random"),
            ApiKey::generate().expect("random"),
        );
        assert!(first.reveal().starts_with("am_sk_test_"));
        assert_eq!(first.reveal().len(), "am_sk_test_".len() + 32);
        assert_ne!(first, second);
    }
}
