//! Plans built by hand for the renderers' tests, from the real catalog types. Reasons are
//! worded the way the diff words them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::catalog::{
    BasePrice, Billing, CreditCost, CreditSystem, Display, Feature, FeatureType, Included,
    ItemPrice, Plan as PricingPlan, PlanItem, PrepaidBounds, PriceInterval, Rate, ResetInterval,
};
use crate::diff::{
    Action, Change, FieldChange, Fingerprints, ObjectState, PLAN_FORMAT_VERSION, Plan, PriceImpact,
    Refusal, Summary,
};

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("fixture decimals are valid")
}

/// An empty plan around `changes`, with the summary counted from them.
fn plan(changes: Vec<Change>, impact: Vec<PriceImpact>, refusals: Vec<Refusal>) -> Plan {
    let summary = Summary::of(&changes);
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        pricectl_version: env!("CARGO_PKG_VERSION").into(),
        currency: "USD".into(),
        changes,
        summary,
        impact,
        refusals,
        fingerprints: Fingerprints {
            live: "4f2a9c7e1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8".into(),
            pricing: "9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f".into(),
        },
    }
}

pub(crate) fn feature(id: &str, name: &str) -> Feature {
    Feature {
        id: id.into(),
        name: name.into(),
        kind: FeatureType::Metered,
        consumable: true,
        display: None,
        event_names: Vec::new(),
        archived: false,
        protect: false,
    }
}

fn credits(costs: &[(&str, &str)]) -> CreditSystem {
    CreditSystem {
        id: "credits".into(),
        name: "Credits".into(),
        display: Some(Display {
            singular: "credit".into(),
            plural: "credits".into(),
        }),
        costs: costs
            .iter()
            .map(|(feature, cost)| ((*feature).to_string(), CreditCost::per_unit(decimal(cost))))
            .collect(),
        archived: false,
        protect: false,
    }
}

fn credit_top_up_item() -> PlanItem {
    PlanItem {
        feature_id: "credits".into(),
        included: Included::Units(Decimal::ZERO),
        reset: None,
        price: Some(ItemPrice {
            billing: Billing::Prepaid,
            interval: PriceInterval::OneOff,
            per: Decimal::ONE,
            rate: Rate::Flat {
                amount: decimal("0.01"),
            },
            prepaid: Some(PrepaidBounds {
                min: decimal("500"),
                max: Some(decimal("1000000")),
            }),
        }),
    }
}

fn credit_top_up() -> PricingPlan {
    PricingPlan {
        id: "credit-top-up".into(),
        name: "Credit top-up".into(),
        description: None,
        group: None,
        add_on: true,
        default: false,
        price: None,
        free_trial: None,
        items: BTreeMap::from([("credits".to_string(), credit_top_up_item())]),
        archived: false,
        protect: false,
    }
}

fn created(address: String, after: ObjectState) -> Change {
    Change {
        address,
        action: Action::Create,
        before: None,
        after: Some(after),
        fields: Vec::new(),
        reason: "not in the live catalog".into(),
        customers_staying: 0,
        items: Vec::new(),
    }
}

fn field(path: &str, before: Option<Value>, after: Option<Value>) -> FieldChange {
    FieldChange {
        path: path.into(),
        before,
        after,
    }
}

/// Money per unit of a feature through a plan, as the diff reports it.
fn impact(
    feature: &str,
    feature_name: &str,
    plan: &str,
    via: Option<&str>,
    prices: (Option<&str>, Option<&str>),
    change_percent: Option<&str>,
    quoted_per: u64,
) -> PriceImpact {
    PriceImpact {
        feature: feature.into(),
        feature_name: feature_name.into(),
        plan: plan.into(),
        via: via.map(str::to_string),
        before: prices.0.map(str::to_string),
        after: prices.1.map(str::to_string),
        change_percent: change_percent.map(str::to_string),
        quoted_per,
        currency: "USD".into(),
    }
}

const OPENAI_FEATURES: [(&str, &str, &str); 4] = [
    ("o1-input-tokens", "o1 input tokens", "0.0015"),
    ("o1-output-tokens", "o1 output tokens", "0.006"),
    ("o3-input-tokens", "o3 input tokens", "0.001"),
    ("o3-output-tokens", "o3 output tokens", "0.004"),
];

/// Nothing to do.
pub(crate) fn empty() -> Plan {
    plan(Vec::new(), Vec::new(), Vec::new())
}

/// `pricing-examples/openai-credits` against an empty billing system.
pub(crate) fn openai_create() -> Plan {
    let mut changes = Vec::new();
    for (id, name, _) in OPENAI_FEATURES {
        let mut feature = feature(id, name);
        if id == "o1-input-tokens" {
            feature.display = Some(Display {
                singular: "token".into(),
                plural: "tokens".into(),
            });
        }
        changes.push(created(
            format!("feature.{id}"),
            ObjectState::Feature(feature),
        ));
    }
    let costs: Vec<(&str, &str)> = OPENAI_FEATURES
        .iter()
        .map(|(id, _, cost)| (*id, *cost))
        .collect();
    changes.push(created(
        "credit_system.credits".into(),
        ObjectState::CreditSystem(credits(&costs)),
    ));
    let mut top_up = created(
        "plan.credit-top-up".into(),
        ObjectState::Plan(credit_top_up()),
    );
    top_up.items.push(created(
        "plan.credit-top-up.item.credits".into(),
        ObjectState::Item(credit_top_up_item()),
    ));
    changes.push(top_up);
    let impact = [
        ("o1-input-tokens", "o1 input tokens", "0.000015"),
        ("o1-output-tokens", "o1 output tokens", "0.00006"),
        ("o3-input-tokens", "o3 input tokens", "0.00001"),
        ("o3-output-tokens", "o3 output tokens", "0.00004"),
    ]
    .into_iter()
    .map(|(id, name, price)| {
        impact(
            id,
            name,
            "credit-top-up",
            Some("credits"),
            (None, Some(price)),
            None,
            1_000_000,
        )
    })
    .collect();
    plan(changes, impact, Vec::new())
}

/// o3 becomes five times cheaper: its credit costs drop by 80%.
pub(crate) fn credit_cost_update() -> Plan {
    let before = credits(&[
        ("o1-input-tokens", "0.0015"),
        ("o1-output-tokens", "0.006"),
        ("o3-input-tokens", "0.001"),
        ("o3-output-tokens", "0.004"),
    ]);
    let after = credits(&[
        ("o1-input-tokens", "0.0015"),
        ("o1-output-tokens", "0.006"),
        ("o3-input-tokens", "0.0002"),
        ("o3-output-tokens", "0.0008"),
    ]);
    let change = Change {
        address: "credit_system.credits".into(),
        action: Action::Update,
        before: Some(ObjectState::CreditSystem(before)),
        after: Some(ObjectState::CreditSystem(after)),
        fields: vec![
            field(
                "costs.o3-input-tokens.credits",
                Some(json!("0.001")),
                Some(json!("0.0002")),
            ),
            field(
                "costs.o3-output-tokens.credits",
                Some(json!("0.004")),
                Some(json!("0.0008")),
            ),
        ],
        reason: "differs from the pricing".into(),
        customers_staying: 0,
        items: Vec::new(),
    };
    let impact = vec![
        impact(
            "o3-input-tokens",
            "o3 input tokens",
            "credit-top-up",
            Some("credits"),
            (Some("0.00001"), Some("0.000002")),
            Some("-80.0"),
            1_000_000,
        ),
        impact(
            "o3-output-tokens",
            "o3 output tokens",
            "credit-top-up",
            Some("credits"),
            (Some("0.00004"), Some("0.000008")),
            Some("-80.0"),
            1_000_000,
        ),
    ];
    plan(vec![change], impact, Vec::new())
}

fn pro(amount: &str, included: &str, message_price: &str) -> PricingPlan {
    let messages = PlanItem {
        feature_id: "messages".into(),
        included: Included::Units(decimal(included)),
        reset: Some(ResetInterval::Month),
        price: Some(ItemPrice {
            billing: Billing::Usage,
            interval: PriceInterval::Month,
            per: Decimal::ONE,
            rate: Rate::Flat {
                amount: decimal(message_price),
            },
            prepaid: None,
        }),
    };
    PricingPlan {
        id: "pro".into(),
        name: "Pro".into(),
        description: Some("For teams that ship every day".into()),
        group: Some("main".into()),
        add_on: false,
        default: false,
        price: Some(BasePrice {
            amount: decimal(amount),
            interval: PriceInterval::Month,
        }),
        free_trial: None,
        items: BTreeMap::from([("messages".to_string(), messages)]),
        archived: false,
        protect: false,
    }
}

/// Pro goes from $20 to $25 a month and includes fewer messages, each dearer; three customers
/// are on it and keep what they pay.
pub(crate) fn new_version() -> Plan {
    let before = pro("20", "1000", "0.01");
    let after = pro("25", "500", "0.012");
    let item_change = Change {
        address: "plan.pro.item.messages".into(),
        action: Action::Update,
        before: Some(ObjectState::Item(before.items["messages"].clone())),
        after: Some(ObjectState::Item(after.items["messages"].clone())),
        fields: vec![
            field("included", Some(json!("1000")), Some(json!("500"))),
            field("price.amount", Some(json!("0.01")), Some(json!("0.012"))),
        ],
        reason: "differs from the pricing".into(),
        customers_staying: 0,
        items: Vec::new(),
    };
    let change = Change {
        address: "plan.pro".into(),
        action: Action::NewVersion,
        before: Some(ObjectState::Plan(before)),
        after: Some(ObjectState::Plan(after)),
        fields: vec![field("price.amount", Some(json!("20")), Some(json!("25")))],
        reason: "3 customers on version 2: what they pay is kept there, and the change becomes version 3".into(),
        customers_staying: 3,
        items: vec![item_change],
    };
    let impact = vec![impact(
        "messages",
        "Messages",
        "pro",
        None,
        (Some("0.01"), Some("0.012")),
        Some("20.0"),
        1,
    )];
    plan(vec![change], impact, Vec::new())
}

fn legacy(archived: bool) -> PricingPlan {
    PricingPlan {
        id: "legacy".into(),
        name: "Legacy".into(),
        description: None,
        group: None,
        add_on: false,
        default: false,
        price: Some(BasePrice {
            amount: decimal("9"),
            interval: PriceInterval::Month,
        }),
        free_trial: None,
        items: BTreeMap::new(),
        archived,
        protect: false,
    }
}

/// A plan with customers is removed (archived) and an unused feature is removed (deleted).
pub(crate) fn delete_and_archive() -> Plan {
    let archive = Change {
        address: "plan.legacy".into(),
        action: Action::Archive,
        before: Some(ObjectState::Plan(legacy(false))),
        after: Some(ObjectState::Plan(legacy(true))),
        fields: vec![field("archived", Some(json!(false)), Some(json!(true)))],
        reason: "removed from the pricing, but 12 customers on it: archived instead of deleted"
            .into(),
        customers_staying: 0,
        items: Vec::new(),
    };
    let delete = Change {
        address: "feature.gpt-3-5-tokens".into(),
        action: Action::Delete,
        before: Some(ObjectState::Feature(feature(
            "gpt-3-5-tokens",
            "GPT-3.5 tokens",
        ))),
        after: None,
        fields: Vec::new(),
        reason: "removed from the pricing".into(),
        customers_staying: 0,
        items: Vec::new(),
    };
    plan(vec![archive, delete], Vec::new(), Vec::new())
}

/// Removing a protected plan: planned as a delete, and refused.
pub(crate) fn refusal() -> Plan {
    let mut enterprise = legacy(false);
    enterprise.id = "enterprise".into();
    enterprise.name = "Enterprise".into();
    enterprise.protect = true;
    let delete = Change {
        address: "plan.enterprise".into(),
        action: Action::Delete,
        before: Some(ObjectState::Plan(enterprise)),
        after: None,
        fields: Vec::new(),
        reason: "removed from the pricing".into(),
        customers_staying: 0,
        items: Vec::new(),
    };
    let refusal = Refusal {
        address: "plan.enterprise".into(),
        reason: "`plan.enterprise` is protected, and this plan would delete it".into(),
        help: "protection is recorded in the live catalog: put `plan.enterprise` back in the pricing with `protect = false`, apply that, then remove it".into(),
    };
    plan(vec![delete], Vec::new(), vec![refusal])
}

/// `count` features created at once, each with a long name, and a plan archived: far more
/// than a comment can hold.
pub(crate) fn huge(count: usize) -> Plan {
    let mut changes: Vec<Change> = (0..count)
        .map(|index| {
            let id = format!("model-{index:05}-tokens");
            let name = format!("Model {index:05} tokens, a feature with a long descriptive name");
            created(
                format!("feature.{id}"),
                ObjectState::Feature(feature(&id, &name)),
            )
        })
        .collect();
    changes.extend(delete_and_archive().changes.into_iter().take(1));
    plan(changes, Vec::new(), Vec::new())
}
