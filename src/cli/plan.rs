use super::impact::with_revenue;
use super::output::{
    backend_choice, compile_pricing_sources, open_backend, open_reading_ahead, print_note,
    print_stderr, print_stdout, report_backend_error, report_error, stdout_color,
    write_step_summary,
};
use super::write_file::write_atomically;
use super::{ExitStatus, PlanArgs, PlanFormat};
use crate::diff::Plan;
use crate::dsl::{Declarations, SourceSet};
use crate::impact::RevenueImpact;
use crate::input::{LimitedReadError, SAVED_PLAN_BYTES, read_limited};
use crate::reconcile::SavedPlan;
use crate::render::{
    Comparison, PlanLocations, changes_line, render_plan_github, render_plan_json,
    render_plan_markdown_for, render_plan_text_for, render_saved_plan,
};
use crate::store::Access;

/// `pricectl plan`: what would change in the live catalog, shown and optionally saved.
pub fn plan(args: &PlanArgs) -> ExitStatus {
    // Checked before anything runs, so a refused `--out` shows no plan as if it were saved.
    if let Some(out) = args
        .out
        .as_ref()
        .filter(|out| !args.force && !may_write_plan_over(out))
    {
        print_stderr(&format!(
            "error: `{}` exists and is not a saved plan; nothing was written\n  help: choose another file with `--out`, such as `pricing.plan.json`, or pass `--force` to overwrite it\n",
            out.display()
        ));
        return ExitStatus::Failure;
    }
    let read_ahead = open_reading_ahead(&args.backend, &args.path);
    let Some(pricing) = compile_pricing_sources(&args.path) else {
        return ExitStatus::Failure;
    };
    let desired = pricing.catalog;
    let (mut backend, plan) = match open_and_plan(
        &args.backend,
        &args.path,
        &desired,
        Access::ReadOrEmpty,
        read_ahead,
    ) {
        Ok(planned) => planned,
        Err(status) => return status,
    };
    let revenue = if args.usage.usage.is_some() || args.usage.from_ledger {
        let live = match backend.fetch() {
            Ok(live) => live,
            Err(error) => return report_backend_error(&error),
        };
        let choice = match backend_choice(&args.backend, &args.path) {
            Ok(choice) => choice,
            Err(status) => return status,
        };
        let in_place = super::impact::in_place_plans(&plan);
        match super::impact::revenue(
            &live.catalog,
            &desired,
            &args.usage,
            choice.local_store(),
            in_place,
        ) {
            Ok(revenue) => revenue,
            Err(status) => return status,
        }
    } else {
        None
    };
    drop(backend);
    let view = View {
        comparison: Comparison::Live,
        sources: &pricing.sources,
        declarations: &pricing.declarations,
        annotation_paths: &[],
    };
    view.show(&plan, args.format, revenue.as_ref());
    if !plan.refusals.is_empty() {
        report_refusals(&plan);
        return ExitStatus::Failure;
    }
    if let Some(out) = &args.out {
        let backend = match backend_choice(&args.backend, &args.path) {
            Ok(backend) => backend,
            Err(status) => return status,
        };
        let saved = SavedPlan::new(&args.path, &backend, out, desired, plan.clone());
        if let Err(error) = write_atomically(out, &render_saved_plan(&saved)) {
            report_error(
                &error,
                Some("check that the directory exists and is writable"),
            );
            return ExitStatus::Failure;
        }
        print_note(&format!(
            "Saved the plan to {}; apply exactly it with `pricectl apply {}`\n",
            out.display(),
            out.display()
        ));
    }
    if args.detailed_exitcode && plan.summary.total() > 0 {
        // What drifted, in one line at the end of the log of a job that fails on it.
        print_note(&changes_line(&plan));
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

/// Whether `plan --out` may write to `out`: it does not exist, or it holds a saved plan (which
/// a new plan replaces). Anything else (the pricing just read, other data) is kept.
fn may_write_plan_over(out: &std::path::Path) -> bool {
    match read_limited(out, SAVED_PLAN_BYTES) {
        Ok(bytes) => std::str::from_utf8(&bytes).is_ok_and(SavedPlan::is_saved_plan),
        Err(LimitedReadError::Io(error)) => error.kind() == std::io::ErrorKind::NotFound,
        Err(LimitedReadError::TooLarge { .. }) => false,
    }
}

/// How `plan` and `diff` show a plan: what it compares, and the new pricing's files and
/// declarations (where GitHub annotations point).
pub(super) struct View<'a> {
    pub comparison: Comparison,
    pub sources: &'a SourceSet,
    pub declarations: &'a Declarations,
    /// The files' paths as annotations name them, by file id (empty: their own paths).
    pub annotation_paths: &'a [std::path::PathBuf],
}

impl View<'_> {
    /// Prints the plan (with the revenue impact, when usage was given) and appends its
    /// Markdown view to the job summary on GitHub Actions.
    pub fn show(&self, plan: &Plan, format: PlanFormat, revenue: Option<&RevenueImpact>) {
        print_stdout(&with_revenue(self.render(plan, format), format, revenue));
        write_step_summary(|| {
            let markdown = render_plan_markdown_for(plan, &self.comparison);
            with_revenue(markdown, PlanFormat::Markdown, revenue)
        });
    }

    pub fn render(&self, plan: &Plan, format: PlanFormat) -> String {
        match format {
            PlanFormat::Text => render_plan_text_for(plan, stdout_color(), &self.comparison),
            PlanFormat::Json => render_plan_json(plan),
            PlanFormat::Markdown => render_plan_markdown_for(plan, &self.comparison),
            PlanFormat::Github => render_plan_github(
                plan,
                &PlanLocations::new(self.sources, self.declarations, self.annotation_paths),
                &self.comparison,
            ),
        }
    }
}

/// Opens the backend a command names (unless it was opened to read ahead while the pricing
/// compiled: `read_ahead`, [`open_reading_ahead`]) and plans `desired` against it; a failure
/// is reported and gives the exit status.
pub(super) fn open_and_plan(
    args: &super::BackendArgs,
    pricing: &std::path::Path,
    desired: &crate::catalog::Catalog,
    access: Access,
    read_ahead: Option<Box<dyn crate::backend::Backend>>,
) -> Result<(Box<dyn crate::backend::Backend>, Plan), ExitStatus> {
    let mut backend = match read_ahead {
        Some(backend) => backend,
        None => open_backend(args, pricing, access)?,
    };
    let plan = plan_against(backend.as_mut(), desired)?;
    Ok((backend, plan))
}

/// The plan against the live catalog; a backend failure is reported and gives the exit status.
pub(super) fn plan_against(
    backend: &mut dyn crate::backend::Backend,
    desired: &crate::catalog::Catalog,
) -> Result<Plan, ExitStatus> {
    crate::reconcile::plan(backend, desired).map_err(|error| report_backend_error(&error))
}

/// Says on stderr that protected objects stop the plan (the plan itself lists them and how
/// to proceed).
pub(super) fn report_refusals(plan: &Plan) {
    let count = plan.refusals.len();
    print_stderr(&format!(
        "error: the plan touches {count} protected object{} (listed in the plan); nothing can be applied\n",
        if count == 1 { "" } else { "s" }
    ));
}
