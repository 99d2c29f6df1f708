//! The billing system's own preview of a plan, beside pricectl's: what it says it would do to
//! each object, and where the two disagree.

use serde::{Deserialize, Serialize};

use super::plan::{Action, Plan};
use crate::catalog::Address;

/// What the billing system answered when asked to preview the pricing (Autumn's
/// `catalog.preview_update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The system that previewed (`Autumn`).
    pub system: String,
    /// What it says of each object it would change, block, or has customers on.
    pub objects: Vec<SystemView>,
    /// The system refused to preview the pricing at all: its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// Where it and pricectl's plan differ. A plan with any is applied only when the user
    /// says so.
    pub disagreements: Vec<Disagreement>,
}

/// What the system would do to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemView {
    pub address: Address,
    /// `None`: it would leave the object as it is.
    pub action: Option<Action>,
    /// Why it would refuse the change (`used_in_credit_system`), when it would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
    /// Customers on the object's current version, for a plan, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<u64>,
}

/// One object pricectl and the system would treat differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    pub address: Address,
    /// What pricectl's plan does (`None`: nothing).
    pub pricectl: Option<Action>,
    /// What the system would do (`None`: nothing).
    pub system: Option<Action>,
    /// The system would refuse the change, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
}

impl Verdict {
    /// The verdict of `system` on `plan` from what it says of each object. `archived` says
    /// whether the pricing archives an object: the system's preview body cannot say so, so
    /// an archive pricectl plans may show there as no change, or a removal.
    pub fn compare(
        system: &str,
        plan: &Plan,
        objects: Vec<SystemView>,
        refused: Option<String>,
        archived: impl Fn(&Address) -> bool,
    ) -> Verdict {
        let ours = |address: &Address| {
            plan.changes
                .iter()
                .find(|change| change.address == *address)
                .map(|change| change.action)
        };
        let mut addresses: Vec<&Address> = objects.iter().map(|view| &view.address).collect();
        addresses.extend(plan.changes.iter().map(|change| &change.address));
        addresses.sort();
        addresses.dedup();
        let mut disagreements = Vec::new();
        for address in addresses {
            let view = objects.iter().find(|view| view.address == *address);
            let theirs = view.and_then(|view| view.action);
            let blocked = view.and_then(|view| view.blocked.clone());
            let pricectl = ours(address);
            let same = pricectl == theirs
                || (archived(address)
                    && matches!(pricectl, Some(Action::Archive | Action::Update))
                    && matches!(
                        theirs,
                        None | Some(Action::Update | Action::Archive | Action::Delete)
                    ));
            if !same || blocked.is_some() {
                disagreements.push(Disagreement {
                    address: address.clone(),
                    pricectl,
                    system: theirs,
                    blocked,
                });
            }
        }
        Verdict {
            system: system.to_string(),
            objects,
            refused,
            disagreements,
        }
    }

    /// The system and pricectl would do the same.
    pub fn agrees(&self) -> bool {
        self.refused.is_none() && self.disagreements.is_empty()
    }
}
