use schemars::JsonSchema;
use toml::de::DeValue;

use super::controls::{
    AlertDocument, AutoTopUpDocument, DurationDocument, RolloverDocument, SpendLimitDocument,
};
use crate::catalog::{Billing, OnDecrease, OnIncrease, PriceInterval, ResetInterval, TierMode};
use crate::diagnostics::did_you_mean;
use crate::dsl::reader::{Read, ReadContext, ReadError, TableReader, Value};
use crate::dsl::{DecimalLiteral, Spanned};

/// `[plans.<plan>.items.<feature-or-credit-system>]`: what a plan grants of one feature or
/// credit system, and what more of it costs.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
// Settings most items leave out are boxed: a plan of 200,000 items holds 8 bytes for each
// absent one instead of its whole size (an item was 1,336 bytes, mostly absent settings).
pub struct ItemDocument {
    /// Units included every reset period, or `"unlimited"`. Default `0`.
    pub included: Option<Spanned<Included>>,
    /// How often included usage resets: `minute`, `hour`, `day`, `week`, `month`, `quarter`, `semi_annual` or `year`. Default: the price interval for usage-billed items of consumable features and credit systems, otherwise never. Items of allocated features (seats) never reset.
    pub reset: Option<Spanned<ResetInterval>>,
    /// What more units cost: `{ amount = 0.01, per = 1, billing = "prepaid", interval = "one_off" }`. Default none.
    pub price: Option<Spanned<ItemPriceDocument>>,
    /// Instead of `price.amount`: tiers of `{ up_to = 1000, amount = 0.01 }`, ascending, the last `up_to = "inf"`.
    pub tiers: Option<Spanned<Vec<Spanned<TierDocument>>>>,
    /// How tiers combine: `graduated` (each unit at its tier) or `volume` (all units at the tier the total reaches; prepaid only). Default `graduated`.
    pub tier_mode: Option<Spanned<TierMode>>,
    /// Bounds on the quantity a customer buys at checkout, on top of `included`, each a multiple of `per`: `{ min = 500, max = 1_000_000 }`. A `max` that is not a multiple of `per` is rounded down to whole billing units, with a warning.
    pub prepaid: Option<Box<Spanned<PrepaidDocument>>>,
    /// `true`: the balance starts again from this plan's grant whenever a plan granting it is attached, instead of carrying over (Autumn's reset when enabled). Default `false`.
    pub reset_on_attach: Option<Spanned<bool>>,
    /// The id of an allocated feature (seats, workspaces) whose entities each hold their own balance of this item, instead of one balance per customer. Default none.
    pub per_entity: Option<Spanned<String>>,
    /// What quantity changes and plan switches charge or credit for this item: `{ on_increase = "prorate_immediately", on_decrease = "none" }`. Default: the ledger's rules.
    pub proration: Option<Box<Spanned<ProrationDocument>>>,
    /// Buy more automatically when the balance runs low (prepaid items): `{ threshold = 100, quantity = 1_000, purchase_limit = { limit = 3, interval = "day" } }`. Default none.
    pub auto_top_up: Option<Box<Spanned<AutoTopUpDocument>>>,
    /// A cap on the overage money this item's usage price bills per billing period, past which usage is refused: `{ amount = 50 }` or `{ percent = 100 }` (of the plan's base price). Default none.
    pub spend_limit: Option<Box<Spanned<SpendLimitDocument>>>,
    /// Thresholds recorded as events in the customer's history when crossed: `[{ remaining = 100 }, { usage_percent = 80 }]`. Default none.
    pub alerts: Option<Spanned<Vec<Spanned<AlertDocument>>>>,
    /// Included units left at a reset carry over: `{ max = 1_000, months = 2 }` (both optional: all of them, never expiring). Default: they expire.
    pub rollover: Option<Box<Spanned<RolloverDocument>>>,
    /// Purchased units expire this long after the purchase (prepaid items): `{ days = 365 }` or `{ months = 12 }`. Default: at the end of the price interval, never for `one_off`.
    pub expires_after: Option<Box<Spanned<DurationDocument>>>,
}

/// A per-item proration policy (Autumn's `on_increase` / `on_decrease`).
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ProrationDocument {
    /// An increase or upgrade: `prorate_immediately`, `bill_immediately`, `prorate_next_cycle` or `bill_next_cycle`. Default `prorate_immediately`.
    pub on_increase: Option<Spanned<OnIncrease>>,
    /// A decrease or downgrade: `prorate_immediately`, `prorate_next_cycle` or `none`. Default `prorate_immediately`.
    pub on_decrease: Option<Spanned<OnDecrease>>,
}

impl Read for ProrationDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "proration policy", cx)?;
        let document = ProrationDocument {
            on_increase: table.optional_choice(cx, "on_increase"),
            on_decrease: table.optional_choice(cx, "on_decrease"),
        };
        table.finish(cx);
        Ok(document)
    }
}

/// Units included every period.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum Included {
    Units(DecimalLiteral),
    Unlimited(UnlimitedWord),
}

/// The word `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum UnlimitedWord {
    #[schemars(rename = "unlimited")]
    Unlimited,
}

/// An item's price.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ItemPriceDocument {
    /// Money for every `per` units, in the file's currency. Leave out when the item has `tiers`.
    pub amount: Option<Spanned<DecimalLiteral>>,
    /// The billing unit: `amount` buys this many units. Default `1`.
    pub per: Option<Spanned<DecimalLiteral>>,
    /// `prepaid` (bought upfront, a quantity chosen at checkout) or `usage` (charged for what was used).
    #[schemars(required)]
    pub billing: Option<Spanned<Billing>>,
    /// How often the price is charged: `one_off`, `week`, `month`, `quarter`, `semi_annual` or `year`.
    #[schemars(required)]
    pub interval: Option<Spanned<PriceInterval>>,
}

/// One tier of a tiered price.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TierDocument {
    /// The tier covers usage up to this many units (counting included units), or `"inf"` for the last tier.
    #[schemars(required)]
    pub up_to: Option<Spanned<UpTo>>,
    /// Money for every `per` units within this tier.
    #[schemars(required)]
    pub amount: Option<Spanned<DecimalLiteral>>,
}

/// A tier's upper bound.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum UpTo {
    Units(DecimalLiteral),
    Infinite(InfiniteWord),
}

/// The word `"inf"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum InfiniteWord {
    #[schemars(rename = "inf")]
    Inf,
}

/// Bounds on a prepaid purchase.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PrepaidDocument {
    /// The smallest quantity a customer may buy at once. Default: one billing unit (`per`).
    pub min: Option<Spanned<DecimalLiteral>>,
    /// The largest quantity a customer may buy at once. Default: no limit.
    pub max: Option<Spanned<DecimalLiteral>>,
}

impl Read for ItemDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "plan item", cx)?;
        let document = ItemDocument {
            included: table.optional(cx, "included"),
            reset: table.optional_choice(cx, "reset"),
            price: table.optional(cx, "price"),
            tiers: table.optional(cx, "tiers"),
            tier_mode: table.optional_choice(cx, "tier_mode"),
            prepaid: table.optional(cx, "prepaid").map(Box::new),
            reset_on_attach: table.optional(cx, "reset_on_attach"),
            per_entity: table.optional(cx, "per_entity"),
            proration: table.optional(cx, "proration").map(Box::new),
            auto_top_up: table.optional(cx, "auto_top_up").map(Box::new),
            spend_limit: table.optional(cx, "spend_limit").map(Box::new),
            alerts: table.optional(cx, "alerts"),
            rollover: table.optional(cx, "rollover").map(Box::new),
            expires_after: table.optional(cx, "expires_after").map(Box::new),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for Included {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        read_number_or_word(
            value,
            cx,
            key,
            "unlimited",
            Included::Unlimited(UnlimitedWord::Unlimited),
            Included::Units,
        )
    }
}

impl Read for UpTo {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        read_number_or_word(
            value,
            cx,
            key,
            "inf",
            UpTo::Infinite(InfiniteWord::Inf),
            UpTo::Units,
        )
    }
}

/// A decimal, or one word (`"unlimited"`, `"inf"`); a string that is neither gets a message
/// that names both forms.
fn read_number_or_word<T>(
    value: &Value<'_>,
    cx: &mut ReadContext<'_>,
    key: &str,
    word: &str,
    word_value: T,
    number: fn(DecimalLiteral) -> T,
) -> Result<T, ReadError> {
    if let DeValue::String(text) = value.get_ref() {
        if text.as_ref() == word {
            return Ok(word_value);
        }
        let looks_numeric = text.starts_with(|character: char| {
            character.is_ascii_digit() || character == '-' || character == '+'
        });
        if !looks_numeric {
            let close = text.eq_ignore_ascii_case(word) || did_you_mean(text, [word]).is_some();
            return Err(ReadError::invalid(
                format!("`{key}` must be a number or `\"{word}\"`, found `\"{text}\"`"),
                "not a number, and not the word",
                Some(if close {
                    format!("did you mean `\"{word}\"`?")
                } else {
                    format!("write a number such as `1_000`, or `\"{word}\"`")
                }),
            ));
        }
    }
    DecimalLiteral::read(value, cx, key).map(number)
}

impl Read for ItemPriceDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "item price", cx)?;
        let document = ItemPriceDocument {
            amount: table.optional(cx, "amount"),
            per: table.optional(cx, "per"),
            billing: table.required_choice(cx, "billing"),
            interval: table.required_choice(cx, "interval"),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for TierDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "tier", cx)?;
        let document = TierDocument {
            up_to: table.required(
                cx,
                "up_to",
                "add `up_to = …`, the last unit of this tier, or `\"inf\"` on the last tier",
            ),
            amount: table.required(
                cx,
                "amount",
                "add `amount = …`, the money for every `per` units in this tier",
            ),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for PrepaidDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "`prepaid` table", cx)?;
        let document = PrepaidDocument {
            min: table.optional(cx, "min"),
            max: table.optional(cx, "max"),
        };
        table.finish(cx);
        Ok(document)
    }
}
