use super::diff::load_and_compile;
use super::output::{print_stdout, report_error};
use super::{ExitStatus, ImpactArgs, ImpactFormat, PlanFormat, UsageArgs};
use crate::catalog::Catalog;
use crate::impact::{RevenueImpact, revenue_impact};
use crate::render::{render_revenue_markdown, render_revenue_text};

/// `pricectl impact OLD NEW --usage FILE`: the usage priced under both pricings, compared.
pub fn impact(args: &ImpactArgs) -> ExitStatus {
    let old = load_and_compile(&args.old);
    let new = load_and_compile(&args.new);
    let (Some((old, _)), Some((new, _))) = (old, new) else {
        return ExitStatus::Failure;
    };
    let usage = UsageArgs {
        usage: Some(args.usage.clone()),
        until: args.until,
    };
    let Ok(Some(report)) = revenue(&old.catalog, &new.catalog, &usage) else {
        return ExitStatus::Failure;
    };
    print_stdout(&match args.format {
        ImpactFormat::Text => render_revenue_text(&report),
        ImpactFormat::Markdown => render_revenue_markdown(&report),
        ImpactFormat::Json => serde_json::to_string_pretty(&report)
            .map_or_else(|error| error.to_string(), |json| json + "\n"),
    });
    ExitStatus::Success
}

/// The revenue impact of `old` → `new` on the usage `args` names (`None` when it names
/// none); a failure is reported.
pub(super) fn revenue(
    old: &Catalog,
    new: &Catalog,
    args: &UsageArgs,
) -> Result<Option<RevenueImpact>, ExitStatus> {
    let Some(usage) = &args.usage else {
        return Ok(None);
    };
    revenue_impact(old, new, usage, args.until)
        .map(Some)
        .map_err(|error| {
            report_error(
                &error,
                Some("see docs/impact.md for the usage format (JSON Lines or CSV: customer, feature, value, timestamp; plan and prepaid for subscriptions)"),
            );
            ExitStatus::Failure
        })
}

/// A plan's rendering with the revenue impact added in the same format: in the Markdown
/// comment before the folded details, in the JSON document as `revenue`, after the text.
pub(super) fn with_revenue(
    rendered: String,
    format: PlanFormat,
    report: Option<&RevenueImpact>,
) -> String {
    let Some(report) = report else {
        return rendered;
    };
    match format {
        PlanFormat::Text => format!("{rendered}\n{}", render_revenue_text(report)),
        PlanFormat::Github => {
            // Inside its own stop-commands block: customer ids are data, never commands.
            let text = render_revenue_text(report);
            let token = crate::render::stop_token(&text);
            format!("{rendered}::stop-commands::{token}\n{text}::{token}::\n")
        }
        PlanFormat::Markdown => markdown_with_revenue(&rendered, report),
        PlanFormat::Json => match serde_json::from_str::<serde_json::Value>(&rendered) {
            Ok(serde_json::Value::Object(mut document)) => {
                document.insert(
                    "revenue".into(),
                    serde_json::to_value(report).unwrap_or_default(),
                );
                serde_json::to_string_pretty(&document).unwrap_or(rendered) + "\n"
            }
            _ => rendered,
        },
    }
}

/// The Markdown comment with the revenue section before its folded details.
pub(super) fn markdown_with_revenue(rendered: &str, report: &RevenueImpact) -> String {
    let section = render_revenue_markdown(report);
    match rendered.find("\n<details><summary>Details") {
        Some(index) => format!("{}{section}{}", &rendered[..index], &rendered[index..]),
        None => format!("{rendered}{section}"),
    }
}
