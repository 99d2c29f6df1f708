//! Views of diagnostics: the same data as a terminal report, JSON, or GitHub annotations.
//! Renderers decide nothing; they only show.

mod github;
mod human;
mod json;
mod location;

pub use github::render_github;
pub use human::{HumanOptions, render_human};
pub use json::{diagnostics_json, render_json};
pub use location::Location;
