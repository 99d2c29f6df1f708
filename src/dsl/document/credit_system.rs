use schemars::JsonSchema;
use toml::de::DeValue;

use super::display::DisplayDocument;
use crate::dsl::reader::{Read, ReadContext, ReadError, TableReader, Value};
use crate::dsl::{DecimalLiteral, IdMap, Spanned};

/// `[credit_systems.<id>]`: one balance that several metered features draw from.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CreditSystemDocument {
    /// Display name; defaults to the id.
    pub name: Option<Spanned<String>>,
    /// How a credit is named in user interfaces.
    pub display: Option<Spanned<DisplayDocument>>,
    /// Metered feature id → credits drawn per unit of that feature: a decimal (`0.0015`) or a rate (`{ credits = 1500, per = 1_000_000 }`).
    #[schemars(required)]
    pub costs: Option<Spanned<IdMap<CostDocument>>>,
    /// Keep the credit system defined but archived at the billing provider. Default `false`.
    pub archived: Option<Spanned<bool>>,
    /// Refuse any plan that deletes, archives or replaces this credit system. Default `false`.
    pub protect: Option<Spanned<bool>>,
}

/// Credits drawn per unit of a feature.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum CostDocument {
    /// Credits per one unit (`0.0015`).
    PerUnit(DecimalLiteral),
    /// Credits per `per` units (`{ credits = 1500, per = 1_000_000 }`), how token prices are read.
    Rate(CreditRateDocument),
}

/// `{ credits = 1500, per = 1_000_000 }`: 1,500 credits for every million units.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CreditRateDocument {
    /// Credits drawn for every `per` units.
    #[schemars(required)]
    pub credits: Option<Spanned<DecimalLiteral>>,
    /// How many units the `credits` are for.
    #[schemars(required)]
    pub per: Option<Spanned<DecimalLiteral>>,
}

impl Read for CreditSystemDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "credit system", cx)?;
        let document = CreditSystemDocument {
            name: table.optional(cx, "name"),
            display: table.optional(cx, "display"),
            costs: table.required(
                cx,
                "costs",
                "add a `costs` table: metered feature id = credits per unit, such as `o1-input-tokens = { credits = 1500, per = 1_000_000 }`",
            ),
            archived: table.optional(cx, "archived"),
            protect: table.optional(cx, "protect"),
        };
        table.finish(cx);
        Ok(document)
    }
}

impl Read for CostDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        if let DeValue::Table(_) = value.get_ref() {
            return CreditRateDocument::read(value, cx, key).map(CostDocument::Rate);
        }
        DecimalLiteral::read(value, cx, key).map(CostDocument::PerUnit)
    }
}

impl Read for CreditRateDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "credit rate", cx)?;
        let document = CreditRateDocument {
            credits: table.required(
                cx,
                "credits",
                "add `credits = …`, the credits drawn for every `per` units",
            ),
            per: table.required(
                cx,
                "per",
                "add `per = …`, the number of units the credits are for",
            ),
        };
        table.finish(cx);
        Ok(document)
    }
}
