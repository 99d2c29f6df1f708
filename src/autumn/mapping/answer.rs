//! Autumn's answers (`features.list`, `plans.list`) read as catalog objects, and catalog
//! objects written as the bodies of `features.create`/`update` and `plans.create`/`update`.
//!
//! Both go through the params a client sends, so one reader ([`super::from_wire`]) decides
//! what Autumn's shapes mean, for the server and for the Autumn backend alike.

use super::billing_controls::{SetAside, every_lane};
use super::from_wire::{
    CatalogFeature, EarlierControls, MappingError, feature_from_wire, plan_setting_aside,
};
use super::item_reset::Features;
use super::to_wire::{credit_system_to_wire, feature_to_wire, plan_to_wire};
use crate::autumn::wire::feature::{Feature, FeatureParams};
use crate::autumn::wire::plan::{Plan, PlanItemParams, PlanParams};
use crate::catalog::{self, Catalog};

/// A feature answer as the body that would create it.
pub fn feature_params(feature: &Feature) -> FeatureParams {
    FeatureParams {
        feature_id: feature.id.clone(),
        name: Some(feature.name.clone()),
        kind: feature.kind,
        consumable: Some(feature.consumable),
        display: feature.display.clone(),
        credit_schema: feature.credit_schema.clone(),
        event_names: Some(feature.event_names.clone()),
    }
}

/// A plan answer as the body that would create it, or replace every field of it in an update
/// (`group` as `""` and `price`/`free_trial` as `null` when there are none, so an update
/// clears them). Its `metadata` goes as it is.
pub fn plan_params(plan: &Plan) -> PlanParams {
    PlanParams {
        plan_id: plan.id.clone(),
        name: Some(plan.name.clone()),
        description: Some(plan.description.clone()),
        group: Some(plan.group.clone().unwrap_or_default()),
        add_on: Some(plan.add_on),
        auto_enable: Some(plan.auto_enable),
        price: Some(plan.price.clone()),
        items: Some(
            plan.items
                .iter()
                .map(|item| PlanItemParams {
                    feature_id: item.feature_id.clone(),
                    included: Some(item.included),
                    unlimited: Some(item.unlimited),
                    pooled: None,
                    reset: item.reset.clone(),
                    price: item.price.clone(),
                    proration: item.proration.clone(),
                    rollover: item.rollover.clone(),
                    expiry: item.expiry.clone().map(Some),
                    entity_feature_id: item.entity_feature_id.clone(),
                })
                .collect(),
        ),
        free_trial: Some(plan.free_trial.clone()),
        billing_controls: Some(plan.billing_controls.clone()),
        metadata: Some(plan.metadata.clone()),
        ..PlanParams::default()
    }
}

/// A feature answer as a catalog feature or credit system, `archived` as answered.
pub fn feature_from_answer(feature: &Feature, path: &str) -> Result<CatalogFeature, MappingError> {
    let mut read = feature_from_wire(
        &feature_params(feature),
        &Catalog::of("", Vec::new(), Vec::new(), Vec::new()),
        path,
    )?;
    match &mut read {
        CatalogFeature::Feature(read) => read.archived = feature.archived,
        CatalogFeature::CreditSystem(read) => read.archived = feature.archived,
    }
    Ok(read)
}

/// A plan answer (one version) as a catalog plan, `archived` as answered, its items read
/// against `features` (the features answered beside it: an allocated feature's item has no
/// reset). Its `metadata` must hold only pricectl's facts: a caller reading a system with
/// other metadata sets it aside first. A billing control the language cannot say is refused.
pub fn plan_from_answer(
    plan: &Plan,
    features: &Features,
    path: &str,
) -> Result<catalog::Plan, MappingError> {
    let (read, set_aside) = plan_from_answer_setting_aside(plan, features, path)?;
    match set_aside.refusal(path) {
        Some(refusal) => Err(refusal),
        None => Ok(read),
    }
}

/// [`plan_from_answer`], with the billing controls the language cannot say set aside (to be
/// named, and sent back with an update: [`super::keep_set_aside`]) rather than refused.
pub fn plan_from_answer_setting_aside(
    plan: &Plan,
    features: &Features,
    path: &str,
) -> Result<(catalog::Plan, SetAside), MappingError> {
    let (mut read, set_aside) = plan_setting_aside(
        &plan_params(plan),
        None,
        features,
        path,
        EarlierControls::NotInForce,
    )?;
    read.archived = plan.archived;
    Ok((read, set_aside))
}

/// The body of `features.create` for a catalog feature.
pub fn feature_body(feature: &catalog::Feature) -> FeatureParams {
    feature_params(&feature_to_wire(feature))
}

/// The body of `features.create` for a credit system.
pub fn credit_system_body(system: &catalog::CreditSystem) -> FeatureParams {
    feature_params(&credit_system_to_wire(system))
}

/// The body of `plans.create` for a catalog plan, and of a `plans.update` that sets every
/// field to it: every lane of its billing controls and every item's `expiry` are given, empty
/// or `null` when there are none, so an update removes what the pricing no longer says.
pub fn plan_body(plan: &catalog::Plan, features: &Features) -> PlanParams {
    let mut body = plan_params(&plan_to_wire(plan, features, 1, 0, ""));
    body.billing_controls = Some(every_lane(body.billing_controls.unwrap_or_default()));
    for item in body.items.iter_mut().flatten() {
        item.expiry = Some(item.expiry.clone().flatten());
    }
    body
}
