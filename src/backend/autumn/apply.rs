//! Applying a plan to Autumn: the live catalog read first, or taken from a read the plan was
//! made from or checked against moments ago (a change whose object is not what the plan saw is
//! a conflict before anything is sent), then the changes in the plan's order,
//! in bulk through `catalog.update` where it can say them ([`super::bulk`]) or change by
//! change through the per-object endpoints (`features.*`, `plans.*`), each write with an
//! `Idempotency-Key` derived from the plan and what it carries.

use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::bulk;
use super::call_error::CallError;
use super::client::Client;
use super::fetch::{self, Depth, Snapshot};
use crate::autumn::mapping::{
    Features, METADATA_KEY, PlanFacts, credit_system_body, feature_body, keep_set_aside, plan_body,
};
use crate::autumn::wire::feature::{FeatureIdParams, FeatureParams, FeatureUpdateParams};
use crate::autumn::wire::plan::{PlanDeleteParams, PlanParams};
use crate::backend::change_shape::{check_shape, rejected};
use crate::backend::{ApplyMode, ApplyProgress, ApplyReport, BackendError};
use crate::catalog::ObjectKind;
use crate::diff::{Action, Change, ObjectState, Plan};

/// Performs the plan's changes in order, as `mode` says, and stops at the first failure;
/// what each became is in the report. The changes are checked against `read`, the live state
/// as read moments ago (see [`crate::backend::Backend::apply_against_last_fetch`]), else
/// against the live catalog read first. With the report, the whole live state if it was read
/// after the last write ([`bulk::apply`]).
pub fn apply(
    client: &Arc<Client>,
    plan: &Plan,
    mode: ApplyMode,
    most_objects: usize,
    progress: &mut dyn ApplyProgress,
    read: Option<Snapshot>,
) -> (ApplyReport, Option<Snapshot>) {
    let read = match read {
        Some(snapshot) => Ok(snapshot),
        None => fetch::read(client, Depth::Catalog),
    };
    let snapshot = match read {
        Ok(snapshot) => snapshot,
        Err(error) => return (ApplyReport::not_started(plan, error), None),
    };
    let live = &snapshot.state.catalog;
    let holds_objects =
        !(live.features.is_empty() && live.credit_systems.is_empty() && live.plans.is_empty());
    if holds_objects && live.currency != plan.currency {
        let error = BackendError::Rejected {
            address: "catalog".into(),
            reason: format!(
                "the Autumn organization's amounts are in {}, the plan's in {}",
                live.currency, plan.currency
            ),
        };
        return (ApplyReport::not_started(plan, error), None);
    }
    let features = features_after(live, plan);
    match mode {
        ApplyMode::Bulk => bulk::apply(client, &snapshot, &features, plan, most_objects, progress),
        ApplyMode::PerObject => {
            let report = ApplyReport::in_order(plan, progress, |index, change| {
                perform(
                    client,
                    &snapshot,
                    &features,
                    &idempotency_key(plan, index, change),
                    change,
                )
            });
            (report, None)
        }
    }
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
    key_of(
        plan,
        &[
            index.to_string(),
            change.address.to_string(),
            serde_json::to_string(&change.action).unwrap_or_default(),
        ],
    )
}

/// The key of one `catalog.update` carrying the changes at `indices` of a plan: derived from
/// the plan and each change it carries, so it never equals a change's own key, and a batch
/// cut otherwise (other changes) gets another.
pub fn batch_idempotency_key(plan: &Plan, indices: &[usize]) -> String {
    let mut parts = vec!["catalog.update".to_string()];
    for &index in indices {
        if let Some(change) = plan.changes.get(index) {
            parts.push(index.to_string());
            parts.push(change.address.to_string());
            parts.push(serde_json::to_string(&change.action).unwrap_or_default());
        }
    }
    key_of(plan, &parts)
}

/// `pricectl-` and 32 hex digits of the SHA-256 of the plan's fingerprints and `parts`.
fn key_of(plan: &Plan, parts: &[String]) -> String {
    let mut hasher = Sha256::new();
    for part in [
        plan.fingerprints.live.as_str(),
        plan.fingerprints.pricing.as_str(),
    ]
    .into_iter()
    .chain(parts.iter().map(String::as_str))
    {
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

/// Performs one change through its own endpoint, with `key`.
pub(super) fn perform(
    client: &Client,
    snapshot: &Snapshot,
    features: &Features,
    key: &str,
    change: &Change,
) -> Result<(), BackendError> {
    let object = checked(snapshot, change)?;
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

/// The object a change makes (or removes), once the change is found well formed, touching
/// nothing Autumn holds in a shape pricectl cannot express, and made against what is live:
/// what every change passes before anything is sent for it, alone or in bulk.
pub(super) fn checked<'change>(
    snapshot: &Snapshot,
    change: &'change Change,
) -> Result<&'change ObjectState, BackendError> {
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
    let protected_feature = match object {
        ObjectState::Feature(feature) => feature.protect,
        ObjectState::CreditSystem(system) => system.protect,
        ObjectState::Plan(_) | ObjectState::Item(_) => false,
    };
    if protected_feature && change.action != Action::Delete {
        return Err(rejected(
            change,
            "Autumn's features have no place to record `protect`; protect the plans that use it instead",
        ));
    }
    if matches!(change.action, Action::Update | Action::NewVersion)
        && let Some(dropped) = snapshot.would_drop.get(&change.address)
    {
        return Err(rejected(
            change,
            &format!(
                "an update would drop what Autumn holds on it that pricectl cannot express: {}; change it in Autumn first",
                dropped.join("; ")
            ),
        ));
    }
    Ok(object)
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
    client: &Client,
    key: &str,
    change: &Change,
    object: &ObjectState,
) -> Result<(), Sent> {
    let Some(body) = feature_create_body(object) else {
        return Err(Sent::Refused(rejected(change, "not a feature")));
    };
    let id = body.feature_id.clone();
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

/// What `features.create` (and a feature of `catalog.update`) sends for a feature or credit
/// system; `None` for another object.
pub(super) fn feature_create_body(object: &ObjectState) -> Option<FeatureParams> {
    match object {
        ObjectState::Feature(feature) => Some(feature_body(feature)),
        ObjectState::CreditSystem(system) => Some(credit_system_body(system)),
        ObjectState::Plan(_) | ObjectState::Item(_) => None,
    }
}

/// What `plans.update` (and an updated plan of `catalog.update`) sends: the whole plan, with
/// what Autumn holds on it that pricectl does not manage sent back as it is (its other
/// metadata, the billing controls the language cannot say).
pub(super) fn plan_update_body(
    snapshot: &Snapshot,
    features: &Features,
    change: &Change,
    plan: &crate::catalog::Plan,
) -> Result<PlanParams, BackendError> {
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
        keep_set_aside(controls, kept)
            .map_err(|why| rejected(change, &format!("{why}; change it in Autumn first")))?;
    }
    body.archived = Some(plan.archived);
    Ok(body)
}

fn plan_request(
    client: &Client,
    snapshot: &Snapshot,
    features: &Features,
    key: &str,
    change: &Change,
    plan: &crate::catalog::Plan,
) -> Result<(), Sent> {
    match change.action {
        Action::Create => {
            client.call::<Value>("plans.create", &plan_body(plan, features), Some(key))?;
        }
        Action::Update | Action::NewVersion => {
            let body = plan_update_body(snapshot, features, change, plan).map_err(Sent::Refused)?;
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

pub(super) fn conflict(change: &Change, reason: &str) -> BackendError {
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

    #[test]
    fn a_batch_key_depends_on_the_changes_it_carries_and_is_no_change_key() {
        let two = Catalog::of(
            "USD",
            vec![Feature::metered("a", "A"), Feature::metered("b", "B")],
            Vec::new(),
            Vec::new(),
        );
        let plan = diff(&two, &LiveState::empty(""));
        let both = batch_idempotency_key(&plan, &[0, 1]);
        assert_eq!(both, batch_idempotency_key(&plan.clone(), &[0, 1]));
        assert_ne!(both, batch_idempotency_key(&plan, &[0]), "other changes");
        assert_ne!(
            batch_idempotency_key(&plan, &[0]),
            idempotency_key(&plan, 0, &plan.changes[0]),
            "a batch of one is not the change alone"
        );
    }
}
