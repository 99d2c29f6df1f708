//! Views of diagnostics and plans: the same data as a terminal report, JSON, Markdown or
//! GitHub annotations. Renderers decide nothing; they only show.

mod github;
mod human;
mod json;
mod location;
mod plan_json;
mod plan_markdown;
mod plan_text;

#[cfg(test)]
pub(crate) mod plan_fixtures;

pub use github::render_github;
pub use human::{HumanOptions, render_human};
pub use json::{diagnostics_json, render_json};
pub use location::Location;
pub use plan_json::render_plan_json;
pub use plan_markdown::render_plan_markdown;
pub use plan_text::render_plan_text;
