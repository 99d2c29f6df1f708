//! The terminal view of a plan, Terraform-like: refusals first, then one block per change
//! (its fields `old → new`, its reason, its items), the price impact, and a summary line.
//!
//! Symbols: `+` create, `~` update, `^` new version, `-` delete, `!` archive.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde_json::Value;

use super::comparison::Comparison;
use super::plan_words::{
    UNMANAGED_HEADING, environment_banner, reason_words, refusal_words, unmanaged_words,
    verdict_lines,
};
use super::term_words::{costs_customers_more, price_interval, term_words};
use super::word_diff::word_diff;
use crate::catalog::Currency;
use crate::diff::{Action, Change, ObjectState, Plan, PriceImpact, Summary};

/// What the views say when the plan is empty.
pub(super) const NO_CHANGES: &str = "No changes. The live catalog matches the pricing.";

/// Renders a plan for a terminal; `color` adds ANSI colours (none at all when `false`).
pub fn render_plan_text(plan: &Plan, color: bool) -> String {
    render_plan_text_for(plan, color, &Comparison::Live)
}

/// [`render_plan_text`], worded for what the plan compares (`pricectl diff` names its sides).
pub fn render_plan_text_for(plan: &Plan, color: bool, comparison: &Comparison) -> String {
    let style = Style { color };
    let mut out = String::new();
    if let Some(banner) = environment_banner(plan) {
        let _ = writeln!(out, "{}: {banner}\n", style.paint(Paint::Error, "WARNING"));
    }
    for refusal in &plan.refusals {
        let (reason, help) = refusal_words(refusal);
        let _ = writeln!(
            out,
            "{}: {reason}\n  help: {help}",
            style.paint(Paint::Error, "error"),
        );
    }
    if !plan.refusals.is_empty() {
        out.push('\n');
    }
    if plan.changes.is_empty() {
        match comparison.sides() {
            None => out.push_str(NO_CHANGES),
            Some((old, new)) => {
                let _ = write!(
                    out,
                    "No changes. {old} and {new} compile to the same catalog."
                );
            }
        }
        out.push('\n');
        write_unmanaged(&mut out, plan);
        return out;
    }
    match comparison.sides() {
        None => out.push_str("pricectl will perform the following actions:\n"),
        Some((old, new)) => {
            let _ = writeln!(out, "From {old} to {new}, the catalog changes as follows:");
        }
    }
    for change in &plan.changes {
        out.push('\n');
        write_change(&mut out, change, 2, style);
    }
    if !plan.terms.is_empty() {
        out.push_str("\nWhat customers pay or get:\n");
        for term in &plan.terms {
            let words = format!("- {}", term_words(term, &plan.currency));
            let painted = style.paint_if(Paint::Increase, costs_customers_more(term), &words);
            let _ = writeln!(out, "  {painted}");
        }
    }
    if !plan.impact.is_empty() {
        out.push_str("\nPrice impact:\n");
        for impact in &plan.impact {
            out.push_str("  ");
            write_impact_line(&mut out, impact, style);
            out.push('\n');
        }
    }
    write_unmanaged(&mut out, plan);
    out.push('\n');
    out.push_str(&summary_line(&plan.summary));
    out.push('\n');
    if !plan.refusals.is_empty() {
        let count = plan.refusals.len();
        let _ = writeln!(
            out,
            "{}: this plan cannot be applied: {count} refusal{} (see above)",
            style.paint(Paint::Error, "error"),
            plural(count),
        );
    }
    out
}

/// What the billing system holds that pricectl does not manage, one line each; then the
/// system's own preview.
fn write_unmanaged(out: &mut String, plan: &Plan) {
    let verdict = verdict_lines(plan);
    if !verdict.is_empty() {
        out.push('\n');
        for line in verdict {
            let indent = if line.starts_with("- ") { "  " } else { "" };
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    if plan.unmanaged.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{UNMANAGED_HEADING}");
    for unmanaged in &plan.unmanaged {
        let _ = writeln!(out, "  - {}", unmanaged_words(unmanaged));
    }
}

/// "Plan: 2 to create, 1 to update, 0 to delete, 1 to archive, 1 new version."
/// The most changes [`changes_line`] names; the rest are counted.
const CHANGES_NAMED: usize = 20;

/// One line naming what a plan would change, for a job that fails when the live catalog
/// drifted from the pricing (`plan --detailed-exitcode`): "the live catalog differs from the
/// pricing in 2 objects: update plan.pro, create feature.sso". Empty for an empty plan.
pub fn changes_line(plan: &Plan) -> String {
    let count = plan.changes.len();
    if count == 0 {
        return String::new();
    }
    let mut named: Vec<String> = plan
        .changes
        .iter()
        .take(CHANGES_NAMED)
        .map(|change| format!("{} {}", verb(change.action), change.address))
        .collect();
    if count > CHANGES_NAMED {
        named.push(format!("and {} more", count - CHANGES_NAMED));
    }
    format!(
        "The live catalog differs from the pricing in {count} object{}: {}.\n",
        plural(count),
        named.join(", ")
    )
}

pub(super) fn summary_line(summary: &Summary) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} to archive, {} new version{}.",
        summary.create,
        summary.update,
        summary.delete,
        summary.archive,
        summary.new_version,
        plural(summary.new_version),
    )
}

/// One change and its items, the header at `indent` columns and its body four further in.
pub(super) fn write_change(out: &mut String, change: &Change, indent: usize, style: Style) {
    let pad = " ".repeat(indent);
    let body = " ".repeat(indent + 4);
    let paint = Paint::of(change.action);
    let _ = writeln!(
        out,
        "{pad}{} {}",
        style.paint(
            paint,
            &format!("{} {}", symbol(change.action), verb(change.action))
        ),
        change.address
    );
    let _ = writeln!(
        out,
        "{body}{}",
        style.paint(Paint::Dim, &format!("# {}", reason_words(&change.why)))
    );
    if change.action == Action::NewVersion || change.customers_staying > 0 {
        let count = change.customers_staying;
        let _ = writeln!(
            out,
            "{body}# {count} customer{} {} on the current version",
            plural(count),
            if count == 1 { "stays" } else { "stay" },
        );
    }
    write_field_lines(out, change, &body);
    for item in &change.items {
        out.push('\n');
        write_change(out, item, indent + 4, style);
    }
}

/// Every field a change shows, a line each at `body`: `old → new` for the fields that
/// change, and for a created object with no field list, the values of the object it creates.
fn write_field_lines(out: &mut String, change: &Change, body: &str) {
    if change.action == Action::Create {
        if change.fields.is_empty() {
            if let Some(after) = &change.after {
                write_created_fields(out, after, !change.items.is_empty(), body);
            }
            return;
        }
        for field in &change.fields {
            let _ = write!(out, "{body}{}: ", field.path);
            write_optional_value(out, field.after.as_ref());
            out.push('\n');
        }
        return;
    }
    for field in &change.fields {
        let _ = write!(out, "{body}{}: ", field.path);
        match (&field.before, &field.after) {
            (Some(Value::String(before)), Some(Value::String(after)))
                if is_prose(before, after) =>
            {
                out.push_str(&word_diff(before, after));
            }
            (before, after) => {
                write_optional_value(out, before.as_ref());
                out.push_str(" → ");
                write_optional_value(out, after.as_ref());
            }
        }
        out.push('\n');
    }
}

/// Text a reviewer reads word by word (a name, a description): words, not a decimal or an id.
fn is_prose(before: &str, after: &str) -> bool {
    let words = |text: &str| is_plain(text) && Decimal::from_str_exact(text).is_err();
    words(before) && words(after) && (before.contains(' ') || after.contains(' '))
}

/// The leaves of a created object, by dotted path, without its id (the address has it) and
/// without what is unset. A plan's items are left out when they are changes of their own.
/// An item's `reset_on_attach` is shown only when set: few items reset on attach, and the
/// default on every other item would be a line that says nothing.
fn write_created_fields(out: &mut String, state: &ObjectState, items_listed: bool, body: &str) {
    let (value, identity) = match state {
        ObjectState::Feature(feature) => (serde_json::to_value(feature), "id"),
        ObjectState::CreditSystem(system) => (serde_json::to_value(system), "id"),
        ObjectState::Plan(plan) => (serde_json::to_value(plan), "id"),
        ObjectState::Item(item) => (serde_json::to_value(item), "feature_id"),
    };
    let Ok(Value::Object(object)) = value else {
        return;
    };
    let mut path = String::new();
    for (key, value) in &object {
        let is_listed_items =
            items_listed && matches!(state, ObjectState::Plan(_)) && key == "items";
        let is_default_reset = matches!(state, ObjectState::Item(_))
            && key == "reset_on_attach"
            && *value == Value::Bool(false);
        if key != identity && !is_listed_items && !is_default_reset {
            path.clear();
            path.push_str(key);
            write_leaves(out, body, &mut path, value);
        }
    }
}

/// Each leaf of `value` under `path` (dotted), a line each; `path` is as it was after.
fn write_leaves(out: &mut String, body: &str, path: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Object(object) if !object.is_empty() => {
            for (key, child) in object {
                let parent = path.len();
                path.push('.');
                path.push_str(key);
                write_leaves(out, body, path, child);
                path.truncate(parent);
            }
        }
        _ => {
            out.push_str(body);
            out.push_str(path);
            out.push_str(": ");
            write_value(out, value);
            out.push('\n');
        }
    }
}

fn write_optional_value(out: &mut String, value: Option<&Value>) {
    match value {
        Some(value) => write_value(out, value),
        None => out.push_str("(none)"),
    }
}

/// A JSON value as a reviewer reads it, written at the end of `out`: strings (decimals
/// included) unquoted, `null` as `(none)`, arrays and objects inline.
fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("(none)"),
        Value::String(text) if is_plain(text) => out.push_str(text),
        Value::Array(values) => {
            out.push('[');
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_nested(out, value);
            }
            out.push(']');
        }
        Value::Object(object) => {
            out.push('{');
            for (index, (key, value)) in object.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                write_nested(out, value);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Inside an array or object, strings that would blur the punctuation are quoted.
fn write_nested(out: &mut String, value: &Value) {
    match value {
        Value::String(text) if text.contains([',', ':', '[', ']', '{', '}']) => {
            let _ = write!(out, "{value}");
        }
        _ => write_value(out, value),
    }
}

/// Shown unquoted: not empty, no control characters, no edge spaces, not `(none)`.
fn is_plain(text: &str) -> bool {
    !text.is_empty()
        && text.trim() == text
        && !text.chars().any(char::is_control)
        && text != "(none)"
}

/// "o3 input tokens via credits in credit-top-up: $10.00 → $2.00 per 1M (−80.0%)", written
/// at the end of `out`.
fn write_impact_line(out: &mut String, impact: &PriceImpact, style: Style) {
    out.push_str(&impact.feature_name);
    if let Some(via) = &impact.via {
        let _ = write!(out, " via {via}");
    }
    let _ = write!(out, " in {}: ", impact.plan);
    write_impact_prices(out, impact);
    if let Some(percent) = &impact.change_percent {
        let paint = if impact.is_increase() {
            Paint::Increase
        } else {
            Paint::Decrease
        };
        let _ = write!(out, " ({})", style.paint(paint, &show_percent(*percent)));
    }
}

/// "$10.00 → $2.00 per 1M", or with one side missing "not sold → $2.00 per 1M".
pub(super) fn impact_prices(impact: &PriceImpact) -> String {
    let mut prices = String::new();
    write_impact_prices(&mut prices, impact);
    prices
}

/// [`impact_prices`], written at the end of `out`.
fn write_impact_prices(out: &mut String, impact: &PriceImpact) {
    match (impact.before, impact.after) {
        (Some(before), Some(after)) => {
            write_money(out, before, impact.quoted_per, &impact.currency);
            out.push_str(" → ");
            write_money(out, after, impact.quoted_per, &impact.currency);
            out.push(' ');
            write_quote_unit(out, impact);
        }
        (before, after) => {
            write_quoted_price(out, before, impact);
            out.push_str(" → ");
            write_quoted_price(out, after, impact);
        }
    }
}

/// "$10.00 per 1M", or "not sold".
pub(super) fn quoted_price(price: Option<Decimal>, impact: &PriceImpact) -> String {
    let mut quoted = String::new();
    write_quoted_price(&mut quoted, price, impact);
    quoted
}

/// [`quoted_price`], written at the end of `out`.
fn write_quoted_price(out: &mut String, price: Option<Decimal>, impact: &PriceImpact) {
    match price {
        None => out.push_str("not sold"),
        Some(price) => {
            write_money(out, price, impact.quoted_per, &impact.currency);
            out.push(' ');
            write_quote_unit(out, impact);
        }
    }
}

/// -80.0 → "−80.0%", 20.0 → "+20.0%", one digit after the point.
pub(super) fn show_percent(percent: Decimal) -> String {
    let digits = format!("{:.1}", percent.abs());
    if percent.is_zero() {
        format!("{digits}%")
    } else if percent.is_sign_negative() {
        format!("−{digits}%")
    } else {
        format!("+{digits}%")
    }
}

/// "per seat per month", "per 1M tokens", "per 250 units": the units a price is quoted
/// for, named as the feature counts them, and how often it is charged; written at the end
/// of `out`.
fn write_quote_unit(out: &mut String, impact: &PriceImpact) {
    let (singular, plural) = impact.unit.as_ref().map_or(("unit", "units"), |unit| {
        (unit.singular.as_str(), unit.plural.as_str())
    });
    let _ = match impact.quoted_per {
        1 => write!(out, "per {singular}"),
        1_000 => write!(out, "per 1K {plural}"),
        1_000_000 => write!(out, "per 1M {plural}"),
        1_000_000_000 => write!(out, "per 1B {plural}"),
        other => write!(out, "per {} {plural}", group_thousands(&other.to_string())),
    };
    if let Some(interval) = impact.interval {
        let _ = write!(out, " {}", price_interval(interval));
    }
}

/// An exact per-unit amount times `quoted_per`, with the currency: "$10.00", "€0.015",
/// "¥1,500", "CHF 2.50". At least the currency's minor-unit digits, more when the amount
/// needs them; never rounded. A product too large for a decimal is shown as the product.
pub(super) fn money(amount: Decimal, quoted_per: u64, currency: &str) -> String {
    let mut shown = String::new();
    write_money(&mut shown, amount, quoted_per, currency);
    shown
}

/// [`money`], written at the end of `out`.
fn write_money(out: &mut String, amount: Decimal, quoted_per: u64, currency: &str) {
    let quoted = amount.checked_mul(Decimal::from(quoted_per));
    let Some(mut quoted) = quoted else {
        let _ = write!(out, "{currency} {amount} × {quoted_per}");
        return;
    };
    quoted = quoted.normalize();
    let minor_units = Currency::from_code(currency).map_or(2, |currency| currency.minor_units);
    if quoted.scale() < minor_units {
        quoted.rescale(minor_units);
    }
    if quoted.is_sign_negative() && !quoted.is_zero() {
        out.push('-');
    }
    match currency {
        "USD" => out.push('$'),
        "EUR" => out.push('€'),
        "GBP" => out.push('£'),
        "JPY" => out.push('¥'),
        code => {
            out.push_str(code);
            out.push(' ');
        }
    }
    let text = quoted.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    write_grouped(out, whole);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
}

/// "1500000" → "1,500,000".
pub(super) fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    write_grouped(&mut grouped, digits);
    grouped
}

/// [`group_thousands`], written at the end of `out`.
fn write_grouped(out: &mut String, digits: &str) {
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
}

/// The symbol of an action, in every view.
pub(super) fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::NewVersion => "^",
        Action::Delete => "-",
        Action::Archive => "!",
    }
}

/// The action in words, as a change's header reads: "^ new version of plan.pro".
pub(super) fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::NewVersion => "new version of",
        Action::Delete => "delete",
        Action::Archive => "archive",
    }
}

pub(super) fn plural<N: Copy + PartialEq + From<u8>>(count: N) -> &'static str {
    if count == N::from(1) { "" } else { "s" }
}

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    pub(super) color: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Paint {
    Create,
    Change,
    Destroy,
    Dim,
    Error,
    Increase,
    Decrease,
}

impl Paint {
    fn of(action: Action) -> Paint {
        match action {
            Action::Create => Paint::Create,
            Action::Update | Action::NewVersion => Paint::Change,
            Action::Delete | Action::Archive => Paint::Destroy,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Paint::Create | Paint::Decrease => "32",
            Paint::Change => "33",
            Paint::Destroy | Paint::Increase => "31",
            Paint::Dim => "2",
            Paint::Error => "1;31",
        }
    }
}

impl Style {
    /// `text` painted when `when`, else as it is.
    pub(super) fn paint_if(self, paint: Paint, when: bool, text: &str) -> String {
        if when {
            self.paint(paint, text)
        } else {
            text.to_string()
        }
    }

    pub(super) fn paint(self, paint: Paint, text: &str) -> String {
        if self.color {
            format!("\x1b[{}m{text}\x1b[0m", paint.code())
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{CHANGES_NAMED, changes_line, money, render_plan_text, show_percent, write_value};
    use crate::render::plan_fixtures;

    #[test]
    fn the_changes_line_names_each_change_up_to_a_bound() {
        assert_eq!(changes_line(&plan_fixtures::empty()), "");
        let plan = plan_fixtures::openai_create();
        insta::assert_snapshot!(changes_line(&plan), @"The live catalog differs from the pricing in 6 objects: create feature.o1-input-tokens, create feature.o1-output-tokens, create feature.o3-input-tokens, create feature.o3-output-tokens, create credit_system.credits, create plan.credit-top-up.");
        let mut long = plan.clone();
        while long.changes.len() <= CHANGES_NAMED {
            long.changes.extend(plan.changes.iter().cloned());
        }
        let line = changes_line(&long);
        assert!(
            line.ends_with(&format!(
                "and {} more.\n",
                long.changes.len() - CHANGES_NAMED
            )),
            "{line}"
        );
        assert_eq!(line.matches("create ").count(), CHANGES_NAMED, "{line}");
    }

    #[test]
    fn empty_plan() {
        insta::assert_snapshot!(render_plan_text(&plan_fixtures::empty(), false), @"No changes. The live catalog matches the pricing.");
    }

    #[test]
    fn a_live_plan_says_so_first_and_names_what_it_does_not_manage() {
        let plan = plan_fixtures::live_with_unmanaged();
        insta::assert_snapshot!(render_plan_text(&plan, false));
        let mut unchanged = plan;
        unchanged.changes.clear();
        let text = render_plan_text(&unchanged, false);
        assert!(text.starts_with("WARNING: this plan was made against a LIVE environment"));
        assert!(
            text.contains("No changes.") && text.contains("`rewards`: 2 coupons"),
            "{text}"
        );
    }

    #[test]
    fn openai_credits_created() {
        insta::assert_snapshot!(render_plan_text(&plan_fixtures::openai_create(), false));
    }

    #[test]
    fn reset_on_attach_shown_only_when_set() {
        let text = render_plan_text(&plan_fixtures::reset_on_attach_create(), false);
        let item = |address: &str| {
            text.split("+ create ")
                .find(|part| part.starts_with(address))
                .unwrap_or_default()
                .to_string()
        };
        assert!(item("plan.pro.item.messages").contains("reset_on_attach: true"));
        assert!(!item("plan.credit-top-up.item.credits").contains("reset_on_attach"));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn credit_costs_updated() {
        insta::assert_snapshot!(render_plan_text(
            &plan_fixtures::credit_cost_update(),
            false
        ));
    }

    #[test]
    fn new_version_keeps_customers() {
        insta::assert_snapshot!(render_plan_text(&plan_fixtures::new_version(), false));
    }

    #[test]
    fn billing_controls_are_terms_customers_feel() {
        insta::assert_snapshot!(render_plan_text(&plan_fixtures::controls_changed(), false));
    }

    #[test]
    fn every_change_customers_feel_up_front() {
        insta::assert_snapshot!(render_plan_text(&plan_fixtures::pro_repriced(), false));
    }

    #[test]
    fn delete_and_archive() {
        insta::assert_snapshot!(render_plan_text(
            &plan_fixtures::delete_and_archive(),
            false
        ));
    }

    #[test]
    fn refusals_come_first() {
        insta::assert_snapshot!(render_plan_text(&plan_fixtures::refusal(), false));
    }

    #[test]
    fn colour_only_when_asked() {
        let plan = plan_fixtures::new_version();
        assert!(!render_plan_text(&plan, false).contains('\x1b'));
        insta::assert_snapshot!(render_plan_text(&plan, true).replace('\x1b', "ESC"));
    }

    #[test]
    fn money_is_exact_and_in_its_currency() {
        let cases = [
            ("0.00001", 1_000_000, "USD", "$10.00"),
            ("0.000002", 1_000_000, "USD", "$2.00"),
            ("0.0000015", 1_000_000, "USD", "$1.50"),
            ("0.0000000125", 1_000_000, "USD", "$0.0125"),
            ("0.01", 1, "USD", "$0.01"),
            ("0.012", 1, "USD", "$0.012"),
            ("25", 1, "EUR", "€25.00"),
            ("1234.5", 1, "GBP", "£1,234.50"),
            ("0.0015", 1_000_000, "JPY", "¥1,500"),
            ("0.5", 1, "JPY", "¥0.5"),
            ("2.5", 1, "CHF", "CHF 2.50"),
            ("0.001", 1, "KWD", "KWD 0.001"),
            ("0", 1, "USD", "$0.00"),
            ("-3", 1, "USD", "-$3.00"),
            (
                "79228162514264337593543950335",
                1_000_000,
                "USD",
                "USD 79228162514264337593543950335 × 1000000",
            ),
        ];
        for (amount, quoted_per, currency, expected) in cases {
            let amount = Decimal::from_str_exact(amount).unwrap();
            assert_eq!(
                money(amount, quoted_per, currency),
                expected,
                "{amount} × {quoted_per} {currency}"
            );
        }
    }

    #[test]
    fn percentages_carry_their_sign() {
        let percent = |text: &str| show_percent(Decimal::from_str_exact(text).unwrap());
        assert_eq!(percent("-80.0"), "−80.0%");
        assert_eq!(percent("20.0"), "+20.0%");
        assert_eq!(percent("20"), "+20.0%");
        assert_eq!(percent("0.0"), "0.0%");
        assert_eq!(percent("-0.0"), "0.0%");
    }

    #[test]
    fn values_read_as_written() {
        let cases = [
            (serde_json::json!("0.02"), "0.02"),
            (serde_json::json!(null), "(none)"),
            (serde_json::json!(true), "true"),
            (serde_json::json!(14), "14"),
            (serde_json::json!(""), "\"\""),
            (serde_json::json!("two\nlines"), "\"two\\nlines\""),
            (serde_json::json!(["a", "b, c"]), "[a, \"b, c\"]"),
            (
                serde_json::json!({"days": 14, "card_required": false}),
                "{days: 14, card_required: false}",
            ),
        ];
        for (value, expected) in cases {
            let mut shown = String::new();
            write_value(&mut shown, &value);
            assert_eq!(shown, expected, "{value}");
        }
    }
}
