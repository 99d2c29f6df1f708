//! Valid catalogs for the properties, as proptest strategies: [`catalogs`] and
//! [`catalog_and_variant`].
//!
//! The generator builds catalogs obeying every rule of the pricing language, so each one is
//! what lowering could have produced: ids match the id pattern and are unique across features
//! and credit systems; credit costs are positive and only on metered features; plan items are
//! keyed by existing features and credit systems; boolean items carry nothing; a proration
//! policy is only on prepaid items; usage-billed items have a recurring price interval and
//! reset at it, except items of allocated features, which never reset; prepaid prices have bounds that are multiples of `per` with
//! `per <= min <= max`; tiers ascend strictly and end unbounded, volume tiers only on prepaid
//! prices; at most one non-archived default plan per group; amounts are never negative and
//! `per` is positive; every decimal is normalized.
//!
//! Names, descriptions and event names are drawn from a pool that includes quotes,
//! backslashes, control characters and non-ASCII text, to exercise writers and renderers.
//!
//! Every decision the generator makes reads the next number of a *choice sequence* that
//! proptest generates (a `Vec<u64>`), and a sequence that runs out reads zeros. proptest
//! shrinks a failing case by dropping choices and making them smaller, and a choice of 0 is
//! always the simplest one (no more objects, the first of a list), so a failure shrinks to a
//! small catalog. (The generator was a seeded xorshift in the library before; it lives here
//! so no test code ships in the binary.)

use std::collections::{BTreeMap, BTreeSet};

use pricectl::catalog::{
    BasePrice, Billing, Catalog, CreditCost, CreditSystem, Display, Feature, FeatureType,
    FreeTrial, Included, ItemPrice, OnDecrease, OnIncrease, Plan, PlanItem, PrepaidBounds,
    PriceInterval, Proration, Rate, ResetInterval, Tier, TierBound, TierMode, TrialLength,
    TrialOncePer,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rust_decimal::Decimal;

/// The longest choice sequence: enough for the largest catalogs the generator makes.
const CHOICES: usize = 600;

/// A valid catalog.
pub fn catalogs() -> impl Strategy<Value = Catalog> {
    proptest::collection::vec(any::<u64>(), 0..CHOICES)
        .prop_map(|choices| RandomCatalogs::new(choices).catalog())
}

/// A valid catalog and a valid variant of it: one to four objects added, removed or changed.
pub fn catalog_and_variant() -> impl Strategy<Value = (Catalog, Catalog)> {
    (
        proptest::collection::vec(any::<u64>(), 0..CHOICES),
        proptest::collection::vec(any::<u64>(), 0..CHOICES / 2),
    )
        .prop_map(|(choices, changes)| {
            let catalog = RandomCatalogs::new(choices).catalog();
            let variant = RandomCatalogs::new(changes).mutate(&catalog);
            (catalog, variant)
        })
}

/// Catalogs made by reading a choice sequence: equal sequences give equal catalogs.
#[derive(Debug, Clone)]
pub struct RandomCatalogs {
    choices: std::vec::IntoIter<u64>,
    /// Suffix for fresh ids, so added objects never collide with removed ones.
    next_id: u64,
}

const CURRENCIES: &[&str] = &["USD", "USD", "EUR", "GBP", "JPY", "KWD", "CHF"];

const ID_WORDS: &[&str] = &[
    "tokens",
    "seats",
    "api-requests",
    "messages",
    "sso",
    "storage_gb",
    "credits",
    "images",
    "minutes",
    "9to5",
    "x",
    "o1-input-tokens",
    "support",
];

const PLAN_WORDS: &[&str] = &[
    "free",
    "pro",
    "team",
    "enterprise",
    "credit-top-up",
    "starter_v2",
    "0-legacy",
];

const TEXTS: &[&str] = &[
    "Pro",
    "AI messages",
    "Tokens \"GPT-4\"",
    "C:\\billing\\path",
    "line one\nline two",
    "tab\there",
    "Ünïcödé — 日本語 🚀",
    "bell\u{7} and delete\u{7f}",
    "next line\u{85}",
    "",
    "  spaced  ",
    "# not a comment",
    "'single quotes'",
    "key = value",
    "[brackets] and {braces}",
    "trailing backslash \\",
    "carriage\r\nreturn",
];

const EVENT_NAMES: &[&str] = &[
    "ai_message",
    "api_request",
    "image.generated",
    "tokens \"used\"",
    "üsage",
    "slash\\event",
    "",
];

const GROUPS: &[&str] = &["main", "api", "addons", "Main Group \"A\""];

/// `one_off` first: usage-billed prices pick from the rest.
const PRICE_INTERVALS: &[PriceInterval] = &[
    PriceInterval::OneOff,
    PriceInterval::Week,
    PriceInterval::Month,
    PriceInterval::Month,
    PriceInterval::Quarter,
    PriceInterval::SemiAnnual,
    PriceInterval::Year,
];

const RESET_INTERVALS: &[ResetInterval] = &[
    ResetInterval::Minute,
    ResetInterval::Hour,
    ResetInterval::Day,
    ResetInterval::Week,
    ResetInterval::Month,
    ResetInterval::Month,
    ResetInterval::Quarter,
    ResetInterval::SemiAnnual,
    ResetInterval::Year,
];

impl RandomCatalogs {
    pub fn new(choices: Vec<u64>) -> Self {
        Self {
            choices: choices.into_iter(),
            next_id: 0,
        }
    }

    /// A new valid catalog: a few features, credit systems and plans.
    pub fn catalog(&mut self) -> Catalog {
        let mut catalog = Catalog {
            currency: (*self.pick(CURRENCIES)).to_string(),
            features: BTreeMap::new(),
            credit_systems: BTreeMap::new(),
            plans: BTreeMap::new(),
        };
        for _ in 0..self.below(7) {
            self.add_feature(&mut catalog);
        }
        for _ in 0..self.below(3) {
            self.add_credit_system(&mut catalog);
        }
        for _ in 0..self.below(6) {
            self.add_plan(&mut catalog);
        }
        make_valid(&mut catalog);
        catalog
    }

    /// A random valid variant of `catalog`: one to four changes, each adding, removing or
    /// changing a feature, credit system, plan or plan item. What a removal or change leaves
    /// dangling (costs and items of a removed feature, items of a feature turned boolean, a
    /// second default in a group) is repaired, so the result is valid again.
    pub fn mutate(&mut self, catalog: &Catalog) -> Catalog {
        let mut next = catalog.clone();
        for _ in 0..=self.below(4) {
            match self.below(11) {
                0 => self.add_feature(&mut next),
                1 => self.add_credit_system(&mut next),
                2 => self.add_plan(&mut next),
                3 => self.remove(|catalog| &mut catalog.features, &mut next),
                4 => self.remove(|catalog| &mut catalog.credit_systems, &mut next),
                5 => self.remove(|catalog| &mut catalog.plans, &mut next),
                6 => self.change_feature(&mut next),
                7 => self.change_credit_system(&mut next),
                8 => self.change_item(&mut next),
                _ => self.change_plan(&mut next),
            }
        }
        if self.percent(3) {
            next.currency = (*self.pick(CURRENCIES)).to_string();
        }
        make_valid(&mut next);
        next
    }

    // ------------------------------------------------------------------ choices

    /// The next choice; 0 once the sequence is used up.
    fn next_u64(&mut self) -> u64 {
        self.choices.next().unwrap_or(0)
    }

    /// A number in `0..bound` (`bound > 0`).
    fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// True `chance` times in 100; false for a choice of 0, so that shrinking turns options
    /// off.
    fn percent(&mut self, chance: u64) -> bool {
        self.below(100) + chance >= 100
    }

    fn index(&mut self, len: usize) -> usize {
        let bound = u64::try_from(len).expect("a small collection");
        usize::try_from(self.below(bound)).expect("below a usize length")
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    fn text(&mut self) -> String {
        (*self.pick(TEXTS)).to_string()
    }

    /// `value / 10^scale`, normalized.
    fn scaled(value: u64, scale: u32) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(value), scale).normalize()
    }

    /// A quantity: zero, small, round, fractional, or beyond 64 bits.
    fn quantity(&mut self) -> Decimal {
        match self.below(8) {
            0 => Decimal::ZERO,
            1 | 2 => Decimal::from(self.below(1_000)),
            3 => Decimal::from(10_u64.pow(u32::try_from(self.below(10)).expect("small"))),
            4 => Self::scaled(self.below(100_000), 1 + self.upto(3)),
            5 => Decimal::from_i128_with_scale(
                i128::from(self.next_u64()) * 1_000 + i128::from(self.below(1_000)),
                0,
            ),
            _ => Decimal::from(self.below(100_000_000)),
        }
    }

    /// `0..=max` as a `u32`.
    fn upto(&mut self, max: u32) -> u32 {
        u32::try_from(self.below(u64::from(max) + 1)).expect("small")
    }

    /// Money, never negative: whole, cents, sub-cent, or large.
    fn money(&mut self) -> Decimal {
        match self.below(6) {
            0 => Decimal::ZERO,
            1 | 2 => Decimal::from(self.below(1_000)),
            3 => Self::scaled(self.below(100_000), 2),
            4 => Self::scaled(self.below(1_000_000), 1 + self.upto(7)),
            _ => Self::scaled(self.next_u64() % 10_u64.pow(15), self.upto(4)),
        }
    }

    /// A positive billing unit.
    fn per(&mut self) -> Decimal {
        match self.below(8) {
            0..=3 => Decimal::ONE,
            4 => Decimal::from(1_000),
            5 => Decimal::from(1_000_000),
            6 => Self::scaled(1 + self.below(50), 1),
            _ => Decimal::from(1 + self.below(500)),
        }
    }

    /// Credits per unit, positive: token-like tiny costs, whole credits, and odd precisions.
    fn credit_cost(&mut self) -> Decimal {
        let known = [
            "0.0015", "2", "0.000375", "1.5", "1", "5", "0.01875", "0.125",
        ];
        match self.below(4) {
            0 => known[self.index(known.len())]
                .parse()
                .expect("valid decimals"),
            1 => Decimal::from(1 + self.below(100)),
            2 => Self::scaled(1 + self.below(10_000), self.upto(8)),
            _ => Self::scaled(1 + self.below(1_000_000_000), self.upto(28)),
        }
    }

    /// A fresh id: a word, or the word with a suffix when it is taken.
    fn fresh_id(&mut self, words: &[&str], taken: &BTreeSet<String>) -> String {
        let word = *self.pick(words);
        if !taken.contains(word) && self.percent(70) {
            return word.to_string();
        }
        loop {
            self.next_id += 1;
            let separator = if self.percent(50) { "-" } else { "_" };
            let id = format!("{word}{separator}{}", self.next_id);
            if !taken.contains(&id) {
                return id;
            }
        }
    }

    // ------------------------------------------------------------------ objects

    fn add_feature(&mut self, catalog: &mut Catalog) {
        let id = self.fresh_id(ID_WORDS, &namespace(catalog));
        let feature = self.feature(&id);
        catalog.features.insert(id, feature);
    }

    fn add_credit_system(&mut self, catalog: &mut Catalog) {
        let id = self.fresh_id(ID_WORDS, &namespace(catalog));
        let system = self.credit_system(&id, catalog);
        catalog.credit_systems.insert(id, system);
    }

    fn add_plan(&mut self, catalog: &mut Catalog) {
        let taken: BTreeSet<String> = catalog.plans.keys().cloned().collect();
        let id = self.fresh_id(PLAN_WORDS, &taken);
        let plan = self.plan(&id, catalog);
        catalog.plans.insert(id, plan);
    }

    fn remove<T>(
        &mut self,
        map: impl FnOnce(&mut Catalog) -> &mut BTreeMap<String, T>,
        catalog: &mut Catalog,
    ) {
        let map = map(catalog);
        if map.is_empty() {
            return;
        }
        let index = self.index(map.len());
        let id = map
            .keys()
            .nth(index)
            .cloned()
            .expect("index within the map");
        map.remove(&id);
    }

    fn name(&mut self, id: &str) -> String {
        if self.percent(40) {
            id.to_string()
        } else {
            self.text()
        }
    }

    fn display(&mut self) -> Option<Display> {
        self.percent(50).then(|| Display {
            singular: self.text(),
            plural: self.text(),
        })
    }

    fn feature(&mut self, id: &str) -> Feature {
        let kind = if self.percent(75) {
            FeatureType::Metered
        } else {
            FeatureType::Boolean
        };
        let mut event_names: Vec<String> = (0..self.below(4))
            .map(|_| (*self.pick(EVENT_NAMES)).to_string())
            .collect();
        event_names.sort();
        event_names.dedup();
        Feature {
            id: id.to_string(),
            name: self.name(id),
            kind,
            consumable: kind == FeatureType::Metered && self.percent(80),
            display: self.display(),
            event_names,
            archived: self.percent(10),
            protect: self.percent(10),
        }
    }

    fn costs(&mut self, catalog: &Catalog) -> BTreeMap<String, CreditCost> {
        let metered: Vec<String> = catalog
            .features
            .values()
            .filter(|feature| feature.kind == FeatureType::Metered)
            .map(|feature| feature.id.clone())
            .collect();
        let mut costs = BTreeMap::new();
        for id in metered {
            if self.percent(60) {
                costs.insert(id, CreditCost::per_unit(self.credit_cost()));
            }
        }
        costs
    }

    fn credit_system(&mut self, id: &str, catalog: &Catalog) -> CreditSystem {
        CreditSystem {
            id: id.to_string(),
            name: self.name(id),
            display: self.display(),
            costs: self.costs(catalog),
            archived: self.percent(10),
            protect: self.percent(10),
        }
    }

    fn base_price(&mut self) -> Option<BasePrice> {
        self.percent(60).then(|| BasePrice {
            amount: self.money(),
            interval: *self.pick(PRICE_INTERVALS),
        })
    }

    fn free_trial(&mut self) -> Option<FreeTrial> {
        self.percent(25).then(|| FreeTrial {
            length: if self.percent(70) {
                TrialLength::Days(1 + self.upto(59))
            } else {
                TrialLength::Months(1 + self.upto(11))
            },
            card_required: self.percent(70),
            once_per: if self.percent(20) {
                TrialOncePer::Customer
            } else {
                TrialOncePer::Plan
            },
        })
    }

    fn plan(&mut self, id: &str, catalog: &Catalog) -> Plan {
        let name = self.name(id);
        let description = self.percent(40).then(|| self.text());
        let group = self.percent(50).then(|| (*self.pick(GROUPS)).to_string());
        let mut items = BTreeMap::new();
        let allocated: Vec<&String> = catalog
            .features
            .values()
            .filter(|feature| feature.kind == FeatureType::Metered && !feature.consumable)
            .map(|feature| &feature.id)
            .collect();
        for (key, boolean) in grantable(catalog) {
            if self.percent(40) {
                let mut item = self.item(&key, boolean);
                if !boolean && !allocated.is_empty() && self.percent(20) {
                    item.per_entity = Some((*self.pick(&allocated)).clone());
                }
                items.insert(key, item);
            }
        }
        Plan {
            id: id.to_string(),
            name,
            description,
            group,
            add_on: self.percent(20),
            default: self.percent(30),
            price: self.base_price(),
            free_trial: self.free_trial(),
            items,
            archived: self.percent(10),
            protect: self.percent(10),
            usage_limits: BTreeMap::new(),
        }
    }

    fn item(&mut self, key: &str, boolean: bool) -> PlanItem {
        let mut item = PlanItem::granting(key);
        if boolean {
            return item;
        }
        item.reset_on_attach = self.percent(15);
        if self.percent(15) {
            item.proration = Some(Proration {
                on_increase: *self.pick(&[
                    OnIncrease::ProrateImmediately,
                    OnIncrease::BillImmediately,
                    OnIncrease::ProrateNextCycle,
                    OnIncrease::BillNextCycle,
                ]),
                on_decrease: *self.pick(&[
                    OnDecrease::ProrateImmediately,
                    OnDecrease::ProrateNextCycle,
                    OnDecrease::None,
                ]),
            });
        }
        match self.below(3) {
            0 => {
                item.included = if self.percent(20) {
                    Included::Unlimited
                } else {
                    Included::Units(self.quantity())
                };
                item.reset = self.reset();
            }
            1 => {
                // Usage is billed in arrears every period: never `one_off`.
                let interval = *self.pick(&PRICE_INTERVALS[1..]);
                item.included = Included::Units(self.quantity());
                item.reset = interval.as_reset_interval();
                item.price = Some(ItemPrice {
                    billing: Billing::Usage,
                    interval,
                    per: self.per(),
                    rate: self.rate(false),
                    prepaid: None,
                });
            }
            _ => {
                let per = self.per();
                let min = per * Decimal::from(1 + self.below(5));
                let max = self
                    .percent(60)
                    .then(|| (min + per * Decimal::from(self.below(1_000))).normalize());
                item.included = Included::Units(self.quantity());
                item.reset = self.reset();
                item.price = Some(ItemPrice {
                    billing: Billing::Prepaid,
                    interval: *self.pick(PRICE_INTERVALS),
                    per,
                    rate: self.rate(true),
                    prepaid: Some(PrepaidBounds {
                        min: min.normalize(),
                        max,
                    }),
                });
            }
        }
        item
    }

    fn reset(&mut self) -> Option<ResetInterval> {
        self.percent(50).then(|| *self.pick(RESET_INTERVALS))
    }

    fn rate(&mut self, prepaid: bool) -> Rate {
        if self.percent(60) {
            return Rate::Flat {
                amount: self.money(),
            };
        }
        let tier_mode = if prepaid && self.percent(50) {
            TierMode::Volume
        } else {
            TierMode::Graduated
        };
        let mut tiers = Vec::new();
        let mut bound = Decimal::ZERO;
        for _ in 0..self.below(4) {
            let step = match self.below(3) {
                0 => Decimal::from(1 + self.below(1_000)),
                1 => Decimal::from(10_u64.pow(1 + self.upto(6))),
                _ => Self::scaled(1 + self.below(1_000), 1 + self.upto(2)),
            };
            bound = (bound + step).normalize();
            tiers.push(Tier {
                up_to: TierBound::Units(bound),
                amount: self.money(),
            });
        }
        tiers.push(Tier {
            up_to: TierBound::Infinite,
            amount: self.money(),
        });
        Rate::Tiered { tier_mode, tiers }
    }

    // ------------------------------------------------------------------ changes

    fn change_feature(&mut self, catalog: &mut Catalog) {
        if catalog.features.is_empty() {
            return;
        }
        let index = self.index(catalog.features.len());
        let id = catalog
            .features
            .keys()
            .nth(index)
            .cloned()
            .expect("in range");
        let fresh = self.feature(&id);
        let feature = catalog.features.get_mut(&id).expect("just picked");
        match self.below(6) {
            0 => feature.name = fresh.name,
            1 => feature.display = fresh.display,
            2 => feature.event_names = fresh.event_names,
            3 => feature.archived = !feature.archived,
            4 => feature.protect = !feature.protect,
            _ => *feature = fresh, // may change its type: make_valid repairs what refers to it
        }
    }

    fn change_credit_system(&mut self, catalog: &mut Catalog) {
        if catalog.credit_systems.is_empty() {
            return;
        }
        let index = self.index(catalog.credit_systems.len());
        let id = catalog
            .credit_systems
            .keys()
            .nth(index)
            .cloned()
            .expect("in range");
        let fresh = self.credit_system(&id, catalog);
        let system = catalog.credit_systems.get_mut(&id).expect("just picked");
        match self.below(5) {
            0 => system.name = fresh.name,
            1 => system.display = fresh.display,
            2 => system.archived = !system.archived,
            3 => system.protect = !system.protect,
            _ => system.costs = fresh.costs,
        }
    }

    fn change_plan(&mut self, catalog: &mut Catalog) {
        if catalog.plans.is_empty() {
            return;
        }
        let index = self.index(catalog.plans.len());
        let id = catalog.plans.keys().nth(index).cloned().expect("in range");
        let fresh = self.plan(&id, catalog);
        let plan = catalog.plans.get_mut(&id).expect("just picked");
        match self.below(9) {
            0 => plan.name = fresh.name,
            1 => plan.description = fresh.description,
            2 => plan.group = fresh.group,
            3 => plan.price = fresh.price,
            4 => plan.free_trial = fresh.free_trial,
            5 => plan.add_on = !plan.add_on,
            6 => plan.default = !plan.default,
            7 => plan.archived = !plan.archived,
            _ => *plan = fresh,
        }
    }

    /// Adds, replaces or removes one item of a plan.
    fn change_item(&mut self, catalog: &mut Catalog) {
        if catalog.plans.is_empty() {
            return;
        }
        let index = self.index(catalog.plans.len());
        let id = catalog.plans.keys().nth(index).cloned().expect("in range");
        let grantable = grantable(catalog);
        let plan = catalog.plans.get_mut(&id).expect("just picked");
        if !plan.items.is_empty() && self.percent(30) {
            let index = self.index(plan.items.len());
            let key = plan.items.keys().nth(index).cloned().expect("in range");
            plan.items.remove(&key);
            return;
        }
        if grantable.is_empty() {
            return;
        }
        let (key, boolean) = grantable[self.index(grantable.len())].clone();
        let item = self.item(&key, boolean);
        plan.items.insert(key, item);
    }
}

/// Feature and credit system ids: one namespace.
fn namespace(catalog: &Catalog) -> BTreeSet<String> {
    catalog
        .features
        .keys()
        .chain(catalog.credit_systems.keys())
        .cloned()
        .collect()
}

/// What a plan item may be keyed by, with whether it is a boolean feature.
fn grantable(catalog: &Catalog) -> Vec<(String, bool)> {
    catalog
        .features
        .values()
        .map(|feature| (feature.id.clone(), feature.kind == FeatureType::Boolean))
        .chain(catalog.credit_systems.keys().map(|id| (id.clone(), false)))
        .collect()
}

/// Repairs what a change may have broken: costs of features that are gone or no longer
/// metered, items of what is gone, items of features turned boolean, and extra defaults.
fn make_valid(catalog: &mut Catalog) {
    let metered: BTreeSet<String> = catalog
        .features
        .values()
        .filter(|feature| feature.kind == FeatureType::Metered)
        .map(|feature| feature.id.clone())
        .collect();
    let boolean: BTreeSet<String> = catalog
        .features
        .values()
        .filter(|feature| feature.kind == FeatureType::Boolean)
        .map(|feature| feature.id.clone())
        .collect();
    for feature in catalog.features.values_mut() {
        feature.consumable &= feature.kind == FeatureType::Metered;
    }
    let allocated: BTreeSet<String> = catalog
        .features
        .values()
        .filter(|feature| feature.kind == FeatureType::Metered && !feature.consumable)
        .map(|feature| feature.id.clone())
        .collect();
    for system in catalog.credit_systems.values_mut() {
        system.costs.retain(|id, _| metered.contains(id));
    }
    let systems: BTreeSet<String> = catalog.credit_systems.keys().cloned().collect();
    let mut defaults: BTreeSet<Option<String>> = BTreeSet::new();
    for plan in catalog.plans.values_mut() {
        plan.items
            .retain(|id, _| metered.contains(id) || boolean.contains(id) || systems.contains(id));
        for (id, item) in &mut plan.items {
            if boolean.contains(id) {
                item.included = Included::Units(Decimal::ZERO);
                item.reset = None;
                item.price = None;
            }
            // An allocated feature's units are a level held until released: never reset.
            if allocated.contains(id) {
                item.reset = None;
            } else if let Some(price) = item
                .price
                .as_ref()
                .filter(|price| price.billing == Billing::Usage)
            {
                // A consumable's usage resets when it is billed.
                item.reset = price.interval.as_reset_interval();
            }
            // Entities are units of another allocated feature.
            if boolean.contains(id)
                || item
                    .per_entity
                    .as_ref()
                    .is_some_and(|entity| entity == id || !allocated.contains(entity))
            {
                item.per_entity = None;
            }
            if boolean.contains(id) {
                item.reset_on_attach = false;
                item.proration = None;
            }
            // A proration policy needs a prepaid price to apply to
            // (`pricectl::proration_unpriced`, `pricectl::proration_not_prepaid`).
            if item
                .price
                .as_ref()
                .is_none_or(|price| price.billing != Billing::Prepaid)
            {
                item.proration = None;
            }
        }
        if plan.default && !plan.archived && !defaults.insert(plan.group.clone()) {
            plan.default = false;
        }
    }
}

/// The catalogs proptest's deterministic runner draws: the same on every machine and run.
pub fn drawn(count: usize) -> Vec<(Catalog, Catalog)> {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = catalog_and_variant();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

#[test]
fn equal_choices_give_equal_catalogs() {
    let choices: Vec<u64> = (0..200).map(|index| index * 7_919).collect();
    let first = RandomCatalogs::new(choices.clone()).catalog();
    assert_eq!(first, RandomCatalogs::new(choices.clone()).catalog());
    assert_eq!(
        RandomCatalogs::new(choices.clone()).mutate(&first),
        RandomCatalogs::new(choices).mutate(&first)
    );
    // No choices at all: the simplest catalog, and a valid one.
    let empty = RandomCatalogs::new(Vec::new()).catalog();
    assert!(empty.features.is_empty() && empty.plans.is_empty());
}

#[test]
fn variants_usually_change_something() {
    let pairs = drawn(100);
    let changed = pairs.iter().filter(|(a, b)| a != b).count();
    assert!(
        changed > 60,
        "only {changed} of 100 variants changed the catalog"
    );
}

#[test]
fn catalogs_are_varied() {
    let catalogs: Vec<Catalog> = drawn(200).into_iter().map(|(catalog, _)| catalog).collect();
    let plans: usize = catalogs.iter().map(|catalog| catalog.plans.len()).sum();
    let items: usize = catalogs
        .iter()
        .flat_map(|catalog| catalog.plans.values())
        .map(|plan| plan.items.len())
        .sum();
    let costs: usize = catalogs
        .iter()
        .flat_map(|catalog| catalog.credit_systems.values())
        .map(|system| system.costs.len())
        .sum();
    assert!(
        plans > 200 && items > 200 && costs > 50,
        "{plans} {items} {costs}"
    );
}
