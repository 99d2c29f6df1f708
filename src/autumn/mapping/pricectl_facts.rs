//! What a plan says that Autumn's plan shape has no field for, kept in the plan's `metadata`
//! under one key, `pricectl`: protection, a prepaid item's smallest purchase, whether an
//! item's usage resets when the plan is attached, a trial given once per customer, a spend
//! limit's money form (Autumn's `overage_limit` counts units: [`super::billing_controls`])
//! and the expiry of a recurring prepaid item's purchases (Autumn's item `expiry` is for
//! one-off prepaid items). Every other billing control has Autumn's own field.
//!
//! Autumn's plan `metadata` is "arbitrary key-value metadata defined by you, shared across all
//! versions of the plan" (its `CreatePlanParamsV1Schema`), so a plan written by pricectl and
//! read back through Autumn's API (the Autumn backend, or `pricectl serve`) is the same
//! catalog plan. Only facts that differ from what Autumn's own fields imply are written, so a
//! plain plan has no `pricectl` key at all.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::billing_controls::{expires_natively, spend_limit_from_units, spend_limit_units};
use super::from_wire::MappingError;
use crate::catalog::{self, Choice, Duration, SpendLimit, TrialOncePer};

/// A catalog value in its JSON form (decimals as strings).
fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A catalog value read from its JSON form; an error at `path` says it is not `what`.
fn catalog_value<T: serde::de::DeserializeOwned>(
    value: &Value,
    path: String,
    what: &str,
) -> Result<T, MappingError> {
    serde_json::from_value(value.clone()).map_err(|problem| MappingError {
        path,
        message: format!("{what}: {problem}"),
    })
}

/// The metadata key pricectl's facts live under.
pub const METADATA_KEY: &str = "pricectl";

/// pricectl's facts about one plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFacts {
    pub protect: bool,
    pub trial_once_per: TrialOncePer,
    /// Item (feature id) → its facts; only items with one to say.
    pub items: BTreeMap<String, ItemFacts>,
    /// The plan's usage limits as an earlier pricectl kept them, in the metadata only
    /// (`usage_limits`, before controls were mapped to Autumn's own fields): read, never
    /// written (see [`PlanFacts::lay_earlier_controls`]).
    pub earlier_usage_limits: BTreeMap<String, catalog::UsageLimit>,
}

/// pricectl's facts about one item of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFacts {
    /// The smallest prepaid purchase, when it is not one billing unit (Autumn's implied
    /// minimum).
    pub prepaid_min: Option<Decimal>,
    pub reset_on_attach: bool,
    /// The spend limit as the language says it, when Autumn's units do not say it alone (a
    /// percent of the base price, a cap between what two whole units cost, or a price with no
    /// unit form).
    pub spend_limit: Option<SpendLimit>,
    /// How long a purchase lasts, when Autumn's item `expiry` cannot say it (a recurring
    /// prepaid price).
    pub expires_after: Option<Duration>,
    /// The item's billing controls as an earlier pricectl kept them, whole, in the metadata
    /// (`controls`): read, never written (see [`PlanFacts::lay_earlier_controls`]).
    pub earlier_controls: Option<catalog::ItemControls>,
}

impl PlanFacts {
    /// What `plan` says beyond Autumn's fields.
    pub fn of(plan: &catalog::Plan) -> PlanFacts {
        let items = plan
            .items
            .values()
            .filter_map(|item| {
                let prepaid_min = item.price.as_ref().and_then(|price| {
                    price
                        .prepaid
                        .map(|bounds| bounds.min)
                        .filter(|min| *min != price.per)
                });
                // Kept only when Autumn's units, read back, say something else.
                let spend_limit = item.controls.spend_limit.filter(|limit| {
                    spend_limit_units(*limit, item, plan).is_none_or(|units| {
                        spend_limit_from_units(units, None, item, plan) != Some(*limit)
                    })
                });
                let facts = ItemFacts {
                    prepaid_min,
                    reset_on_attach: item.reset_on_attach,
                    spend_limit,
                    expires_after: item
                        .controls
                        .expires_after
                        .filter(|_| !expires_natively(item)),
                    earlier_controls: None,
                };
                (facts != ItemFacts::default()).then(|| (item.feature_id.clone(), facts))
            })
            .collect();
        PlanFacts {
            protect: plan.protect,
            trial_once_per: plan
                .free_trial
                .map_or_else(TrialOncePer::default, |trial| trial.once_per),
            items,
            earlier_usage_limits: BTreeMap::new(),
        }
    }

    /// Each item's spend limit as the facts say it: the form Autumn's units are read in.
    pub(super) fn spend_limit_hints(&self) -> BTreeMap<String, SpendLimit> {
        self.items
            .iter()
            .filter_map(|(id, facts)| facts.spend_limit.map(|limit| (id.clone(), limit)))
            .collect()
    }

    /// The facts as the value of `metadata.pricectl`; `None` when there are none to keep.
    pub fn to_metadata(&self) -> Option<Value> {
        if *self == PlanFacts::default() {
            return None;
        }
        let mut object = Map::new();
        if self.protect {
            object.insert("protect".into(), Value::Bool(true));
        }
        if !self.trial_once_per.is_plan() {
            object.insert(
                "trial_once_per".into(),
                Value::String(self.trial_once_per.as_str().into()),
            );
        }
        if !self.items.is_empty() {
            let items = self
                .items
                .iter()
                .map(|(id, facts)| {
                    let mut item = Map::new();
                    if let Some(min) = facts.prepaid_min {
                        item.insert("prepaid_min".into(), Value::String(min.to_string()));
                    }
                    if facts.reset_on_attach {
                        item.insert("reset_on_attach".into(), Value::Bool(true));
                    }
                    if let Some(limit) = facts.spend_limit {
                        item.insert("spend_limit".into(), json(&limit));
                    }
                    if let Some(duration) = facts.expires_after {
                        item.insert("expires_after".into(), json(&duration));
                    }
                    (id.clone(), Value::Object(item))
                })
                .collect();
            object.insert("items".into(), Value::Object(items));
        }
        Some(Value::Object(object))
    }

    /// Reads `metadata.pricectl` (at `path`, for errors); `None` when the key is absent.
    pub fn from_metadata(
        metadata: &Map<String, Value>,
        path: &str,
    ) -> Result<Option<PlanFacts>, MappingError> {
        let Some(value) = metadata.get(METADATA_KEY) else {
            return Ok(None);
        };
        let here = |field: &str| {
            if path.is_empty() {
                format!("metadata.{METADATA_KEY}{field}")
            } else {
                format!("{path}.metadata.{METADATA_KEY}{field}")
            }
        };
        let error = |field: &str, message: &str| MappingError {
            path: here(field),
            message: message.to_string(),
        };
        let Value::Object(object) = value else {
            return Err(error("", "pricectl's facts are an object"));
        };
        let mut facts = PlanFacts::default();
        for (key, value) in object {
            match (key.as_str(), value) {
                ("protect", Value::Bool(protect)) => facts.protect = *protect,
                ("trial_once_per", Value::String(word)) => {
                    facts.trial_once_per = TrialOncePer::CHOICES
                        .iter()
                        .find(|(name, _)| name == word)
                        .map(|(_, value)| *value)
                        .ok_or_else(|| error(".trial_once_per", "`plan` or `customer`"))?;
                }
                ("items", Value::Object(items)) => {
                    for (id, item) in items {
                        let field = format!(".items.{id}");
                        let Value::Object(item) = item else {
                            return Err(error(&field, "an item's facts are an object"));
                        };
                        let mut read = ItemFacts::default();
                        for (key, value) in item {
                            match (key.as_str(), value) {
                                ("prepaid_min", Value::String(text)) => {
                                    read.prepaid_min =
                                        Some(Decimal::from_str_exact(text).map_err(|_| {
                                            error(
                                                &format!("{field}.prepaid_min"),
                                                "an exact decimal, as a string",
                                            )
                                        })?);
                                }
                                ("reset_on_attach", Value::Bool(reset)) => {
                                    read.reset_on_attach = *reset;
                                }
                                ("spend_limit", limit) => {
                                    read.spend_limit = Some(catalog_value(
                                        limit,
                                        here(&format!("{field}.spend_limit")),
                                        "a spend limit",
                                    )?);
                                }
                                ("expires_after", duration) => {
                                    read.expires_after = Some(catalog_value(
                                        duration,
                                        here(&format!("{field}.expires_after")),
                                        "a duration",
                                    )?);
                                }
                                // Written by pricectl before billing controls were mapped to
                                // Autumn's own fields.
                                ("controls", controls) => {
                                    read.earlier_controls = Some(catalog_value(
                                        controls,
                                        here(&format!("{field}.controls")),
                                        "an item's billing controls",
                                    )?);
                                }
                                _ => {
                                    return Err(error(
                                        &format!("{field}.{key}"),
                                        "not a fact pricectl keeps about an item",
                                    ));
                                }
                            }
                        }
                        facts.items.insert(id.clone(), read);
                    }
                }
                // Written by pricectl before billing controls were mapped to Autumn's own
                // fields.
                ("usage_limits", limits) => {
                    facts.earlier_usage_limits =
                        catalog_value(limits, here(".usage_limits"), "a plan's usage limits")?;
                }
                _ => {
                    return Err(error(
                        &format!(".{key}"),
                        "not a fact pricectl keeps about a plan",
                    ));
                }
            }
        }
        Ok(Some(facts))
    }

    /// Lays the billing controls an earlier pricectl kept whole in the metadata (before they
    /// were mapped to Autumn's own fields) over a plan a client sent: each fills what the body
    /// leaves unsaid (a lane of `billing_controls` left out, `lanes_given` says which; an
    /// item's rollover or purchase expiry absent), so a body in the earlier form means what it
    /// meant then. Autumn's own fields, when given, win.
    pub fn lay_earlier_controls(&self, plan: &mut catalog::Plan, lanes_given: &GivenLanes) {
        if !lanes_given.usage_limits {
            for (key, limit) in &self.earlier_usage_limits {
                plan.usage_limits.entry(key.clone()).or_insert(*limit);
            }
        }
        for item in plan.items.values_mut() {
            let Some(earlier) = self
                .items
                .get(&item.feature_id)
                .and_then(|facts| facts.earlier_controls.as_ref())
            else {
                continue;
            };
            let controls = &mut item.controls;
            if !lanes_given.auto_topups && controls.auto_top_up.is_none() {
                controls.auto_top_up = earlier.auto_top_up;
            }
            if !lanes_given.spend_limits && controls.spend_limit.is_none() {
                controls.spend_limit = earlier.spend_limit;
            }
            if !lanes_given.usage_alerts && controls.alerts.is_empty() {
                controls.alerts.clone_from(&earlier.alerts);
            }
            if controls.rollover.is_none() {
                controls.rollover = earlier.rollover;
            }
            if controls.expires_after.is_none() {
                controls.expires_after = earlier.expires_after;
            }
        }
    }

    /// Lays the facts over a plan read from Autumn's fields (its spend limits are read with
    /// [`PlanFacts::spend_limit_hints`]).
    pub fn apply_to(&self, plan: &mut catalog::Plan) {
        plan.protect = self.protect;
        if let Some(trial) = &mut plan.free_trial {
            trial.once_per = self.trial_once_per;
        }
        for item in plan.items.values_mut() {
            let facts = self
                .items
                .get(&item.feature_id)
                .cloned()
                .unwrap_or_default();
            item.reset_on_attach = facts.reset_on_attach;
            if !expires_natively(item) {
                item.controls.expires_after = facts.expires_after;
            }
            if let Some(price) = item.price.as_mut() {
                let per = price.per;
                if let Some(bounds) = price.prepaid.as_mut() {
                    bounds.min = facts.prepaid_min.unwrap_or(per);
                }
            }
        }
    }
}

/// Which lanes of `billing_controls` a body gives (a lane given, even empty, says the plan's
/// whole set of that control).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GivenLanes {
    pub auto_topups: bool,
    pub spend_limits: bool,
    pub usage_limits: bool,
    pub usage_alerts: bool,
}

impl GivenLanes {
    /// The lanes `controls` gives.
    pub fn of(controls: Option<&crate::autumn::wire::billing_controls::BillingControls>) -> Self {
        controls.map_or_else(GivenLanes::default, |controls| GivenLanes {
            auto_topups: controls.auto_topups.is_some(),
            spend_limits: controls.spend_limits.is_some(),
            usage_limits: controls.usage_limits.is_some(),
            usage_alerts: controls.usage_alerts.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Billing, ItemPrice, PlanItem, PrepaidBounds, PriceInterval, Rate};

    fn plan_with_prepaid(min: Decimal) -> catalog::Plan {
        let mut item = PlanItem::granting("credits");
        item.price = Some(ItemPrice {
            billing: Billing::Prepaid,
            interval: PriceInterval::OneOff,
            per: Decimal::ONE,
            rate: Rate::Flat {
                amount: Decimal::new(1, 2),
            },
            prepaid: Some(PrepaidBounds { min, max: None }),
        });
        catalog::Plan {
            id: "top-up".into(),
            name: "Top-up".into(),
            description: None,
            group: None,
            add_on: true,
            default: false,
            price: None,
            free_trial: None,
            items: BTreeMap::from([("credits".to_string(), item)]),
            archived: false,
            protect: false,
            usage_limits: BTreeMap::new(),
        }
    }

    #[test]
    fn a_plain_plan_has_no_facts_to_keep() {
        assert_eq!(
            PlanFacts::of(&plan_with_prepaid(Decimal::ONE)).to_metadata(),
            None
        );
    }

    #[test]
    fn facts_round_trip_through_metadata_and_restore_the_plan() {
        let mut plan = plan_with_prepaid(Decimal::new(500, 0));
        plan.protect = true;
        let metadata = PlanFacts::of(&plan).to_metadata().expect("facts");
        assert_eq!(
            metadata.to_string(),
            r#"{"protect":true,"items":{"credits":{"prepaid_min":"500"}}}"#
        );
        let object = Map::from_iter([(METADATA_KEY.to_string(), metadata)]);
        let read = PlanFacts::from_metadata(&object, "plans[0]")
            .expect("reads")
            .expect("present");
        let mut bare = plan_with_prepaid(Decimal::ONE);
        read.apply_to(&mut bare);
        assert_eq!(bare, plan);
    }

    #[test]
    fn only_a_spend_limit_autumns_units_do_not_say_is_kept() {
        let mut plan = plan_with_prepaid(Decimal::ONE);
        plan.price = Some(catalog::BasePrice {
            amount: Decimal::new(20, 0),
            interval: PriceInterval::Month,
        });
        let item = plan.items.get_mut("credits").expect("the item");
        if let Some(price) = item.price.as_mut() {
            price.billing = Billing::Usage;
            price.interval = PriceInterval::Month;
            price.prepaid = None;
        }
        let facts_of = |limit: SpendLimit| {
            let mut plan = plan.clone();
            plan.items
                .get_mut("credits")
                .expect("the item")
                .controls
                .spend_limit = Some(limit);
            PlanFacts::of(&plan)
                .to_metadata()
                .map(|facts| facts.to_string())
        };
        // $20 at 1 cent is 2,000 credits, which read back as $20: nothing to keep.
        assert_eq!(facts_of(SpendLimit::Amount(Decimal::new(20, 0))), None);
        // 100% of the base price reads back as $20: the percent is kept.
        assert_eq!(
            facts_of(SpendLimit::Percent(Decimal::ONE_HUNDRED)).as_deref(),
            Some(r#"{"items":{"credits":{"spend_limit":{"percent":"100"}}}}"#)
        );
    }

    #[test]
    fn a_recurring_purchase_expiry_is_kept_and_a_one_off_one_is_autumns() {
        let mut one_off = plan_with_prepaid(Decimal::ONE);
        one_off
            .items
            .get_mut("credits")
            .expect("the item")
            .controls
            .expires_after = Some(Duration::Months(12));
        assert_eq!(PlanFacts::of(&one_off).to_metadata(), None);
        let mut monthly = one_off.clone();
        if let Some(price) = monthly
            .items
            .get_mut("credits")
            .and_then(|item| item.price.as_mut())
        {
            price.interval = PriceInterval::Month;
        }
        assert_eq!(
            PlanFacts::of(&monthly)
                .to_metadata()
                .map(|facts| facts.to_string())
                .as_deref(),
            Some(r#"{"items":{"credits":{"expires_after":{"months":12}}}}"#)
        );
    }

    #[test]
    fn unknown_facts_are_refused_with_their_place() {
        let object = Map::from_iter([(
            METADATA_KEY.to_string(),
            serde_json::json!({"items": {"credits": {"rollover": true}}}),
        )]);
        let error = PlanFacts::from_metadata(&object, "plans[0]").expect_err("refused");
        assert_eq!(
            error.path,
            "plans[0].metadata.pricectl.items.credits.rollover"
        );
    }
}
