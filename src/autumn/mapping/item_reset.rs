//! An item's reset on Autumn's wire, exactly as Autumn's server reads and answers it.
//!
//! - Autumn reads a **left-out** `reset` on an item with a price as the price's interval, and
//!   as none without a price or with a `one_off` price (`planItemV0ToResetProductItemInterval`
//!   in `shared/api/products/items/mappers/planItemV0ToProductItem.ts`).
//! - It answers `{"interval": "one_off"}` for a consumable item that never resets, and
//!   `reset: null` for every item of a continuous-use (allocated) or boolean feature, whose
//!   balance never resets whatever was sent (`itemToReset` in
//!   `shared/utils/productV2Utils/productItemUtils/convertProductItem/productItemToPlanItemV1.ts`;
//!   `itemToEntInterval` in `shared/utils/productV2Utils/productItemUtils/itemIntervalUtils.ts`
//!   gives a continuous-use item a lifetime entitlement).
//!
//! So the catalog writes a consumable item with no reset and a recurring price (credits bought
//! every month that never expire) as `one_off`, where leaving it out would mean the price's
//! interval, and reads a left-out reset as Autumn does.

use std::collections::BTreeMap;

use super::to_wire::reset_interval;
use crate::autumn::wire::plan::ResetInterval as WireReset;
use crate::catalog::{self, ResetInterval};

/// The features of the catalog a plan belongs to, by id: whether an item's feature is
/// allocated decides its reset.
pub type Features = BTreeMap<String, catalog::Feature>;

/// Whether `id` is an allocated feature (`consumable = false`, or boolean: neither resets).
pub(super) fn never_resets(features: &Features, id: &str) -> bool {
    features.get(id).is_some_and(|feature| !feature.consumable)
}

/// How `item` says its reset on the wire: `None` is no reset field (`null` in an answer),
/// `one_off` is never, said out loud.
pub(super) fn reset_to_wire(item: &catalog::PlanItem, features: &Features) -> Option<WireReset> {
    if never_resets(features, &item.feature_id) {
        return None;
    }
    match item.reset {
        Some(interval) => Some(reset_interval(interval)),
        // Left out, Autumn would read the price's interval.
        None if recurring_price(item).is_some() => Some(WireReset::OneOff),
        None => None,
    }
}

/// The reset Autumn reads for an item sent without one: its price's interval.
pub(super) fn recurring_price(item: &catalog::PlanItem) -> Option<ResetInterval> {
    item.price
        .as_ref()
        .and_then(|price| price.interval.as_reset_interval())
}

/// An item read from the wire, settled as Autumn holds it: an allocated feature's item never
/// resets, whatever was sent; an item sent without a reset resets at its price's interval.
pub(super) fn settle_reset(
    item: &mut catalog::PlanItem,
    reset_left_out: bool,
    features: &Features,
) {
    if never_resets(features, &item.feature_id) {
        item.reset = None;
    } else if reset_left_out {
        item.reset = recurring_price(item);
    }
}
