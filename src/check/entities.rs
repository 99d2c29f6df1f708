use crate::catalog::FeatureType;
use crate::diagnostics::{Code, Diagnostic};

use super::Model;

/// Per-entity items: `per_entity` names a declared allocated feature (seats, workspaces), whose
/// entities each hold their own balance of the item (`pricectl::unknown_reference`,
/// `pricectl::invalid_value`).
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (plan, item) in model.items() {
        let Some(entity) = &item.value.per_entity else {
            continue;
        };
        let id = entity.value.as_str();
        let Some(feature) = model.features.get(id) else {
            diagnostics.push(super::references::unknown(
                model,
                entity,
                "feature",
                "`per_entity` names an allocated feature (`consumable = false`) whose entities hold the balances",
            ));
            continue;
        };
        if id == item.id.value {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "`{id}` in plan `{}` is held per entity of itself",
                        plan.id.value
                    ),
                    entity.span.clone(),
                    "the entities are units of another feature",
                )
                .with_help(format!(
                    "`per_entity` names the feature whose entities each hold a balance of `{id}` (seats, workspaces); name that feature, or remove `per_entity`"
                )),
            );
            continue;
        }
        let problem = if model.feature_type(id) == Some(FeatureType::Boolean) {
            Some("a boolean feature has no entities")
        } else if model.feature_type(id) == Some(FeatureType::Metered)
            && model.allocated(id).is_none()
        {
            Some("a consumable feature has no entities: its units are used up, not held")
        } else {
            None
        };
        if let Some(problem) = problem {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "`{}` in plan `{}` is held per entity of `{id}`, which is not an allocated feature",
                        item.id.value, plan.id.value
                    ),
                    entity.span.clone(),
                    problem,
                )
                .with_related(feature.id.span.clone(), "declared here")
                .with_help(format!(
                    "`per_entity` names a metered feature with `consumable = false` (seats, workspaces), each of whose units a customer creates as an entity; make `{id}` one, or remove `per_entity`"
                )),
            );
        }
    }
}
