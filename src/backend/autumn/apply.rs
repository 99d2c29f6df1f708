//! Applying a plan to Autumn, change by change, through the per-object endpoints
//! (`features.*`, `plans.*`), each write with an `Idempotency-Key` derived from the plan and
//! the change.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::call_error::CallError;
use super::client::Client;
use super::fetch::{self, Depth, Snapshot};
use crate::autumn::mapping::{
    Features, METADATA_KEY, PlanFacts, credit_system_body, feature_body, keep_set_aside, plan_body,
};
use crate::autumn::wire::feature::{FeatureIdParams, FeatureParams, FeatureUpdateParams};
use crate::autumn::wire::plan::{PlanDeleteParams, PlanParams};
use crate::backend::change_shape::{check_shape, rejected};
use crate::backend::{ApplyProgress, ApplyReport, BackendError};
use crate::catalog::ObjectKind;
use crate::diff::{Action, Change, ObjectState, Plan};

/// Performs the plan's changes in order and stops at the first failure; what each became
/// is in the report. The live catalog is read first, so a change whose object is no longer
/// what the plan saw is a conflict before anything is sent.
pub fn apply(client: &mut Client, plan: &Plan, progress: &mut dyn ApplyProgress) -> ApplyReport {
    let snapshot = match fetch::read(client, Depth::Catalog) {
        Ok(snapshot) => snapshot,
        Err(error) => return ApplyReport::not_started(plan, error),
    };
    let live = &snapshot.state.catalog;
    let holds_objects =
        !(live.features.is_empty() && live.credit_systems.is_empty() && live.plans.is_empty());
    if holds_objects && live.currency != plan.currency {
        return ApplyReport::not_started(
            plan,
            BackendError::Rejected {
                address: "catalog".into(),
                reason: format!(
                    "the Autumn organization's amounts are in {}, the plan's in {}",
                    live.currency, plan.currency
                ),
            },
        );
    }
    let features = features_after(live, plan);
    ApplyReport::in_order(plan, progress, |index, change| {
        perform(
            client,
            &snapshot,
            &features,
            &idempotency_key(plan, index, change),
            change,
        )
    })
}

/// The features as they are once the plan is applied: the live ones, with every feature the
/// plan creates or changes as it will be. A plan item's reset is sent as Autumn reads it for
/// its feature (an allocated feature's item never resets).
fn features_after(live: &crate::catalog::Catalog, plan: &Plan) -> Features {
    let mut features = live.features.clone();
    for change in &plan.changes {
        if let Some(ObjectState::Feature(feature)) = &change.after {
            features.insert(feature.id.clone(), feature.clone());
        }
    }
    features
}

/// The key of one change of one plan: the same saved plan applied again sends the same keys,
/// so Autumn never performs a change twice; another plan (other fingerprints) or another
/// change gets another key.
pub fn idempotency_key(plan: &Plan, index: usize, change: &Change) -> String {
    let mut hasher = Sha256::new();
    for part in [
        plan.fingerprints.live.as_str(),
        plan.fingerprints.pricing.as_str(),
        &index.to_string(),
        &change.address.to_string(),
        &serde_json::to_string(&change.action).unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex = digest.iter().take(16).fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    format!("pricectl-{hex}")
}

fn perform(
    client: &mut Client,
    snapshot: &Snapshot,
    features: &Features,
    key: &str,
    change: &Change,
) -> Result<(), BackendError> {
    let object = check_shape(change)?;
    if let Some(why) = snapshot.set_aside.get(&change.address) {
        return Err(conflict(
            change,
            &format!(
                "Autumn holds it in a shape pricectl cannot express ({why}); change it in Autumn, or give the object another id"
            ),
        ));
    }
    check_before(snapshot, change)?;
    let address = change.address.to_string();
    let sent = match object {
        ObjectState::Feature(_) | ObjectState::CreditSystem(_) => {
            feature_request(client, key, change, object)
        }
        ObjectState::Plan(plan) => plan_request(client, snapshot, features, key, change, plan),
        ObjectState::Item(_) => return Err(rejected(change, "items change with their plan")),
    };
    match sent {
        Ok(()) | Err(Sent::Call(CallError::EarlierTryTook)) => Ok(()),
        Err(Sent::Call(error)) => Err(error.into_backend_error(Some(&address))),
        Err(Sent::Refused(error)) => Err(error),
    }
}

/// Why a change was not performed: Autumn's answer, or pricectl's own refusal.
enum Sent {
    Call(CallError),
    Refused(BackendError),
}

impl From<CallError> for Sent {
    fn from(error: CallError) -> Sent {
        Sent::Call(error)
    }
}

fn feature_request(
    client: &mut Client,
    key: &str,
    change: &Change,
    object: &ObjectState,
) -> Result<(), Sent> {
    let (body, protect) = match object {
        ObjectState::Feature(feature) => (feature_body(feature), feature.protect),
        ObjectState::CreditSystem(system) => (credit_system_body(system), system.protect),
        ObjectState::Plan(_) | ObjectState::Item(_) => {
            return Err(Sent::Refused(rejected(change, "not a feature")));
        }
    };
    let id = body.feature_id.clone();
    if protect && change.action != Action::Delete {
        return Err(Sent::Refused(rejected(
            change,
            "Autumn's features have no place to record `protect`; protect the plans that use it instead",
        )));
    }
    match change.action {
        Action::Create => client.call::<Value>("features.create", &body, Some(key))?,
        Action::Update | Action::NewVersion => {
            let archived = match object {
                ObjectState::Feature(feature) => feature.archived,
                ObjectState::CreditSystem(system) => system.archived,
                _ => false,
            };
            client.call::<Value>(
                "features.update",
                &feature_update(body, archived),
                Some(key),
            )?
        }
        Action::Archive => client.call::<Value>(
            "features.update",
            &FeatureUpdateParams {
                archived: Some(true),
                ..feature_update(
                    FeatureParams {
                        feature_id: id,
                        ..body
                    },
                    true,
                )
            },
            Some(key),
        )?,
        Action::Delete => client.call::<Value>(
            "features.delete",
            &FeatureIdParams { feature_id: id },
            Some(key),
        )?,
    };
    Ok(())
}

/// `features.update` setting every field of `body`.
fn feature_update(body: FeatureParams, archived: bool) -> FeatureUpdateParams {
    FeatureUpdateParams {
        feature_id: body.feature_id,
        name: body.name,
        kind: Some(body.kind),
        consumable: body.consumable,
        display: body.display,
        credit_schema: body.credit_schema,
        event_names: body.event_names,
        archived: Some(archived),
        new_feature_id: None,
    }
}

fn plan_request(
    client: &mut Client,
    snapshot: &Snapshot,
    features: &Features,
    key: &str,
    change: &Change,
    plan: &crate::catalog::Plan,
) -> Result<(), Sent> {
    if matches!(change.action, Action::Update | Action::NewVersion)
        && let Some(dropped) = snapshot.would_drop.get(&change.address)
    {
        return Err(Sent::Refused(rejected(
            change,
            &format!(
                "an update would drop what Autumn holds on it that pricectl cannot express: {}; change it in Autumn first",
                dropped.join("; ")
            ),
        )));
    }
    match change.action {
        Action::Create => {
            client.call::<Value>("plans.create", &plan_body(plan, features), Some(key))?;
        }
        Action::Update | Action::NewVersion => {
            let mut body = plan_body(plan, features);
            // Autumn's metadata is the plan's, whole: what others keep there stays, and
            // pricectl's facts are set (or cleared) beside it.
            let mut metadata = snapshot
                .plan_answers
                .get(&plan.id)
                .map(|answer| answer.metadata.clone())
                .unwrap_or_default();
            metadata.remove(METADATA_KEY);
            if let Some(facts) = PlanFacts::of(plan).to_metadata() {
                metadata.insert(METADATA_KEY.to_string(), facts);
            }
            body.metadata = Some(metadata);
            // The billing controls pricectl cannot express go back as Autumn holds them.
            if let (Some(kept), Some(controls)) = (
                snapshot.kept_controls.get(&plan.id),
                body.billing_controls.as_mut(),
            ) {
                keep_set_aside(controls, kept).map_err(|why| {
                    Sent::Refused(rejected(
                        change,
                        &format!("{why}; change it in Autumn first"),
                    ))
                })?;
            }
            body.archived = Some(plan.archived);
            client.call::<Value>("plans.update", &body, Some(key))?;
        }
        Action::Archive => {
            let body = PlanParams {
                plan_id: plan.id.clone(),
                archived: Some(true),
                ..PlanParams::default()
            };
            client.call::<Value>("plans.update", &body, Some(key))?;
        }
        Action::Delete => {
            let body = PlanDeleteParams {
                plan_id: plan.id.clone(),
                all_versions: true,
            };
            client.call::<Value>("plans.delete", &body, Some(key))?;
        }
    }
    Ok(())
}

/// Refuses a change whose object is not what the plan saw in the live catalog read before
/// the apply: someone else changed Autumn since the plan was made.
fn check_before(snapshot: &Snapshot, change: &Change) -> Result<(), BackendError> {
    let live = &snapshot.state.catalog;
    if change.address.item_id().is_some() {
        return Err(rejected(change, "items change with their plan"));
    }
    let id = change.address.id();
    let current = match change.address.kind() {
        ObjectKind::Feature => live.features.get(id).cloned().map(ObjectState::Feature),
        ObjectKind::CreditSystem => live
            .credit_systems
            .get(id)
            .cloned()
            .map(ObjectState::CreditSystem),
        ObjectKind::Plan => live.plans.get(id).cloned().map(ObjectState::Plan),
    };
    // Features and credit systems share Autumn's feature ids.
    let id_taken = match change.address.kind() {
        ObjectKind::Plan => current.is_some(),
        ObjectKind::Feature | ObjectKind::CreditSystem => {
            live.features.contains_key(id) || live.credit_systems.contains_key(id)
        }
    };
    match (&change.before, &current) {
        (None, _) if id_taken => Err(conflict(change, "it already exists in Autumn")),
        (Some(_), None) => Err(conflict(change, "it is no longer in Autumn")),
        (Some(before), Some(current)) if before != current => Err(conflict(
            change,
            "it changed in Autumn since the plan was made",
        )),
        (None | Some(_), _) => Ok(()),
    }
}

fn conflict(change: &Change, reason: &str) -> BackendError {
    BackendError::Conflict {
        address: change.address.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Feature};
    use crate::diff::diff;
    use crate::live::LiveState;

    #[test]
    fn idempotency_keys_differ_by_change_and_plan_and_repeat_for_the_same() {
        let one = Catalog::of(
            "USD",
            vec![Feature::metered("a", "A")],
            Vec::new(),
            Vec::new(),
        );
        let two = Catalog::of(
            "USD",
            vec![Feature::metered("a", "A"), Feature::metered("b", "B")],
            Vec::new(),
            Vec::new(),
        );
        let first = diff(&one, &LiveState::empty(""));
        let second = diff(&two, &LiveState::empty(""));
        let key = |plan: &Plan, index: usize| idempotency_key(plan, index, &plan.changes[index]);
        assert_eq!(key(&first, 0), key(&first.clone(), 0));
        assert_ne!(key(&first, 0), key(&second, 0), "another plan");
        assert_ne!(key(&second, 0), key(&second, 1), "another change");
        assert!(key(&first, 0).starts_with("pricectl-"));
    }
}
