use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::diff::load_and_compile;
use super::output::{print_stderr, print_stdout, report_error};
use super::{ExitStatus, ImpactArgs, ImpactFormat, PlanFormat, UsageArgs};
use crate::catalog::{Catalog, ObjectKind};
use crate::diff::{Plan, Reason};
use crate::impact::{
    ImpactOptions, LiveVersions, RevenueImpact, UsageSource, Window, revenue_impact,
};
use crate::render::{render_revenue_markdown, render_revenue_text};
use crate::store::{Access, Store};

/// `pricectl impact OLD NEW --usage FILE` (or `--from-ledger`): the usage priced under both
/// pricings, compared.
pub fn impact(args: &ImpactArgs) -> ExitStatus {
    if args.usage.usage.is_none() && !args.usage.from_ledger {
        print_stderr(
            "error: no usage to price\n  help: name a usage file with `--usage FILE` (JSON Lines or CSV, docs/impact.md), or price what the local ledger recorded with `--from-ledger`\n",
        );
        return ExitStatus::Usage;
    }
    let old = load_and_compile(&args.old);
    let new = load_and_compile(&args.new);
    let (Some((old, _)), Some((new, _))) = (old, new) else {
        return ExitStatus::Failure;
    };
    let store = args
        .usage
        .from_ledger
        .then(|| ledger_store(args.state.as_deref()));
    let Ok(Some(report)) = revenue(
        &old.catalog,
        &new.catalog,
        &args.usage,
        store.as_deref(),
        BTreeSet::new(),
    ) else {
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

/// The store `--from-ledger` reads when no backend names one: `--state`, or the default
/// beside ./pricing.toml (as the ledger commands find it).
pub(super) fn ledger_store(state: Option<&Path>) -> PathBuf {
    state.map_or_else(
        || crate::reconcile::default_state_path(Path::new("pricing.toml")),
        Path::to_path_buf,
    )
}

/// The revenue impact of `old` → `new` on the usage `args` names (`None` when it names
/// none); a failure is reported. `store` is the local store: `--from-ledger` reads its
/// ledger, and the plan versions it holds price customers on older versions. `in_place`: the
/// plans whose change the plan makes in place (see [`in_place_plans`]).
pub(super) fn revenue(
    old: &Catalog,
    new: &Catalog,
    args: &UsageArgs,
    store: Option<&Path>,
    in_place: BTreeSet<String>,
) -> Result<Option<RevenueImpact>, ExitStatus> {
    let source = match (&args.usage, store) {
        (Some(usage), _) => UsageSource::File(usage.clone()),
        (None, Some(store)) if args.from_ledger => UsageSource::Ledger(store.to_path_buf()),
        (None, None) if args.from_ledger => {
            print_stderr(
                "error: `--from-ledger` reads the local store, and this backend has none\n  help: price a usage file exported from the billing system with `--usage FILE`\n",
            );
            return Err(ExitStatus::Failure);
        }
        _ => return Ok(None),
    };
    let live = match store.map(live_versions).transpose() {
        Ok(live) => live.flatten(),
        Err(error) => {
            report_error(
                &error,
                Some("pass `--state` to name the store that holds your catalog"),
            );
            return Err(ExitStatus::Failure);
        }
    };
    let options = ImpactOptions {
        window: Window {
            since: args.since,
            until: args.until,
        },
        move_customers: args.move_customers,
        in_place,
    };
    revenue_impact(old, new, live.as_ref(), &source, &options)
        .map(Some)
        .map_err(|error| {
            let help = match source {
                UsageSource::File(_) => "see docs/impact.md for the usage format (JSON Lines or CSV: customer, feature, value, timestamp; plan, version and prepaid for subscriptions; grants, quantity changes and entities)",
                UsageSource::Ledger(_) => "pass `--state` to name the store whose ledger to read; `pricectl apply` makes one",
            };
            report_error(&error, Some(help));
            ExitStatus::Failure
        })
}

/// The plans whose charges `plan` changes in place, no customer being on their current
/// version live: customers the usage has on them get the change.
pub(super) fn in_place_plans(plan: &Plan) -> BTreeSet<String> {
    plan.changes
        .iter()
        .filter(|change| {
            change.address.kind() == ObjectKind::Plan && change.why == Reason::NoCustomersOnIt
        })
        .map(|change| change.address.id().to_string())
        .collect()
}

/// The plan versions a local store holds (`None`: no store there, or nothing applied).
fn live_versions(store: &Path) -> Result<Option<LiveVersions>, crate::store::StoreError> {
    let stored = Store::open(store, Access::ReadOrEmpty)?.read_catalog()?;
    Ok(
        (!stored.current_versions.is_empty()).then_some(LiveVersions {
            current: stored.current_versions,
            definitions: stored.versions,
        }),
    )
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
