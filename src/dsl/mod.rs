//! The pricing language: source loading, the spanned document types, and the reader that
//! turns TOML into those types while reporting every problem it meets.
//!
//! The document types are also the source of the JSON Schema (`schema`), so the editor's
//! validation and the compiler's reading cannot drift apart.

mod decimal_literal;
mod declarations;
pub mod document;
mod duplicate_items;
pub mod format;
mod parse;
mod pieces;
mod piecewise;
mod reader;
pub mod revision;
pub mod schema;
mod source;
mod spanned;
pub mod write;

pub use decimal_literal::DecimalLiteral;
pub use declarations::Declarations;
pub use parse::{Parsed, ParsedFile, parse_sources};
pub use source::{LoadError, SourceFile, SourceSet};
pub(crate) use source::{read_text, toml_files};
pub use spanned::{Entry, IdMap, Spanned};

/// The language versions this build reads.
pub const SUPPORTED_VERSIONS: &[u32] = &[1];

/// The pattern every id of a feature, credit system or plan matches.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9_-]*$";

/// Whether `id` matches [`ID_PATTERN`].
pub fn is_valid_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    bytes
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first.is_ascii_digit())
        && bytes.all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'-'
        })
}
