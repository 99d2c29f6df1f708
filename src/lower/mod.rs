//! Lowering: from checked documents to the canonical [`Catalog`].
//!
//! Runs only on documents the checks found free of errors, so every required value is
//! present and every reference resolves; what is still missing here is a default to fill in.

mod controls;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::catalog::decimal::exact_div;
use crate::catalog::{
    BasePrice, Billing, Catalog, CreditCost, CreditSystem, Display, Feature, FeatureType,
    FreeTrial, Included, ItemPrice, OnDecrease, OnIncrease, Plan, PlanItem, PrepaidBounds,
    Proration, Rate, Tier, TierBound, TierMode, TrialLength, TrialOncePer,
};
use crate::dsl::document::{
    CostDocument, CreditSystemDocument, DisplayDocument, FeatureDocument,
    Included as IncludedDocument, ItemDocument, PlanDocument, UpTo,
};
use crate::dsl::{Entry, IdMap, ParsedFile, Spanned};

/// Builds the catalog of error-free documents, freeing each document once it is lowered: a
/// catalog of 200,000 features is built while their documents go, not beside them.
///
/// # Panics
/// When given documents with errors (a missing required value): the caller checks first.
pub fn lower(mut files: Vec<ParsedFile>) -> Catalog {
    let mut catalog = Catalog {
        currency: String::new(),
        features: BTreeMap::new(),
        credit_systems: BTreeMap::new(),
        plans: BTreeMap::new(),
    };
    for parsed in &mut files {
        let document = &mut parsed.document;
        if let Some(currency) = &document.currency
            && catalog.currency.is_empty()
        {
            catalog.currency.clone_from(&currency.value);
        }
        for entry in Draining::of(document.features.take()) {
            catalog.features.insert(
                entry.id.value.clone(),
                feature(&entry.id.value, &entry.value),
            );
        }
        for mut entry in Draining::of(document.credit_systems.take()) {
            let system = credit_system(&entry.id.value, &mut entry.value);
            catalog.credit_systems.insert(entry.id.value, system);
        }
    }
    // Plans last: an item's defaults depend on its feature, which any file may declare.
    for parsed in &mut files {
        for mut entry in Draining::of(parsed.document.plans.take()) {
            let plan = plan(&entry.id.value, &mut entry.value, &catalog.features);
            catalog.plans.insert(entry.id.value.clone(), plan);
        }
    }
    catalog
}

/// The entries of a map, taken from its end (the catalog's maps are keyed, so order does not
/// matter), its vector shrunk as it empties so the memory goes back while the catalog grows.
struct Draining<T> {
    entries: Vec<Entry<T>>,
}

impl<T> Draining<T> {
    fn of(map: Option<Spanned<IdMap<T>>>) -> Draining<T> {
        Draining {
            entries: map.map(|map| map.value.entries).unwrap_or_default(),
        }
    }
}

impl<T> Iterator for Draining<T> {
    type Item = Entry<T>;

    fn next(&mut self) -> Option<Entry<T>> {
        let entry = self.entries.pop();
        // Shrinking whenever an eighth is free: a vector shrinks in place (no entry is copied),
        // and the memory goes back to the allocator as the catalog takes it.
        let capacity = self.entries.capacity();
        if capacity > 1024 && self.entries.len() < capacity - capacity / 8 {
            self.entries.shrink_to_fit();
        }
        entry
    }
}

fn feature(id: &str, document: &FeatureDocument) -> Feature {
    let kind = required(document.kind.as_ref()).value;
    let mut event_names: Vec<String> = document
        .event_names
        .iter()
        .flat_map(|names| names.value.iter().map(|name| name.value.clone()))
        .collect();
    event_names.sort();
    event_names.dedup();
    Feature {
        id: id.to_string(),
        name: text_or(document.name.as_ref(), id),
        kind,
        consumable: kind == FeatureType::Metered && flag_or(document.consumable.as_ref(), true),
        display: document
            .display
            .as_ref()
            .map(|display| self::display(&display.value)),
        event_names,
        archived: flag_or(document.archived.as_ref(), false),
        protect: flag_or(document.protect.as_ref(), false),
    }
}

fn credit_system(id: &str, document: &mut CreditSystemDocument) -> CreditSystem {
    // One by one, as a plan's items: a credit system may cost 200,000 features. (Its costs
    // are required: the checks found them.)
    let mut costs = BTreeMap::new();
    for cost in Draining::of(document.costs.take()) {
        let credits = match &cost.value {
            CostDocument::PerUnit(credits) => credits.0,
            CostDocument::Rate(rate) => {
                let credits = required(rate.credits.as_ref()).value.0;
                let per = required(rate.per.as_ref()).value.0;
                exact_div(credits, per).expect("checked: a rate divides exactly")
            }
        };
        costs.insert(cost.id.value, CreditCost::per_unit(credits));
    }
    CreditSystem {
        id: id.to_string(),
        name: text_or(document.name.as_ref(), id),
        display: document
            .display
            .as_ref()
            .map(|display| self::display(&display.value)),
        costs,
        archived: flag_or(document.archived.as_ref(), false),
        protect: flag_or(document.protect.as_ref(), false),
    }
}

fn plan(id: &str, document: &mut PlanDocument, features: &BTreeMap<String, Feature>) -> Plan {
    // One by one, not collected: collecting a map first gathers every item in a vector beside
    // the documents, and a plan may have 200,000 items.
    let mut items = BTreeMap::new();
    for item in Draining::of(document.items.take()) {
        items.insert(
            item.id.value.clone(),
            plan_item(&item.id.value, &item.value, features),
        );
    }
    Plan {
        id: id.to_string(),
        name: text_or(document.name.as_ref(), id),
        description: document.description.as_ref().map(|text| text.value.clone()),
        group: document.group.as_ref().map(|text| text.value.clone()),
        add_on: flag_or(document.add_on.as_ref(), false),
        default: flag_or(document.default.as_ref(), false),
        price: document.price.as_ref().map(|price| BasePrice {
            amount: required(price.value.amount.as_ref()).value.0.normalize(),
            interval: required(price.value.interval.as_ref()).value,
        }),
        free_trial: document.free_trial.as_ref().map(|trial| FreeTrial {
            length: match (&trial.value.days, &trial.value.months) {
                (Some(days), _) => TrialLength::Days(days.value),
                (None, months) => TrialLength::Months(required(months.as_ref()).value),
            },
            card_required: flag_or(trial.value.card_required.as_ref(), true),
            once_per: trial
                .value
                .once_per
                .as_ref()
                .map_or(TrialOncePer::Plan, |once| once.value),
        }),
        items,
        archived: flag_or(document.archived.as_ref(), false),
        protect: flag_or(document.protect.as_ref(), false),
        usage_limits: controls::usage_limits(document),
    }
}

fn plan_item(
    feature_id: &str,
    document: &ItemDocument,
    features: &BTreeMap<String, Feature>,
) -> PlanItem {
    let included = match document.included.as_ref().map(|included| &included.value) {
        None => Included::Units(Decimal::ZERO),
        Some(IncludedDocument::Units(units)) => Included::Units(units.0.normalize()),
        Some(IncludedDocument::Unlimited(_)) => Included::Unlimited,
    };
    let price = document.price.as_ref().map(|price| {
        let price_document = &price.value;
        let billing = required(price_document.billing.as_ref()).value;
        let per = price_document
            .per
            .as_ref()
            .map_or(Decimal::ONE, |per| per.value.0.normalize());
        let rate = match &price_document.amount {
            Some(amount) => Rate::Flat {
                amount: amount.value.0.normalize(),
            },
            None => Rate::Tiered {
                tier_mode: document
                    .tier_mode
                    .as_ref()
                    .map_or(TierMode::Graduated, |mode| mode.value),
                tiers: required(document.tiers.as_ref())
                    .value
                    .iter()
                    .map(|tier| Tier {
                        up_to: match &required(tier.value.up_to.as_ref()).value {
                            UpTo::Units(bound) => TierBound::Units(bound.0.normalize()),
                            UpTo::Infinite(_) => TierBound::Infinite,
                        },
                        amount: required(tier.value.amount.as_ref()).value.0.normalize(),
                    })
                    .collect(),
            },
        };
        let prepaid = (billing == Billing::Prepaid).then(|| {
            let bounds = document.prepaid.as_ref().map(|prepaid| &prepaid.value);
            PrepaidBounds {
                min: bounds
                    .and_then(|bounds| bounds.min.as_ref())
                    .map_or(per, |min| min.value.0.normalize()),
                // Whole billing units: a `max` between two is rounded down (with a warning).
                max: bounds
                    .and_then(|bounds| bounds.max.as_ref())
                    .map(|max| whole_units(max.value.0, per)),
            }
        });
        ItemPrice {
            billing,
            interval: required(price_document.interval.as_ref()).value,
            per,
            rate,
            prepaid,
        }
    });
    // A usage-billed item resets when it is billed, as Autumn assumes when `reset` is missing;
    // except an allocated feature's (seats), which is a level held until released: its usage
    // price bills the units held at each period's end, and nothing resets.
    let allocated = features
        .get(feature_id)
        .is_some_and(|feature| feature.kind == FeatureType::Metered && !feature.consumable);
    let reset = document
        .reset
        .as_ref()
        .map(|reset| reset.value)
        .or_else(|| {
            price
                .as_ref()
                .filter(|price| price.billing == Billing::Usage && !allocated)
                .and_then(|price| price.interval.as_reset_interval())
        });
    PlanItem {
        feature_id: feature_id.to_string(),
        included,
        reset,
        price,
        reset_on_attach: flag_or(document.reset_on_attach.as_ref(), false),
        per_entity: document
            .per_entity
            .as_ref()
            .map(|entity| entity.value.clone()),
        proration: document.proration.as_ref().map(|proration| Proration {
            on_increase: proration
                .value
                .on_increase
                .as_ref()
                .map_or(OnIncrease::ProrateImmediately, |policy| policy.value),
            on_decrease: proration
                .value
                .on_decrease
                .as_ref()
                .map_or(OnDecrease::ProrateImmediately, |policy| policy.value),
        }),
        controls: controls::item_controls(document),
    }
}

/// `value` rounded down to a whole number of `per` units (exactly: no division).
fn whole_units(value: Decimal, per: Decimal) -> Decimal {
    value
        .checked_rem(per)
        .map_or(value, |remainder| value - remainder)
        .normalize()
}

fn display(document: &DisplayDocument) -> Display {
    Display {
        singular: required(document.singular.as_ref()).value.clone(),
        plural: required(document.plural.as_ref()).value.clone(),
    }
}

fn required<T>(value: Option<&Spanned<T>>) -> &Spanned<T> {
    value.expect("checked: required values are present before lowering")
}

fn text_or(value: Option<&Spanned<String>>, default: &str) -> String {
    value.map_or_else(|| default.to_string(), |text| text.value.clone())
}

fn flag_or(value: Option<&Spanned<bool>>, default: bool) -> bool {
    value.map_or(default, |flag| flag.value)
}
