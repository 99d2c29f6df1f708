//! The documents of billing controls and the credit lifecycle: an item's `auto_top_up`,
//! `spend_limit`, `alerts`, `rollover` and `expires_after`, and a plan's `usage_limits`.
//! Names follow Autumn's plan `billing_controls`, so each maps to one field there.

use schemars::JsonSchema;

use crate::catalog::{LimitAnchor, PurchaseLimitInterval, UsageLimitInterval};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::dsl::reader::{Read, ReadContext, ReadError, TableReader, Value};
use crate::dsl::{DecimalLiteral, Spanned};

/// An automatic purchase of a prepaid item when its balance runs low.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AutoTopUpDocument {
    /// When the balance falls below this many units, `quantity` more are bought at the item's price. Zero or more, and below `quantity`.
    #[schemars(required)]
    pub threshold: Option<Spanned<DecimalLiteral>>,
    /// The units each automatic purchase buys: a whole number of billing units (`per`), within the item's `prepaid` bounds.
    #[schemars(required)]
    pub quantity: Option<Spanned<DecimalLiteral>>,
    /// Whether customers on the plan have the top-up on. Default `true`.
    pub enabled: Option<Spanned<bool>>,
    /// At most so many automatic purchases per window: `{ limit = 3, interval = "day" }`. Default: no limit.
    pub purchase_limit: Option<Spanned<PurchaseLimitDocument>>,
}

/// At most `limit` automatic purchases per `interval`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PurchaseLimitDocument {
    /// The most automatic purchases in one window, at least 1.
    #[schemars(required)]
    pub limit: Option<Spanned<u32>>,
    /// The window: `hour`, `day`, `week` or `month`.
    #[schemars(required)]
    pub interval: Option<Spanned<PurchaseLimitInterval>>,
}

/// A cap on what the item's usage price may bill in one billing period: `amount` or `percent`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SpendLimitDocument {
    /// The most overage money per billing period, in the file's currency. Give `amount` or `percent`.
    pub amount: Option<Spanned<DecimalLiteral>>,
    /// The most overage money per billing period, as a percentage of the plan's base price (`100` is one base price). Give `amount` or `percent`.
    pub percent: Option<Spanned<DecimalLiteral>>,
}

/// One alert: exactly one of `usage`, `usage_percent`, `remaining`, `remaining_percent`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AlertDocument {
    /// Alert when the units used in the period reach this many.
    pub usage: Option<Spanned<DecimalLiteral>>,
    /// Alert when the units used reach this percentage of what was granted.
    pub usage_percent: Option<Spanned<DecimalLiteral>>,
    /// Alert when what is left falls to this many units or below.
    pub remaining: Option<Spanned<DecimalLiteral>>,
    /// Alert when what is left falls to this percentage of what was granted or below (0 to 100).
    pub remaining_percent: Option<Spanned<DecimalLiteral>>,
}

/// Included units left at a reset that carry over into the next periods.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RolloverDocument {
    /// The most units carried over. Default: all that are left.
    pub max: Option<Spanned<DecimalLiteral>>,
    /// Carried units expire this many months after the reset that carried them, at least 1. Default: never.
    pub months: Option<Spanned<u32>>,
}

/// A length of time: `days` or `months`, one of them.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DurationDocument {
    /// A number of days, at least 1. Give `days` or `months`.
    pub days: Option<Spanned<u32>>,
    /// A number of calendar months, at least 1. Give `days` or `months`.
    pub months: Option<Spanned<u32>>,
}

/// At most `limit` units of a feature or credit system per `interval`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct UsageLimitDocument {
    /// The most units (for a credit system: credits) used in one window; past it, `check` and `track` refuse.
    #[schemars(required)]
    pub limit: Option<Spanned<DecimalLiteral>>,
    /// The window: `day`, `week`, `month` or `year`.
    #[schemars(required)]
    pub interval: Option<Spanned<UsageLimitInterval>>,
    /// Where windows start: `billing_cycle` (counted from the subscription's start, as its billing periods) or `calendar` (UTC midnight, Monday, the 1st, January 1st). Default `billing_cycle`.
    pub anchor: Option<Spanned<LimitAnchor>>,
}

impl Read for AutoTopUpDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "auto top-up", cx)?;
        let document = AutoTopUpDocument {
            threshold: table.required(
                cx,
                "threshold",
                "add `threshold = …`, the balance below which a purchase is made",
            ),
            quantity: table.required(
                cx,
                "quantity",
                "add `quantity = …`, the units each automatic purchase buys",
            ),
            enabled: table.optional(cx, "enabled"),
            purchase_limit: table.optional(cx, "purchase_limit"),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for PurchaseLimitDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "purchase limit", cx)?;
        let document = PurchaseLimitDocument {
            limit: table.required(
                cx,
                "limit",
                "add `limit = …`, the most automatic purchases in one window",
            ),
            interval: table.required_choice(cx, "interval"),
        };
        if let Some(limit) = &document.limit
            && limit.value == 0
        {
            cx.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    "a purchase limit of 0",
                    limit.span.clone(),
                    "allows no purchase at all",
                )
                .with_help("give `limit` 1 or more, or set `enabled = false` on the top-up"),
            );
        }
        table.finish(cx);
        Ok(document)
    }
}

impl Read for SpendLimitDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "spend limit", cx)?;
        let document = SpendLimitDocument {
            amount: table.optional(cx, "amount"),
            percent: table.optional(cx, "percent"),
        };
        let given = [
            document.amount.as_ref().map(|amount| amount.span.clone()),
            document
                .percent
                .as_ref()
                .map(|percent| percent.span.clone()),
        ];
        exactly_one(
            &table,
            cx,
            value,
            &["amount", "percent"],
            &given,
            "spend limit",
        );
        table.finish(cx);
        Ok(document)
    }
}

impl Read for AlertDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "alert", cx)?;
        let document = AlertDocument {
            usage: table.optional(cx, "usage"),
            usage_percent: table.optional(cx, "usage_percent"),
            remaining: table.optional(cx, "remaining"),
            remaining_percent: table.optional(cx, "remaining_percent"),
        };
        let given = [
            document.usage.as_ref().map(|value| value.span.clone()),
            document
                .usage_percent
                .as_ref()
                .map(|value| value.span.clone()),
            document.remaining.as_ref().map(|value| value.span.clone()),
            document
                .remaining_percent
                .as_ref()
                .map(|value| value.span.clone()),
        ];
        exactly_one(
            &table,
            cx,
            value,
            &["usage", "usage_percent", "remaining", "remaining_percent"],
            &given,
            "alert",
        );
        table.finish(cx);
        Ok(document)
    }
}

impl Read for RolloverDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "rollover", cx)?;
        let document = RolloverDocument {
            max: table.optional(cx, "max"),
            months: table.optional(cx, "months"),
        };
        at_least_one(cx, document.months.as_ref(), "months");
        table.finish(cx);
        Ok(document)
    }
}

impl Read for DurationDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "length of time", cx)?;
        let document = DurationDocument {
            days: table.optional(cx, "days"),
            months: table.optional(cx, "months"),
        };
        let given = [
            document.days.as_ref().map(|days| days.span.clone()),
            document.months.as_ref().map(|months| months.span.clone()),
        ];
        exactly_one(
            &table,
            cx,
            value,
            &["days", "months"],
            &given,
            "length of time",
        );
        at_least_one(cx, document.days.as_ref(), "days");
        at_least_one(cx, document.months.as_ref(), "months");
        table.finish(cx);
        Ok(document)
    }
}

impl Read for UsageLimitDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "usage limit", cx)?;
        let document = UsageLimitDocument {
            limit: table.required(
                cx,
                "limit",
                "add `limit = …`, the most units used in one window",
            ),
            interval: table.required_choice(cx, "interval"),
            anchor: table.optional_choice(cx, "anchor"),
        };
        table.finish(cx);
        Ok(document)
    }
}

/// Reports a table that gives none, or more than one, of `keys` (`given` holds the span of
/// each one read, in the same order). A key present but unreadable was reported already.
fn exactly_one(
    table: &TableReader<'_, '_>,
    cx: &mut ReadContext<'_>,
    value: &Value<'_>,
    keys: &[&str],
    given: &[Option<Span>],
    noun: &str,
) {
    let choices = keys
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    let mut present = keys
        .iter()
        .zip(given)
        .filter_map(|(key, span)| Some((key, span.as_ref()?)));
    let first = present.next();
    if let Some((key, span)) = present.next() {
        let first = first.map_or("", |(first, _)| first);
        cx.report(
            Diagnostic::new(
                Code::InvalidValue,
                format!("both `{first}` and `{key}` in one {noun}"),
                span.clone(),
                "a second one",
            )
            .with_help(format!("give one of {choices}")),
        );
    } else if first.is_none() && !table.has_any(keys) {
        cx.report(
            Diagnostic::new(
                Code::InvalidValue,
                format!("missing {choices} in {noun}"),
                cx.span(value),
                format!("this {noun} has none of them"),
            )
            .with_help(format!("add one of {choices}")),
        );
    }
}

/// Reports a count of 0 where at least 1 is needed.
fn at_least_one(cx: &mut ReadContext<'_>, count: Option<&Spanned<u32>>, key: &str) {
    if let Some(count) = count
        && count.value == 0
    {
        cx.report(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{key} = 0` is no length of time"),
                count.span.clone(),
                "must be 1 or more",
            )
            .with_help(format!("give `{key}` 1 or more")),
        );
    }
}
