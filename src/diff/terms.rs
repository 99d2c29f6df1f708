//! Terms: every change to what a customer pays or gets (a base price, an included amount, a
//! reset, a usage or prepaid price and its tiers, prepaid bounds, a credit cost, a free trial,
//! an interval), before and after, so a review sees them all up front and not only in the
//! folded field list.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::impact::percent;
use super::plan::{Holders, Term, TermChange, TermValue, Unit};
use crate::catalog::{
    Address, Catalog, CreditSystem, Included, ItemControls, Plan as PricingPlan, PlanItem,
    SpendLimit,
};
use crate::live::LiveState;

/// The terms that differ between the live catalog and `desired`: plans' base price, trial and
/// items, then credit systems' costs, each in id order. A created or removed plan is a change
/// of the catalog, not of what its customers pay, and is not listed.
pub fn term_changes(live: &LiveState, desired: &Catalog) -> Vec<TermChange> {
    let before = &live.catalog;
    let mut terms = Vec::new();
    let unit_of = |id: &str| unit(desired, before, id);
    for (id, after) in &desired.plans {
        let Some(old) = before.plans.get(id) else {
            continue;
        };
        if old != after {
            plan_terms(old, after, &unit_of, &mut terms);
        }
    }
    for (id, after) in &desired.credit_systems {
        let Some(old) = before.credit_systems.get(id) else {
            continue;
        };
        if old != after {
            let holders = live
                .held_credits
                .as_ref()
                .and_then(|held| held.get(id))
                .filter(|held| held.customers > 0);
            cost_terms(old, after, holders, &unit_of, &mut terms);
        }
    }
    terms
}

fn plan_terms(
    old: &PricingPlan,
    new: &PricingPlan,
    unit_of: &dyn Fn(&str) -> Unit,
    terms: &mut Vec<TermChange>,
) {
    let plan = Address::plan(old.id.clone());
    let base = |price: Option<crate::catalog::BasePrice>| {
        price.map(|price| TermValue::Money {
            amount: price.amount,
            interval: price.interval,
        })
    };
    let (old_price, new_price) = (base(old.price), base(new.price));
    if old_price != new_price {
        terms.push(TermChange::new(
            plan.clone(),
            Term::BasePrice,
            old_price,
            new_price,
        ));
    }
    if old.free_trial != new.free_trial {
        let trial = |trial: Option<crate::catalog::FreeTrial>| {
            trial.map(|trial| TermValue::Trial {
                length: trial.length,
                card_required: trial.card_required,
                once_per: trial.once_per,
            })
        };
        terms.push(TermChange::new(
            plan.clone(),
            Term::FreeTrial,
            trial(old.free_trial),
            trial(new.free_trial),
        ));
    }
    let limited: BTreeSet<&String> = old
        .usage_limits
        .keys()
        .chain(new.usage_limits.keys())
        .collect();
    for feature in limited {
        let limit = |plan: &PricingPlan| {
            plan.usage_limits
                .get(feature)
                .map(|limit| TermValue::UsageLimit { limit: *limit })
        };
        let (before, after) = (limit(old), limit(new));
        if before != after {
            let mut change = TermChange::new(
                plan.clone(),
                Term::UsageLimit {
                    feature: feature.clone(),
                },
                before,
                after,
            );
            change.unit = Some(unit_of(feature));
            terms.push(change);
        }
    }
    let ids: BTreeSet<&String> = old.items.keys().chain(new.items.keys()).collect();
    for id in ids {
        let address = Address::item(old.id.clone(), id.clone());
        let mut unit = |change: TermChange| {
            let mut change = change;
            change.unit = Some(unit_of(id));
            terms.push(change);
        };
        match (old.items.get(id), new.items.get(id)) {
            (None, Some(item)) => unit(TermChange::new(
                address,
                Term::Granted,
                None,
                Some(granted(item)),
            )),
            (Some(item), None) => unit(TermChange::new(
                address,
                Term::Granted,
                Some(granted(item)),
                None,
            )),
            (Some(before), Some(after)) if before != after => {
                for change in item_terms(&address, before, after) {
                    unit(change);
                }
            }
            _ => {}
        }
    }
}

/// What an item grants, as one value: its included amount, reset and price.
fn granted(item: &PlanItem) -> TermValue {
    TermValue::Granted {
        included: item.included,
        reset: item.reset,
        price: item.price.clone(),
    }
}

fn item_terms(address: &Address, before: &PlanItem, after: &PlanItem) -> Vec<TermChange> {
    let mut terms = Vec::new();
    let mut push = |term: Term, old: Option<TermValue>, new: Option<TermValue>| {
        if old != new {
            terms.push(TermChange::new(address.clone(), term, old, new));
        }
    };
    push(
        Term::Included,
        Some(TermValue::Included {
            included: before.included,
            reset: before.reset,
        }),
        Some(TermValue::Included {
            included: after.included,
            reset: after.reset,
        }),
    );
    let reset = |item: &PlanItem| TermValue::Reset { reset: item.reset };
    push(Term::Reset, Some(reset(before)), Some(reset(after)));
    match (&before.price, &after.price) {
        (Some(old), Some(new)) => {
            let rate = |price: &crate::catalog::ItemPrice| TermValue::Rate {
                billing: price.billing,
                interval: price.interval,
                per: price.per,
                rate: price.rate.clone(),
            };
            push(Term::Price, Some(rate(old)), Some(rate(new)));
            let bounds = |price: &crate::catalog::ItemPrice| {
                price.prepaid.map(|bounds| TermValue::Bounds {
                    min: bounds.min,
                    max: bounds.max,
                })
            };
            push(Term::PrepaidBounds, bounds(old), bounds(new));
        }
        (old, new) => {
            let rate = |price: &Option<crate::catalog::ItemPrice>| {
                price.as_ref().map(|price| TermValue::Rate {
                    billing: price.billing,
                    interval: price.interval,
                    per: price.per,
                    rate: price.rate.clone(),
                })
            };
            push(Term::Price, rate(old), rate(new));
        }
    }
    control_terms(&before.controls, &after.controls, &mut push);
    // An included change that is only its reset is said once, as the reset.
    if terms.iter().any(|term| term.term == Term::Reset) && before.included == after.included {
        terms.retain(|term| term.term != Term::Included);
    }
    terms
}

/// The billing controls of an item that differ, each a term of its own.
fn control_terms(
    before: &ItemControls,
    after: &ItemControls,
    push: &mut dyn FnMut(Term, Option<TermValue>, Option<TermValue>),
) {
    let top_up = |controls: &ItemControls| {
        controls
            .auto_top_up
            .map(|top_up| TermValue::AutoTopUp { top_up })
    };
    push(Term::AutoTopUp, top_up(before), top_up(after));
    let spend = |controls: &ItemControls| {
        controls
            .spend_limit
            .map(|limit| TermValue::SpendLimit { limit })
    };
    push(Term::SpendLimit, spend(before), spend(after));
    let alerts = |controls: &ItemControls| {
        (!controls.alerts.is_empty()).then(|| TermValue::Alerts {
            alerts: controls.alerts.clone(),
        })
    };
    push(Term::Alerts, alerts(before), alerts(after));
    let rollover = |controls: &ItemControls| {
        controls
            .rollover
            .map(|rollover| TermValue::Rollover { rollover })
    };
    push(Term::Rollover, rollover(before), rollover(after));
    let expiry = |controls: &ItemControls| {
        controls
            .expires_after
            .map(|after| TermValue::Expiry { after })
    };
    push(Term::PurchaseExpiry, expiry(before), expiry(after));
}

fn cost_terms(
    old: &CreditSystem,
    new: &CreditSystem,
    holders: Option<&crate::live::HeldCredits>,
    unit_of: &dyn Fn(&str) -> Unit,
    terms: &mut Vec<TermChange>,
) {
    let system = Address::credit_system(old.id.clone());
    let features: BTreeSet<&String> = old.costs.keys().chain(new.costs.keys()).collect();
    for feature in features {
        let cost = |system: &CreditSystem| {
            system.costs.get(feature).map(|cost| TermValue::Credits {
                credits: cost.credits,
            })
        };
        let (before, after) = (cost(old), cost(new));
        if before == after {
            continue;
        }
        let mut change = TermChange::new(
            system.clone(),
            Term::CreditCost {
                feature: feature.clone(),
            },
            before,
            after,
        );
        change.unit = Some(unit_of(feature));
        if let (Some(held), Some(old_cost), Some(new_cost)) =
            (holders, old.costs.get(feature), new.costs.get(feature))
            && new_cost.credits > old_cost.credits
        {
            change.holders = Some(Holders {
                customers: held.customers,
                credits: held.credits,
                units_before: held.credits.checked_div(old_cost.credits),
                units_after: held.credits.checked_div(new_cost.credits),
            });
        }
        terms.push(change);
    }
}

/// How a feature or credit system is counted: its display words, or "unit" and its name.
pub(super) fn unit(desired: &Catalog, live: &Catalog, id: &str) -> Unit {
    let display = desired
        .features
        .get(id)
        .or_else(|| live.features.get(id))
        .and_then(|feature| feature.display.clone())
        .or_else(|| {
            desired
                .credit_systems
                .get(id)
                .or_else(|| live.credit_systems.get(id))
                .and_then(|system| system.display.clone())
        });
    let name = desired
        .features
        .get(id)
        .map(|feature| feature.name.clone())
        .or_else(|| live.features.get(id).map(|feature| feature.name.clone()))
        .or_else(|| {
            desired
                .credit_systems
                .get(id)
                .map(|system| system.name.clone())
        })
        .or_else(|| {
            live.credit_systems
                .get(id)
                .map(|system| system.name.clone())
        })
        .unwrap_or_else(|| id.to_string());
    match display {
        Some(display) => Unit {
            name,
            singular: display.singular,
            plural: display.plural,
        },
        // Without display words, many units read as the feature's name ("1M o3 input
        // tokens"), one as "unit".
        None => Unit {
            singular: "unit".into(),
            plural: name.clone(),
            name,
        },
    }
}

impl TermChange {
    fn new(
        address: Address,
        term: Term,
        before: Option<TermValue>,
        after: Option<TermValue>,
    ) -> Self {
        let change_percent = match (&before, &after) {
            (Some(old), Some(new)) => old
                .comparable(new)
                .and_then(|(old, new)| percent(Some(&old), Some(&new))),
            _ => None,
        };
        TermChange {
            address,
            term,
            before,
            after,
            change_percent,
            unit: None,
            holders: None,
        }
    }
}

impl TermValue {
    /// The two numbers a percentage compares, when the values are alike: amounts of money,
    /// included units with the same reset, flat rates of one billing unit and interval,
    /// credit costs.
    fn comparable(&self, other: &TermValue) -> Option<(Decimal, Decimal)> {
        use crate::catalog::Rate;
        match (self, other) {
            (
                TermValue::Money {
                    amount: old,
                    interval: old_interval,
                },
                TermValue::Money {
                    amount: new,
                    interval: new_interval,
                },
            ) if old_interval == new_interval => Some((*old, *new)),
            (TermValue::Credits { credits: old }, TermValue::Credits { credits: new }) => {
                Some((*old, *new))
            }
            (
                TermValue::SpendLimit {
                    limit: SpendLimit::Amount(old),
                },
                TermValue::SpendLimit {
                    limit: SpendLimit::Amount(new),
                },
            )
            | (
                TermValue::SpendLimit {
                    limit: SpendLimit::Percent(old),
                },
                TermValue::SpendLimit {
                    limit: SpendLimit::Percent(new),
                },
            ) => Some((*old, *new)),
            (TermValue::UsageLimit { limit: old }, TermValue::UsageLimit { limit: new })
                if old.interval == new.interval =>
            {
                Some((old.limit, new.limit))
            }
            (
                TermValue::Included {
                    included: Included::Units(old),
                    reset: old_reset,
                },
                TermValue::Included {
                    included: Included::Units(new),
                    reset: new_reset,
                },
            ) if old_reset == new_reset => Some((*old, *new)),
            (
                TermValue::Rate {
                    billing: old_billing,
                    interval: old_interval,
                    per: old_per,
                    rate: Rate::Flat { amount: old },
                },
                TermValue::Rate {
                    billing: new_billing,
                    interval: new_interval,
                    per: new_per,
                    rate: Rate::Flat { amount: new },
                },
            ) if old_billing == new_billing && old_interval == new_interval => {
                Some((old.checked_div(*old_per)?, new.checked_div(*new_per)?))
            }
            _ => None,
        }
    }
}
