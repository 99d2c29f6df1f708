use std::collections::BTreeMap;

use crate::diagnostics::{Code, Diagnostic, Span};

use super::Model;

/// `pricectl::multiple_defaults`: at most one default plan per group (plans with no group form
/// one group of their own).
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut first_default: BTreeMap<Option<&str>, (&str, &Span)> = BTreeMap::new();
    for plan in model.plans.values() {
        let document = &plan.value;
        let Some(default) = document.default.as_ref().filter(|default| default.value) else {
            continue;
        };
        if document
            .archived
            .as_ref()
            .is_some_and(|archived| archived.value)
        {
            continue;
        }
        let group = document.group.as_ref().map(|group| group.value.as_str());
        match first_default.get(&group) {
            Some((first_id, first_span)) => {
                let in_group = group.map_or_else(
                    || "among plans with no group".to_string(),
                    |group| format!("in group `{group}`"),
                );
                diagnostics.push(
                    Diagnostic::new(
                        Code::MultipleDefaults,
                        format!("plans `{first_id}` and `{}` are both the default {in_group}", plan.id.value),
                        default.span.clone(),
                        "a second default",
                    )
                    .with_related((*first_span).clone(), format!("`{first_id}` is the default here"))
                    .with_help("a new customer gets one default plan per group: keep `default = true` on one of them"),
                );
            }
            None => {
                first_default.insert(group, (&plan.id.value, &default.span));
            }
        }
    }
}
