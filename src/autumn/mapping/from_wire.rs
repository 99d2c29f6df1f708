//! Features and plans a client sends, read into catalog objects.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::billing_controls::{
    SetAside, expires_natively, expiry_from_wire, read_controls, rollover_from_wire,
};
use super::item_reset::{Features, settle_reset};
use super::pricectl_facts::{GivenLanes, METADATA_KEY, PlanFacts};
use crate::autumn::wire::feature::{FeatureParams, FeatureType};
use crate::autumn::wire::plan::{
    BillingInterval, BillingMethod, ItemPrice as WirePrice, PlanItemParams, PlanParams,
    ResetInterval as WireReset, TierBehavior, TierTo, TrialDuration, TrialEnd,
};
use crate::catalog::{
    self, BasePrice, Billing, Choice, CreditCost, CreditSystem, Feature, FreeTrial, Included,
    ItemControls, ItemPrice, PlanItem, PrepaidBounds, PriceInterval, Proration, Rate,
    ResetInterval, Tier, TierBound, TierMode, TrialLength, TrialOncePer,
};

/// A field pricectl cannot hold as sent: where (`plans[0].items[1].price.interval_count`) and
/// why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct MappingError {
    pub path: String,
    pub message: String,
}

impl MappingError {
    fn at(path: &str, field: &str, message: impl Into<String>) -> MappingError {
        MappingError {
            path: if path.is_empty() {
                field.to_string()
            } else {
                format!("{path}.{field}")
            },
            message: message.into(),
        }
    }
}

/// What a feature of Autumn's becomes: a feature, or a credit system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogFeature {
    Feature(Feature),
    CreditSystem(CreditSystem),
}

/// Reads a whole feature (`features.create`, a feature of `catalog.update`). `live` is the
/// catalog it goes into: `protect` and `archived` keep their live values, and so does
/// `display` when the client leaves it out.
pub fn feature_from_wire(
    params: &FeatureParams,
    live: &catalog::Catalog,
    path: &str,
) -> Result<CatalogFeature, MappingError> {
    let id = params.feature_id.clone();
    check_id(&id, path, "feature_id")?;
    let name = params.name.clone().unwrap_or_else(|| id.clone());
    // Autumn's CLI has no `display`: left out, it stays as the live object has it.
    let live_display = live
        .features
        .get(&id)
        .and_then(|feature| feature.display.clone())
        .or_else(|| {
            live.credit_systems
                .get(&id)
                .and_then(|system| system.display.clone())
        });
    let display = params
        .display
        .as_ref()
        .map(|display| catalog::Display {
            singular: display.singular.clone(),
            plural: display.plural.clone(),
        })
        .or(live_display);
    match params.kind {
        FeatureType::CreditSystem => {
            if params.consumable == Some(false) {
                return Err(MappingError::at(
                    path,
                    "consumable",
                    "credit system features must be consumable",
                ));
            }
            let Some(schema) = &params.credit_schema else {
                return Err(MappingError::at(
                    path,
                    "credit_schema",
                    "a credit system needs its credit schema",
                ));
            };
            let mut costs = BTreeMap::new();
            for (index, row) in schema.iter().enumerate() {
                if costs
                    .insert(
                        row.metered_feature_id.clone(),
                        CreditCost::per_unit(row.credit_cost),
                    )
                    .is_some()
                {
                    return Err(MappingError::at(
                        path,
                        &format!("credit_schema[{index}].metered_feature_id"),
                        format!("`{}` is listed twice", row.metered_feature_id),
                    ));
                }
            }
            let live = live.credit_systems.get(&id);
            Ok(CatalogFeature::CreditSystem(CreditSystem {
                id,
                name,
                display,
                costs,
                archived: live.is_some_and(|system| system.archived),
                protect: live.is_some_and(|system| system.protect),
            }))
        }
        FeatureType::Metered | FeatureType::Boolean => {
            if params.credit_schema.is_some() {
                return Err(MappingError::at(
                    path,
                    "credit_schema",
                    "only a credit system has a credit schema",
                ));
            }
            let kind = if params.kind == FeatureType::Metered {
                catalog::FeatureType::Metered
            } else {
                catalog::FeatureType::Boolean
            };
            let consumable = match (kind, params.consumable) {
                (catalog::FeatureType::Boolean, _) => false,
                (catalog::FeatureType::Metered, Some(consumable)) => consumable,
                (catalog::FeatureType::Metered, None) => {
                    return Err(MappingError::at(
                        path,
                        "consumable",
                        "say whether the metered feature is consumable (used up, like tokens) or not (allocated, like seats)",
                    ));
                }
            };
            let mut event_names = params.event_names.clone().unwrap_or_default();
            event_names.sort();
            event_names.dedup();
            let live = live.features.get(&id);
            Ok(CatalogFeature::Feature(Feature {
                id,
                name,
                kind,
                consumable,
                display,
                event_names,
                archived: live.is_some_and(|feature| feature.archived),
                protect: live.is_some_and(|feature| feature.protect),
            }))
        }
    }
}

/// Reads a whole plan (`plans.create`, a plan of `catalog.update`): left-out fields take
/// Autumn's defaults. `live` is the plan it replaces, if any: `protect`, `archived` and each
/// prepaid item's smallest purchase keep their live values, and so do the billing controls
/// of a lane the body leaves out. A billing control the language cannot say is refused.
/// `features` are the catalog's features: an item's reset is read as Autumn reads it for its
/// feature ([`super::item_reset`]).
pub fn plan_from_wire(
    params: &PlanParams,
    live: Option<&catalog::Plan>,
    features: &Features,
    path: &str,
) -> Result<catalog::Plan, MappingError> {
    let (plan, set_aside) =
        plan_setting_aside(params, live, features, path, EarlierControls::Read)?;
    match set_aside.refusal(path) {
        Some(refusal) => Err(refusal),
        None => Ok(plan),
    }
}

/// What to do with billing controls an earlier pricectl kept whole in `metadata.pricectl`
/// (before they were mapped to Autumn's own fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EarlierControls {
    /// A body a client sends: they mean what they meant when written, where Autumn's own
    /// fields are left out ([`PlanFacts::lay_earlier_controls`]).
    Read,
    /// Autumn's answer: Autumn enforces its own fields, never metadata, so what is in force is
    /// those alone; the controls a pricing gives then show as changes to make there.
    NotInForce,
}

/// [`plan_from_wire`], with the billing controls the language cannot say set aside rather
/// than refused.
pub(super) fn plan_setting_aside(
    params: &PlanParams,
    live: Option<&catalog::Plan>,
    features: &Features,
    path: &str,
    earlier: EarlierControls,
) -> Result<(catalog::Plan, SetAside), MappingError> {
    check_id(&params.plan_id, path, "plan_id")?;
    if params
        .licenses
        .as_ref()
        .is_some_and(|licenses| !licenses.is_empty())
    {
        return Err(MappingError::at(
            path,
            "licenses",
            "pricectl's catalog has no licenses; send an empty list",
        ));
    }
    if params
        .config
        .as_ref()
        .is_some_and(|config| config.ignore_past_due)
    {
        return Err(MappingError::at(
            path,
            "config.ignore_past_due",
            "pricectl's catalog has no past-due setting",
        ));
    }
    // pricectl's own facts (protection, prepaid minimums) travel in `metadata.pricectl`;
    // left out, they stay as the live plan has them.
    let facts = match &params.metadata {
        None => None,
        Some(metadata) => {
            if let Some(key) = metadata.keys().find(|key| *key != METADATA_KEY) {
                return Err(MappingError::at(
                    path,
                    &format!("metadata.{key}"),
                    "pricectl's catalog keeps no plan metadata but its own facts (`pricectl`)",
                ));
            }
            Some(PlanFacts::from_metadata(metadata, path)?.unwrap_or_default())
        }
    };
    let price = match params.price.clone().flatten() {
        None => None,
        Some(price) => {
            check_interval_count(price.interval_count, path, "price.interval_count")?;
            Some(BasePrice {
                amount: price.amount.normalize(),
                interval: price_interval(price.interval),
            })
        }
    };
    let free_trial = match params.free_trial.clone().flatten() {
        None => None,
        Some(trial) => {
            let length = match trial.duration_type {
                TrialDuration::Day => TrialLength::Days(trial.duration_length),
                TrialDuration::Month => TrialLength::Months(trial.duration_length),
                TrialDuration::Year => {
                    TrialLength::Months(trial.duration_length.checked_mul(12).ok_or_else(|| {
                        MappingError::at(path, "free_trial.duration_length", "too long")
                    })?)
                }
            };
            if trial.on_end == Some(TrialEnd::Revert) {
                return Err(MappingError::at(
                    path,
                    "free_trial.on_end",
                    "pricectl's trials end by billing (`bill`)",
                ));
            }
            Some(FreeTrial {
                length,
                card_required: trial.card_required,
                // Autumn gives a trial once per customer and plan; pricectl's wider
                // `once_per = "customer"` has no field there, so it stays as it is live.
                once_per: live
                    .and_then(|plan| plan.free_trial)
                    .map_or_else(TrialOncePer::default, |trial| trial.once_per),
            })
        }
    };
    let mut items = BTreeMap::new();
    for (index, item) in params.items.iter().flatten().enumerate() {
        let item_path = format!("{}items[{index}]", prefix(path));
        let live_item = live.and_then(|plan| plan.items.get(&item.feature_id));
        let item = plan_item(item, live_item, features, &item_path)?;
        if items.insert(item.feature_id.clone(), item).is_some() {
            return Err(MappingError::at(
                &item_path,
                "feature_id",
                "the plan already has an item for this feature",
            ));
        }
    }
    let mut plan = catalog::Plan {
        id: params.plan_id.clone(),
        name: params
            .name
            .clone()
            .unwrap_or_else(|| params.plan_id.clone()),
        description: params.description.clone().flatten(),
        group: params.group.clone().filter(|group| !group.is_empty()),
        add_on: params.add_on.unwrap_or(false),
        default: params.auto_enable.unwrap_or(false),
        price,
        free_trial,
        items,
        archived: live.is_some_and(|plan| plan.archived),
        protect: live.is_some_and(|plan| plan.protect),
        usage_limits: BTreeMap::new(),
    };
    // A spend limit's units are read in the form the metadata gives, else the live plan's.
    let hints = match &facts {
        Some(facts) => facts.spend_limit_hints(),
        None => live
            .map(|live| {
                live.items
                    .iter()
                    .filter_map(|(id, item)| {
                        item.controls.spend_limit.map(|limit| (id.clone(), limit))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    if let Some(facts) = &facts {
        facts.apply_to(&mut plan);
        // A purchase expiry Autumn's item `expiry` cannot hold lives in the metadata.
        for item in plan.items.values_mut() {
            let kept = facts
                .items
                .get(&item.feature_id)
                .and_then(|facts| facts.expires_after);
            if kept.is_some() && !expires_natively(item) {
                item.controls.expires_after = kept;
            }
        }
    }
    let set_aside = read_controls(&mut plan, params.billing_controls.as_ref(), live, &hints);
    if let Some(facts) = &facts
        && earlier == EarlierControls::Read
    {
        facts.lay_earlier_controls(&mut plan, &GivenLanes::of(params.billing_controls.as_ref()));
    }
    Ok((plan, set_aside))
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    }
}

fn plan_item(
    params: &PlanItemParams,
    live: Option<&PlanItem>,
    features: &Features,
    path: &str,
) -> Result<PlanItem, MappingError> {
    if params.pooled == Some(true) {
        return Err(MappingError::at(
            path,
            "pooled",
            "pricectl's catalog has no pooled items",
        ));
    }
    let included = if params.unlimited == Some(true) {
        if params.included.is_some_and(|included| !included.is_zero()) {
            return Err(MappingError::at(
                path,
                "included",
                "an unlimited item includes no count",
            ));
        }
        Included::Unlimited
    } else {
        Included::Units(params.included.unwrap_or(Decimal::ZERO).normalize())
    };
    let reset = match &params.reset {
        None => None,
        Some(reset) => {
            check_interval_count(reset.interval_count, path, "reset.interval_count")?;
            reset_interval(reset.interval)
        }
    };
    let price = params
        .price
        .as_ref()
        .map(|price| {
            item_price(
                price,
                live.and_then(|item| item.price.as_ref()),
                &prefix(path),
            )
        })
        .transpose()?;
    let proration = match &params.proration {
        None => live.and_then(|item| item.proration),
        Some(proration) => Some(Proration {
            on_increase: word(&proration.on_increase, path, "proration.on_increase")?,
            on_decrease: word(&proration.on_decrease, path, "proration.on_decrease")?,
        }),
    };
    let rollover = params
        .rollover
        .as_ref()
        .map(|rollover| {
            rollover_from_wire(rollover)
                .map_err(|message| MappingError::at(path, "rollover.max_percentage", message))
        })
        .transpose()?;
    // Left out, a purchase expiry stays as the live item has it: Autumn's CLI has no field
    // for it, so its push cannot mean to remove it.
    let expires_after = match &params.expiry {
        None => live.and_then(|item| item.controls.expires_after),
        Some(None) => None,
        Some(Some(expiry)) => Some(
            expiry_from_wire(expiry)
                .ok_or_else(|| MappingError::at(path, "expiry.length", "too long"))?,
        ),
    };
    let mut item = PlanItem {
        feature_id: params.feature_id.clone(),
        included,
        reset,
        price,
        // Not in Autumn's plan items (its `metadata.pricectl` facts say it): as the live item
        // has it.
        reset_on_attach: live.is_some_and(|item| item.reset_on_attach),
        // Autumn's `entity_feature_id`: left out, the balance is the customer's (Autumn's
        // `planItemV0ToProductItem` reads a missing one as `null`, and atmn sends it whenever
        // a config's item has `entityFeatureId`).
        per_entity: params
            .entity_feature_id
            .as_ref()
            .map(|entity| entity_feature(entity, features, path))
            .transpose()?,
        proration,
        // The plan's `billing_controls` fill in the rest.
        controls: ItemControls {
            rollover,
            expires_after,
            ..ItemControls::default()
        },
    };
    // A reset left out is the price's interval, as Autumn reads it (`atmn pull` leaves out a
    // reset equal to the price's interval); an allocated feature's item never resets.
    settle_reset(&mut item, params.reset.is_none(), features);
    Ok(item)
}

fn item_price(
    price: &WirePrice,
    live: Option<&ItemPrice>,
    prefix: &str,
) -> Result<ItemPrice, MappingError> {
    let path = format!("{prefix}price");
    check_interval_count(price.interval_count, &path, "interval_count")?;
    let per = price.billing_units.unwrap_or(Decimal::ONE).normalize();
    let rate = match (&price.amount, &price.tiers) {
        (Some(amount), None) => Rate::Flat {
            amount: amount.normalize(),
        },
        (None, Some(tiers)) => {
            let mut read = Vec::new();
            for (index, tier) in tiers.iter().enumerate() {
                if tier.flat_amount.is_some() {
                    return Err(MappingError::at(
                        &path,
                        &format!("tiers[{index}].flat_amount"),
                        "pricectl's tiers have no flat amount",
                    ));
                }
                let Some(amount) = tier.amount else {
                    return Err(MappingError::at(
                        &path,
                        &format!("tiers[{index}].amount"),
                        "a tier needs an amount",
                    ));
                };
                read.push(Tier {
                    up_to: match tier.to {
                        TierTo::Units(units) => TierBound::Units(units.normalize()),
                        TierTo::Infinite => TierBound::Infinite,
                    },
                    amount: amount.normalize(),
                });
            }
            Rate::Tiered {
                tier_mode: match price.tier_behavior {
                    None | Some(TierBehavior::Graduated) => TierMode::Graduated,
                    Some(TierBehavior::Volume) => TierMode::Volume,
                },
                tiers: read,
            }
        }
        (Some(_), Some(_)) => {
            return Err(MappingError::at(
                &path,
                "tiers",
                "give `amount` or `tiers`, not both",
            ));
        }
        (None, None) => {
            return Err(MappingError::at(
                &path,
                "amount",
                "a price needs `amount` or `tiers`",
            ));
        }
    };
    let billing = match price.billing_method {
        BillingMethod::Prepaid => Billing::Prepaid,
        BillingMethod::UsageBased => Billing::Usage,
    };
    let prepaid = (billing == Billing::Prepaid).then(|| PrepaidBounds {
        min: live
            .and_then(|live| live.prepaid)
            .map_or(per, |bounds| bounds.min),
        max: price.max_purchase.map(|max| max.normalize()),
    });
    if billing == Billing::Usage && price.max_purchase.is_some() {
        return Err(MappingError::at(
            &path,
            "max_purchase",
            "pricectl bounds prepaid purchases only",
        ));
    }
    Ok(ItemPrice {
        billing,
        interval: price_interval(price.interval),
        per,
        rate,
        prepaid,
    })
}

/// One of a closed set of words the catalog and Autumn share.
fn word<T: Choice + PartialEq>(text: &str, path: &str, field: &str) -> Result<T, MappingError> {
    T::CHOICES
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            MappingError::at(
                path,
                field,
                format!(
                    "`{text}` is not one of {}",
                    T::CHOICES
                        .iter()
                        .map(|(name, _)| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

/// An item's `entity_feature_id`: an allocated feature of the catalog, whose entities hold the
/// item's balance.
fn entity_feature(id: &str, features: &Features, path: &str) -> Result<String, MappingError> {
    check_id(id, path, "entity_feature_id")?;
    match features.get(id) {
        Some(feature) if feature.kind == catalog::FeatureType::Metered && !feature.consumable => {
            Ok(id.to_string())
        }
        Some(_) => Err(MappingError::at(
            path,
            "entity_feature_id",
            format!(
                "`{id}` is not an allocated feature: entities are units of a metered feature with `consumable: false` (seats, workspaces)"
            ),
        )),
        None => Err(MappingError::at(
            path,
            "entity_feature_id",
            format!(
                "`{id}` is not a feature of the catalog: create it first, with `consumable: false`"
            ),
        )),
    }
}

fn check_id(id: &str, path: &str, field: &str) -> Result<(), MappingError> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
    {
        return Err(MappingError::at(
            path,
            field,
            format!("`{id}` is not an id: use letters, digits, `_` and `-`"),
        ));
    }
    Ok(())
}

fn check_interval_count(count: Option<u32>, path: &str, field: &str) -> Result<(), MappingError> {
    match count {
        None | Some(1) => Ok(()),
        Some(_) => Err(MappingError::at(
            path,
            field,
            "pricectl's intervals are single periods: give 1 or leave it out",
        )),
    }
}

fn price_interval(interval: BillingInterval) -> PriceInterval {
    match interval {
        BillingInterval::OneOff => PriceInterval::OneOff,
        BillingInterval::Week => PriceInterval::Week,
        BillingInterval::Month => PriceInterval::Month,
        BillingInterval::Quarter => PriceInterval::Quarter,
        BillingInterval::SemiAnnual => PriceInterval::SemiAnnual,
        BillingInterval::Year => PriceInterval::Year,
    }
}

/// `one_off` is "never resets" (`None`).
fn reset_interval(interval: WireReset) -> Option<ResetInterval> {
    match interval {
        WireReset::OneOff => None,
        WireReset::Minute => Some(ResetInterval::Minute),
        WireReset::Hour => Some(ResetInterval::Hour),
        WireReset::Day => Some(ResetInterval::Day),
        WireReset::Week => Some(ResetInterval::Week),
        WireReset::Month => Some(ResetInterval::Month),
        WireReset::Quarter => Some(ResetInterval::Quarter),
        WireReset::SemiAnnual => Some(ResetInterval::SemiAnnual),
        WireReset::Year => Some(ResetInterval::Year),
    }
}
