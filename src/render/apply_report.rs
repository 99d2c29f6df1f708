//! What an apply did, in words: the failure report on stderr, the help for each kind of
//! backend failure, and the progress lines of a slow backend. The words follow the backend:
//! "nothing was changed" only where it applies whole or not at all.

use std::fmt::Write as _;

use super::human::{HumanOptions, Problem, render_problem};
use super::plan_text::verb;
use crate::backend::{BackendError, ChangeReport, ChangeStatus, ErrorKind};
use crate::catalog::Address;
use crate::diagnostics::Label;
use crate::diff::Change;
use crate::dsl::{Declarations, SourceSet};
use crate::reconcile::ApplyOutcome;

/// The pricing a plan was made from: its files and where each object is declared, so a change
/// the billing system refused is shown at the line that declares it.
pub struct AppliedPricing<'a> {
    pub sources: &'a SourceSet,
    pub declarations: &'a Declarations,
    /// How the snippet looks (colour, width), as diagnostics on stderr do.
    pub options: HumanOptions,
}

/// The report of an apply that did not complete, for stderr: the failure, where the pricing
/// declares the change that failed (when `pricing` is given and declares it), what became of
/// each change (unless the backend is atomic: then nothing changed), what a fresh read found
/// still to do, and what to do about it. `backend` is how the backend describes itself.
pub fn render_apply_failure(
    outcome: &ApplyOutcome,
    backend: &str,
    pricing: Option<&AppliedPricing>,
) -> String {
    let report = &outcome.report;
    let mut text = match (report.first_failure(), &outcome.remaining) {
        (Some(error), _) => format!("error: the apply failed: {error}"),
        (None, Err(error)) => format!(
            "error: the apply finished but the live catalog could not be read again: {error}"
        ),
        (None, Ok(_)) => {
            "error: the apply finished but the live catalog still differs from the pricing".into()
        }
    };
    if let Some(error) = outcome.failure() {
        push_causes(&mut text, error);
    }
    if let Some(located) = pricing.and_then(|pricing| failed_change_at_its_line(report, pricing)) {
        text.push_str("\n\n");
        text.push_str(located.trim_end());
        text.push('\n');
    }
    let nothing_changed = outcome.atomic && !report.is_complete();
    if nothing_changed {
        let _ = write!(
            text,
            "\n  note: nothing was changed: the {backend} applies a plan whole or not at all"
        );
    } else {
        push_list(
            &mut text,
            "applied",
            &report.addresses(ChangeStatus::is_applied),
        );
        push_list(
            &mut text,
            "failed",
            &report.addresses(|status| matches!(status, ChangeStatus::Failed(_))),
        );
        push_list(
            &mut text,
            "not attempted",
            &report.addresses(|status| matches!(status, ChangeStatus::NotAttempted)),
        );
        match &outcome.remaining {
            Ok(remaining) => {
                let remaining: Vec<&Address> = remaining.iter().collect();
                push_list(
                    &mut text,
                    "still to do, read again after the apply",
                    &remaining,
                );
            }
            Err(error) if report.first_failure().is_some() => {
                let _ = write!(
                    text,
                    "\n  the live catalog could not be read again after the apply: {error}"
                );
            }
            Err(_) => {}
        }
    }
    let help = match outcome.failure() {
        Some(error) => backend_error_help(error),
        None => "these did not take; run `pricectl plan` to see what is left".into(),
    };
    let _ = writeln!(text, "\n  help: {help}");
    text
}

/// The change the billing system refused (or found in conflict), as a snippet of the pricing
/// at the line that declares its object (an item's plan, when the item is gone); `None` when
/// no change failed that way or the pricing no longer declares it (a delete).
fn failed_change_at_its_line(
    report: &crate::backend::ApplyReport,
    pricing: &AppliedPricing,
) -> Option<String> {
    let (change, error) = report
        .changes
        .iter()
        .find_map(|change: &ChangeReport| match &change.status {
            ChangeStatus::Failed(error) if error.address().is_some() => Some((change, error)),
            _ => None,
        })?;
    let span = pricing
        .declarations
        .objects
        .get(&change.address)
        .or_else(|| {
            change
                .address
                .parent()
                .and_then(|plan| pricing.declarations.objects.get(&plan))
        })?;
    let fate = match error.kind() {
        ErrorKind::Conflict => "conflicts with the live catalog",
        _ => "was refused",
    };
    let message = format!(
        "the change `{} {}` {fate}",
        verb(change.action),
        change.address
    );
    let labels = [Label {
        span: span.clone(),
        message: format!("`{}` is declared here", change.address),
        primary: true,
    }];
    let problem = Problem {
        code: None,
        message: &message,
        help: None,
        labels: &labels,
    };
    Some(render_problem(&problem, pricing.sources, pricing.options))
}

/// What to do about a backend failure, by its kind.
pub fn backend_error_help(error: &BackendError) -> String {
    // The store knows best what to do about itself (apply first, name another store, fix a
    // permission); the kind's help is for the rest.
    if let BackendError::Store(store) = error
        && let Some(help) = store.help()
    {
        return help.to_string();
    }
    match error.kind() {
        ErrorKind::Rejected => "the billing system refused this change as it stands; change the pricing (or make the plan again) and apply again".into(),
        ErrorKind::Conflict => "the live catalog moved since the plan was made; run `pricectl plan` again and review the new plan".into(),
        ErrorKind::RateLimited { retry_after } => match retry_after {
            Some(wait) => format!("wait {} s and run the command again: the changes that took are kept, the plan is made again against them", wait.as_secs().max(1)),
            None => "wait a little and run the command again: the changes that took are kept, the plan is made again against them".into(),
        },
        ErrorKind::Unavailable => "the billing system could not be reached or failed on its side; run the command again later (the pricing was not judged)".into(),
        ErrorKind::Unauthorized => "check the API key in the environment: it is missing, mistyped or revoked".into(),
        ErrorKind::Corrupt => "the store holds data pricectl cannot read, or the file is not a pricectl store; name the right store with `--state`, or restore it from a backup".into(),
        ErrorKind::Store => "check that the store's path exists and that you may read and write it; name another with `--state`".into(),
    }
}

/// A slow backend's line as it starts a change: `[2/5] update plan.pro …`.
pub fn progress_started(index: usize, total: usize, change: &Change) -> String {
    format!("[{}/{total}] {} …\n", index + 1, progress_change(change))
}

/// The change being applied, as progress names it: `update plan.pro`.
pub fn progress_change(change: &Change) -> String {
    format!("{} {}", verb(change.action), change.address)
}

/// A slow backend's line as a change ends: `[2/5] plan.pro: done` or `: failed`.
pub fn progress_finished(
    index: usize,
    total: usize,
    change: &Change,
    status: &ChangeStatus,
) -> String {
    let fate = match status {
        ChangeStatus::Applied => "done",
        ChangeStatus::Failed(_) => "failed",
        ChangeStatus::NotAttempted => "not attempted",
        ChangeStatus::RolledBack => "rolled back",
    };
    format!("[{}/{total}] {}: {fate}\n", index + 1, change.address)
}

fn push_causes(text: &mut String, error: &BackendError) {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = write!(text, "\n  caused by: {cause}");
        source = cause.source();
    }
}

fn push_list(text: &mut String, label: &str, addresses: &[&Address]) {
    if addresses.is_empty() {
        return;
    }
    let names: Vec<String> = addresses.iter().map(ToString::to_string).collect();
    let _ = write!(
        text,
        "\n  {label} ({}): {}",
        addresses.len(),
        names.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{progress_finished, progress_started, render_apply_failure};
    use crate::backend::{ApplyReport, BackendError, ChangeReport, ChangeStatus};
    use crate::diff::Action;
    use crate::reconcile::ApplyOutcome;
    use crate::render::plan_fixtures;

    const BACKEND: &str = "Autumn API at https://api.useautumn.com";

    fn change(address: &str, action: Action, status: ChangeStatus) -> ChangeReport {
        ChangeReport {
            address: address.parse().unwrap(),
            action,
            status,
        }
    }

    fn rejected(address: &str) -> BackendError {
        BackendError::Rejected {
            address: address.into(),
            reason: "an item may not be priced per 0 units".into(),
        }
    }

    fn outcome(
        changes: Vec<ChangeReport>,
        atomic: bool,
        remaining: Result<Vec<&str>, BackendError>,
    ) -> ApplyOutcome {
        ApplyOutcome {
            report: ApplyReport {
                changes,
                failure: None,
            },
            atomic,
            remaining: remaining.map(|addresses| {
                addresses
                    .into_iter()
                    .map(|address| address.parse().unwrap())
                    .collect()
            }),
        }
    }

    #[test]
    fn a_remote_apply_that_stops_halfway_lists_what_took() {
        let outcome = outcome(
            vec![
                change("feature.gpu-seconds", Action::Create, ChangeStatus::Applied),
                change(
                    "credit_system.credits",
                    Action::Update,
                    ChangeStatus::Applied,
                ),
                change(
                    "plan.pro",
                    Action::NewVersion,
                    ChangeStatus::Failed(rejected("plan.pro")),
                ),
                change("plan.team", Action::Update, ChangeStatus::NotAttempted),
            ],
            false,
            Ok(vec!["plan.pro", "plan.team"]),
        );
        insta::assert_snapshot!(render_apply_failure(&outcome, BACKEND, None));
    }

    #[test]
    fn an_atomic_apply_that_fails_changed_nothing() {
        let outcome = outcome(
            vec![
                change(
                    "feature.gpu-seconds",
                    Action::Create,
                    ChangeStatus::RolledBack,
                ),
                change(
                    "plan.pro",
                    Action::Update,
                    ChangeStatus::Failed(BackendError::Conflict {
                        address: "plan.pro".into(),
                        reason: "it changed in the store since the plan was made".into(),
                    }),
                ),
                change("plan.team", Action::Update, ChangeStatus::NotAttempted),
            ],
            true,
            Ok(vec!["feature.gpu-seconds", "plan.pro", "plan.team"]),
        );
        insta::assert_snapshot!(render_apply_failure(
            &outcome,
            "local store .pricectl/local.db",
            None
        ));
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait_and_what_is_left() {
        let outcome = outcome(
            vec![
                change("feature.gpu-seconds", Action::Create, ChangeStatus::Applied),
                change(
                    "plan.pro",
                    Action::Update,
                    ChangeStatus::Failed(BackendError::RateLimited {
                        system: BACKEND.into(),
                        retry_after: Some(Duration::from_secs(20)),
                    }),
                ),
            ],
            false,
            Err(BackendError::Unavailable {
                system: BACKEND.into(),
                detail: "503 Service Unavailable".into(),
            }),
        );
        insta::assert_snapshot!(render_apply_failure(&outcome, BACKEND, None));
    }

    #[test]
    fn an_apply_that_did_not_take_names_what_is_left() {
        let outcome = outcome(
            vec![change("plan.pro", Action::Update, ChangeStatus::Applied)],
            false,
            Ok(vec!["plan.pro"]),
        );
        insta::assert_snapshot!(render_apply_failure(&outcome, BACKEND, None), @r"
        error: the apply finished but the live catalog still differs from the pricing
          applied (1): plan.pro
          still to do, read again after the apply (1): plan.pro
          help: these did not take; run `pricectl plan` to see what is left
        ");
    }

    #[test]
    fn progress_is_one_plain_line_per_start_and_end() {
        let plan = plan_fixtures::openai_create();
        let total = plan.changes.len();
        let first = &plan.changes[0];
        let lines = [
            progress_started(0, total, first),
            progress_finished(0, total, first, &ChangeStatus::Applied),
            progress_finished(
                1,
                total,
                &plan.changes[1],
                &ChangeStatus::Failed(rejected("x")),
            ),
        ]
        .concat();
        insta::assert_snapshot!(lines, @r"
        [1/6] create feature.o1-input-tokens …
        [1/6] feature.o1-input-tokens: done
        [2/6] feature.o1-output-tokens: failed
        ");
    }
}
