//! Lowering billing controls: defaults filled in, decimals normalized.

use std::collections::BTreeMap;

use crate::catalog::{
    Alert, AutoTopUp, Duration, ItemControls, LimitAnchor, PurchaseLimit, Rollover, SpendLimit,
    UsageLimit,
};
use crate::dsl::document::{AlertDocument, DurationDocument, ItemDocument, PlanDocument};

use super::{flag_or, required};

/// An item's controls.
pub(super) fn item_controls(document: &ItemDocument) -> ItemControls {
    ItemControls {
        auto_top_up: document.auto_top_up.as_ref().map(|top_up| {
            let top_up = &top_up.value;
            AutoTopUp {
                threshold: required(top_up.threshold.as_ref()).value.0.normalize(),
                quantity: required(top_up.quantity.as_ref()).value.0.normalize(),
                // Writing a top-up says it is wanted: on unless said otherwise.
                enabled: flag_or(top_up.enabled.as_ref(), true),
                purchase_limit: top_up.purchase_limit.as_ref().map(|limit| PurchaseLimit {
                    limit: required(limit.value.limit.as_ref()).value,
                    interval: required(limit.value.interval.as_ref()).value,
                }),
            }
        }),
        spend_limit: document.spend_limit.as_ref().map(|limit| {
            match (&limit.value.amount, &limit.value.percent) {
                (Some(amount), _) => SpendLimit::Amount(amount.value.0.normalize()),
                (None, percent) => {
                    SpendLimit::Percent(required(percent.as_ref()).value.0.normalize())
                }
            }
        }),
        alerts: {
            let mut alerts: Vec<Alert> = document
                .alerts
                .iter()
                .flat_map(|alerts| alerts.value.iter())
                .map(|alert| alert_of(&alert.value))
                .collect();
            // Alerts are a set: their order and repetitions say nothing.
            alerts.sort_unstable();
            alerts.dedup();
            alerts
        },
        rollover: document.rollover.as_ref().map(|rollover| Rollover {
            max: rollover
                .value
                .max
                .as_ref()
                .map(|max| max.value.0.normalize()),
            months: rollover.value.months.as_ref().map(|months| months.value),
        }),
        expires_after: document
            .expires_after
            .as_ref()
            .map(|duration| duration_of(&duration.value)),
    }
}

/// A plan's usage limits, by feature or credit system id.
pub(super) fn usage_limits(document: &PlanDocument) -> BTreeMap<String, UsageLimit> {
    document
        .usage_limits
        .iter()
        .flat_map(|limits| limits.value.iter())
        .map(|entry| {
            let limit = &entry.value;
            (
                entry.id.value.clone(),
                UsageLimit {
                    limit: required(limit.limit.as_ref()).value.0.normalize(),
                    interval: required(limit.interval.as_ref()).value,
                    anchor: limit
                        .anchor
                        .as_ref()
                        .map_or(LimitAnchor::BillingCycle, |anchor| anchor.value),
                },
            )
        })
        .collect()
}

fn alert_of(document: &AlertDocument) -> Alert {
    if let Some(usage) = &document.usage {
        Alert::Usage(usage.value.0.normalize())
    } else if let Some(percent) = &document.usage_percent {
        Alert::UsagePercent(percent.value.0.normalize())
    } else if let Some(remaining) = &document.remaining {
        Alert::Remaining(remaining.value.0.normalize())
    } else {
        Alert::RemainingPercent(
            required(document.remaining_percent.as_ref())
                .value
                .0
                .normalize(),
        )
    }
}

fn duration_of(document: &DurationDocument) -> Duration {
    match (&document.days, &document.months) {
        (Some(days), _) => Duration::Days(days.value),
        (None, months) => Duration::Months(required(months.as_ref()).value),
    }
}
