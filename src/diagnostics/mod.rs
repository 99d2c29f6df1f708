//! Problems found in pricing source, as data.
//!
//! A [`Diagnostic`] is produced by the reader (`dsl`) and by the semantic rules (`check`), and
//! rendered by `render`. It never formats itself for a terminal: the same value becomes a
//! miette report, a JSON object or a GitHub annotation.

mod code;
mod diagnostic;
mod line_index;
mod span;
mod suggest;

pub use code::{Code, Severity};
pub use diagnostic::{Diagnostic, Label};
pub use line_index::LineIndex;
pub use span::{FileId, Span};
pub use suggest::did_you_mean;
