//! The language's billing controls as Autumn's own fields, both ways: an item's `auto_top_up`,
//! `spend_limit` and `alerts` and a plan's `usage_limits` as the plan's `billing_controls`
//! lanes (`auto_topups`, `spend_limits`, `usage_alerts`, `usage_limits`), an item's
//! `rollover` as the item's `rollover`, and `expires_after` of a one-off prepaid item as the
//! item's `expiry`.
//!
//! Two controls are said differently on each side, so their language form also travels in the
//! plan's `metadata.pricectl` ([`super::pricectl_facts`]): a spend limit is money (an amount,
//! or a percent of the base price) in the language and units beyond the balance in Autumn
//! (`overage_limit`, `spendLimitUtilsV2.lua`), so Autumn is sent the most whole billing units
//! of overage the money pays for at the item's usage price (at a flat price
//! `floor(cap / amount) × per`; at graduated tiers, found on the tiers counting the included
//! units, as the bill prices them): Autumn bills usage rounded up to whole billing units, so
//! these never bill more than the cap, and with a billing unit of 1 and a cap that a whole
//! number of units costs exactly, Autumn and the ledger stop at the same unit. The money form
//! is kept beside it when the units, read back, would say another amount. And
//! Autumn's item `expiry` is for one-off prepaid items only, so a recurring prepaid item's
//! `expires_after` lives only in the metadata.
//!
//! Reading Autumn's lanes, every entry the language cannot say (a top-up that sends an
//! invoice, a limit with an event filter, an alert on the whole plan, `overage_allowed`, …)
//! is [`SetAside`] with its place and why: a server refuses it, the Autumn backend names it
//! in the plan as unmanaged and sends it back unchanged with every update of the plan.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::from_wire::MappingError;
use crate::autumn::wire::billing_controls::{
    AlertBasis, AutoTopup, BillingControls, Expiry, ExpiryDuration, OverageAllowed,
    PurchaseLimit as WirePurchaseLimit, PurchaseLimitInterval as WirePurchaseInterval,
    Rollover as WireRollover, RolloverExpiry, SpendLimit as WireSpendLimit, SpendLimitType,
    ThresholdType, UsageAlert, UsageLimit as WireUsageLimit, UsageLimitAnchor,
    UsageLimitInterval as WireUsageInterval,
};
use crate::catalog::charge::cost_of;
use crate::catalog::{
    self, Alert, AutoTopUp, Billing, Duration, LimitAnchor, PriceInterval, PurchaseLimit,
    PurchaseLimitInterval, Rate, Rollover, SpendLimit, TierMode, UsageLimit, UsageLimitInterval,
};

/// The plan's controls as Autumn answers them: only lanes that hold entries, so a plan without
/// controls answers `{}`.
pub fn controls_to_wire(plan: &catalog::Plan) -> BillingControls {
    let mut auto_topups = Vec::new();
    let mut spend_limits = Vec::new();
    let mut usage_alerts = Vec::new();
    for item in plan.items.values() {
        let controls = &item.controls;
        if let Some(top_up) = controls.auto_top_up {
            auto_topups.push(auto_topup(&item.feature_id, top_up));
        }
        if let Some(units) = controls
            .spend_limit
            .and_then(|limit| spend_limit_units(limit, item, plan))
        {
            spend_limits.push(WireSpendLimit {
                feature_id: Some(item.feature_id.clone()),
                enabled: Some(true),
                limit_type: Some(SpendLimitType::Absolute),
                overage_limit: Some(units),
                skip_overage_billing: None,
            });
        }
        usage_alerts.extend(
            controls
                .alerts
                .iter()
                .map(|alert| usage_alert(&item.feature_id, *alert)),
        );
    }
    let usage_limits: Vec<WireUsageLimit> = plan
        .usage_limits
        .iter()
        .map(|(feature_id, limit)| WireUsageLimit {
            feature_id: feature_id.clone(),
            enabled: Some(true),
            limit: limit.limit,
            interval: match limit.interval {
                UsageLimitInterval::Day => WireUsageInterval::Day,
                UsageLimitInterval::Week => WireUsageInterval::Week,
                UsageLimitInterval::Month => WireUsageInterval::Month,
                UsageLimitInterval::Year => WireUsageInterval::Year,
            },
            anchor: Some(match limit.anchor {
                LimitAnchor::BillingCycle => UsageLimitAnchor::BillingCycle,
                LimitAnchor::Calendar => UsageLimitAnchor::Utc,
            }),
            filter: None,
        })
        .collect();
    BillingControls {
        auto_topups: lane(auto_topups),
        spend_limits: lane(spend_limits),
        usage_limits: lane(usage_limits),
        usage_alerts: lane(usage_alerts),
        overage_allowed: None,
    }
}

/// A lane of an answer: left out when empty.
fn lane<T>(entries: Vec<T>) -> Option<Vec<T>> {
    (!entries.is_empty()).then_some(entries)
}

/// Every lane given, empty ones as `[]`: the body of an update says the plan's whole set, so
/// a control removed from the pricing is removed in Autumn too.
pub(super) fn every_lane(controls: BillingControls) -> BillingControls {
    BillingControls {
        auto_topups: Some(controls.auto_topups.unwrap_or_default()),
        spend_limits: Some(controls.spend_limits.unwrap_or_default()),
        usage_limits: Some(controls.usage_limits.unwrap_or_default()),
        usage_alerts: Some(controls.usage_alerts.unwrap_or_default()),
        overage_allowed: Some(controls.overage_allowed.unwrap_or_default()),
    }
}

/// An item's auto top-up as Autumn's `auto_topups[]` entry.
pub fn auto_topup(feature_id: &str, top_up: AutoTopUp) -> AutoTopup {
    AutoTopup {
        feature_id: feature_id.to_string(),
        enabled: Some(top_up.enabled),
        threshold: top_up.threshold,
        quantity: top_up.quantity,
        purchase_limit: top_up.purchase_limit.map(|limit| WirePurchaseLimit {
            interval: match limit.interval {
                PurchaseLimitInterval::Hour => WirePurchaseInterval::Hour,
                PurchaseLimitInterval::Day => WirePurchaseInterval::Day,
                PurchaseLimitInterval::Week => WirePurchaseInterval::Week,
                PurchaseLimitInterval::Month => WirePurchaseInterval::Month,
            },
            interval_count: Some(1),
            limit: limit.limit,
            count: None,
        }),
        invoice_mode: None,
    }
}

fn usage_alert(feature_id: &str, alert: Alert) -> UsageAlert {
    UsageAlert {
        feature_id: Some(feature_id.to_string()),
        enabled: Some(true),
        threshold: alert.threshold(),
        threshold_type: match alert {
            Alert::Usage(_) => ThresholdType::Usage,
            Alert::UsagePercent(_) => ThresholdType::UsagePercentage,
            Alert::Remaining(_) => ThresholdType::Remaining,
            Alert::RemainingPercent(_) => ThresholdType::RemainingPercentage,
        },
        // The language's percentages are of the balance's grant in force: Autumn's `balance`.
        basis: Some(AlertBasis::Balance),
        filter: None,
        name: None,
    }
}

/// An item's rollover as Autumn's.
pub(super) fn rollover_to_wire(rollover: Rollover) -> WireRollover {
    WireRollover {
        max: rollover.max,
        max_percentage: None,
        expiry_duration_type: if rollover.months.is_some() {
            RolloverExpiry::Month
        } else {
            RolloverExpiry::Forever
        },
        expiry_duration_length: rollover.months,
    }
}

/// Autumn's rollover as the language's; `Err` says what the language cannot hold.
pub(super) fn rollover_from_wire(rollover: &WireRollover) -> Result<Rollover, &'static str> {
    if rollover.max_percentage.is_some() {
        return Err(
            "a maximum in percent of the grant (`max_percentage`): pricectl's rollover maximum is a number of units",
        );
    }
    Ok(Rollover {
        max: rollover.max.map(|max| max.normalize()),
        months: match rollover.expiry_duration_type {
            RolloverExpiry::Forever => None,
            // Autumn counts a month when no length is given.
            RolloverExpiry::Month => Some(rollover.expiry_duration_length.unwrap_or(1)),
        },
    })
}

/// Whether an item's `expires_after` has Autumn's `expiry` as its field: a one-off prepaid
/// price (Autumn: "one-off prepaid consumable items only").
pub(super) fn expires_natively(item: &catalog::PlanItem) -> bool {
    item.price.as_ref().is_some_and(|price| {
        price.billing == Billing::Prepaid && price.interval == PriceInterval::OneOff
    })
}

/// An item's `expires_after` as Autumn's `expiry`, when it has that field.
pub(super) fn expiry_to_wire(item: &catalog::PlanItem) -> Option<Expiry> {
    let duration = item.controls.expires_after?;
    expires_natively(item).then_some(match duration {
        Duration::Days(days) => Expiry {
            duration: ExpiryDuration::Day,
            length: days,
        },
        Duration::Months(months) => Expiry {
            duration: ExpiryDuration::Month,
            length: months,
        },
    })
}

/// Autumn's `expiry` as a duration (a week is 7 days, a year 12 months); `None` when it does
/// not fit.
pub(super) fn expiry_from_wire(expiry: &Expiry) -> Option<Duration> {
    match expiry.duration {
        ExpiryDuration::Day => Some(Duration::Days(expiry.length)),
        ExpiryDuration::Week => expiry.length.checked_mul(7).map(Duration::Days),
        ExpiryDuration::Month => Some(Duration::Months(expiry.length)),
        ExpiryDuration::Year => expiry.length.checked_mul(12).map(Duration::Months),
    }
}

/// The units beyond the balance a spend limit allows, as Autumn's `overage_limit` counts them:
/// the most whole billing units of overage whose price is within the cap. At a flat usage
/// price that is `floor(cap / amount) × per` (Autumn bills usage rounded up to whole billing
/// units); at graduated tiers it is found on the tiers, counting the included units as the
/// bill does (a tier's `up_to` includes them), since what overage costs only grows with it.
/// `None` when the item has no usage price with a unit form: no price, an amount of 0 (no cap
/// in money is a number of units), tiers whose last one is free, or an unlimited item.
pub fn spend_limit_units(
    limit: SpendLimit,
    item: &catalog::PlanItem,
    plan: &catalog::Plan,
) -> Option<Decimal> {
    let price = item
        .price
        .as_ref()
        .filter(|price| price.billing == Billing::Usage)?;
    let cap = limit.cap(plan.price.map(|price| price.amount));
    match &price.rate {
        Rate::Flat { amount } => {
            if *amount <= Decimal::ZERO {
                return None;
            }
            let purchases = cap.checked_div(*amount)?.floor();
            purchases
                .checked_mul(price.per)
                .map(|units| units.normalize())
        }
        Rate::Tiered {
            tier_mode: TierMode::Graduated,
            tiers,
        } => {
            // A last tier that costs nothing leaves overage uncapped by any money.
            if tiers.last().is_none_or(|tier| tier.amount <= Decimal::ZERO) {
                return None;
            }
            let included = match item.included {
                catalog::Included::Units(units) => units,
                catalog::Included::Unlimited => return None,
            };
            let within = |billing_units: Decimal| -> Option<bool> {
                overage_cost(price, included, billing_units.checked_mul(price.per)?)
                    .map(|cost| cost <= cap)
            };
            // The cost grows with the units: double past the cap, then halve back to the
            // last whole billing unit within it.
            let mut above = Decimal::ONE;
            while within(above)? {
                above = above.checked_mul(Decimal::TWO)?;
            }
            let mut within_cap = Decimal::ZERO;
            while above - within_cap > Decimal::ONE {
                let middle = ((within_cap + above) / Decimal::TWO).floor();
                if within(middle)? {
                    within_cap = middle;
                } else {
                    above = middle;
                }
            }
            within_cap
                .checked_mul(price.per)
                .map(|units| units.normalize())
        }
        Rate::Tiered { .. } => None,
    }
}

/// What `units` of overage cost at `price`, beyond `included` units (as the ledger bills it:
/// tiers count the included units).
fn overage_cost(price: &catalog::ItemPrice, included: Decimal, units: Decimal) -> Option<Decimal> {
    let through = cost_of(&price.rate, price.per, included.checked_add(units)?)?;
    through.checked_sub(cost_of(&price.rate, price.per, included)?)
}

/// Whether the item's price gives a spend limit Autumn's unit form (a usage price, flat or in
/// graduated tiers).
pub(super) fn has_unit_form(item: &catalog::PlanItem, plan: &catalog::Plan) -> bool {
    spend_limit_units(SpendLimit::Amount(Decimal::ZERO), item, plan).is_some()
}

/// Autumn's `overage_limit` as a spend limit in money: `hint` (the form the metadata or the
/// live plan keeps) when it is what the units say, else the amount the units cost. `None`
/// when the units are not a whole number of billing units of a usage price with a unit form,
/// or cost what more units would cost too (read back, that amount would say more units).
pub(super) fn spend_limit_from_units(
    units: Decimal,
    hint: Option<SpendLimit>,
    item: &catalog::PlanItem,
    plan: &catalog::Plan,
) -> Option<SpendLimit> {
    if let Some(hint) = hint
        && spend_limit_units(hint, item, plan) == Some(units.normalize())
    {
        return Some(hint);
    }
    let price = item
        .price
        .as_ref()
        .filter(|price| price.billing == Billing::Usage)?;
    let purchases = units.checked_div(price.per)?;
    if !purchases.fract().is_zero() {
        return None;
    }
    let included = match item.included {
        catalog::Included::Units(units) => units,
        catalog::Included::Unlimited => Decimal::ZERO,
    };
    let limit = SpendLimit::Amount(overage_cost(price, included, units)?.normalize());
    (spend_limit_units(limit, item, plan) == Some(units.normalize())).then_some(limit)
}

/// What Autumn holds that the language cannot say, taken out of a plan's controls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetAside {
    /// The entries, by lane, as Autumn holds them (sent back with an update of the plan).
    pub controls: BillingControls,
    /// Each one: where (`plan.pro`, `plan.pro.item.credits`), what and why, and its field
    /// (`billing_controls.usage_limits[0]`).
    pub notes: Vec<SetAsideNote>,
}

/// One entry set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAsideNote {
    pub place: String,
    pub field: String,
    pub what: String,
}

impl SetAside {
    /// The first entry as a refusal at `path` (a server cannot hold it).
    pub fn refusal(&self, path: &str) -> Option<MappingError> {
        self.notes.first().map(|note| MappingError {
            path: if path.is_empty() {
                note.field.clone()
            } else {
                format!("{path}.{}", note.field)
            },
            message: note.what.clone(),
        })
    }

    fn note(&mut self, place: String, field: String, what: impl Into<String>) {
        self.notes.push(SetAsideNote {
            place,
            field,
            what: what.into(),
        });
    }
}

/// Lays Autumn's lanes over `plan` (whose items and price are read already). A lane that
/// `controls` leaves out keeps what `live` has; a spend limit is read in the form `hints`
/// gives it (feature id → the form the metadata or the live plan keeps) when that is what
/// its units say. What the language cannot say is set aside.
pub(super) fn read_controls(
    plan: &mut catalog::Plan,
    controls: Option<&BillingControls>,
    live: Option<&catalog::Plan>,
    hints: &BTreeMap<String, SpendLimit>,
) -> SetAside {
    let mut aside = SetAside::default();
    let given = controls.cloned().unwrap_or_default();
    let live_item = |id: &str| live.and_then(|live| live.items.get(id));
    let place = |feature: &str| format!("plan.{}.item.{feature}", plan.id);
    let plan_place = format!("plan.{}", plan.id);

    match &given.auto_topups {
        None => {
            for item in plan.items.values_mut() {
                item.controls.auto_top_up =
                    live_item(&item.feature_id).and_then(|live| live.controls.auto_top_up);
            }
        }
        Some(entries) => {
            for item in plan.items.values_mut() {
                item.controls.auto_top_up = None;
            }
            let mut kept = Vec::new();
            for (index, entry) in entries.iter().enumerate() {
                let field = format!("billing_controls.auto_topups[{index}]");
                let why = match plan.items.get(&entry.feature_id) {
                    None => Some(format!(
                        "an auto top-up of `{}`, which the plan has no item for: pricectl's top-ups are an item's",
                        entry.feature_id
                    )),
                    Some(item) if item.controls.auto_top_up.is_some() => {
                        Some("a second auto top-up of the same feature".to_string())
                    }
                    Some(_) if entry.invoice_mode == Some(true) => Some(
                        "an auto top-up that sends an invoice (`invoice_mode`): pricectl's top-ups charge".to_string(),
                    ),
                    Some(_) => match &entry.purchase_limit {
                        Some(limit) if limit.interval_count.is_some_and(|count| count != 1) => Some(
                            "a purchase limit over several intervals (`interval_count`): pricectl's count one hour, day, week or month".to_string(),
                        ),
                        Some(limit) if limit.count.is_some() => Some(
                            "a count of purchases made (`count`), which is a customer's, not a plan's".to_string(),
                        ),
                        _ => None,
                    },
                };
                match why {
                    Some(why) => {
                        aside.note(place(&entry.feature_id), field, why);
                        kept.push(entry.clone());
                    }
                    None => {
                        if let Some(item) = plan.items.get_mut(&entry.feature_id) {
                            item.controls.auto_top_up = Some(AutoTopUp {
                                threshold: entry.threshold.normalize(),
                                quantity: entry.quantity.normalize(),
                                enabled: entry.enabled.unwrap_or(false),
                                purchase_limit: entry.purchase_limit.as_ref().map(|limit| {
                                    PurchaseLimit {
                                        limit: limit.limit,
                                        interval: match limit.interval {
                                            WirePurchaseInterval::Hour => {
                                                PurchaseLimitInterval::Hour
                                            }
                                            WirePurchaseInterval::Day => PurchaseLimitInterval::Day,
                                            WirePurchaseInterval::Week => {
                                                PurchaseLimitInterval::Week
                                            }
                                            WirePurchaseInterval::Month => {
                                                PurchaseLimitInterval::Month
                                            }
                                        },
                                    }
                                }),
                            });
                        }
                    }
                }
            }
            aside.controls.auto_topups = (!kept.is_empty()).then_some(kept);
        }
    }

    // Spend limits: an item whose price has Autumn's unit form takes its limit from the lane
    // (in the form its hint gives, when that is what the units say); one whose price has none
    // (a free price, a last tier that costs nothing) keeps the form its hint gives.
    let read_plan = plan.clone();
    for item in plan.items.values_mut() {
        let hint = hints.get(&item.feature_id).copied();
        item.controls.spend_limit = if has_unit_form(item, &read_plan) {
            match given.spend_limits {
                None => live_item(&item.feature_id).and_then(|live| live.controls.spend_limit),
                Some(_) => None,
            }
        } else {
            hint
        };
    }
    if let Some(entries) = &given.spend_limits {
        let mut kept = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (index, entry) in entries.iter().enumerate() {
            let field = format!("billing_controls.spend_limits[{index}]");
            let feature = entry.feature_id.clone().unwrap_or_default();
            let read = if feature.is_empty() || seen.insert(feature.clone()) {
                spend_limit_entry(entry, &read_plan, hints)
            } else {
                Err("a second spend limit of the same feature".to_string())
            };
            match read {
                Ok(limit) => {
                    if let Some(item) = plan.items.get_mut(&feature) {
                        item.controls.spend_limit = Some(limit);
                    }
                }
                Err(why) => {
                    let where_ = if feature.is_empty() {
                        plan_place.clone()
                    } else {
                        place(&feature)
                    };
                    aside.note(where_, field, why);
                    kept.push(entry.clone());
                }
            }
        }
        aside.controls.spend_limits = (!kept.is_empty()).then_some(kept);
    }

    match &given.usage_limits {
        None => {
            plan.usage_limits = live
                .map(|live| live.usage_limits.clone())
                .unwrap_or_default();
        }
        Some(entries) => {
            plan.usage_limits = BTreeMap::new();
            let mut kept = Vec::new();
            for (index, entry) in entries.iter().enumerate() {
                let field = format!("billing_controls.usage_limits[{index}]");
                let why = if entry.filter.is_some() {
                    Some("a usage limit that counts only some events (`filter`)")
                } else if entry.enabled == Some(false) {
                    Some("a usage limit that is off (`enabled: false`): pricectl's limits apply")
                } else if plan.usage_limits.contains_key(&entry.feature_id) {
                    Some("a second usage limit of the same feature")
                } else {
                    None
                };
                match why {
                    Some(why) => {
                        aside.note(plan_place.clone(), field, why);
                        kept.push(entry.clone());
                    }
                    None => {
                        plan.usage_limits.insert(
                            entry.feature_id.clone(),
                            UsageLimit {
                                limit: entry.limit.normalize(),
                                interval: match entry.interval {
                                    WireUsageInterval::Day => UsageLimitInterval::Day,
                                    WireUsageInterval::Week => UsageLimitInterval::Week,
                                    WireUsageInterval::Month => UsageLimitInterval::Month,
                                    WireUsageInterval::Year => UsageLimitInterval::Year,
                                },
                                anchor: match entry.anchor {
                                    None | Some(UsageLimitAnchor::BillingCycle) => {
                                        LimitAnchor::BillingCycle
                                    }
                                    Some(UsageLimitAnchor::Utc) => LimitAnchor::Calendar,
                                },
                            },
                        );
                    }
                }
            }
            aside.controls.usage_limits = (!kept.is_empty()).then_some(kept);
        }
    }

    match &given.usage_alerts {
        None => {
            for item in plan.items.values_mut() {
                item.controls.alerts = live_item(&item.feature_id)
                    .map(|live| live.controls.alerts.clone())
                    .unwrap_or_default();
            }
        }
        Some(entries) => {
            for item in plan.items.values_mut() {
                item.controls.alerts.clear();
            }
            let mut kept = Vec::new();
            for (index, entry) in entries.iter().enumerate() {
                let field = format!("billing_controls.usage_alerts[{index}]");
                let feature = entry.feature_id.clone().unwrap_or_default();
                let why = if feature.is_empty() {
                    Some("an alert on the whole plan: pricectl's alerts are an item's".to_string())
                } else if !plan.items.contains_key(&feature) {
                    Some(format!(
                        "an alert on `{feature}`, which the plan has no item for: pricectl's alerts are an item's"
                    ))
                } else if entry
                    .basis
                    .is_some_and(|basis| basis != AlertBasis::Balance)
                {
                    Some("an alert in percent of part of the balance (`basis`): pricectl's percentages are of the whole grant".to_string())
                } else if entry.filter.is_some() {
                    Some("an alert that counts only some events (`filter`)".to_string())
                } else if entry.name.is_some() {
                    Some("an alert with a name: pricectl's alerts have none".to_string())
                } else if entry.enabled == Some(false) {
                    Some("an alert that is off (`enabled: false`)".to_string())
                } else {
                    None
                };
                match why {
                    Some(why) => {
                        let where_ = if feature.is_empty() {
                            plan_place.clone()
                        } else {
                            place(&feature)
                        };
                        aside.note(where_, field, why);
                        kept.push(entry.clone());
                    }
                    None => {
                        if let Some(item) = plan.items.get_mut(&feature) {
                            let threshold = entry.threshold.normalize();
                            item.controls.alerts.push(match entry.threshold_type {
                                ThresholdType::Usage => Alert::Usage(threshold),
                                ThresholdType::UsagePercentage => Alert::UsagePercent(threshold),
                                ThresholdType::Remaining => Alert::Remaining(threshold),
                                ThresholdType::RemainingPercentage => {
                                    Alert::RemainingPercent(threshold)
                                }
                            });
                        }
                    }
                }
            }
            for item in plan.items.values_mut() {
                item.controls.alerts.sort_unstable();
                item.controls.alerts.dedup();
            }
            aside.controls.usage_alerts = (!kept.is_empty()).then_some(kept);
        }
    }

    if let Some(entries) = &given.overage_allowed {
        for (index, entry) in entries.iter().enumerate() {
            aside.note(
                place(&entry.feature_id),
                format!("billing_controls.overage_allowed[{index}]"),
                "usage past the balance allowed or not (`overage_allowed`): pricectl allows it exactly when the item has a usage price",
            );
        }
        aside.controls.overage_allowed = (!entries.is_empty()).then(|| entries.clone());
    }
    aside
}

/// One spend limit entry in the language's form, or why it cannot be.
fn spend_limit_entry(
    entry: &WireSpendLimit,
    plan: &catalog::Plan,
    hints: &BTreeMap<String, SpendLimit>,
) -> Result<SpendLimit, String> {
    let Some(feature) = &entry.feature_id else {
        return Err(
            "a spend limit on the whole plan: pricectl's spend limits are an item's".into(),
        );
    };
    let Some(item) = plan.items.get(feature) else {
        return Err(format!(
            "a spend limit of `{feature}`, which the plan has no item for: pricectl's spend limits are an item's"
        ));
    };
    if entry.enabled != Some(true) {
        return Err(
            "a spend limit that is off (`enabled` is not `true`): pricectl's spend limits apply"
                .into(),
        );
    }
    if entry.limit_type == Some(SpendLimitType::UsagePercentage) {
        return Err("a cap in percent of the plan's allowance (`usage_percentage`): pricectl caps overage in money".into());
    }
    if entry.skip_overage_billing == Some(true) {
        return Err("overage that is never billed (`skip_overage_billing`)".into());
    }
    let Some(units) = entry.overage_limit else {
        return Err("a spend limit without a cap (`overage_limit`)".into());
    };
    spend_limit_from_units(units, hints.get(feature).copied(), item, plan).ok_or_else(|| {
        format!(
            "a cap of {} units of overage, which is no amount of money at the item's price: pricectl caps overage in money at a flat usage price",
            units.normalize()
        )
    })
}

/// Adds `kept` (entries set aside when the plan was read) to the lanes of `body`, so an update
/// sends back what pricectl does not manage. `Err` names an entry the pricing now says
/// differently (the same feature's top-up or spend limit): the update would overwrite it, and
/// `body` is left as it was.
pub fn keep_set_aside(body: &mut BillingControls, kept: &BillingControls) -> Result<(), String> {
    let mut merged = body.clone();
    add_set_aside(&mut merged, kept)?;
    *body = merged;
    Ok(())
}

fn add_set_aside(body: &mut BillingControls, kept: &BillingControls) -> Result<(), String> {
    fn add<T: Clone>(
        lane: &mut Option<Vec<T>>,
        kept: Option<&Vec<T>>,
        same: impl Fn(&T, &T) -> bool,
        name: &str,
    ) -> Result<(), String> {
        let Some(kept) = kept.filter(|kept| !kept.is_empty()) else {
            return Ok(());
        };
        let lane = lane.get_or_insert_with(Vec::new);
        if kept
            .iter()
            .any(|entry| lane.iter().any(|written| same(entry, written)))
        {
            return Err(format!(
                "Autumn holds a {name} of the same feature that pricectl cannot express"
            ));
        }
        lane.extend(kept.iter().cloned());
        Ok(())
    }
    add(
        &mut body.auto_topups,
        kept.auto_topups.as_ref(),
        |left, right| left.feature_id == right.feature_id,
        "top-up",
    )?;
    add(
        &mut body.spend_limits,
        kept.spend_limits.as_ref(),
        |left, right| left.feature_id == right.feature_id,
        "spend limit",
    )?;
    add(
        &mut body.usage_limits,
        kept.usage_limits.as_ref(),
        |left, right| left.feature_id == right.feature_id && left.filter == right.filter,
        "usage limit",
    )?;
    add(
        &mut body.usage_alerts,
        kept.usage_alerts.as_ref(),
        |left, right| {
            left.feature_id == right.feature_id
                && left.threshold_type == right.threshold_type
                && left.threshold == right.threshold
                && left.basis.unwrap_or(AlertBasis::Balance)
                    == right.basis.unwrap_or(AlertBasis::Balance)
                && left.filter == right.filter
        },
        "usage alert",
    )?;
    add(
        &mut body.overage_allowed,
        kept.overage_allowed.as_ref(),
        |left: &OverageAllowed, right| left.feature_id == right.feature_id,
        "overage setting",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{BasePrice, ItemPrice, PlanItem, Tier, TierBound, TierMode};

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str_exact(text).expect("a decimal")
    }

    /// Plan `pro` at $20 a month whose item `requests` costs `amount` per `per` requests in
    /// arrears (or is tiered, for `amount` `None`).
    fn plan(amount: Option<&str>, per: &str) -> catalog::Plan {
        let mut item = PlanItem::granting("requests");
        item.price = Some(ItemPrice {
            billing: Billing::Usage,
            interval: PriceInterval::Month,
            per: decimal(per),
            rate: amount.map_or_else(
                || Rate::Tiered {
                    tier_mode: TierMode::Graduated,
                    tiers: vec![Tier {
                        up_to: TierBound::Infinite,
                        amount: decimal("1"),
                    }],
                },
                |amount| Rate::Flat {
                    amount: decimal(amount),
                },
            ),
            prepaid: None,
        });
        catalog::Plan {
            id: "pro".into(),
            name: "Pro".into(),
            description: None,
            group: None,
            add_on: false,
            default: false,
            price: Some(BasePrice {
                amount: decimal("20"),
                interval: PriceInterval::Month,
            }),
            free_trial: None,
            items: BTreeMap::from([("requests".to_string(), item)]),
            archived: false,
            protect: false,
            usage_limits: BTreeMap::new(),
        }
    }

    #[test]
    fn a_spend_limit_is_sent_as_the_units_its_money_buys() {
        // (rate, per, the limit, Autumn's units, what the units alone read back as)
        let cases = [
            (
                Some("0.04"),
                "1",
                SpendLimit::Percent(decimal("100")),
                Some("500"),
                Some(SpendLimit::Amount(decimal("20"))),
            ),
            (
                Some("0.04"),
                "1",
                SpendLimit::Amount(decimal("20")),
                Some("500"),
                Some(SpendLimit::Amount(decimal("20"))),
            ),
            // $10 at 3 cents: 333 requests ($9.99); the 334th would pass the cap.
            (
                Some("0.03"),
                "1",
                SpendLimit::Amount(decimal("10")),
                Some("333"),
                Some(SpendLimit::Amount(decimal("9.99"))),
            ),
            // $2.50 at $1 per 100: two whole billing units.
            (
                Some("1"),
                "100",
                SpendLimit::Amount(decimal("2.5")),
                Some("200"),
                Some(SpendLimit::Amount(decimal("2"))),
            ),
            // One tier of $1 a request: 20 requests. A free price has no unit form.
            (
                None,
                "1",
                SpendLimit::Amount(decimal("20")),
                Some("20"),
                Some(SpendLimit::Amount(decimal("20"))),
            ),
            (
                Some("0"),
                "1",
                SpendLimit::Amount(decimal("20")),
                None,
                None,
            ),
        ];
        for (amount, per, limit, units, read) in cases {
            let plan = plan(amount, per);
            let item = &plan.items["requests"];
            let sent = spend_limit_units(limit, item, &plan);
            assert_eq!(
                sent,
                units.map(decimal),
                "{limit:?} at {amount:?} per {per}"
            );
            if let Some(sent) = sent {
                assert_eq!(
                    spend_limit_from_units(sent, None, item, &plan),
                    read,
                    "{limit:?}"
                );
                // With the form kept beside it, the limit reads back as it was written.
                assert_eq!(
                    spend_limit_from_units(sent, Some(limit), item, &plan),
                    Some(limit)
                );
            }
        }
        // Units that are no whole number of billing units have no money form.
        let per_hundred = plan(Some("1"), "100");
        assert_eq!(
            spend_limit_from_units(
                decimal("250"),
                None,
                &per_hundred.items["requests"],
                &per_hundred
            ),
            None
        );
    }

    /// 500 requests included, then graduated tiers counting them: 4 cents each up to the
    /// 1,000th, 2 cents beyond; Pro costs $20 a month.
    fn tiered_plan() -> catalog::Plan {
        let mut plan = plan(None, "1");
        let item = plan.items.get_mut("requests").expect("the item");
        item.included = catalog::Included::Units(decimal("500"));
        if let Some(price) = item.price.as_mut() {
            price.rate = Rate::Tiered {
                tier_mode: TierMode::Graduated,
                tiers: vec![
                    Tier {
                        up_to: TierBound::Units(decimal("1000")),
                        amount: decimal("0.04"),
                    },
                    Tier {
                        up_to: TierBound::Infinite,
                        amount: decimal("0.02"),
                    },
                ],
            };
        }
        plan
    }

    #[test]
    fn a_spend_limit_on_graduated_tiers_is_the_units_its_money_buys_on_the_tiers() {
        let plan = tiered_plan();
        let item = &plan.items["requests"];
        // (the limit, Autumn's units, what the units alone read back as)
        let cases = [
            // 500 requests to the 1,000th at 4 cents ($20), then 500 at 2 cents ($10).
            ("30", "1000", "30"),
            // $20 is exactly the first tier's 500 beyond the included 500.
            ("20", "500", "20"),
            // $25: $20 of the first tier, 250 of the second.
            ("25", "750", "25"),
            // $25.01 buys no 751st request (2 cents): read back alone, $25.
            ("25.01", "750", "25"),
            // Less than one request: none.
            ("0.03", "0", "0"),
        ];
        for (cap, units, read) in cases {
            let limit = SpendLimit::Amount(decimal(cap));
            let sent = spend_limit_units(limit, item, &plan);
            assert_eq!(sent, Some(decimal(units)), "${cap}");
            assert_eq!(
                spend_limit_from_units(decimal(units), None, item, &plan),
                Some(SpendLimit::Amount(decimal(read))),
                "${cap}"
            );
            assert_eq!(
                spend_limit_from_units(decimal(units), Some(limit), item, &plan),
                Some(limit),
                "${cap} with its form kept"
            );
        }
        // 100% of the $20 base price is 500 requests; the percent travels as the hint.
        let percent = SpendLimit::Percent(decimal("100"));
        assert_eq!(
            spend_limit_units(percent, item, &plan),
            Some(decimal("500"))
        );
        // The units the ledger would refuse past are these: the 1,001st request beyond the
        // balance costs more than $30.
        let price = item.price.as_ref().expect("priced");
        assert_eq!(
            overage_cost(price, decimal("500"), decimal("1000")),
            Some(decimal("30"))
        );
        assert!(
            overage_cost(price, decimal("500"), decimal("1001")).expect("cost") > decimal("30")
        );
        // A last tier that costs nothing leaves no cap in units.
        let mut free_beyond = plan.clone();
        if let Some(catalog::ItemPrice {
            rate: Rate::Tiered { tiers, .. },
            ..
        }) = free_beyond
            .items
            .get_mut("requests")
            .and_then(|item| item.price.as_mut())
        {
            tiers[1].amount = Decimal::ZERO;
        }
        assert_eq!(
            spend_limit_units(
                SpendLimit::Amount(decimal("30")),
                &free_beyond.items["requests"],
                &free_beyond
            ),
            None
        );
    }

    #[test]
    fn every_control_goes_to_its_lane_and_reads_back() {
        let mut plan = plan(Some("0.04"), "1");
        let item = plan.items.get_mut("requests").expect("the item");
        item.controls = catalog::ItemControls {
            auto_top_up: None,
            spend_limit: Some(SpendLimit::Percent(decimal("100"))),
            alerts: vec![
                Alert::UsagePercent(decimal("80")),
                Alert::Remaining(decimal("0")),
            ],
            rollover: Some(Rollover {
                max: Some(decimal("250")),
                months: Some(1),
            }),
            expires_after: None,
        };
        plan.usage_limits.insert(
            "requests".into(),
            UsageLimit {
                limit: decimal("200"),
                interval: UsageLimitInterval::Day,
                anchor: LimitAnchor::Calendar,
            },
        );
        let wire = controls_to_wire(&plan);
        assert_eq!(
            serde_json::to_string(&wire).expect("JSON"),
            r#"{"spend_limits":[{"feature_id":"requests","enabled":true,"limit_type":"absolute","overage_limit":500}],"usage_limits":[{"feature_id":"requests","enabled":true,"limit":200,"interval":"day","anchor":"utc"}],"usage_alerts":[{"feature_id":"requests","enabled":true,"threshold":80,"threshold_type":"usage_percentage","basis":"balance"},{"feature_id":"requests","enabled":true,"threshold":0,"threshold_type":"remaining","basis":"balance"}]}"#
        );
        let mut read = plan.clone();
        for item in read.items.values_mut() {
            item.controls.spend_limit = None;
            item.controls.alerts.clear();
        }
        read.usage_limits.clear();
        let hints = BTreeMap::from([("requests".to_string(), SpendLimit::Percent(decimal("100")))]);
        let aside = read_controls(&mut read, Some(&wire), None, &hints);
        assert_eq!(aside, SetAside::default());
        assert_eq!(read, plan);
    }

    #[test]
    fn a_lane_left_out_keeps_the_live_plans_controls() {
        let mut live = plan(Some("0.04"), "1");
        live.items
            .get_mut("requests")
            .expect("the item")
            .controls
            .alerts = vec![Alert::Usage(decimal("600"))];
        live.usage_limits.insert(
            "requests".into(),
            UsageLimit {
                limit: decimal("100"),
                interval: UsageLimitInterval::Week,
                anchor: LimitAnchor::BillingCycle,
            },
        );
        let mut read = plan(Some("0.04"), "1");
        let only_limits = BillingControls {
            usage_limits: Some(Vec::new()),
            ..BillingControls::default()
        };
        read_controls(&mut read, Some(&only_limits), Some(&live), &BTreeMap::new());
        assert!(read.usage_limits.is_empty(), "the lane given replaces");
        assert_eq!(
            read.items["requests"].controls.alerts,
            vec![Alert::Usage(decimal("600"))],
            "the lane left out is kept"
        );
    }

    #[test]
    fn what_the_language_cannot_say_is_set_aside_with_its_place_and_why() {
        let body: BillingControls = serde_json::from_str(
            r#"{
              "auto_topups":[{"feature_id":"requests","enabled":true,"threshold":1,"quantity":2,"invoice_mode":true},
                             {"feature_id":"seats","threshold":1,"quantity":2}],
              "spend_limits":[{"enabled":true,"overage_limit":5},
                              {"feature_id":"requests","enabled":true,"limit_type":"usage_percentage","overage_limit":120}],
              "usage_limits":[{"feature_id":"requests","limit":5,"interval":"day","filter":{"properties":{"model":"o3"}}}],
              "usage_alerts":[{"threshold":50,"threshold_type":"usage"},
                              {"feature_id":"requests","threshold":50,"threshold_type":"usage_percentage","basis":"included"}],
              "overage_allowed":[{"feature_id":"requests","enabled":true}]
            }"#,
        )
        .expect("Autumn's shapes");
        let mut read = plan(Some("0.04"), "1");
        let aside = read_controls(&mut read, Some(&body), None, &BTreeMap::new());
        assert_eq!(
            aside.refusal("plans[0]").map(|error| error.path),
            Some("plans[0].billing_controls.auto_topups[0]".to_string())
        );
        let notes: Vec<String> = aside
            .notes
            .iter()
            .map(|note| format!("{} {}: {}", note.place, note.field, note.what))
            .collect();
        insta::assert_snapshot!(notes.join("\n"), @r"
        plan.pro.item.requests billing_controls.auto_topups[0]: an auto top-up that sends an invoice (`invoice_mode`): pricectl's top-ups charge
        plan.pro.item.seats billing_controls.auto_topups[1]: an auto top-up of `seats`, which the plan has no item for: pricectl's top-ups are an item's
        plan.pro billing_controls.spend_limits[0]: a spend limit on the whole plan: pricectl's spend limits are an item's
        plan.pro.item.requests billing_controls.spend_limits[1]: a cap in percent of the plan's allowance (`usage_percentage`): pricectl caps overage in money
        plan.pro billing_controls.usage_limits[0]: a usage limit that counts only some events (`filter`)
        plan.pro billing_controls.usage_alerts[0]: an alert on the whole plan: pricectl's alerts are an item's
        plan.pro.item.requests billing_controls.usage_alerts[1]: an alert in percent of part of the balance (`basis`): pricectl's percentages are of the whole grant
        plan.pro.item.requests billing_controls.overage_allowed[0]: usage past the balance allowed or not (`overage_allowed`): pricectl allows it exactly when the item has a usage price
        ");
        // Nothing set aside reached the plan, and every entry is kept whole to be sent back.
        assert_eq!(read, plan(Some("0.04"), "1"));
        assert_eq!(aside.controls.auto_topups.map(|lane| lane.len()), Some(2));
        assert_eq!(
            aside.controls.overage_allowed.map(|lane| lane.len()),
            Some(1)
        );
    }

    #[test]
    fn kept_entries_go_back_with_an_update_unless_the_pricing_now_says_the_same_control() {
        let kept = BillingControls {
            overage_allowed: Some(vec![OverageAllowed {
                feature_id: "requests".into(),
                enabled: Some(true),
            }]),
            spend_limits: Some(vec![WireSpendLimit {
                feature_id: Some("requests".into()),
                enabled: Some(false),
                limit_type: None,
                overage_limit: Some(decimal("5")),
                skip_overage_billing: None,
            }]),
            ..BillingControls::default()
        };
        let mut without = every_lane(BillingControls::default());
        keep_set_aside(&mut without, &kept).expect("nothing written collides");
        assert_eq!(without.overage_allowed, kept.overage_allowed);
        assert_eq!(without.spend_limits, kept.spend_limits);
        let mut plan = plan(Some("0.04"), "1");
        plan.items
            .get_mut("requests")
            .expect("the item")
            .controls
            .spend_limit = Some(SpendLimit::Amount(decimal("20")));
        let mut with = every_lane(controls_to_wire(&plan));
        let written = with.clone();
        // An invoiced top-up of another feature would go back too, but not alone.
        let kept = BillingControls {
            auto_topups: Some(vec![AutoTopup {
                feature_id: "tokens".into(),
                enabled: Some(true),
                threshold: decimal("1"),
                quantity: decimal("2"),
                purchase_limit: None,
                invoice_mode: Some(true),
            }]),
            ..kept
        };
        assert_eq!(
            keep_set_aside(&mut with, &kept),
            Err(
                "Autumn holds a spend limit of the same feature that pricectl cannot express"
                    .into()
            )
        );
        assert_eq!(with, written, "nothing is added when an entry collides");
    }

    #[test]
    fn rollovers_and_expiries_convert_both_ways() {
        let rollover = Rollover {
            max: None,
            months: None,
        };
        let wire = rollover_to_wire(rollover);
        assert_eq!(
            serde_json::to_string(&wire).expect("JSON"),
            r#"{"max":null,"expiry_duration_type":"forever"}"#
        );
        assert_eq!(rollover_from_wire(&wire), Ok(rollover));
        let month: WireRollover =
            serde_json::from_str(r#"{"max":250,"expiry_duration_type":"month"}"#)
                .expect("a rollover");
        assert_eq!(
            rollover_from_wire(&month),
            Ok(Rollover {
                max: Some(decimal("250")),
                months: Some(1)
            })
        );
        let percent: WireRollover = serde_json::from_str(
            r#"{"max":null,"max_percentage":50,"expiry_duration_type":"forever"}"#,
        )
        .expect("a rollover");
        assert!(rollover_from_wire(&percent).is_err());
        for (duration, length, read) in [
            (ExpiryDuration::Day, 3, Some(Duration::Days(3))),
            (ExpiryDuration::Week, 2, Some(Duration::Days(14))),
            (ExpiryDuration::Month, 12, Some(Duration::Months(12))),
            (ExpiryDuration::Year, 1, Some(Duration::Months(12))),
            (ExpiryDuration::Year, u32::MAX, None),
        ] {
            assert_eq!(expiry_from_wire(&Expiry { duration, length }), read);
        }
    }
}
