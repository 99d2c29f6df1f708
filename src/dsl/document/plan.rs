use schemars::JsonSchema;

use super::controls::UsageLimitDocument;
use super::item::ItemDocument;
use crate::catalog::{PriceInterval, TrialOncePer};
use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::reader::{Read, ReadContext, ReadError, TableReader, Value};
use crate::dsl::{DecimalLiteral, IdMap, Spanned};

/// `[plans.<id>]`: what a customer subscribes to or buys.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PlanDocument {
    /// Display name; defaults to the id.
    pub name: Option<Spanned<String>>,
    /// Display description. Default none.
    pub description: Option<Spanned<String>>,
    /// Plans in one group replace each other on upgrade or downgrade. Default none.
    pub group: Option<Spanned<String>>,
    /// Can be bought on top of another plan (top-ups, extras). Default `false`.
    pub add_on: Option<Spanned<bool>>,
    /// Given to new customers automatically; at most one per group. Default `false`.
    pub default: Option<Spanned<bool>>,
    /// The base price, `{ amount = 20, interval = "month" }`. Default none (free).
    pub price: Option<Spanned<BasePriceDocument>>,
    /// A free trial before the first charge, `{ days = 14, card_required = true }`. Default none.
    pub free_trial: Option<Spanned<FreeTrialDocument>>,
    /// Keep the plan defined but archived at the billing provider. Default `false`.
    pub archived: Option<Spanned<bool>>,
    /// Refuse any plan that deletes, archives or replaces this plan. Default `false`.
    pub protect: Option<Spanned<bool>>,
    /// What the plan grants, keyed by feature or credit system id.
    pub items: Option<Spanned<IdMap<ItemDocument>>>,
    /// Caps on usage per window, keyed by feature or credit system id: `{ limit = 1_000, interval = "day" }`; past one, `check` and `track` refuse. The tightest of several wins, a feature's and its credit system's included. Default none.
    pub usage_limits: Option<Spanned<IdMap<UsageLimitDocument>>>,
}

/// A plan's base price.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BasePriceDocument {
    /// Money charged every interval, in the file's currency (`20` is 20.00).
    #[schemars(required)]
    pub amount: Option<Spanned<DecimalLiteral>>,
    /// How often: `one_off`, `week`, `month`, `quarter`, `semi_annual` or `year`.
    #[schemars(required)]
    pub interval: Option<Spanned<PriceInterval>>,
}

/// A free trial: `days` or `months`, one of them.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FreeTrialDocument {
    /// Length of the trial in days, at least 1. Give `days` or `months`.
    pub days: Option<Spanned<u32>>,
    /// Length of the trial in calendar months, at least 1. Give `days` or `months`.
    pub months: Option<Spanned<u32>>,
    /// Whether a payment method is needed to start the trial. Default `true`.
    pub card_required: Option<Spanned<bool>>,
    /// `plan`: a customer gets this plan's trial once (Autumn's rule); `customer`: not at all if they had any free trial before. Default `plan`.
    pub once_per: Option<Spanned<TrialOncePer>>,
}

impl Read for PlanDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "plan", cx)?;
        let document = PlanDocument {
            name: table.optional(cx, "name"),
            description: table.optional(cx, "description"),
            group: table.optional(cx, "group"),
            add_on: table.optional(cx, "add_on"),
            default: table.optional(cx, "default"),
            price: table.optional(cx, "price"),
            free_trial: table.optional(cx, "free_trial"),
            archived: table.optional(cx, "archived"),
            protect: table.optional(cx, "protect"),
            items: table.optional(cx, "items"),
            usage_limits: table.optional(cx, "usage_limits"),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for BasePriceDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "base price", cx)?;
        let document = BasePriceDocument {
            amount: table.required(
                cx,
                "amount",
                "add `amount = …`, the money charged every interval",
            ),
            interval: table.required_choice(cx, "interval"),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for FreeTrialDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "free trial", cx)?;
        let document = FreeTrialDocument {
            days: table.optional(cx, "days"),
            months: table.optional(cx, "months"),
            card_required: table.optional(cx, "card_required"),
            once_per: table.optional_choice(cx, "once_per"),
        };
        let span = cx.span(value);
        match (&document.days, &document.months) {
            (Some(_), Some(months)) => cx.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    "a free trial with both `days` and `months`",
                    months.span.clone(),
                    "a second length",
                )
                .with_help("give the trial one length: `days = …` or `months = …`"),
            ),
            (None, None) if !table.has_any(&["days", "months"]) => cx.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    "missing the length of the free trial",
                    span,
                    "this free trial has no `days` or `months`",
                )
                .with_help("add `days = …` or `months = …`, the length of the trial"),
            ),
            _ => {}
        }
        table.finish(cx);
        Ok(document)
    }
}
