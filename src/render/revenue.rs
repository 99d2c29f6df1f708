//! The revenue impact report (`pricectl impact`, and the section `plan`/`diff --usage FILE`
//! add): total old → new, who pays more, less or the same, how many pay much more, the
//! largest movers with their plan, and where the money moved, per item.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::plan_markdown::escape;
use super::plan_text::{money, show_percent};
use super::term_words::number;
use crate::impact::RevenueImpact;

/// The most bytes the Markdown section takes: it follows a plan comment of at most
/// `MARKDOWN_LIMIT` (60,000), and GitHub refuses comments over 65,536 characters.
pub const REVENUE_MARKDOWN_LIMIT: usize = 5_000;

/// Movers the text view lists.
const TEXT_MOVERS: usize = 10;

/// The report for a terminal.
pub fn render_revenue_text(impact: &RevenueImpact) -> String {
    let mut out = String::from("Revenue impact");
    window(&mut out, impact);
    out.push_str(":\n");
    for line in headline(impact) {
        let _ = writeln!(out, "  {line}");
    }
    if !impact.movers.is_empty() {
        out.push_str("\n  Largest movers:\n");
        for mover in impact.movers.iter().take(TEXT_MOVERS) {
            let _ = writeln!(
                out,
                "    {} ({}): {} → {}{}",
                mover.customer,
                mover.plan.as_deref().unwrap_or("no plan"),
                money(mover.before, 1, &impact.currency),
                money(mover.after, 1, &impact.currency),
                percent(mover.change_percent)
            );
        }
        if impact.movers.len() > TEXT_MOVERS {
            let _ = writeln!(
                out,
                "    …and {} more (--format json lists {})",
                impact.movers.len() - TEXT_MOVERS,
                impact.movers.len()
            );
        }
    }
    if !impact.items.is_empty() {
        out.push_str("\n  Where the money moved:\n");
        for item in &impact.items {
            let _ = writeln!(
                out,
                "    {}: {} → {} ({})",
                item.item,
                money(item.before, 1, &impact.currency),
                money(item.after, 1, &impact.currency),
                signed(item.after - item.before, &impact.currency)
            );
        }
    }
    for line in problems(impact) {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The report as a Markdown section, at most [`REVENUE_MARKDOWN_LIMIT`] bytes: movers are
/// listed largest first while they fit.
pub fn render_revenue_markdown(impact: &RevenueImpact) -> String {
    let mut out = String::from("\n### Revenue impact");
    window(&mut out, impact);
    out.push_str("\n\n");
    for line in headline(impact) {
        let _ = writeln!(out, "- {}", escape(&line));
    }
    let mut tail = String::new();
    if !impact.items.is_empty() {
        tail.push_str("\n| where | before | after | change |\n| --- | ---: | ---: | ---: |\n");
        for item in &impact.items {
            let _ = writeln!(
                tail,
                "| {} | {} | {} | {} |",
                escape(&item.item),
                escape(&money(item.before, 1, &impact.currency)),
                escape(&money(item.after, 1, &impact.currency)),
                escape(&signed(item.after - item.before, &impact.currency))
            );
        }
    }
    let problems = problems(impact);
    if let Some((first, rest)) = problems.split_first() {
        let _ = writeln!(tail, "\n{}\n", escape(first));
        for line in rest {
            let _ = writeln!(tail, "- {}", escape(line.trim()));
        }
    }
    if !impact.movers.is_empty() {
        out.push_str(
            "\n| customer | plan | before | after | change |\n| --- | --- | ---: | ---: | ---: |\n",
        );
        let room = REVENUE_MARKDOWN_LIMIT.saturating_sub(tail.len() + 200);
        let mut shown = 0;
        for mover in &impact.movers {
            let row = format!(
                "| {} | {} | {} | {} | {} |\n",
                escape(&mover.customer),
                escape(mover.plan.as_deref().unwrap_or("—")),
                escape(&money(mover.before, 1, &impact.currency)),
                escape(&money(mover.after, 1, &impact.currency)),
                escape(&percent(mover.change_percent).trim().replace(['(', ')'], ""))
            );
            if out.len() + row.len() > room {
                break;
            }
            out.push_str(&row);
            shown += 1;
        }
        if shown < impact.movers.len() {
            let _ = writeln!(
                out,
                "\n{} more customers move; `pricectl impact --format json` lists the {} largest.",
                impact.movers.len() - shown,
                impact.movers.len()
            );
        }
    }
    out.push_str(&tail);
    out
}

/// " from 2026-01-01T00:00:00Z to 2026-04-01T00:00:00Z".
fn window(out: &mut String, impact: &RevenueImpact) {
    if let (Some(from), Some(until)) = (&impact.from, &impact.until) {
        let _ = write!(out, " from {from} to {until}");
    }
}

/// Totals, who pays more, less, the same, and how many pay much more.
fn headline(impact: &RevenueImpact) -> Vec<String> {
    let currency = &impact.currency;
    let mut lines = vec![
        format!(
            "Total: {} → {} ({}{})",
            money(impact.total_before, 1, currency),
            money(impact.total_after, 1, currency),
            signed(impact.total_after - impact.total_before, currency),
            impact
                .change_percent
                .map(|percent| format!(", {}", show_percent(percent)))
                .unwrap_or_default()
        ),
        format!(
            "{} customers, {} records: {} pay more, {} pay less, {} pay the same",
            number(Decimal::from(impact.customers)),
            number(Decimal::from(impact.records)),
            number(Decimal::from(impact.paying_more)),
            number(Decimal::from(impact.paying_less)),
            number(Decimal::from(impact.paying_same)),
        ),
        format!(
            "Paying more than 10% more: {}; more than 25% more: {}; more than 50% more: {}",
            number(Decimal::from(impact.more_than_10_percent)),
            number(Decimal::from(impact.more_than_25_percent)),
            number(Decimal::from(impact.more_than_50_percent)),
        ),
    ];
    if impact.customers_moved {
        lines.push(
            "Customers are priced on the new version of their plan, as if moved to it (--move-customers)"
                .into(),
        );
    }
    if impact.grandfathered > 0 {
        let many = impact.grandfathered != 1;
        lines.push(format!(
            "{} customer{} stay{} on {} plan's version (grandfathered), priced on it under the new pricing{}",
            number(Decimal::from(impact.grandfathered)),
            if many { "s" } else { "" },
            if many { "" } else { "s" },
            if many { "their" } else { "its" },
            if impact.customers_moved {
                ": the new pricing drops or archives it"
            } else {
                "; --move-customers prices them on the new version"
            }
        ));
    }
    lines
}

fn problems(impact: &RevenueImpact) -> Vec<String> {
    if impact.problem_count == 0 {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "Not priced for {} customer{} (their usage counts only where it could be):",
        impact.problem_count,
        if impact.problem_count == 1 { "" } else { "s" }
    )];
    for problem in &impact.problems {
        lines.push(format!(
            "  {} under the {} pricing: {}",
            problem.customer, problem.pricing, problem.message
        ));
    }
    lines
}

/// "+$13.20", "−$18.20", "$0.00".
fn signed(amount: Decimal, currency: &str) -> String {
    let shown = money(amount.abs(), 1, currency);
    match amount.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => format!("+{shown}"),
        std::cmp::Ordering::Less => format!("−{shown}"),
        std::cmp::Ordering::Equal => shown,
    }
}

fn percent(change: Option<Decimal>) -> String {
    change.map_or_else(String::new, |percent| {
        format!(" ({})", show_percent(percent))
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{REVENUE_MARKDOWN_LIMIT, render_revenue_markdown};
    use crate::impact::{MOVERS_KEPT, Mover, RevenueImpact};

    /// However many customers move, the section stays within its limit, the largest movers
    /// first, and says how many more there are.
    #[test]
    fn the_markdown_section_stays_within_its_limit() {
        let movers: Vec<Mover> = (0..MOVERS_KEPT)
            .map(|index| Mover {
                customer: format!("customer-with-a-rather-long-identifier-{index:05}|*_"),
                plan: Some("enterprise-annual-with-a-long-id".into()),
                before: Decimal::from(100_000 - index),
                after: Decimal::from(200_000 - 2 * index),
                change_percent: Some(Decimal::ONE_HUNDRED),
            })
            .collect();
        let impact = RevenueImpact {
            currency: "USD".into(),
            from: Some("2026-01-01T00:00:00Z".into()),
            until: Some("2026-02-01T00:00:00Z".into()),
            records: 1_000_000,
            customers: 10_000,
            total_before: Decimal::from(1_000_000),
            total_after: Decimal::from(2_000_000),
            change_percent: Some(Decimal::ONE_HUNDRED),
            paying_more: 10_000,
            paying_less: 0,
            paying_same: 0,
            more_than_10_percent: 10_000,
            more_than_25_percent: 10_000,
            more_than_50_percent: 10_000,
            grandfathered: 0,
            customers_moved: false,
            movers,
            items: Vec::new(),
            problems: Vec::new(),
            problem_count: 0,
        };
        let markdown = render_revenue_markdown(&impact);
        assert!(
            markdown.len() <= REVENUE_MARKDOWN_LIMIT,
            "{} bytes",
            markdown.len()
        );
        assert!(markdown.contains("| customer-with-a-rather-long-identifier-00000\\|\\*\\_ |"));
        assert!(!markdown.contains("identifier-00099"));
        assert!(markdown.contains(
            "more customers move; `pricectl impact --format json` lists the 100 largest."
        ));
    }
}
