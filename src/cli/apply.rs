use std::io::{BufRead, IsTerminal};
use std::path::Path;

use super::apply_progress::StderrProgress;
use super::output::{
    CompiledPricing, compile_pricing_sources, open_chosen_backend, open_reading_ahead, print_note,
    print_stderr, print_stdout, report_backend_error, report_error, report_width, stderr_color,
    stdout_color,
};
use super::plan::{open_and_plan, report_refusals};
use super::{ApplyArgs, ExitStatus};
use crate::backend::Backend;
use crate::diff::{Plan, Summary};
use crate::live::Environment;
use crate::reconcile::{ApplyError, ApplyOptions, SavedPlan, SavedPlanError, apply_with_progress};
use crate::render::{AppliedPricing, HumanOptions, render_apply_failure, render_plan_text};
use crate::store::Access;

/// `pricectl apply`: plan, show, confirm, apply, verify; or apply a saved plan.
pub fn apply(args: &ApplyArgs) -> ExitStatus {
    if is_saved_plan(&args.path) {
        return apply_saved(args);
    }
    let read_ahead = open_reading_ahead(&args.backend, &args.path);
    let Some(pricing) = compile_pricing_sources(&args.path) else {
        return ExitStatus::Failure;
    };
    let desired = &pricing.catalog;
    let (mut backend, plan) = match open_and_plan(
        &args.backend,
        &args.path,
        desired,
        Access::Create,
        read_ahead,
    ) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    print_stdout(&render_plan_text(&plan, stdout_color()));
    if plan.summary.total() == 0 && plan.refusals.is_empty() {
        return ExitStatus::Success;
    }
    if let Err(status) = preview_agrees(&plan, args.override_preview) {
        return status;
    }
    let asks = plan.refusals.is_empty()
        && !destructive_refused(&plan, args.allow_destroy)
        && !args.auto_approve;
    if asks
        && let Err(status) = confirmed(
            backend.as_ref(),
            plan.environment,
            "run it on a terminal to confirm, pass `--auto-approve`, or save a reviewed plan with `pricectl plan --out plan.json` and apply that file",
        )
    {
        return status;
    }
    // The plan was made from a read moments ago unless a person was asked in between, who
    // may have taken minutes: then the apply reads the live catalog again.
    finish(backend.as_mut(), &plan, &pricing, args, !asks)
}

/// Applies a plan saved by `plan --out`, refusing when the pricing or the live catalog moved.
///
/// The saved plan is input: its pricing is compiled without showing diagnostics (a plan
/// naming some other file must not get it printed), and it never chooses where a store is
/// created.
fn apply_saved(args: &ApplyArgs) -> ExitStatus {
    let saved = match SavedPlan::read(&args.path) {
        Ok(saved) => saved,
        Err(error) => {
            let help = match error {
                SavedPlanError::Incompatible { .. } => {
                    "make the plan again with this pricectl: `pricectl plan --out FILE`"
                }
                SavedPlanError::Edited { .. } => {
                    "a saved plan is applied exactly as it was made; make it again with `pricectl plan --out FILE` and review that"
                }
                _ => "make the plan with `pricectl plan --out FILE`",
            };
            report_error(&error, Some(help));
            return ExitStatus::Failure;
        }
    };
    let pricing = match saved.pricing_path(&args.path) {
        Ok(pricing) => pricing,
        Err(error) => {
            report_error(
                &error,
                Some("make the plan again from your pricing with `pricectl plan --out FILE`"),
            );
            return ExitStatus::Failure;
        }
    };
    let current = crate::compile::compile_path(&pricing)
        .ok()
        .and_then(CompiledPricing::of);
    if let Err(error) = saved.check_pricing(current.as_ref().map(|current| &current.catalog)) {
        report_error(
            &error,
            Some(&format!(
                "`{}` no longer compiles to the catalog this plan was made for; run `pricectl plan --out` again and review the new plan",
                pricing.display()
            )),
        );
        return ExitStatus::Failure;
    }
    let choice = match saved.backend_choice(&args.path, args.backend.state.as_deref()) {
        Ok(choice) => choice,
        Err(error) => {
            report_error(
                &error,
                Some("name the store to apply to with `--state PATH`"),
            );
            return ExitStatus::Failure;
        }
    };
    let mut backend = match open_chosen_backend(&choice, Access::Create) {
        Ok(backend) => backend,
        Err(status) => return status,
    };
    let live = match backend.fetch() {
        Ok(live) => live,
        Err(error) => return report_backend_error(&error),
    };
    if let Err(error) = saved.check_live(&live) {
        let help = match error {
            SavedPlanError::AlreadyApplied => {
                "nothing is left to apply; to change the catalog again, edit the pricing and make a new plan with `pricectl plan --out`"
            }
            SavedPlanError::DecisionsChanged => {
                "customers joined or left a plan this plan changes; run `pricectl plan --out` again and review the new plan"
            }
            _ => {
                "someone applied other changes since this plan was made; run `pricectl plan --out` again and review the new plan"
            }
        };
        report_error(&error, Some(help));
        return ExitStatus::Failure;
    }
    print_stdout(&render_plan_text(&saved.plan, stdout_color()));
    if let Err(status) = preview_agrees(&saved.plan, args.override_preview) {
        return status;
    }
    // A reviewed plan is applied as it is, except to a live environment: that is asked for
    // again (or said with `--auto-approve`), naming the environment.
    let asks = live.environment == Some(Environment::Live) && !args.auto_approve;
    if asks
        && let Err(status) = confirmed(
            backend.as_ref(),
            live.environment,
            "a plan for a live environment is applied on a terminal, where it asks, or with `--auto-approve` (in CI, after review)",
        )
    {
        return status;
    }
    // The pricing compiles to the plan's catalog (checked above): its lines are the plan's.
    let Some(pricing) = current else {
        return ExitStatus::Failure;
    };
    // The live catalog was read and checked against the plan moments ago, unless a person was
    // asked in between.
    finish(backend.as_mut(), &saved.plan, &pricing, args, !asks)
}

/// Applies, verifies, and reports; a change the backend refused is shown at the line of the
/// pricing that declares it. `fresh`: the plan was made from, or checked against, the
/// backend's last fetch moments ago, so the apply may check its changes against that read
/// instead of reading again.
fn finish(
    backend: &mut dyn Backend,
    plan: &Plan,
    pricing: &CompiledPricing,
    args: &ApplyArgs,
    fresh: bool,
) -> ExitStatus {
    let allow_destroy = args.allow_destroy;
    backend.set_apply_mode(args.apply_mode);
    if fresh {
        backend.apply_against_last_fetch();
    }
    let mut progress = StderrProgress::for_backend(backend.capabilities().instant);
    let options = ApplyOptions { allow_destroy };
    match apply_with_progress(backend, plan, &pricing.catalog, options, &mut progress) {
        Ok(_) => {
            print_note(&format!(
                "Apply complete: {}.\n",
                applied_summary(&plan.summary)
            ));
            ExitStatus::Success
        }
        Err(ApplyError::Refused { .. }) => {
            report_refusals(plan);
            ExitStatus::Failure
        }
        Err(error @ ApplyError::Destructive { .. }) => {
            let help = format!(
                "review {}, then run again with `--allow-destroy`",
                destructive_addresses(plan)
            );
            report_error(&error, Some(&help));
            ExitStatus::Failure
        }
        Err(ApplyError::Incomplete(outcome)) => {
            let places = AppliedPricing {
                sources: &pricing.sources,
                declarations: &pricing.declarations,
                options: HumanOptions {
                    color: stderr_color(),
                    width: report_width(),
                    deny_warnings: false,
                },
            };
            print_stderr(&render_apply_failure(
                &outcome,
                &backend.describe(),
                Some(&places),
            ));
            outcome
                .failure()
                .map_or(ExitStatus::Failure, ExitStatus::of_backend_error)
        }
    }
}

/// Refuses a plan the billing system's own preview disagrees with, unless told otherwise
/// (`--override-preview`); the plan shows each disagreement.
fn preview_agrees(plan: &Plan, override_preview: bool) -> Result<(), ExitStatus> {
    match &plan.verdict {
        Some(verdict) if !verdict.agrees() && !override_preview => {
            report_error(
                &PreviewDisagrees {
                    system: verdict.system.clone(),
                },
                Some(
                    "review each disagreement listed with the plan; if pricectl's plan is what you want, run again with `--override-preview`",
                ),
            );
            Err(ExitStatus::Failure)
        }
        _ => Ok(()),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{system}'s own preview disagrees with this plan; nothing was applied")]
struct PreviewDisagrees {
    system: String,
}

/// The plan's deletes and archives, for a help line.
fn destructive_addresses(plan: &Plan) -> String {
    plan.changes
        .iter()
        .filter(|change| change.action.is_destructive())
        .map(|change| format!("`{}`", change.address))
        .collect::<Vec<_>>()
        .join(", ")
}

fn destructive_refused(plan: &Plan, allow_destroy: bool) -> bool {
    plan.summary.destructive() > 0 && !allow_destroy
}

fn applied_summary(summary: &Summary) -> String {
    format!(
        "{} created, {} updated, {} deleted, {} archived, {} new version{}",
        summary.create,
        summary.update,
        summary.delete,
        summary.archive,
        summary.new_version,
        if summary.new_version == 1 { "" } else { "s" }
    )
}

enum Confirmation {
    Yes,
    No,
    NoTerminal,
}

/// Asks on the terminal and reports a refusal: `Err` holds the exit status. `help` says what
/// to do without a terminal.
fn confirmed(
    backend: &dyn Backend,
    environment: Option<Environment>,
    help: &str,
) -> Result<(), ExitStatus> {
    match confirm(backend, environment) {
        Confirmation::Yes => Ok(()),
        Confirmation::No => {
            print_stderr("Apply cancelled; nothing was changed.\n");
            Err(ExitStatus::Failure)
        }
        Confirmation::NoTerminal => {
            report_error(&NoConfirmation, Some(help));
            Err(ExitStatus::Failure)
        }
    }
}

/// Asks on the terminal; only `yes` confirms, and for a live environment only its name,
/// `live`, so nobody applies to real customers' catalog by habit.
fn confirm(backend: &dyn Backend, environment: Option<Environment>) -> Confirmation {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Confirmation::NoTerminal;
    }
    let expected = match environment {
        Some(Environment::Live) => "live",
        Some(Environment::Sandbox) | None => "yes",
    };
    let warning = if environment == Some(Environment::Live) {
        "\n  This is the LIVE environment: real customers buy from this catalog."
    } else {
        ""
    };
    print_stderr(&format!(
        "\nDo you want to apply these changes to the {}?{warning}\n  Only `{expected}` will be accepted.\n\n  Enter a value: ",
        backend.describe()
    ));
    let mut answer = String::new();
    if stdin.lock().read_line(&mut answer).is_err() {
        return Confirmation::No;
    }
    if answer.trim() == expected {
        Confirmation::Yes
    } else {
        Confirmation::No
    }
}

/// A saved plan is a JSON document; a pricing file is TOML. Only the file's first bytes are
/// read to tell.
fn is_saved_plan(path: &Path) -> bool {
    use std::io::Read as _;
    if !path.is_file() {
        return false;
    }
    let mut start = Vec::new();
    let read = std::fs::File::open(path).and_then(|file| file.take(4096).read_to_end(&mut start));
    read.is_ok()
        && start
            .iter()
            .find(|byte| !byte.is_ascii_whitespace())
            .is_some_and(|byte| *byte == b'{')
}

#[derive(Debug, thiserror::Error)]
#[error("refusing to apply without confirmation: stdin is not a terminal")]
struct NoConfirmation;
