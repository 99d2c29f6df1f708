//! What a change to a plan does to its items and base price, in Autumn's words
//! (`diffPlanV1PreviewFields`, `shared/utils/planV1Utils/diff/`): the `item_changes` and
//! `price_change` of a `catalog.preview_update` plan change.

use crate::autumn::wire::catalog::{ItemAction, ItemChange, PriceChange};
use crate::autumn::wire::plan::{Plan, PlanItem};

/// The items of `from` that `to` removes or changes (`deleted`, as they are), then the items of
/// `to` that are new or changed (`created`, as they will be). Autumn matches items by feature,
/// billing method and cadence; a plan of pricectl has one item per feature, so an item whose
/// billing method or cadence changes is a removal and an addition under either key.
pub fn item_changes(from: &Plan, to: &Plan) -> Vec<ItemChange> {
    let changed = |item: &PlanItem, other: &Plan| {
        other
            .items
            .iter()
            .find(|candidate| candidate.feature_id == item.feature_id)
            != Some(item)
    };
    let deleted = from
        .items
        .iter()
        .filter(|item| changed(item, to))
        .map(|item| (ItemAction::Deleted, item));
    let created = to
        .items
        .iter()
        .filter(|item| changed(item, from))
        .map(|item| (ItemAction::Created, item));
    deleted
        .chain(created)
        .map(|(action, item)| ItemChange {
            action,
            feature_id: item.feature_id.clone(),
            item: item.clone(),
        })
        .collect()
}

/// The base price before and after, when it changes.
pub fn price_change(from: &Plan, to: &Plan) -> Option<PriceChange> {
    (from.price != to.price).then(|| PriceChange {
        previous: from.price.clone(),
        current: to.price.clone(),
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::autumn::wire::plan::{BasePrice, BillingInterval, PlanConfig};

    fn item(feature_id: &str, included: i64) -> PlanItem {
        PlanItem {
            feature_id: feature_id.to_string(),
            included: Decimal::from(included),
            unlimited: false,
            reset: None,
            price: None,
            proration: None,
            rollover: None,
            expiry: None,
            entity_feature_id: None,
        }
    }

    fn plan(items: Vec<PlanItem>, price: Option<i64>) -> Plan {
        Plan {
            id: "pro".to_string(),
            name: "Pro".to_string(),
            description: None,
            group: None,
            version: 1,
            add_on: false,
            auto_enable: false,
            price: price.map(|amount| BasePrice {
                amount: Decimal::from(amount),
                interval: BillingInterval::Month,
                interval_count: None,
            }),
            items,
            free_trial: None,
            created_at: 0,
            env: "sandbox".to_string(),
            archived: false,
            config: PlanConfig::default(),
            billing_controls: crate::autumn::wire::billing_controls::BillingControls::default(),
            metadata: serde_json::Map::new(),
            base_variant_id: None,
        }
    }

    #[test]
    fn a_changed_item_is_deleted_as_it_was_and_created_as_it_will_be() {
        let from = plan(
            vec![item("seats", 3), item("sso", 0), item("exports", 5)],
            None,
        );
        let to = plan(vec![item("seats", 5), item("sso", 0), item("api", 1)], None);
        let changes: Vec<(ItemAction, String, Decimal)> = item_changes(&from, &to)
            .into_iter()
            .map(|change| (change.action, change.feature_id, change.item.included))
            .collect();
        assert_eq!(
            changes,
            vec![
                (ItemAction::Deleted, "seats".to_string(), Decimal::from(3)),
                (ItemAction::Deleted, "exports".to_string(), Decimal::from(5)),
                (ItemAction::Created, "seats".to_string(), Decimal::from(5)),
                (ItemAction::Created, "api".to_string(), Decimal::from(1)),
            ]
        );
        assert!(item_changes(&from, &from).is_empty());
    }

    #[test]
    fn a_price_change_says_both_prices() {
        let free = plan(Vec::new(), None);
        let paid = plan(Vec::new(), Some(20));
        let change = price_change(&free, &paid).expect("the price changes");
        assert_eq!(change.previous, None);
        assert_eq!(
            change.current.map(|price| price.amount),
            Some(Decimal::from(20))
        );
        assert_eq!(price_change(&paid, &paid), None);
    }
}
