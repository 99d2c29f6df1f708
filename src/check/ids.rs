use crate::diagnostics::{Code, Diagnostic};
use crate::dsl::{ID_PATTERN, Spanned, is_valid_id};

use super::Model;

/// `pricectl::invalid_id`: every id of a feature, credit system and plan matches the pattern.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let ids = model
        .features
        .values()
        .map(|entry| (&entry.id, "feature"))
        .chain(
            model
                .credit_systems
                .values()
                .map(|entry| (&entry.id, "credit system")),
        )
        .chain(model.plans.values().map(|entry| (&entry.id, "plan")));
    for (id, kind) in ids {
        if !is_valid_id(&id.value) {
            diagnostics.push(invalid_id(id, kind));
        }
    }
}

fn invalid_id(id: &Spanned<String>, kind: &str) -> Diagnostic {
    let suggestion = suggested_id(&id.value);
    let help = if suggestion.is_empty() {
        format!(
            "ids match `{ID_PATTERN}`: lowercase letters, digits, `_` and `-`, starting with a letter or digit"
        )
    } else {
        format!("ids match `{ID_PATTERN}`; for example `{suggestion}`")
    };
    Diagnostic::new(
        Code::InvalidId,
        format!("invalid {kind} id `{}`", id.value),
        id.span.clone(),
        "lowercase letters, digits, `_` and `-` only",
    )
    .with_help(help)
}

/// The id lowercased, with every other character turned into `-`.
fn suggested_id(id: &str) -> String {
    let mapped: String = id
        .chars()
        .map(|character| {
            let lower = character.to_ascii_lowercase();
            if lower.is_ascii_lowercase() || lower.is_ascii_digit() || lower == '_' || lower == '-'
            {
                lower
            } else {
                '-'
            }
        })
        .collect();
    mapped.trim_start_matches(['-', '_']).to_string()
}
