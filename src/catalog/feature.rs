use serde::{Deserialize, Serialize};

use super::choices::FeatureType;

/// Something a customer uses (metered) or has (boolean).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// Metered: used up and reset (`true`) or allocated (`false`, seats). Always `false` for
    /// boolean features, which have no usage.
    pub consumable: bool,
    pub display: Option<Display>,
    /// Usage event names that count toward the feature, sorted.
    pub event_names: Vec<String>,
    pub archived: bool,
    pub protect: bool,
}

impl Feature {
    /// A consumable metered feature (tokens, requests), every other field at its default.
    pub fn metered(id: &str, name: &str) -> Feature {
        Feature {
            id: id.to_string(),
            name: name.to_string(),
            kind: FeatureType::Metered,
            consumable: true,
            display: None,
            event_names: Vec::new(),
            archived: false,
            protect: false,
        }
    }
}

/// A unit's names in user interfaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Display {
    pub singular: String,
    pub plural: String,
}
