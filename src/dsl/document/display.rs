use schemars::JsonSchema;

use crate::dsl::Spanned;
use crate::dsl::reader::{Read, ReadContext, ReadError, TableReader, Value};

/// How a unit is named in user interfaces: `{ singular = "token", plural = "tokens" }`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DisplayDocument {
    /// The unit's name for one (`token`).
    #[schemars(required)]
    pub singular: Option<Spanned<String>>,
    /// The unit's name for many (`tokens`).
    #[schemars(required)]
    pub plural: Option<Spanned<String>>,
}

impl Read for DisplayDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "display", cx)?;
        let document = DisplayDocument {
            singular: table.required(
                cx,
                "singular",
                "add `singular = \"…\"`, the unit's name for one",
            ),
            plural: table.required(
                cx,
                "plural",
                "add `plural = \"…\"`, the unit's name for many",
            ),
        };
        table.finish(cx);
        Ok(document)
    }
}
