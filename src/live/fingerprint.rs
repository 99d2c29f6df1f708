//! Fingerprints: what a saved plan was computed from, so it is never applied to a world that
//! has moved.

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Hex SHA-256 of a value's JSON form. Catalog maps are ordered, so equal values give equal
/// fingerprints on every machine.
pub fn fingerprint<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).expect("catalog values serialize");
    let digest = Sha256::digest(&bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}
