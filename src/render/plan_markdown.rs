//! The pull-request view of a plan: one comment, found again by its hidden marker, that says
//! first what cannot be applied and what is destructive or dearer, then counts the changes,
//! tables the price impact, and folds the details away.
//!
//! GitHub refuses comments over 65,536 characters; this view stays within [`LIMIT`] bytes (so
//! characters) by leaving out price-impact rows and then details, never the call-outs.

use std::fmt::Write as _;

use super::comparison::Comparison;
use super::plan_text::{
    NO_CHANGES, Style, group_thousands, impact_prices, plural, quoted_price, show_percent,
    summary_line, symbol, write_change,
};
use super::plan_words::{
    UNMANAGED_HEADING, environment_banner, reason_words, refusal_words, unmanaged_words,
    verdict_lines,
};
use super::term_words::{costs_customers_more, term_words};
use crate::diff::{Action, Change, Plan, PriceImpact, Summary};

/// The first line: a workflow finds the comment by it and updates it in place.
pub const MARKER: &str = "<!-- pricectl-plan -->";

/// The most bytes a rendering has.
pub const LIMIT: usize = 60_000;

/// GitHub's cap on a job's step summary (`$GITHUB_STEP_SUMMARY`): 1 MiB. `plan` and `diff`
/// append this view to it, so one rendering must fit many times over.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

const _: () = assert!(LIMIT * 8 <= STEP_SUMMARY_LIMIT);

/// Room kept for a "left out" line after a list that is cut short.
const NOTE_ROOM: usize = 400;

/// Room the impact heading and the details need at the least (their frame and notes).
const TAIL_ROOM: usize = 1_500;

/// Renders a plan as a GitHub pull-request comment.
pub fn render_plan_markdown(plan: &Plan) -> String {
    render_plan_markdown_for(plan, &Comparison::Live)
}

/// [`render_plan_markdown`], worded for what the plan compares (`pricectl diff` names its
/// sides in the heading).
pub fn render_plan_markdown_for(plan: &Plan, comparison: &Comparison) -> String {
    let mut out = match comparison.sides() {
        None => format!("{MARKER}\n## pricectl plan\n\n"),
        Some((old, new)) => {
            format!(
                "{MARKER}\n## pricectl diff\n\nFrom {} to {}.\n\n",
                code(&old),
                code(&new)
            )
        }
    };
    let overview = if plan.changes.is_empty() {
        match comparison.sides() {
            None => format!("{NO_CHANGES}\n"),
            Some((old, new)) => format!(
                "No changes. {} and {} compile to the same catalog.\n",
                code(&old),
                code(&new)
            ),
        }
    } else {
        overview(&plan.summary)
    };
    let command = code(&comparison.command());
    let callout_limit = LIMIT.saturating_sub(overview.len() + TAIL_ROOM);
    if let Some(banner) = environment_banner(plan) {
        let _ = write!(out, "> [!CAUTION]\n> **Live:** {}.\n\n", inline(banner));
    }
    write_refusals(&mut out, plan, callout_limit);
    write_warnings(&mut out, plan, callout_limit);
    write_terms(&mut out, plan, callout_limit, &command);
    out.push_str(&overview);
    write_unmanaged(&mut out, plan, callout_limit);
    if plan.changes.is_empty() {
        return out;
    }
    write_impact(
        &mut out,
        &plan.impact,
        LIMIT.saturating_sub(TAIL_ROOM),
        &command,
    );
    write_details(&mut out, &plan.changes, &command);
    out
}

/// What the billing system holds that pricectl does not manage.
fn write_unmanaged(out: &mut String, plan: &Plan, limit: usize) {
    let verdict = verdict_lines(plan);
    if !verdict.is_empty() {
        out.push('\n');
        let entries: Vec<String> = verdict
            .iter()
            .map(|line| match line.strip_prefix("- ") {
                Some(entry) => format!("- {}\n", inline(entry)),
                None => format!("{}\n\n", inline(line)),
            })
            .collect();
        push_bounded(out, &entries, limit, |left_out| {
            format!("- …and {} more\n", group(left_out))
        });
    }
    if plan.unmanaged.is_empty() {
        return;
    }
    let _ = write!(out, "\n**{}**\n\n", inline(UNMANAGED_HEADING));
    let entries: Vec<String> = plan
        .unmanaged
        .iter()
        .map(|unmanaged| format!("- {}\n", inline(&unmanaged_words(unmanaged))))
        .collect();
    push_bounded(out, &entries, limit, |left_out| {
        format!("- …and {} more\n", group(left_out))
    });
}

/// Refusals, at the very top: the plan cannot be applied.
fn write_refusals(out: &mut String, plan: &Plan, limit: usize) {
    if plan.refusals.is_empty() {
        return;
    }
    let count = plan.refusals.len();
    let _ = write!(
        out,
        "> [!CAUTION]\n> **This plan cannot be applied:** {count} change{} {} refused.\n>\n",
        plural(count),
        if count == 1 { "is" } else { "are" },
    );
    let entries: Vec<String> = plan
        .refusals
        .iter()
        .map(|refusal| {
            let (reason, help) = refusal_words(refusal);
            format!(
                "> - {}\\\n>   **help:** {}\n",
                inline(&reason),
                inline(&help)
            )
        })
        .collect();
    push_bounded(out, &entries, limit, |left_out| {
        format!(
            "> - …and {} more refusal{}\n",
            group(left_out),
            plural(left_out)
        )
    });
    out.push('\n');
}

/// Destructive changes and price increases, called out before anything else is read.
fn write_warnings(out: &mut String, plan: &Plan, limit: usize) {
    let mut destructive = Vec::new();
    collect_destructive(&plan.changes, &mut destructive);
    let increases: Vec<&PriceImpact> = plan
        .impact
        .iter()
        .filter(|impact| impact.is_increase())
        .collect();
    if destructive.is_empty() && increases.is_empty() {
        return;
    }
    out.push_str("> [!WARNING]\n");
    if !destructive.is_empty() {
        out.push_str("> **Destructive changes** (applying them needs `--allow-destroy`):\n>\n");
        let entries: Vec<String> = destructive
            .iter()
            .map(|change| {
                format!(
                    "> - **{}** {} — {}\n",
                    verb_plain(change.action),
                    code(&change.address.to_string()),
                    inline(&reason_words(&change.why))
                )
            })
            .collect();
        push_bounded(out, &entries, limit, |left_out| {
            format!(
                "> - …and {} more destructive change{}\n",
                group(left_out),
                plural(left_out)
            )
        });
    }
    if !increases.is_empty() {
        if !destructive.is_empty() {
            out.push_str(">\n");
        }
        out.push_str("> **Price increases:**\n>\n");
        let entries: Vec<String> = increases
            .iter()
            .map(|impact| {
                let mut entry = format!("> - {}", escape(&impact.feature_name));
                if let Some(via) = &impact.via {
                    let _ = write!(entry, " via {}", code(via));
                }
                let _ = write!(
                    entry,
                    " in {}: {}",
                    code(&impact.plan),
                    impact_prices(impact)
                );
                if let Some(percent) = impact.change_percent {
                    let _ = write!(entry, " ({})", show_percent(percent));
                }
                entry.push('\n');
                entry
            })
            .collect();
        push_bounded(out, &entries, limit, |left_out| {
            format!(
                "> - …and {} more price increase{}\n",
                group(left_out),
                plural(left_out)
            )
        });
    }
    out.push('\n');
}

/// Every change to what customers pay or get, up front: a reviewer reads them before the
/// counts. Those that ask more of customers are in bold.
fn write_terms(out: &mut String, plan: &Plan, limit: usize, command: &str) {
    if plan.terms.is_empty() {
        return;
    }
    out.push_str("**What customers pay or get:**\n\n");
    let entries: Vec<String> = plan
        .terms
        .iter()
        .map(|term| {
            let words = inline(&term_words(term, &plan.currency));
            if costs_customers_more(term) {
                format!("- **{words}**\n")
            } else {
                format!("- {words}\n")
            }
        })
        .collect();
    push_bounded(out, &entries, limit, |left_out| {
        format!(
            "- …and {} more; run {command} locally for all of them\n",
            group(left_out)
        )
    });
    out.push('\n');
}

fn collect_destructive<'a>(changes: &'a [Change], destructive: &mut Vec<&'a Change>) {
    for change in changes {
        if change.action.is_destructive() {
            destructive.push(change);
        }
        collect_destructive(&change.items, destructive);
    }
}

/// The summary line and the count of each action.
fn overview(summary: &Summary) -> String {
    let mut out = format!(
        "**{}**\n\n| action | count |\n| --- | ---: |\n",
        summary_line(summary)
    );
    for (action, count) in [
        (Action::Create, summary.create),
        (Action::Update, summary.update),
        (Action::Delete, summary.delete),
        (Action::Archive, summary.archive),
        (Action::NewVersion, summary.new_version),
    ] {
        let _ = writeln!(
            out,
            "| `{}` {} | {count} |",
            symbol(action),
            verb_plain(action)
        );
    }
    out
}

fn write_impact(out: &mut String, impact: &[PriceImpact], limit: usize, command: &str) {
    if impact.is_empty() {
        return;
    }
    out.push_str(
        "\n### Price impact\n\n| feature | plan | via | before | after | change |\n| --- | --- | --- | ---: | ---: | ---: |\n",
    );
    let rows: Vec<String> = impact.iter().map(impact_row).collect();
    push_bounded(out, &rows, limit, |left_out| {
        format!(
            "\n…and {} more price{} not shown; run {command} locally for all of them.\n",
            group(left_out),
            plural(left_out)
        )
    });
}

fn impact_row(impact: &PriceImpact) -> String {
    let change = match impact.change_percent {
        Some(percent) if impact.is_increase() => format!("**{}**", show_percent(percent)),
        Some(percent) => show_percent(percent),
        None => "—".to_string(),
    };
    let cells = [
        escape(&impact.feature_name),
        code(&impact.plan),
        impact.via.as_deref().map_or_else(|| "—".to_string(), code),
        quoted_price(impact.before, impact),
        quoted_price(impact.after, impact),
        change,
    ];
    format!("| {} |\n", cells.join(" | "))
}

/// Every change as the text view shows it, folded; cut short to stay within [`LIMIT`].
fn write_details(out: &mut String, changes: &[Change], command: &str) {
    let style = Style { color: false };
    let blocks: Vec<String> = changes
        .iter()
        .map(|change| {
            let mut block = String::new();
            write_change(&mut block, change, 0, style);
            block
        })
        .collect();
    let fence = fence_for(&blocks);
    let total = blocks.len();
    let opening = |counted: &str| {
        format!("\n<details><summary>Details: {counted}</summary>\n\n{fence}diff\n")
    };
    let closing = format!("{fence}\n\n</details>\n");
    // The longest the opening can be, whatever is shown.
    let opening_room = opening(&format!("{} of {} changes", group(total), group(total))).len();
    let mut shown = 0;
    let mut body = String::new();
    for block in &blocks {
        let separator = usize::from(shown > 0);
        // Room for what follows: the closing lines and, unless this is the last block, the note.
        let room = closing.len() + if shown + 1 < total { NOTE_ROOM } else { 0 };
        if out.len() + opening_room + body.len() + separator + block.len() + room > LIMIT {
            break;
        }
        if separator == 1 {
            body.push('\n');
        }
        body.push_str(block);
        shown += 1;
    }
    let counted = if shown == total {
        format!("{total} change{}", plural(total))
    } else {
        format!("{} of {} changes", group(shown), group(total))
    };
    out.push_str(&opening(&counted));
    out.push_str(&body);
    out.push_str(&closing);
    if shown < total {
        let left_out = total - shown;
        let _ = write!(
            out,
            "\n> [!NOTE]\n> {} of {} changes {} left out of the details to keep this comment under {} characters. Run {command} locally for the full plan.\n",
            group(left_out),
            group(total),
            if left_out == 1 { "is" } else { "are" },
            group(LIMIT),
        );
    }
}

/// Appends entries while the text stays within `limit` bytes, keeping room for the line
/// `left_out` makes of how many did not fit.
fn push_bounded(
    out: &mut String,
    entries: &[String],
    limit: usize,
    left_out: impl Fn(usize) -> String,
) {
    for (index, entry) in entries.iter().enumerate() {
        let room = if index + 1 < entries.len() {
            NOTE_ROOM
        } else {
            0
        };
        if out.len() + entry.len() + room > limit {
            out.push_str(&left_out(entries.len() - index));
            return;
        }
        out.push_str(entry);
    }
}

/// A code fence longer than any run of backticks in the blocks.
fn fence_for(blocks: &[String]) -> String {
    let longest = blocks
        .iter()
        .flat_map(|block| block.split(|character| character != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The action in words, for lists and tables.
fn verb_plain(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::NewVersion => "new version",
        Action::Delete => "delete",
        Action::Archive => "archive",
    }
}

/// An id or address as inline code (table-safe: `|` escaped).
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Text with `` `code` `` spans (reasons, help): the spans kept, the rest escaped.
fn inline(text: &str) -> String {
    let ticks = text.matches('`').count();
    if ticks == 0 || ticks % 2 == 1 {
        return escape(text);
    }
    text.split('`')
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                code(part)
            } else {
                escape(part)
            }
        })
        .collect()
}

/// Plain text with every character Markdown (or a table) would read escaped.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for (index, character) in text.chars().enumerate() {
        match character {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '&' | '|' | '$' => {
                escaped.push('\\');
                escaped.push(character);
            }
            '-' | '+' if index == 0 => {
                escaped.push('\\');
                escaped.push(character);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// "12345" → "12,345".
fn group(count: usize) -> String {
    group_thousands(&count.to_string())
}

#[cfg(test)]
mod tests {
    use super::{LIMIT, MARKER, escape, inline, render_plan_markdown};
    use crate::render::plan_fixtures;

    #[test]
    fn empty_plan() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::empty()));
    }

    #[test]
    fn a_live_plan_says_so_first_and_names_what_it_does_not_manage() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::live_with_unmanaged()));
    }

    #[test]
    fn openai_credits_created() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::openai_create()));
    }

    #[test]
    fn credit_costs_updated() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::credit_cost_update()));
    }

    #[test]
    fn new_version_keeps_customers() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::new_version()));
    }

    #[test]
    fn every_change_customers_feel_up_front() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::pro_repriced()));
    }

    #[test]
    fn billing_controls_are_terms_customers_feel() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::controls_changed()));
    }

    #[test]
    fn credit_cost_rise_tells_holders() {
        insta::assert_snapshot!(render_plan_markdown(
            &plan_fixtures::credit_cost_increase_with_holders()
        ));
    }

    #[test]
    fn delete_and_archive() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::delete_and_archive()));
    }

    #[test]
    fn refusals_come_first() {
        insta::assert_snapshot!(render_plan_markdown(&plan_fixtures::refusal()));
    }

    #[test]
    fn stays_within_the_comment_limit() {
        let plan = plan_fixtures::huge(3_000);
        let markdown = render_plan_markdown(&plan);
        assert!(markdown.len() <= LIMIT, "{} bytes", markdown.len());
        assert!(markdown.starts_with(MARKER));
        assert!(markdown.contains("Plan: 3000 to create"));
        assert!(markdown.contains("changes are left out of the details"));
        assert!(markdown.contains("Run `pricectl plan` locally for the full plan."));
        // The destructive call-out is never cut, even at the end of a huge plan.
        assert!(markdown.contains("**archive** `plan.legacy`"));
        assert!(markdown.contains("</details>"));
        // Whole changes only: the last shown block is complete.
        let note = markdown.rsplit("> [!NOTE]\n> ").next().unwrap();
        insta::assert_snapshot!(note, @"2,749 of 3,001 changes are left out of the details to keep this comment under 60,000 characters. Run `pricectl plan` locally for the full plan.");
        let details = markdown.split("```diff\n").nth(1).unwrap();
        assert!(details.starts_with("+ create feature.model-00000-tokens\n"));
        assert!(details.contains("    protect: false\n```\n\n</details>\n"));
    }

    #[test]
    fn never_over_the_limit_when_everything_is_long() {
        let mut plan = plan_fixtures::huge(2_000);
        let refused = plan_fixtures::refusal();
        let archived = plan_fixtures::delete_and_archive().changes.remove(0);
        let increase = plan_fixtures::new_version().impact.remove(0);
        for _ in 0..2_000 {
            plan.refusals.push(refused.refusals[0].clone());
            plan.changes.push(archived.clone());
            plan.impact.push(increase.clone());
        }
        let markdown = render_plan_markdown(&plan);
        assert!(markdown.len() <= LIMIT, "{} bytes", markdown.len());
        assert!(markdown.contains("more refusals\n"));
        assert!(markdown.contains("| `^` new version | 0 |"));
        assert!(markdown.contains("Run `pricectl plan` locally for the full plan."));
        assert!(markdown.ends_with("Run `pricectl plan` locally for the full plan.\n"));
    }

    #[test]
    fn a_diff_names_its_sides_and_stays_within_the_limit() {
        let comparison = super::Comparison::Versions {
            old: format!("git:{}", "a".repeat(40)),
            new: format!("{}/pricing.toml", "€".repeat(300)),
        };
        let markdown = super::render_plan_markdown_for(&plan_fixtures::huge(3_000), &comparison);
        assert!(markdown.len() <= LIMIT, "{} bytes", markdown.len());
        assert!(markdown.starts_with(&format!("{MARKER}\n## pricectl diff\n\nFrom `git:aaaa")));
        assert!(markdown.ends_with("/pricing.toml` locally for the full plan.\n"));
        let empty = super::render_plan_markdown_for(
            &plan_fixtures::empty(),
            &super::Comparison::Versions {
                old: "git:main".into(),
                new: "pricing.toml".into(),
            },
        );
        insta::assert_snapshot!(empty, @"
        <!-- pricectl-plan -->
        ## pricectl diff

        From `git:main` to `pricing.toml`.

        No changes. `git:main` and `pricing.toml` compile to the same catalog.
        ");
    }

    #[test]
    fn fits_exactly_when_it_can() {
        let plan = plan_fixtures::huge(50);
        let markdown = render_plan_markdown(&plan);
        assert!(!markdown.contains("left out"));
        assert!(markdown.contains("Details: 51 changes"));
    }

    #[test]
    fn escapes_what_markdown_reads() {
        assert_eq!(escape("a | b"), "a \\| b");
        assert_eq!(escape("*bold* <b>"), "\\*bold\\* \\<b\\>");
        assert_eq!(escape("- starts a list"), "\\- starts a list");
        assert_eq!(escape("o3-input"), "o3-input");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(
            inline("`plan.a_b` is protected, *really*"),
            "`plan.a_b` is protected, \\*really\\*"
        );
        assert_eq!(inline("one ` tick"), "one \\` tick");
    }
}
