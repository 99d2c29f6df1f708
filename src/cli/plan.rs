use super::output::{
    compile_pricing, open_backend, print_stderr, print_stdout, report_error, stdout_color,
};
use super::{ExitStatus, PlanArgs, PlanFormat};
use crate::diff::Plan;
use crate::reconcile::{SavedPlan, default_state_path, write_atomically};
use crate::render::{render_plan_json, render_plan_markdown, render_plan_text};

/// `pricectl plan`: what would change in the live catalog, shown and optionally saved.
pub fn plan(args: &PlanArgs) -> ExitStatus {
    let Some(desired) = compile_pricing(&args.path) else {
        return ExitStatus::Failure;
    };
    let Some(mut backend) = open_backend(&args.backend, &args.path) else {
        return ExitStatus::Failure;
    };
    let plan = match crate::reconcile::plan(&mut backend, &desired) {
        Ok(plan) => plan,
        Err(error) => {
            report_error(&error, None);
            return ExitStatus::Failure;
        }
    };
    print_stdout(&render(&plan, args.format));
    if !plan.refusals.is_empty() {
        report_refusals(&plan);
        return ExitStatus::Failure;
    }
    if let Some(out) = &args.out {
        let state = args
            .backend
            .state
            .clone()
            .unwrap_or_else(|| default_state_path(&args.path));
        let saved = SavedPlan::new(args.path.clone(), state, desired, plan.clone());
        if let Err(error) = write_atomically(out, &saved.to_json()) {
            report_error(
                &error,
                Some("check that the directory exists and is writable"),
            );
            return ExitStatus::Failure;
        }
        print_stderr(&format!(
            "Saved the plan to {}; apply exactly it with `pricectl apply {}`\n",
            out.display(),
            out.display()
        ));
    }
    if args.detailed_exitcode && plan.summary.total() > 0 {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

pub(super) fn render(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => render_plan_text(plan, stdout_color()),
        PlanFormat::Json => render_plan_json(plan),
        PlanFormat::Markdown => render_plan_markdown(plan),
    }
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
