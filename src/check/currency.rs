use crate::catalog::Currency;
use crate::diagnostics::{Code, Diagnostic, Span, did_you_mean};

use super::Model;

/// `pricectl::currency`: the currency is given, is ISO 4217, and is the same in every file.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(first) = model.currency_keys.first() else {
        if let Some(file) = model
            .files
            .first()
            .filter(|_| !model.any_invalid("currency"))
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::Currency,
                    "missing `currency`",
                    Span::new(file.file, 0..0),
                    "no file of this catalog says its currency",
                )
                .with_help("add `currency = \"USD\"` (any ISO 4217 code) after `version`"),
            );
        }
        return;
    };
    for key in &model.currency_keys {
        if Currency::from_code(&key.value).is_some() {
            continue;
        }
        let upper = key.value.to_ascii_uppercase();
        let help = if Currency::from_code(&upper).is_some() {
            format!("currency codes are upper case: `\"{upper}\"`")
        } else if let Some(suggestion) = did_you_mean(&upper, Currency::all_codes()) {
            format!("did you mean `\"{suggestion}\"`?")
        } else {
            "use a three-letter ISO 4217 code such as `\"USD\"`, `\"EUR\"` or `\"JPY\"`".to_string()
        };
        diagnostics.push(
            Diagnostic::new(
                Code::Currency,
                format!("`{}` is not an ISO 4217 currency code", key.value),
                key.span.clone(),
                "unknown currency",
            )
            .with_help(help),
        );
    }
    for key in model.currency_keys.iter().skip(1) {
        if key.value != first.value {
            diagnostics.push(
                Diagnostic::new(
                    Code::Currency,
                    format!("this file says `{}` but the catalog's currency is `{}`", key.value, first.value),
                    key.span.clone(),
                    "a different currency",
                )
                .with_related(first.span.clone(), "the catalog's currency is set here")
                .with_help("every amount of a catalog is in one currency; give the same `currency` in every file, or leave it out of all but one"),
            );
        }
    }
}
