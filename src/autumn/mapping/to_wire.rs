//! The canonical catalog written in Autumn's 2.x shapes.

use rust_decimal::Decimal;

use super::billing_controls::{controls_to_wire, expiry_to_wire, rollover_to_wire};
use super::item_reset::{Features, reset_to_wire};
use super::pricectl_facts::{METADATA_KEY, PlanFacts};
use crate::autumn::wire::feature::{self as wire_feature, CreditSchemaRow, FeatureType};
use crate::autumn::wire::plan::{
    self as wire_plan, BasePrice, BillingInterval, BillingMethod, FreeTrial, ItemPrice, PlanConfig,
    Reset, ResetInterval as WireReset, Tier, TierBehavior, TierTo, TrialDuration, TrialEnd,
};
use crate::catalog::{
    self, Billing, Catalog, Choice, Included, PriceInterval, Rate, ResetInterval, TierBound,
    TierMode, TrialLength,
};

/// Every feature and credit system, as `features.list` answers them (credit systems are
/// features of type `credit_system`), sorted by id.
pub fn features_to_wire(catalog: &Catalog) -> Vec<wire_feature::Feature> {
    let mut features: Vec<wire_feature::Feature> = catalog
        .features
        .values()
        .map(feature_to_wire)
        .chain(catalog.credit_systems.values().map(credit_system_to_wire))
        .collect();
    features.sort_by(|left, right| left.id.cmp(&right.id));
    features
}

/// A feature as Autumn answers it.
pub fn feature_to_wire(feature: &catalog::Feature) -> wire_feature::Feature {
    wire_feature::Feature {
        id: feature.id.clone(),
        name: feature.name.clone(),
        kind: match feature.kind {
            catalog::FeatureType::Metered => FeatureType::Metered,
            catalog::FeatureType::Boolean => FeatureType::Boolean,
        },
        consumable: feature.consumable,
        archived: feature.archived,
        event_names: feature.event_names.clone(),
        credit_schema: None,
        display: feature.display.as_ref().map(display),
    }
}

/// A credit system as Autumn answers it: a feature of type `credit_system`.
pub fn credit_system_to_wire(system: &catalog::CreditSystem) -> wire_feature::Feature {
    wire_feature::Feature {
        id: system.id.clone(),
        name: system.name.clone(),
        kind: FeatureType::CreditSystem,
        consumable: true,
        archived: system.archived,
        event_names: Vec::new(),
        credit_schema: Some(
            system
                .costs
                .iter()
                .map(|(feature_id, cost)| CreditSchemaRow {
                    metered_feature_id: feature_id.clone(),
                    credit_cost: cost.credits,
                })
                .collect(),
        ),
        display: system.display.as_ref().map(display),
    }
}

fn display(display: &catalog::Display) -> wire_feature::Display {
    wire_feature::Display {
        singular: display.singular.clone(),
        plural: display.plural.clone(),
    }
}

/// A plan version as `plans.list` answers it, its items' resets as Autumn answers them for the
/// catalog's `features` ([`super::item_reset`]).
pub fn plan_to_wire(
    plan: &catalog::Plan,
    features: &Features,
    version: u32,
    created_at: i64,
    env: &str,
) -> wire_plan::Plan {
    wire_plan::Plan {
        id: plan.id.clone(),
        name: plan.name.clone(),
        description: plan.description.clone(),
        group: plan.group.clone(),
        version,
        add_on: plan.add_on,
        auto_enable: plan.default,
        price: plan.price.map(|price| BasePrice {
            amount: price.amount,
            interval: billing_interval(price.interval),
            interval_count: None,
        }),
        items: plan
            .items
            .values()
            .map(|item| {
                let (included, unlimited) = match item.included {
                    Included::Units(units) => (units, false),
                    Included::Unlimited => (Decimal::ZERO, true),
                };
                wire_plan::PlanItem {
                    feature_id: item.feature_id.clone(),
                    included,
                    unlimited,
                    reset: reset_to_wire(item, features).map(|interval| Reset {
                        interval,
                        interval_count: None,
                    }),
                    price: item.price.as_ref().map(item_price),
                    proration: item.proration.map(|proration| wire_plan::Proration {
                        on_increase: proration.on_increase.as_str().to_string(),
                        on_decrease: proration.on_decrease.as_str().to_string(),
                    }),
                    rollover: item.controls.rollover.map(rollover_to_wire),
                    expiry: expiry_to_wire(item),
                    entity_feature_id: item.per_entity.clone(),
                }
            })
            .collect(),
        free_trial: plan.free_trial.map(|trial| FreeTrial {
            duration_length: match trial.length {
                TrialLength::Days(days) => days,
                TrialLength::Months(months) => months,
            },
            duration_type: match trial.length {
                TrialLength::Days(_) => TrialDuration::Day,
                TrialLength::Months(_) => TrialDuration::Month,
            },
            card_required: trial.card_required,
            on_end: Some(TrialEnd::Bill),
        }),
        created_at,
        env: env.to_string(),
        archived: plan.archived,
        config: PlanConfig::default(),
        billing_controls: controls_to_wire(plan),
        metadata: PlanFacts::of(plan)
            .to_metadata()
            .map(|facts| serde_json::Map::from_iter([(METADATA_KEY.to_string(), facts)]))
            .unwrap_or_default(),
        base_variant_id: None,
    }
}

fn item_price(price: &catalog::ItemPrice) -> ItemPrice {
    let (amount, tiers, tier_behavior) = match &price.rate {
        Rate::Flat { amount } => (Some(*amount), None, None),
        Rate::Tiered { tier_mode, tiers } => (
            None,
            Some(
                tiers
                    .iter()
                    .map(|tier| Tier {
                        to: match tier.up_to {
                            TierBound::Units(units) => TierTo::Units(units),
                            TierBound::Infinite => TierTo::Infinite,
                        },
                        amount: Some(tier.amount),
                        flat_amount: None,
                    })
                    .collect(),
            ),
            Some(match tier_mode {
                TierMode::Graduated => TierBehavior::Graduated,
                TierMode::Volume => TierBehavior::Volume,
            }),
        ),
    };
    ItemPrice {
        amount,
        tiers,
        tier_behavior,
        interval: billing_interval(price.interval),
        interval_count: None,
        billing_units: Some(price.per),
        billing_method: match price.billing {
            Billing::Prepaid => BillingMethod::Prepaid,
            Billing::Usage => BillingMethod::UsageBased,
        },
        max_purchase: price.prepaid.and_then(|bounds| bounds.max),
    }
}

pub(super) fn billing_interval(interval: PriceInterval) -> BillingInterval {
    match interval {
        PriceInterval::OneOff => BillingInterval::OneOff,
        PriceInterval::Week => BillingInterval::Week,
        PriceInterval::Month => BillingInterval::Month,
        PriceInterval::Quarter => BillingInterval::Quarter,
        PriceInterval::SemiAnnual => BillingInterval::SemiAnnual,
        PriceInterval::Year => BillingInterval::Year,
    }
}

pub(super) fn reset_interval(interval: ResetInterval) -> WireReset {
    match interval {
        ResetInterval::Minute => WireReset::Minute,
        ResetInterval::Hour => WireReset::Hour,
        ResetInterval::Day => WireReset::Day,
        ResetInterval::Week => WireReset::Week,
        ResetInterval::Month => WireReset::Month,
        ResetInterval::Quarter => WireReset::Quarter,
        ResetInterval::SemiAnnual => WireReset::SemiAnnual,
        ResetInterval::Year => WireReset::Year,
    }
}
