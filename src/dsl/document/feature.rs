use schemars::JsonSchema;

use super::display::DisplayDocument;
use crate::catalog::FeatureType;
use crate::dsl::Spanned;
use crate::dsl::reader::{Read, ReadContext, ReadError, TableReader, Value};

/// `[features.<id>]`: something a customer uses (tokens, seats) or has (SSO).
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FeatureDocument {
    /// Display name; defaults to the id.
    pub name: Option<Spanned<String>>,
    /// `metered` (counted: tokens, seats) or `boolean` (on or off: SSO).
    #[schemars(rename = "type", required)]
    pub kind: Option<Spanned<FeatureType>>,
    /// Metered only: `true` when usage is used up and resets (tokens, messages), `false` when it is allocated (seats). Default `true`.
    pub consumable: Option<Spanned<bool>>,
    /// How the unit is named in user interfaces.
    pub display: Option<Box<Spanned<DisplayDocument>>>,
    /// Usage event names that count toward this feature. Default none.
    pub event_names: Option<Spanned<Vec<Spanned<String>>>>,
    /// Keep the feature defined but archived at the billing provider. Default `false`.
    pub archived: Option<Spanned<bool>>,
    /// Refuse any plan that deletes, archives or replaces this feature. Default `false`.
    pub protect: Option<Spanned<bool>>,
}

impl Read for FeatureDocument {
    fn read(value: &Value<'_>, cx: &mut ReadContext<'_>, key: &str) -> Result<Self, ReadError> {
        let mut table = TableReader::open::<Self>(value, key, "feature", cx)?;
        let document = FeatureDocument {
            name: table.optional(cx, "name"),
            kind: table.required_choice(cx, "type"),
            consumable: table.optional(cx, "consumable"),
            display: table.optional(cx, "display").map(Box::new),
            event_names: table.optional(cx, "event_names"),
            archived: table.optional(cx, "archived"),
            protect: table.optional(cx, "protect"),
        };
        table.finish(cx);
        Ok(document)
    }
}
