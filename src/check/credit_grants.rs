use std::collections::BTreeSet;

use crate::diagnostics::{Code, Diagnostic};

use super::Model;
use super::model::is_set;

/// `pricectl::credit_system_not_granted`: a credit system no plan grants or sells, so no
/// customer ever has credits and nothing that draws from it can be used.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    // Every item of every file, duplicates included (as for unused features): an item of a
    // plan reported as a duplicate still shows the author meant to grant the credits.
    let granted: BTreeSet<&str> = model
        .files
        .iter()
        .flat_map(|parsed| parsed.document.plans.iter())
        .flat_map(|plans| plans.value.iter())
        .flat_map(|plan| plan.value.items.iter())
        .flat_map(|items| items.value.iter())
        .map(|item| item.id.value.as_str())
        .collect();
    for system in model.credit_systems.values() {
        let id = &system.id.value;
        if is_set(system.value.archived.as_ref()) || granted.contains(id.as_str()) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::CreditSystemNotGranted,
                format!("credit system `{id}` is in no plan: no customer can ever have its credits"),
                system.id.span.clone(),
                "no plan grants or sells these credits",
            )
            .with_help(format!(
                "add `[plans.<plan>.items.{id}]` to a plan, with `included` credits to grant them or a `price` to sell them; or mark the credit system `archived = true`, or remove it"
            )),
        );
    }
}
