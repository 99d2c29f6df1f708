//! A field of an update that may be left out (unchanged), `null` (cleared) or a value.

use serde::{Deserialize, Deserializer};

/// Reads a present field, `null` included, as `Some(..)`; with `#[serde(default)]` an absent
/// one stays `None`. For `Option<Option<T>>` fields.
#[expect(
    clippy::option_option,
    reason = "left out, `null` and a value are three different updates"
)]
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}
