//! Writing a catalog as pricing-language text: what `pricectl import` writes from a live
//! billing system.
//!
//! The text compiles back to exactly the catalog it was written from, for every catalog that
//! lowering can produce. A key is left out when lowering's default gives the same value
//! (`name` equal to the id, `per = 1`, `included = 0`, `reset` that lowering infers,
//! `prepaid.min` equal to `per`, `card_required = true`, `false` flags), so the output reads
//! like a hand-written file. `tier_mode` is the one exception: it is always written next to
//! `tiers`, as the examples do, because graduated and volume tiers charge very differently.
//!
//! Numbers are written from their exact decimal text, never through `f64`:
//! - integer parts of 10,000 and more are grouped with `_` (`1_000_000`, `12_345.5`);
//!   smaller ones are not (`1000`, `2500`);
//! - money (base prices, item prices, tier amounts) with a fractional part is padded to the
//!   currency's minor unit (`0.50`, not `0.5`; `0.015` stays as it is);
//! - an integer beyond TOML's 64-bit range is written as a quoted decimal (`"100_000_…"`),
//!   which the language reads exactly;
//! - credit costs follow [`cost_text`].
//!
//! Catalogs lowering cannot produce do not round-trip, and some cannot be written so that
//! they compile at all; the writer still writes what they say, so the compiler reports the
//! problem instead of the text silently meaning something else:
//! - a usage-billed item of a consumable feature with no `reset` (lowering gives it the price
//!   interval's reset, and the language has no way to say "never"), or with a `one_off` price
//!   interval (an error: usage is billed every period);
//! - a `reset` on an item of an allocated feature (an error: allocated units never reset);
//! - a prepaid price without purchase bounds, or a usage price with them;
//! - a `prepaid.min` or `max` below `per` or not a multiple of it, or `min` above `max`;
//! - a boolean feature that is consumable, or whose items carry an amount, reset or price;
//! - unsorted or duplicated event names (lowering sorts and deduplicates them);
//! - a credit cost not normalized to `per = 1` (decimals that are not normalized do
//!   round-trip: decimals compare by value);
//! - ids that are not valid ids (written as quoted keys, and reported as invalid ids),
//!   map keys that differ from the object's own id, a free trial of 0 days, and anything else
//!   a check rejects (negative amounts, tiers out of order, two defaults in a group, …).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::catalog::decimal::exact_div;
use crate::catalog::{
    Billing, Catalog, Choice, CreditCost, CreditSystem, Currency, Display, Duration, Feature,
    FeatureType, Included, ItemControls, ItemPrice, LimitAnchor, Plan, PlanItem, PrepaidBounds,
    Rate, SpendLimit, Tier, TierBound, TrialLength, TrialOncePer, UsageLimit,
};

/// The pricing-language text of `catalog`, with a `#:schema <schema_path>` first line when
/// given (editors validate the file against that JSON Schema).
///
/// Compiling the text gives back `catalog` exactly (see the module documentation for the
/// catalogs lowering cannot produce). Equal catalogs give identical text.
pub fn write_pricing(catalog: &Catalog, schema_path: Option<&str>) -> String {
    let text = unformatted(catalog, schema_path);
    // The same canonical layout `pricectl fmt` gives, so an imported file is already formatted.
    // Formatting only fails on text it cannot parse, which the writer never produces.
    super::format::format_pricing(&text).unwrap_or(text)
}

/// [`write_pricing`]'s text before it is laid out as `pricectl fmt` lays it out: the same
/// tables and values, so it compiles to the same catalog, made in a fraction of the time
/// (laying out parses the text again). For text only a compiler reads, such as `pricectl
/// serve`'s check of a catalog a client sends.
pub fn write_pricing_to_compile(catalog: &Catalog) -> String {
    unformatted(catalog, None)
}

fn unformatted(catalog: &Catalog, schema_path: Option<&str>) -> String {
    let mut writer = Writer {
        out: String::new(),
        allocated: catalog
            .features
            .values()
            .filter(|feature| feature.kind == FeatureType::Metered && !feature.consumable)
            .map(|feature| feature.id.clone())
            .collect(),
        minor_units: Currency::from_code(&catalog.currency).map(|currency| currency.minor_units),
    };
    if let Some(path) = schema_path {
        writer.line(&format!("#:schema {path}"));
        writer.out.push('\n');
    }
    writer.line("version = 1");
    writer.field("currency", &string(&catalog.currency));
    for (id, feature) in &catalog.features {
        writer.feature(id, feature);
    }
    for (id, system) in &catalog.credit_systems {
        writer.credit_system(id, system);
    }
    for (id, plan) in &catalog.plans {
        writer.plan(id, plan);
    }
    writer.out
}

struct Writer {
    out: String,
    /// The allocated features (metered, not consumable): their items never reset.
    allocated: BTreeSet<String>,
    /// Digits after the point of the currency's minor unit, to write money as `0.50`.
    minor_units: Option<u32>,
}

impl Writer {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn field(&mut self, key: &str, value: &str) {
        self.line(&format!("{key} = {value}"));
    }

    fn flag(&mut self, key: &str, value: bool, default: bool) {
        if value != default {
            self.field(key, if value { "true" } else { "false" });
        }
    }

    /// A table header, after a blank line: `[plans.pro.items.seats]`.
    fn header(&mut self, path: &[&str]) {
        let keys: Vec<String> = path.iter().map(|part| key(part)).collect();
        self.out.push('\n');
        self.line(&format!("[{}]", keys.join(".")));
    }

    fn money(&self, value: Decimal) -> String {
        money_text(value, self.minor_units)
    }

    fn feature(&mut self, id: &str, feature: &Feature) {
        self.header(&["features", id]);
        if feature.name != id {
            self.field("name", &string(&feature.name));
        }
        self.field("type", &string(feature.kind.as_str()));
        // Metered features default to consumable; a boolean one never is.
        self.flag(
            "consumable",
            feature.consumable,
            feature.kind == FeatureType::Metered,
        );
        if let Some(display) = &feature.display {
            self.field("display", &display_text(display));
        }
        if !feature.event_names.is_empty() {
            let names: Vec<String> = feature
                .event_names
                .iter()
                .map(|name| string(name))
                .collect();
            self.field("event_names", &format!("[{}]", names.join(", ")));
        }
        self.flag("archived", feature.archived, false);
        self.flag("protect", feature.protect, false);
    }

    fn credit_system(&mut self, id: &str, system: &CreditSystem) {
        self.header(&["credit_systems", id]);
        if system.name != id {
            self.field("name", &string(&system.name));
        }
        if let Some(display) = &system.display {
            self.field("display", &display_text(display));
        }
        self.flag("archived", system.archived, false);
        self.flag("protect", system.protect, false);
        // Always written: `costs` is required, even when empty.
        self.header(&["credit_systems", id, "costs"]);
        let keys: Vec<String> = system.costs.keys().map(|feature| key(feature)).collect();
        let values: Vec<CostValue> = system.costs.values().map(cost_value).collect();
        let key_width = keys
            .iter()
            .map(|key| key.chars().count())
            .max()
            .unwrap_or(0);
        for (key, value) in keys.iter().zip(&values) {
            self.line(&format!("{key:<key_width$} = {}", value.text()));
        }
    }

    fn plan(&mut self, id: &str, plan: &Plan) {
        self.header(&["plans", id]);
        if plan.name != id {
            self.field("name", &string(&plan.name));
        }
        if let Some(description) = &plan.description {
            self.field("description", &string(description));
        }
        if let Some(group) = &plan.group {
            self.field("group", &string(group));
        }
        self.flag("add_on", plan.add_on, false);
        self.flag("default", plan.default, false);
        if let Some(price) = &plan.price {
            let amount = self.money(price.amount);
            self.field(
                "price",
                &format!(
                    "{{ amount = {amount}, interval = {} }}",
                    string(price.interval.as_str())
                ),
            );
        }
        if let Some(trial) = &plan.free_trial {
            let mut parts = vec![match trial.length {
                TrialLength::Days(days) => format!("days = {days}"),
                TrialLength::Months(months) => format!("months = {months}"),
            }];
            if !trial.card_required {
                parts.push("card_required = false".to_string());
            }
            if trial.once_per != TrialOncePer::Plan {
                parts.push(format!("once_per = {}", string(trial.once_per.as_str())));
            }
            self.field("free_trial", &format!("{{ {} }}", parts.join(", ")));
        }
        self.flag("archived", plan.archived, false);
        self.flag("protect", plan.protect, false);
        for (item_id, item) in &plan.items {
            self.header(&["plans", id, "items", item_id]);
            self.item(item);
        }
        self.usage_limits(id, &plan.usage_limits);
    }

    fn item(&mut self, item: &PlanItem) {
        match item.included {
            Included::Units(units) if units.is_zero() => {}
            Included::Units(units) => self.field("included", &number(units)),
            Included::Unlimited => self.field("included", &string("unlimited")),
        }
        // Lowering gives a usage-billed item its price interval's reset, unless its feature
        // is allocated; anything else never resets unless told. A `None` where lowering
        // infers a reset cannot be written.
        let allocated = self.allocated.contains(&item.feature_id);
        let inferred = item
            .price
            .as_ref()
            .filter(|price| price.billing == Billing::Usage && !allocated)
            .and_then(|price| price.interval.as_reset_interval());
        if let Some(reset) = item.reset
            && item.reset != inferred
        {
            self.field("reset", &string(reset.as_str()));
        }
        if let Some(entity) = &item.per_entity {
            self.field("per_entity", &string(entity));
        }
        self.flag("reset_on_attach", item.reset_on_attach, false);
        if let Some(proration) = &item.proration {
            // Both policies are written, as `tier_mode` is: they decide what is charged.
            self.field(
                "proration",
                &format!(
                    "{{ on_increase = {}, on_decrease = {} }}",
                    string(proration.on_increase.as_str()),
                    string(proration.on_decrease.as_str())
                ),
            );
        }
        if let Some(price) = &item.price {
            self.field("price", &self.price_text(price));
            if let Rate::Tiered { tier_mode, tiers } = &price.rate {
                self.field("tier_mode", &string(tier_mode.as_str()));
                self.tiers(tiers);
            }
            if let Some(bounds) = &price.prepaid {
                let default = PrepaidBounds {
                    min: price.per,
                    max: None,
                };
                if price.billing != Billing::Prepaid || *bounds != default {
                    let mut parts = Vec::new();
                    if bounds.min != price.per || price.billing != Billing::Prepaid {
                        parts.push(format!("min = {}", number(bounds.min)));
                    }
                    if let Some(max) = bounds.max {
                        parts.push(format!("max = {}", number(max)));
                    }
                    self.field("prepaid", &format!("{{ {} }}", parts.join(", ")));
                }
            }
        }
        self.controls(&item.controls);
    }

    /// An item's billing controls, each only when given.
    fn controls(&mut self, controls: &ItemControls) {
        if let Some(top_up) = &controls.auto_top_up {
            let mut parts = vec![
                format!("threshold = {}", number(top_up.threshold)),
                format!("quantity = {}", number(top_up.quantity)),
            ];
            if !top_up.enabled {
                parts.push("enabled = false".to_string());
            }
            if let Some(limit) = &top_up.purchase_limit {
                parts.push(format!(
                    "purchase_limit = {{ limit = {}, interval = {} }}",
                    limit.limit,
                    string(limit.interval.as_str())
                ));
            }
            self.field("auto_top_up", &format!("{{ {} }}", parts.join(", ")));
        }
        if let Some(limit) = &controls.spend_limit {
            let text = match limit {
                SpendLimit::Amount(amount) => format!("{{ amount = {} }}", self.money(*amount)),
                SpendLimit::Percent(percent) => format!("{{ percent = {} }}", number(*percent)),
            };
            self.field("spend_limit", &text);
        }
        if !controls.alerts.is_empty() {
            let alerts: Vec<String> = controls
                .alerts
                .iter()
                .map(|alert| format!("{{ {} = {} }}", alert.kind(), number(alert.threshold())))
                .collect();
            self.field("alerts", &format!("[{}]", alerts.join(", ")));
        }
        if let Some(rollover) = &controls.rollover {
            let mut parts = Vec::new();
            if let Some(max) = rollover.max {
                parts.push(format!("max = {}", number(max)));
            }
            if let Some(months) = rollover.months {
                parts.push(format!("months = {months}"));
            }
            let text = if parts.is_empty() {
                "{}".to_string()
            } else {
                format!("{{ {} }}", parts.join(", "))
            };
            self.field("rollover", &text);
        }
        if let Some(expiry) = &controls.expires_after {
            let text = match expiry {
                Duration::Days(days) => format!("{{ days = {days} }}"),
                Duration::Months(months) => format!("{{ months = {months} }}"),
            };
            self.field("expires_after", &text);
        }
    }

    /// A plan's usage limits, keyed by what they cap.
    fn usage_limits(&mut self, id: &str, limits: &BTreeMap<String, UsageLimit>) {
        if limits.is_empty() {
            return;
        }
        self.header(&["plans", id, "usage_limits"]);
        for (feature, limit) in limits {
            let mut parts = vec![
                format!("limit = {}", number(limit.limit)),
                format!("interval = {}", string(limit.interval.as_str())),
            ];
            if limit.anchor != LimitAnchor::BillingCycle {
                parts.push(format!("anchor = {}", string(limit.anchor.as_str())));
            }
            self.line(&format!("{} = {{ {} }}", key(feature), parts.join(", ")));
        }
    }

    /// `{ amount = 10, per = 1_000, billing = "prepaid", interval = "month" }`.
    fn price_text(&self, price: &ItemPrice) -> String {
        let mut parts = Vec::new();
        if let Rate::Flat { amount } = price.rate {
            parts.push(format!("amount = {}", self.money(amount)));
        }
        if price.per != Decimal::ONE {
            parts.push(format!("per = {}", number(price.per)));
        }
        parts.push(format!("billing = {}", string(price.billing.as_str())));
        parts.push(format!("interval = {}", string(price.interval.as_str())));
        format!("{{ {} }}", parts.join(", "))
    }

    /// One tier inline; several one per line, with a trailing comma.
    fn tiers(&mut self, tiers: &[Tier]) {
        let rows: Vec<(String, String)> = tiers
            .iter()
            .map(|tier| {
                let up_to = match tier.up_to {
                    TierBound::Units(units) => number(units),
                    TierBound::Infinite => string("inf"),
                };
                (format!("up_to = {up_to},"), self.money(tier.amount))
            })
            .collect();
        if let [(up_to, amount)] = rows.as_slice() {
            self.field("tiers", &format!("[{{ {up_to} amount = {amount} }}]"));
            return;
        }
        if rows.is_empty() {
            self.field("tiers", "[]");
            return;
        }
        self.line("tiers = [");
        for (up_to, amount) in rows {
            self.line(&format!("  {{ {up_to} amount = {amount} }},"));
        }
        self.line("]");
    }
}

/// `{ singular = "token", plural = "tokens" }`.
fn display_text(display: &Display) -> String {
    format!(
        "{{ singular = {}, plural = {} }}",
        string(&display.singular),
        string(&display.plural)
    )
}

/// A credit cost as written in a credit system's `costs`.
///
/// The catalog holds credits per single unit. The rule:
/// - a whole number of credits, a cost of one credit or more, or a cost below one credit with
///   at most two decimals is written as that decimal: `2`, `1.5`, `0.25`;
/// - a smaller cost is written as a rate `{ credits = N, per = M }` where `M` is the smallest
///   power of 1,000 (`1000`, `1_000_000`, `1_000_000_000`, …) that makes `N` whole, because
///   token prices are read per thousand or per million: `0.0015` → `{ credits = 1500,
///   per = 1_000_000 }`, `0.000375` → `{ credits = 375, per = 1_000_000 }`, `0.125` →
///   `{ credits = 125, per = 1000 }`;
/// - a cost needing `per` beyond 10^18 (more than 18 decimals) stays a plain decimal, since
///   `per` must be a 64-bit TOML integer.
///
/// A cost not normalized to `per = 1` (lowering never makes one) is written per unit when it
/// divides exactly, else as its own rate.
pub fn cost_text(cost: &CreditCost) -> String {
    cost_value(cost).text()
}

/// A credit cost's value.
enum CostValue {
    PerUnit(String),
    Rate { credits: String, per: String },
}

impl CostValue {
    fn text(&self) -> String {
        match self {
            CostValue::PerUnit(text) => text.clone(),
            CostValue::Rate { credits, per } => format!("{{ credits = {credits}, per = {per} }}"),
        }
    }
}

fn cost_value(cost: &CreditCost) -> CostValue {
    let per_unit = if cost.per == Decimal::ONE {
        Some(cost.credits.normalize())
    } else {
        exact_div(cost.credits, cost.per)
    };
    let (credits, per) = match per_unit {
        None => (cost.credits, cost.per),
        Some(per_unit) => match cost_rate(per_unit) {
            Some(rate) => rate,
            None => return CostValue::PerUnit(number(per_unit)),
        },
    };
    CostValue::Rate {
        credits: number(credits),
        per: number(per),
    }
}

/// The `(credits, per)` rate for a per-unit cost, when [`cost_text`] writes one.
fn cost_rate(per_unit: Decimal) -> Option<(Decimal, Decimal)> {
    let scale = per_unit.scale();
    if per_unit <= Decimal::ZERO || per_unit >= Decimal::ONE || scale <= 2 {
        return None;
    }
    let digits = scale.div_ceil(3) * 3;
    if digits > 18 {
        return None;
    }
    let per = Decimal::from(10_i64.pow(digits));
    let credits = per_unit.checked_mul(per)?.normalize();
    (credits.scale() == 0).then_some((credits, per))
}

/// A decimal as a TOML value, from its exact normalized text (see the module documentation).
fn number(value: Decimal) -> String {
    number_from_text(&value.normalize().to_string())
}

/// Money: like [`number`], with a fractional part padded to the currency's minor unit.
fn money_text(value: Decimal, minor_units: Option<u32>) -> String {
    let mut text = value.normalize().to_string();
    if let (Some(minor_units), Some(point)) = (minor_units, text.find('.')) {
        let decimals = text.len() - point - 1;
        let wanted = usize::try_from(minor_units).expect("a few digits");
        for _ in decimals..wanted {
            text.push('0');
        }
    }
    number_from_text(&text)
}

/// Groups the integer part and quotes integers TOML cannot hold (beyond 64 bits).
fn number_from_text(text: &str) -> String {
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        return "0".to_string(); // also turns a negative zero into `0`
    }
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let grouped = group_digits(integer);
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None if text.parse::<i64>().is_ok() => format!("{sign}{grouped}"),
        None => format!("\"{sign}{grouped}\""),
    }
}

/// `1000000` → `1_000_000`; fewer than five digits stay as they are (`2500`).
fn group_digits(digits: &str) -> String {
    if digits.len() < 5 {
        return digits.to_string();
    }
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('_');
        }
        grouped.push(digit);
    }
    grouped
}

/// A TOML basic string: `"`, `\` and control characters escaped, everything else as is.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            character if character.is_control() => {
                write!(out, "\\u{:04X}", u32::from(character)).expect("a String takes any text");
            }
            character => out.push(character),
        }
    }
    out.push('"');
    out
}

/// A key: bare when TOML allows it (every valid id does), quoted otherwise.
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-');
    if bare { text.to_string() } else { string(text) }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::str::FromStr;

    use super::*;
    use crate::catalog::{BasePrice, FreeTrial, PriceInterval, ResetInterval, TierMode};
    use crate::dsl::SourceSet;
    use crate::{Compilation, compile};

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn compile_text(text: &str) -> Compilation {
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("pricing.toml"), text.to_string());
        compile(sources)
    }

    /// Writes `catalog`, compiles the text, and explains any difference.
    fn assert_round_trip(catalog: &Catalog, what: &str) -> String {
        let text = write_pricing(catalog, None);
        let compilation = compile_text(&text);
        let errors: Vec<String> = compilation
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| {
                let span = diagnostic.primary().span.range();
                let at = text.get(span.clone()).unwrap_or("");
                format!(
                    "{}: {} (at {span:?} `{at}`)",
                    diagnostic.code.name(),
                    diagnostic.message
                )
            })
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the written text has errors:\n{}\n--- text ---\n{text}",
            errors.join("\n")
        );
        let compiled = compilation.catalog.expect("no errors, so a catalog");
        assert!(
            compiled == *catalog,
            "{what}: round trip changed the catalog\n--- text ---\n{text}\n--- diff (written vs compiled JSON) ---\n{}",
            json_diff(&catalog.to_canonical_json(), &compiled.to_canonical_json())
        );
        assert_eq!(
            write_pricing(&compiled, None),
            text,
            "{what}: writing is not stable"
        );
        // The text before its layout (what `pricectl serve` compiles) says the same.
        let unformatted = write_pricing_to_compile(catalog);
        let compilation = compile_text(&unformatted);
        assert_eq!(
            compilation.error_count(),
            0,
            "{what}: the text before its layout has errors:\n{unformatted}"
        );
        assert!(
            compilation.catalog.as_ref() == Some(catalog),
            "{what}: the text before its layout compiles to another catalog\n{unformatted}"
        );
        text
    }

    fn json_diff(left: &str, right: &str) -> String {
        let left: Vec<&str> = left.lines().collect();
        let right: Vec<&str> = right.lines().collect();
        let mut out = String::new();
        for index in 0..left.len().max(right.len()) {
            let (l, r) = (left.get(index), right.get(index));
            if l != r {
                writeln!(
                    out,
                    "line {index}:\n- {}\n+ {}",
                    l.unwrap_or(&""),
                    r.unwrap_or(&"")
                )
                .expect("a String takes any text");
                if out.len() > 4000 {
                    break;
                }
            }
        }
        out
    }

    fn examples() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-examples");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root)
            .expect("pricing-examples exists")
            .map(|entry| entry.expect("readable entry").path().join("pricing.toml"))
            .filter(|path| path.is_file())
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn every_example_round_trips() {
        let examples = examples();
        assert!(examples.len() >= 4, "found {examples:?}");
        for path in examples {
            let compilation = crate::compile_path(&path).expect("example loads");
            let catalog = compilation
                .catalog
                .unwrap_or_else(|| panic!("{} compiles", path.display()));
            let text = assert_round_trip(&catalog, &path.display().to_string());
            let with_schema = write_pricing(&catalog, Some("../../schemas/pricing.v1.schema.json"));
            assert_eq!(
                with_schema,
                format!("#:schema ../../schemas/pricing.v1.schema.json\n\n{text}")
            );
            assert_eq!(
                compile_text(&with_schema).catalog.as_ref(),
                Some(&catalog),
                "{}",
                path.display()
            );
            // What import writes is what `pricectl fmt` would leave alone.
            assert_eq!(
                crate::dsl::format::format_pricing(&with_schema).expect("formats"),
                with_schema,
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn writes_the_saas_example_in_house_style() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("pricing-examples/saas-seats-credits/pricing.toml");
        let catalog = crate::compile_path(&path).unwrap().catalog.unwrap();
        let text = write_pricing(&catalog, Some("../../schemas/pricing.v1.schema.json"));
        let expected = r#"#:schema ../../schemas/pricing.v1.schema.json

version = 1
currency = "USD"

[features.ai-messages]
name = "AI messages"
type = "metered"
display = { singular = "message", plural = "messages" }
event_names = ["ai_message"]

[features.image-generations]
name = "Image generations"
type = "metered"
display = { singular = "image", plural = "images" }
event_names = ["image_generation"]

[features.seats]
name = "Seats"
type = "metered"
consumable = false
display = { singular = "seat", plural = "seats" }

[features.sso]
name = "Single sign-on (SSO)"
type = "boolean"

[credit_systems.credits]
name = "Credits"
display = { singular = "credit", plural = "credits" }

[credit_systems.credits.costs]
ai-messages       = 1
image-generations = 5

[plans.free]
name = "Free"
description = "Try it out: 50 credits a month for one person."
group = "main"
default = true

[plans.free.items.credits]
included = 50
reset = "month"

[plans.free.items.seats]
included = 1

[plans.pro]
name = "Pro"
description = "For teams: 500 credits a month, 3 seats and SSO."
group = "main"
price = { amount = 20, interval = "month" }

[plans.pro.items.credits]
included = 500
reset = "month"
price = { amount = 10, per = 1000, billing = "prepaid", interval = "month" }
prepaid = { max = 100_000 }

[plans.pro.items.seats]
included = 3
price = { amount = 5, billing = "prepaid", interval = "month" }

[plans.pro.items.sso]
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn numbers_are_exact_and_grouped() {
        let cases = [
            ("0", "0"),
            ("0.0015", "0.0015"),
            ("20", "20"),
            ("9999", "9999"),
            ("10000", "10_000"),
            ("1000000", "1_000_000"),
            ("12345.5", "12_345.5"),
            ("-1234567", "-1_234_567"),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
            ("9223372036854775807", "9_223_372_036_854_775_807"),
            ("9223372036854775808", "\"9_223_372_036_854_775_808\""),
            (
                "79228162514264337593543950335",
                "\"79_228_162_514_264_337_593_543_950_335\"",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(number(decimal(value)), expected, "{value}");
        }
        assert_eq!(number(-Decimal::ZERO), "0");
        assert_eq!(money_text(decimal("0.5"), Some(2)), "0.50");
        assert_eq!(money_text(decimal("20"), Some(2)), "20");
        assert_eq!(money_text(decimal("0.015"), Some(2)), "0.015");
        assert_eq!(money_text(decimal("12345.5"), Some(3)), "12_345.500");
        assert_eq!(money_text(decimal("0.5"), Some(0)), "0.5");
        assert_eq!(money_text(decimal("0.5"), None), "0.5");
    }

    #[test]
    fn credit_costs_read_as_rates_when_small() {
        let cases = [
            ("0.0015", "{ credits = 1500, per = 1_000_000 }"),
            ("0.000375", "{ credits = 375, per = 1_000_000 }"),
            ("0.01875", "{ credits = 18_750, per = 1_000_000 }"),
            ("0.00008", "{ credits = 80, per = 1_000_000 }"),
            ("0.125", "{ credits = 125, per = 1000 }"),
            ("0.0000001", "{ credits = 100, per = 1_000_000_000 }"),
            ("2", "2"),
            ("1.5", "1.5"),
            ("1.0015", "1.0015"),
            ("0.25", "0.25"),
            ("0.5", "0.5"),
            ("0.0000000000000000001", "0.0000000000000000001"),
        ];
        for (value, expected) in cases {
            assert_eq!(
                cost_text(&CreditCost::per_unit(decimal(value))),
                expected,
                "{value}"
            );
        }
        // Not normalized: written per unit when exact, else as its own rate.
        let rate = CreditCost {
            credits: decimal("3"),
            per: decimal("2"),
        };
        assert_eq!(cost_text(&rate), "1.5");
        let third = CreditCost {
            credits: decimal("1"),
            per: decimal("3"),
        };
        assert_eq!(cost_text(&third), "{ credits = 1, per = 3 }");
    }

    #[test]
    fn strings_are_escaped() {
        let cases = [
            ("plain", r#""plain""#),
            ("say \"hi\"", r#""say \"hi\"""#),
            ("C:\\path", r#""C:\\path""#),
            ("a\nb\tc\rd", r#""a\nb\tc\rd""#),
            ("\u{8}\u{c}", r#""\b\f""#),
            (
                "bell\u{7}del\u{7f}nel\u{85}",
                r#""bell\u0007del\u007Fnel\u0085""#,
            ),
            ("Ünïcödé — 日本語 🚀", "\"Ünïcödé — 日本語 🚀\""),
            ("", r#""""#),
        ];
        for (text, expected) in cases {
            assert_eq!(string(text), expected, "{text:?}");
            // The toml crate reads it back to the same text.
            let parsed: toml::Table = toml::from_str(&format!("x = {expected}")).unwrap();
            assert_eq!(parsed["x"].as_str(), Some(text));
        }
        assert_eq!(key("o1-input_tokens"), "o1-input_tokens");
        assert_eq!(key("has space"), "\"has space\"");
    }

    // ---------------------------------------------------------------- hand-built catalogs

    fn feature(id: &str, kind: FeatureType) -> Feature {
        Feature {
            id: id.to_string(),
            name: id.to_string(),
            kind,
            consumable: kind == FeatureType::Metered,
            display: None,
            event_names: Vec::new(),
            archived: false,
            protect: false,
        }
    }

    fn plan(id: &str) -> Plan {
        Plan {
            id: id.to_string(),
            name: id.to_string(),
            description: None,
            group: None,
            add_on: false,
            default: false,
            price: None,
            free_trial: None,
            items: BTreeMap::new(),
            archived: false,
            protect: false,
            usage_limits: BTreeMap::new(),
        }
    }

    fn item(id: &str) -> PlanItem {
        PlanItem::granting(id)
    }

    fn price(billing: Billing, interval: PriceInterval, per: &str, rate: Rate) -> ItemPrice {
        let per = decimal(per);
        ItemPrice {
            billing,
            interval,
            per,
            rate,
            prepaid: (billing == Billing::Prepaid).then_some(PrepaidBounds {
                min: per,
                max: None,
            }),
        }
    }

    fn flat(amount: &str) -> Rate {
        Rate::Flat {
            amount: decimal(amount),
        }
    }

    fn tiers(mode: TierMode, tiers: &[(&str, &str)]) -> Rate {
        Rate::Tiered {
            tier_mode: mode,
            tiers: tiers
                .iter()
                .map(|(up_to, amount)| Tier {
                    up_to: if *up_to == "inf" {
                        TierBound::Infinite
                    } else {
                        TierBound::Units(decimal(up_to))
                    },
                    amount: decimal(amount),
                })
                .collect(),
        }
    }

    /// Tokens (metered), seats (allocated), sso (boolean), credits drawing from tokens.
    fn base() -> Catalog {
        let mut catalog = Catalog {
            currency: "USD".to_string(),
            features: BTreeMap::new(),
            credit_systems: BTreeMap::new(),
            plans: BTreeMap::new(),
        };
        catalog
            .features
            .insert("tokens".into(), feature("tokens", FeatureType::Metered));
        let mut seats = feature("seats", FeatureType::Metered);
        seats.consumable = false;
        catalog.features.insert("seats".into(), seats);
        catalog
            .features
            .insert("sso".into(), feature("sso", FeatureType::Boolean));
        catalog.credit_systems.insert(
            "credits".into(),
            CreditSystem {
                id: "credits".into(),
                name: "credits".into(),
                display: None,
                costs: BTreeMap::from([(
                    "tokens".to_string(),
                    CreditCost::per_unit(decimal("0.0015")),
                )]),
                archived: false,
                protect: false,
            },
        );
        catalog
    }

    /// The base catalog with one plan holding one item.
    fn with_item(item: PlanItem) -> Catalog {
        let mut catalog = base();
        let mut plan = plan("pro");
        plan.items.insert(item.feature_id.clone(), item);
        catalog.plans.insert("pro".into(), plan);
        catalog
    }

    #[test]
    fn hand_built_catalogs_round_trip() {
        let mut cases: Vec<(&str, Catalog)> = vec![("base", base())];

        let mut catalog = base();
        for feature in catalog.features.values_mut() {
            feature.archived = true;
            feature.protect = true;
        }
        let system = catalog.credit_systems.get_mut("credits").unwrap();
        system.archived = true;
        system.protect = true;
        system.display = Some(Display {
            singular: "credit".into(),
            plural: "credits".into(),
        });
        let mut archived = plan("old");
        archived.archived = true;
        archived.protect = true;
        archived.default = true;
        catalog.plans.insert("old".into(), archived);
        let mut another = plan("another-old");
        another.archived = true;
        another.default = true;
        catalog.plans.insert("another-old".into(), another);
        cases.push(("archived and protected", catalog));

        let mut catalog = base();
        let tokens = catalog.features.get_mut("tokens").unwrap();
        tokens.name = "Tokens \"GPT\" \\ C:\\path\nsecond line\ttab 日本語 🚀 \u{1}\u{7f}".into();
        tokens.event_names = vec![
            "a \"quoted\" event".into(),
            "tokens.used".into(),
            "ünïcode\\slash".into(),
        ];
        tokens.display = Some(Display {
            singular: "tok\"en".into(),
            plural: "tok\\ens\n".into(),
        });
        let mut described = plan("described");
        described.name = String::new();
        described.description = Some("Line one\nLine \"two\"\r\n\\ end — ✓".into());
        described.group = Some("main \"group\"".into());
        catalog.plans.insert("described".into(), described);
        cases.push(("strings", catalog));

        let mut catalog = base();
        let costs = &mut catalog.credit_systems.get_mut("credits").unwrap().costs;
        for (id, cost) in [
            ("tokens", "0.0015"),
            ("seats", "2"),
            ("images", "0.000375"),
            ("minutes", "1.5"),
            ("calls", "0.125"),
            ("tiny", "0.0000000000000000000000000001"),
            ("huge", "100000000000000000000000"),
        ] {
            costs.insert(id.to_string(), CreditCost::per_unit(decimal(cost)));
            if !["tokens", "seats"].contains(&id) {
                catalog
                    .features
                    .insert(id.to_string(), feature(id, FeatureType::Metered));
            }
        }
        cases.push(("credit costs", catalog));

        let mut catalog = base();
        let mut free = plan("free");
        free.group = Some("main".into());
        free.default = true;
        free.add_on = false;
        let mut pro = plan("pro");
        pro.group = Some("main".into());
        pro.price = Some(BasePrice {
            amount: decimal("20"),
            interval: PriceInterval::Month,
        });
        pro.free_trial = Some(FreeTrial {
            length: TrialLength::Days(14),
            card_required: false,
            once_per: TrialOncePer::Plan,
        });
        let mut top_up = plan("top-up");
        top_up.add_on = true;
        top_up.default = true;
        top_up.free_trial = Some(FreeTrial {
            length: TrialLength::Months(1),
            card_required: true,
            once_per: TrialOncePer::Customer,
        });
        top_up.price = Some(BasePrice {
            amount: decimal("0.5"),
            interval: PriceInterval::OneOff,
        });
        for plan in [free, pro, top_up] {
            catalog.plans.insert(plan.id.clone(), plan);
        }
        cases.push(("plans", catalog));

        // Items of every shape.
        let mut unlimited = item("tokens");
        unlimited.included = Included::Unlimited;
        cases.push(("unlimited", with_item(unlimited.clone())));
        unlimited.reset = Some(ResetInterval::Day);
        cases.push(("unlimited with reset", with_item(unlimited)));
        cases.push(("boolean item", with_item(item("sso"))));
        let mut allocated = item("seats");
        allocated.included = Included::Units(decimal("3"));
        cases.push(("allocated", with_item(allocated)));
        let mut minute = item("credits");
        minute.included = Included::Units(decimal("2.5"));
        minute.reset = Some(ResetInterval::Minute);
        cases.push(("reset without price", with_item(minute)));

        let mut usage = item("tokens");
        usage.included = Included::Units(decimal("1000000"));
        usage.reset = Some(ResetInterval::Month);
        usage.price = Some(price(
            Billing::Usage,
            PriceInterval::Month,
            "1000",
            flat("0.02"),
        ));
        cases.push(("usage flat per 1000", with_item(usage.clone())));
        usage.reset = Some(ResetInterval::Year);
        usage.price = Some(price(
            Billing::Usage,
            PriceInterval::Year,
            "1",
            tiers(
                TierMode::Graduated,
                &[("100000", "0.5"), ("1000000", "0.4"), ("inf", "0.3")],
            ),
        ));
        cases.push(("usage yearly graduated", with_item(usage.clone())));
        usage.reset = Some(ResetInterval::SemiAnnual);
        usage.price = Some(price(
            Billing::Usage,
            PriceInterval::SemiAnnual,
            "0.5",
            tiers(TierMode::Graduated, &[("inf", "0.0001")]),
        ));
        cases.push(("usage single tier", with_item(usage)));

        let mut prepaid = item("credits");
        prepaid.price = Some(price(
            Billing::Prepaid,
            PriceInterval::OneOff,
            "1",
            flat("0.01"),
        ));
        cases.push(("prepaid defaults", with_item(prepaid.clone())));
        let mut bounded = prepaid.clone();
        if let Some(price) = &mut bounded.price {
            price.prepaid = Some(PrepaidBounds {
                min: decimal("500"),
                max: Some(decimal("1000000")),
            });
        }
        cases.push(("prepaid bounds", with_item(bounded)));
        let mut per = prepaid.clone();
        per.included = Included::Units(decimal("500"));
        per.reset = Some(ResetInterval::Week);
        per.price = Some(ItemPrice {
            billing: Billing::Prepaid,
            interval: PriceInterval::Year,
            per: decimal("1000"),
            rate: tiers(
                TierMode::Volume,
                &[("10000", "10"), ("50000.5", "9.5"), ("inf", "8")],
            ),
            prepaid: Some(PrepaidBounds {
                min: decimal("1000"),
                max: Some(decimal("1000")),
            }),
        });
        cases.push((
            "prepaid volume tiers, per 1000, max = min = per",
            with_item(per),
        ));
        let mut min_only = prepaid;
        min_only.price = Some(ItemPrice {
            billing: Billing::Prepaid,
            interval: PriceInterval::Quarter,
            per: decimal("2.5"),
            rate: tiers(TierMode::Graduated, &[("10", "1"), ("inf", "0")]),
            prepaid: Some(PrepaidBounds {
                min: decimal("7.5"),
                max: None,
            }),
        });
        cases.push(("prepaid min only, max none", with_item(min_only)));

        let mut catalog = with_item(item("sso"));
        catalog.currency = "JPY".into();
        catalog.plans.get_mut("pro").unwrap().price = Some(BasePrice {
            amount: decimal("98000"),
            interval: PriceInterval::Year,
        });
        cases.push(("JPY", catalog));

        let mut empty = base();
        empty.features.clear();
        empty.credit_systems.clear();
        cases.push(("empty", empty));

        for (what, catalog) in &cases {
            assert_round_trip(catalog, what);
        }
    }

    #[test]
    fn costs_are_aligned_and_inline_tables_canonical() {
        let mut catalog = base();
        let costs = &mut catalog.credit_systems.get_mut("credits").unwrap().costs;
        costs.insert("seats".into(), CreditCost::per_unit(decimal("5")));
        for (id, cost) in [("o1-input-tokens", "0.015"), ("cache-read", "0.00008")] {
            costs.insert(id.into(), CreditCost::per_unit(decimal(cost)));
            catalog
                .features
                .insert(id.into(), feature(id, FeatureType::Metered));
        }
        let text = assert_round_trip(&catalog, "aligned costs");
        assert!(
            text.contains(
                "[credit_systems.credits.costs]\n\
                 cache-read      = { credits = 80, per = 1_000_000 }\n\
                 o1-input-tokens = { credits = 15, per = 1000 }\n\
                 seats           = 5\n\
                 tokens          = { credits = 1500, per = 1_000_000 }\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn tiers_are_written_one_per_line() {
        let mut usage = item("tokens");
        usage.reset = Some(ResetInterval::Month);
        usage.price = Some(price(
            Billing::Usage,
            PriceInterval::Month,
            "1000",
            tiers(
                TierMode::Graduated,
                &[("100000", "0.5"), ("1000000", "0.4"), ("inf", "0.3")],
            ),
        ));
        let text = assert_round_trip(&with_item(usage), "tiers");
        assert!(
            text.contains(
                "[plans.pro.items.tokens]\n\
                 price = { per = 1000, billing = \"usage\", interval = \"month\" }\n\
                 tier_mode = \"graduated\"\n\
                 tiers = [\n  \
                 { up_to = 100_000, amount = 0.50 },\n  \
                 { up_to = 1_000_000, amount = 0.40 },\n  \
                 { up_to = \"inf\", amount = 0.30 },\n\
                 ]\n"
            ),
            "{text}"
        );
    }
}
