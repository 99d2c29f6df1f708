//! What every backend checks of a change before performing it: a plan is input (a saved plan
//! is a file anyone can edit), so a change the diff could never have made is rejected, never
//! trusted.

use super::BackendError;
use crate::catalog::Address;
use crate::diff::{Action, Change, ObjectState};

/// The object a change is about, once the change is one the diff could have made: `before`
/// and `after` present as its action needs them, of one kind and one id, and a new version
/// only for a plan.
pub fn check_shape(change: &Change) -> Result<&ObjectState, BackendError> {
    let (object, other) = match (change.action, &change.before, &change.after) {
        (Action::Create, None, Some(after)) => (after, None),
        (Action::Delete, Some(before), None) => (before, None),
        (Action::Update | Action::Archive | Action::NewVersion, Some(before), Some(after)) => {
            (after, Some(before))
        }
        (action, before, after) => {
            let has = |side: &Option<ObjectState>| if side.is_some() { "an" } else { "no" };
            return Err(rejected(
                change,
                &format!(
                    "a `{}` change cannot have {} object before and {} after",
                    action_name(action),
                    has(before),
                    has(after)
                ),
            ));
        }
    };
    if let Some(other) = other
        && address_of(other) != address_of(object)
    {
        return Err(rejected(
            change,
            "the object before and after the change are not the same object",
        ));
    }
    match address_of(object) {
        None => return Err(rejected(change, "items change with their plan")),
        Some(address) if address != change.address => {
            return Err(rejected(
                change,
                &format!("the change carries `{address}`, not the object it names"),
            ));
        }
        Some(_) => {}
    }
    if change.action == Action::NewVersion && !matches!(object, ObjectState::Plan(_)) {
        return Err(rejected(change, "only a plan gets a new version"));
    }
    Ok(object)
}

/// A top-level object's address; an item has none of its own (its plan's change carries it).
pub fn address_of(object: &ObjectState) -> Option<Address> {
    match object {
        ObjectState::Feature(feature) => Some(Address::feature(&feature.id)),
        ObjectState::CreditSystem(system) => Some(Address::credit_system(&system.id)),
        ObjectState::Plan(plan) => Some(Address::plan(&plan.id)),
        ObjectState::Item(_) => None,
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::NewVersion => "new_version",
        Action::Delete => "delete",
        Action::Archive => "archive",
    }
}

/// The change refused as malformed.
pub fn rejected(change: &Change, reason: &str) -> BackendError {
    BackendError::Rejected {
        address: change.address.to_string(),
        reason: reason.to_string(),
    }
}
