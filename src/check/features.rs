use crate::catalog::FeatureType;
use crate::diagnostics::{Code, Diagnostic};

use super::Model;

/// `pricectl::invalid_value`: `consumable` only applies to metered features.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for feature in model.features.values() {
        let (Some(kind), Some(consumable)) = (&feature.value.kind, &feature.value.consumable)
        else {
            continue;
        };
        if kind.value == FeatureType::Boolean {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "boolean feature `{}` cannot be consumable",
                        feature.id.value
                    ),
                    consumable.span.clone(),
                    "`consumable` applies to metered features only",
                )
                .with_related(kind.span.clone(), "declared boolean here")
                .with_help("remove `consumable`, or make the feature `type = \"metered\"`"),
            );
        }
    }
}
