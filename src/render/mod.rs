//! Views of diagnostics and plans: the same data as a terminal report, JSON, Markdown or
//! GitHub annotations. Renderers decide nothing; they only show.

mod apply_report;
mod comparison;
mod control_words;
mod github;
mod human;
mod json;
mod location;
mod plan_github;
mod plan_json;
mod plan_markdown;
mod plan_text;
mod plan_words;
mod revenue;
mod term_words;
mod windowed_text;
mod word_diff;

#[cfg(test)]
pub(crate) mod plan_fixtures;

pub use apply_report::{
    AppliedPricing, backend_error_help, progress_change, progress_finished, progress_started,
    render_apply_failure,
};
pub use comparison::Comparison;
pub use github::render_github;
pub use human::{HumanOptions, Problem, render_human, render_problem};
pub use json::{diagnostics_json, render_json};
pub use location::Location;
pub use plan_github::{PlanLocations, render_plan_github, stop_token};
pub use plan_json::{plan_document, render_plan_json, render_saved_plan};
pub use plan_markdown::{
    LIMIT as MARKDOWN_LIMIT, STEP_SUMMARY_LIMIT, render_plan_markdown, render_plan_markdown_for,
};
pub use plan_text::{changes_line, render_plan_text, render_plan_text_for};
pub use plan_words::{reason_words, refusal_words, unmanaged_comment};
pub use revenue::{REVENUE_MARKDOWN_LIMIT, render_revenue_markdown, render_revenue_text};
