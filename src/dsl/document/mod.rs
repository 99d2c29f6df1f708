//! The pricing language's document types: what one file says, with spans, before any
//! semantic check. Every field is optional here (a missing required key is reported by the
//! reader and leaves `None`), so one mistake never hides the rest of the file.
//! The JSON Schema is generated from these types.

mod controls;
mod credit_system;
mod display;
mod feature;
mod item;
mod plan;

pub use crate::catalog::{
    Billing, FeatureType, OnDecrease, OnIncrease, PriceInterval, ResetInterval, TierMode,
    TrialOncePer,
};
pub use controls::{
    AlertDocument, AutoTopUpDocument, DurationDocument, PurchaseLimitDocument, RolloverDocument,
    SpendLimitDocument, UsageLimitDocument,
};
pub use credit_system::{CostDocument, CreditRateDocument, CreditSystemDocument};
pub use display::DisplayDocument;
pub use feature::FeatureDocument;
pub use item::{
    Included, InfiniteWord, ItemDocument, ItemPriceDocument, PrepaidDocument, ProrationDocument,
    TierDocument, UnlimitedWord, UpTo,
};
pub use plan::{BasePriceDocument, FreeTrialDocument, PlanDocument};

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use toml::de::DeValue;

use super::reader::{Read, ReadContext, ReadError, TableReader, Value};
use super::{IdMap, SUPPORTED_VERSIONS, Spanned};
use crate::diagnostics::{Code, Diagnostic, Span};

/// A pricing file (`pricing.toml`), or one file of a pricing directory.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(
    deny_unknown_fields,
    title = "pricectl pricing file, language version 1"
)]
pub struct PricingDocument {
    /// The language version this file is written in. This build reads version 1.
    #[schemars(required)]
    pub version: Option<Spanned<LanguageVersion>>,
    /// ISO 4217 code of the currency of every amount (`USD`); decides the minor unit (USD 2 digits, JPY 0). Required in at least one file of a pricing directory, and the same wherever it is given.
    pub currency: Option<Spanned<String>>,
    /// Features, keyed by id: what customers use (metered) or have (boolean).
    pub features: Option<Spanned<IdMap<FeatureDocument>>>,
    /// Credit systems, keyed by id: one balance several metered features draw from.
    pub credit_systems: Option<Spanned<IdMap<CreditSystemDocument>>>,
    /// Plans, keyed by id: what customers subscribe to or buy.
    pub plans: Option<Spanned<IdMap<PlanDocument>>>,
}

/// A language version number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageVersion(pub u32);

impl JsonSchema for LanguageVersion {
    fn schema_name() -> Cow<'static, str> {
        "LanguageVersion".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer", "enum": SUPPORTED_VERSIONS })
    }
}

impl PricingDocument {
    /// Reads a whole file. The version is read first: a file in a version this build does not
    /// read is reported once and not read further (its keys may mean something else).
    pub(crate) fn read_root(root: &Value<'_>, cx: &mut ReadContext<'_>) -> PricingDocument {
        let empty = PricingDocument {
            version: None,
            currency: None,
            features: None,
            credit_systems: None,
            plans: None,
        };
        let Ok(mut table) = TableReader::open::<Self>(root, "document", "pricing file", cx) else {
            return empty;
        };
        let supported = supported_versions();
        let version = match root.get_ref().get("version") {
            None => {
                cx.report(
                    Diagnostic::new(
                        Code::Version,
                        "missing `version`",
                        Span::new(cx.file, 0..0),
                        "the file should start with `version = 1`",
                    )
                    .with_help(format!(
                        "add `version = 1` at the top; this build reads {supported}"
                    )),
                );
                return empty;
            }
            Some(value) => {
                match value.get_ref() {
                    DeValue::Integer(integer)
                        if integer.radix() == 10
                            && integer
                                .as_str()
                                .parse::<u32>()
                                .is_ok_and(|number| SUPPORTED_VERSIONS.contains(&number)) =>
                    {
                        let number = integer.as_str().parse::<u32>().expect("checked just above");
                        Spanned::new(LanguageVersion(number), cx.span(value))
                    }
                    DeValue::Integer(_) => {
                        cx.report(
                            Diagnostic::new(
                                Code::Version,
                                format!("this build of pricectl does not read language version `{}`", raw(value)),
                                cx.span(value),
                                "unsupported version",
                            )
                            .with_help(format!("this build reads {supported}; upgrade pricectl, or write `version = 1`")),
                        );
                        return empty;
                    }
                    other => {
                        cx.report(
                            Diagnostic::new(
                                Code::Version,
                                format!(
                                    "`version` must be a whole number, found {}",
                                    super::decimal_literal::describe(other)
                                ),
                                cx.span(value),
                                "not a version number",
                            )
                            .with_help("write `version = 1`, a number without quotes"),
                        );
                        return empty;
                    }
                }
            }
        };
        // Recorded as known so it is not reported as unknown; read above.
        let _: Option<Spanned<LanguageVersionNumber>> = table.required(cx, "version", "");
        let document = PricingDocument {
            version: Some(version),
            currency: table.optional(cx, "currency"),
            features: table.optional(cx, "features"),
            credit_systems: table.optional(cx, "credit_systems"),
            plans: table.optional(cx, "plans"),
        };
        table.finish(cx);
        document
    }
}

/// Reads an already validated version without reporting anything.
struct LanguageVersionNumber;

impl Read for LanguageVersionNumber {
    fn read(_: &Value<'_>, _: &mut ReadContext<'_>, _: &str) -> Result<Self, ReadError> {
        Ok(LanguageVersionNumber)
    }
}

fn supported_versions() -> String {
    let versions: Vec<String> = SUPPORTED_VERSIONS
        .iter()
        .map(|version| format!("version {version}"))
        .collect();
    versions.join(", ")
}

/// The value as written, for messages.
fn raw(value: &Value<'_>) -> String {
    match value.get_ref() {
        DeValue::Integer(integer) => integer.to_string(),
        DeValue::Float(float) => float.to_string(),
        DeValue::String(text) => format!("\"{text}\""),
        DeValue::Boolean(flag) => flag.to_string(),
        other => super::decimal_literal::describe(other).to_string(),
    }
}
