use crate::diagnostics::{Code, Diagnostic, did_you_mean};

use super::Model;

/// `pricectl::unknown_reference`: credit costs and plan items name a feature or credit system
/// that exists.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (_, cost) in model.costs() {
        if model.resolve(&cost.id.value).is_none() {
            diagnostics.push(unknown(
                model,
                &cost.id,
                "feature",
                "a credit cost names a metered feature",
            ));
        }
    }
    for (_, item) in model.items() {
        if model.resolve(&item.id.value).is_none() {
            diagnostics.push(unknown(
                model,
                &item.id,
                "feature or credit system",
                "a plan item is keyed by the feature or credit system it grants",
            ));
        }
    }
}

/// A reference to nothing declared, with the closest id as a suggestion.
pub(super) fn unknown(
    model: &Model<'_>,
    id: &crate::dsl::Spanned<String>,
    expected: &str,
    rule: &str,
) -> Diagnostic {
    let help = match did_you_mean(&id.value, model.referable_ids()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("{rule}; declare `[features.{}]` or fix the id", id.value),
    };
    Diagnostic::new(
        Code::UnknownReference,
        format!("`{}` is not a declared {expected}", id.value),
        id.span.clone(),
        format!("no {expected} has this id"),
    )
    .with_help(help)
}
