use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Code, Diagnostic};

use super::Model;
use super::model::is_set;
use crate::dsl::Entry;
use crate::dsl::document::{CostDocument, ItemDocument};

/// Warnings about how features are used: `pricectl::unused_feature` (declared but in no plan,
/// no credit system and no item's `per_entity`) and `pricectl::double_charge` (a plan prices a feature directly and
/// also grants a credit system the feature draws from).
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    // Every reference of every file, duplicates included: a credit system reported as a
    // duplicate still shows which features the author meant to use.
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for parsed in model.files {
        let document = &parsed.document;
        for system in document
            .credit_systems
            .iter()
            .flat_map(|systems| systems.value.iter())
        {
            used.extend(
                system
                    .value
                    .costs
                    .iter()
                    .flat_map(|costs| costs.value.iter())
                    .map(|cost| cost.id.value.as_str()),
            );
        }
        for plan in document.plans.iter().flat_map(|plans| plans.value.iter()) {
            used.extend(
                plan.value
                    .items
                    .iter()
                    .flat_map(|items| items.value.iter())
                    .map(|item| item.id.value.as_str()),
            );
            // A feature whose entities hold other items' balances is used by them.
            used.extend(
                plan.value
                    .items
                    .iter()
                    .flat_map(|items| items.value.iter())
                    .filter_map(|item| item.value.per_entity.as_ref())
                    .map(|entity| entity.value.as_str()),
            );
        }
    }
    for feature in model.features.values() {
        if !is_set(feature.value.archived.as_ref()) && !used.contains(feature.id.value.as_str()) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnusedFeature,
                    format!("feature `{}` is not in any plan or credit system", feature.id.value),
                    feature.id.span.clone(),
                    "declared but never used",
                )
                .with_help("add it to a plan's items or a credit system's costs, mark it `archived = true`, or remove it"),
            );
        }
    }
    // Each credit system's costs by feature, once: the double-charge rule asks per priced item.
    let costs: BTreeMap<&str, CostsByFeature<'_>> = model
        .credit_systems
        .iter()
        .map(|(id, system)| {
            let by_feature = system
                .value
                .costs
                .iter()
                .flat_map(|costs| costs.value.iter())
                .map(|cost| (cost.id.value.as_str(), cost))
                .collect();
            (*id, by_feature)
        })
        .collect();
    for plan in model.plans.values() {
        let Some(items) = &plan.value.items else {
            continue;
        };
        let granted_systems: Vec<(&Entry<ItemDocument>, &str, &CostsByFeature<'_>)> = items
            .value
            .iter()
            .filter_map(|granted| {
                let (id, by_feature) = costs.get_key_value(granted.id.value.as_str())?;
                Some((granted, *id, by_feature))
            })
            .collect();
        if granted_systems.is_empty() {
            continue;
        }
        for item in items.value.iter() {
            let Some(price) = &item.value.price else {
                continue;
            };
            for (granted, system_id, by_feature) in &granted_systems {
                let Some(cost) = by_feature.get(item.id.value.as_str()) else {
                    continue;
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::DoubleCharge,
                        format!(
                            "plan `{}` prices `{}` directly and through credit system `{system_id}`",
                            plan.id.value, item.id.value
                        ),
                        price.span.clone(),
                        "priced directly here",
                    )
                    .with_related(granted.id.span.clone(), "the plan also grants these credits")
                    .with_related(cost.id.span.clone(), "which this feature draws from")
                    .with_help(format!(
                        "usage of `{}` would be charged and also draw credits; remove this price, or remove `{}` from the costs of `{system_id}`",
                        item.id.value, item.id.value
                    )),
                );
            }
        }
    }
}

/// A credit system's costs, by the feature they are for.
type CostsByFeature<'a> = BTreeMap<&'a str, &'a Entry<CostDocument>>;
