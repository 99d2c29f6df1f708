use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::catalog::PriceInterval;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::dsl::Entry;
use crate::dsl::document::PlanDocument;

use super::Model;
use super::model::is_archived;

/// `pricectl::multiple_defaults`: at most one default plan per group (plans with no group form
/// one group of their own); `pricectl::paid_default`: a default plan that charges every new
/// customer as it is created.
pub(super) fn check(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    multiple_defaults(model, diagnostics);
    for plan in model.plans.values() {
        paid_default(plan, diagnostics);
    }
}

fn multiple_defaults(model: &Model<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut first_default: BTreeMap<Option<&str>, (&str, &Span)> = BTreeMap::new();
    for plan in model.plans.values() {
        let document = &plan.value;
        let Some(default) = document.default.as_ref().filter(|default| default.value) else {
            continue;
        };
        if is_archived(document) {
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

/// A default plan is attached to every customer when it is created (Autumn's `auto_enable`),
/// so a base price on it charges everyone at sign-up, unless a free trial delays a recurring
/// price (a one-off price is charged at the attach, trial or not).
fn paid_default(plan: &Entry<PlanDocument>, diagnostics: &mut Vec<Diagnostic>) {
    let document = &plan.value;
    let Some(default) = document.default.as_ref().filter(|default| default.value) else {
        return;
    };
    let Some(price) = &document.price else {
        return;
    };
    let Some(amount) = price
        .value
        .amount
        .as_ref()
        .filter(|amount| amount.value.0 > Decimal::ZERO)
    else {
        return;
    };
    let one_off = price
        .value
        .interval
        .as_ref()
        .is_some_and(|interval| interval.value == PriceInterval::OneOff);
    if is_archived(document) || (document.free_trial.is_some() && !one_off) {
        return;
    }
    let id = &plan.id.value;
    diagnostics.push(
        Diagnostic::new(
            Code::PaidDefault,
            format!("plan `{id}` is a default plan with a price: every new customer is charged when created"),
            default.span.clone(),
            "every new customer gets this plan",
        )
        .with_related(amount.span.clone(), "and is charged this at sign-up")
        .with_help(format!(
            "make the default plan a free one and let customers attach `{id}` when they choose to pay; or give `{id}` a `free_trial`, so new customers start with a trial"
        )),
    );
}
