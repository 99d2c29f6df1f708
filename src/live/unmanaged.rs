//! What a billing system holds that the pricing language cannot express.

use serde::{Deserialize, Serialize};

/// Something live that pricectl neither shows as pricing nor changes: billing controls the
/// language cannot say, rewards, multi-currency amounts, a plan in a shape the language has no words
/// for. A plan and `import` name each one, so nothing is dropped silently; an apply never
/// deletes it (a whole object set aside is not in the live catalog, so the diff never plans
/// its removal, and a change that would overwrite it is refused).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmanaged {
    /// Where it is: an address (`plan.pro`, `plan.pro.item.credits`) or a part of the system
    /// with no address in the catalog (`rewards`).
    pub place: String,
    /// What it is, for a person: `an alert on the whole plan (billing_controls.usage_alerts[0])`.
    pub what: String,
    /// The whole object is set aside: it is not in the live catalog, and the pricing may not
    /// name it until it is changed in the billing system into something pricectl can express.
    pub whole_object: bool,
}
