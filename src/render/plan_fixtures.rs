//! Plans for the renderers' tests, each made by the diff from a live state and a pricing
//! built from the real catalog types: the views are tested on what the diff really says.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::catalog::Address;
use crate::catalog::{
    BasePrice, Billing, Catalog, CreditCost, CreditSystem, Display, Feature, Included,
    ItemControls, ItemPrice, Plan as PricingPlan, PlanItem, PrepaidBounds, PriceInterval, Rate,
    ResetInterval,
};
use crate::diff::{Action, Fingerprints, Plan, SystemView, Verdict, diff};
use crate::live::{Environment, LiveState, Unmanaged};

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("fixture decimals are valid")
}

/// The plan that makes `live` match `desired`, with fixed fingerprints so the snapshots do
/// not depend on how they are computed.
fn planned(desired: &Catalog, live: &LiveState) -> Plan {
    let mut plan = diff(desired, live);
    plan.fingerprints = Fingerprints {
        live: "4f2a9c7e1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8".into(),
        pricing: "9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f".into(),
    };
    plan
}

/// A catalog in US dollars of these objects.
fn catalog(features: Vec<Feature>, systems: Vec<CreditSystem>, plans: Vec<PricingPlan>) -> Catalog {
    Catalog::of("USD", features, systems, plans)
}

/// `catalog` live, each plan at `version` with the customers `customers` gives it.
fn live(catalog: Catalog, customers: &[(&str, u32, u64)]) -> LiveState {
    customers.iter().fold(
        LiveState::without_customers(catalog),
        |live, (id, version, count)| live.with_customers(id, *version, *count, *count),
    )
}

pub(crate) fn feature(id: &str, name: &str) -> Feature {
    Feature::metered(id, name)
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
        reset_on_attach: false,
        per_entity: None,
        proration: None,
        controls: ItemControls::default(),
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
        usage_limits: BTreeMap::new(),
    }
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
        reset_on_attach: false,
        per_entity: None,
        proration: None,
        controls: ItemControls::default(),
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
        usage_limits: BTreeMap::new(),
    }
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
        usage_limits: BTreeMap::new(),
    }
}

const OPENAI_FEATURES: [(&str, &str, &str); 4] = [
    ("o1-input-tokens", "o1 input tokens", "0.0015"),
    ("o1-output-tokens", "o1 output tokens", "0.006"),
    ("o3-input-tokens", "o3 input tokens", "0.001"),
    ("o3-output-tokens", "o3 output tokens", "0.004"),
];

/// `pricing-examples/openai-credits`, with the o3 costs given.
fn openai(o3_costs: (&str, &str)) -> Catalog {
    let features = OPENAI_FEATURES
        .iter()
        .map(|(id, name, _)| {
            let mut feature = feature(id, name);
            if *id == "o1-input-tokens" {
                feature.display = Some(Display {
                    singular: "token".into(),
                    plural: "tokens".into(),
                });
            }
            feature
        })
        .collect();
    let costs: Vec<(&str, &str)> = OPENAI_FEATURES
        .iter()
        .map(|(id, _, cost)| match *id {
            "o3-input-tokens" => (*id, o3_costs.0),
            "o3-output-tokens" => (*id, o3_costs.1),
            _ => (*id, *cost),
        })
        .collect();
    catalog(features, vec![credits(&costs)], vec![credit_top_up()])
}

/// Nothing to do.
pub(crate) fn empty() -> Plan {
    let pricing = openai(("0.001", "0.004"));
    planned(&pricing, &live(pricing.clone(), &[]))
}

/// `pricing-examples/openai-credits` against an empty billing system.
pub(crate) fn openai_create() -> Plan {
    planned(&openai(("0.001", "0.004")), &LiveState::empty(""))
}

/// A live Autumn catalog holding what the language cannot express, `o3` repriced: the banner
/// and the unmanaged list every view shows.
pub(crate) fn live_with_unmanaged() -> Plan {
    let mut live = live(openai(("0.001", "0.004")), &[]);
    live.environment = Some(Environment::Live);
    live.unmanaged = vec![
        Unmanaged {
            place: "plan.credit-top-up".into(),
            what: "billing controls (`auto_topups`)".into(),
            whole_object: false,
        },
        Unmanaged {
            place: "plan.enterprise".into(),
            what: "`plans[3].items[0].price.interval_count`: pricectl's intervals are single periods: give 1 or leave it out".into(),
            whole_object: true,
        },
        Unmanaged {
            place: "rewards".into(),
            what: "2 coupons".into(),
            whole_object: false,
        },
    ];
    let mut plan = planned(&openai(("0.0002", "0.0008")), &live);
    let views = vec![
        SystemView {
            address: Address::credit_system("credits"),
            action: Some(Action::Update),
            blocked: None,
            customers: None,
        },
        SystemView {
            address: Address::plan("credit-top-up"),
            action: Some(Action::NewVersion),
            blocked: None,
            customers: Some(12),
        },
    ];
    plan.verdict = Some(Verdict::compare("Autumn", &plan, views, None, |_| false));
    plan
}

/// Pro created with its messages reset on attach, beside the credit top-up, which does not.
pub(crate) fn reset_on_attach_create() -> Plan {
    let mut pro = pro("20", "1000", "0.01");
    if let Some(messages) = pro.items.get_mut("messages") {
        messages.reset_on_attach = true;
    }
    let pricing = catalog(
        vec![feature("messages", "Messages")],
        vec![credits(&[("messages", "1")])],
        vec![pro, credit_top_up()],
    );
    planned(&pricing, &LiveState::empty(""))
}

/// o3 becomes five times cheaper: its credit costs drop by 80%.
pub(crate) fn credit_cost_update() -> Plan {
    let before = openai(("0.001", "0.004"));
    planned(&openai(("0.0002", "0.0008")), &live(before, &[]))
}

/// The other way round: o3 becomes five times dearer (+400%).
pub(crate) fn credit_cost_increase() -> Plan {
    let before = openai(("0.0002", "0.0008"));
    planned(&openai(("0.001", "0.004")), &live(before, &[]))
}

/// The messages feature and the `pro` plan that sells it.
fn messages_and_pro(pro: PricingPlan) -> Catalog {
    let mut messages = feature("messages", "Messages");
    messages.display = Some(Display {
        singular: "message".into(),
        plural: "messages".into(),
    });
    catalog(vec![messages], Vec::new(), vec![pro])
}

/// Pro goes from $20 to $25 a month and includes fewer messages, each dearer; three customers
/// are on its version 2 and keep what they pay.
pub(crate) fn new_version() -> Plan {
    let before = messages_and_pro(pro("20", "1000", "0.01"));
    let after = messages_and_pro(pro("25", "500", "0.012"));
    planned(&after, &live(before, &[("pro", 2, 3)]))
}

/// The review the issue tells of: Pro from $20 to $25 a month, included messages 500 → 400,
/// overage $0.04 → $0.05, a trial added; no customer is on it yet.
pub(crate) fn pro_repriced() -> Plan {
    let before = messages_and_pro(pro("20", "500", "0.04"));
    let mut after = pro("25", "400", "0.05");
    after.free_trial = Some(crate::catalog::FreeTrial {
        length: crate::catalog::TrialLength::Days(14),
        card_required: true,
        once_per: crate::catalog::TrialOncePer::Plan,
    });
    after.description = Some("For teams that deploy every day".into());
    planned(&messages_and_pro(after), &live(before, &[]))
}

/// Pro's billing controls change while 3 customers are on its version 1: the spend limit is
/// lowered from $50.00 to 50% of the base price, a daily usage limit appears, the rollover is
/// removed and the alerts change; a credit pack gains an auto top-up and an expiry.
pub(crate) fn controls_changed() -> Plan {
    use crate::catalog::{
        Alert, AutoTopUp, Duration, LimitAnchor, PurchaseLimit, PurchaseLimitInterval, Rollover,
        SpendLimit, UsageLimit, UsageLimitInterval,
    };
    let with_controls = |spend: SpendLimit, rollover: Option<Rollover>, alerts: Vec<Alert>| {
        let mut plan = pro("20", "500", "0.04");
        if let Some(messages) = plan.items.get_mut("messages") {
            messages.controls.spend_limit = Some(spend);
            messages.controls.rollover = rollover;
            messages.controls.alerts = alerts;
        }
        plan
    };
    let before = with_controls(
        SpendLimit::Amount(decimal("50")),
        Some(Rollover {
            max: Some(decimal("250")),
            months: Some(1),
        }),
        vec![Alert::UsagePercent(decimal("80"))],
    );
    let mut after = with_controls(
        SpendLimit::Percent(decimal("50")),
        None,
        vec![
            Alert::UsagePercent(decimal("90")),
            Alert::Remaining(decimal("0")),
        ],
    );
    after.usage_limits.insert(
        "messages".into(),
        UsageLimit {
            limit: decimal("200"),
            interval: UsageLimitInterval::Day,
            anchor: LimitAnchor::Calendar,
        },
    );
    let mut pack = credit_top_up();
    pack.id = "messages-pack".into();
    pack.items = BTreeMap::from([("messages".to_string(), credit_top_up_item())]);
    if let Some(item) = pack.items.get_mut("messages") {
        item.feature_id = "messages".into();
    }
    let mut pack_after = pack.clone();
    if let Some(item) = pack_after.items.get_mut("messages") {
        item.controls.auto_top_up = Some(AutoTopUp {
            threshold: decimal("100"),
            quantity: decimal("1000"),
            enabled: true,
            purchase_limit: Some(PurchaseLimit {
                limit: 3,
                interval: PurchaseLimitInterval::Day,
            }),
        });
        item.controls.expires_after = Some(Duration::Months(12));
    }
    let mut before_catalog = messages_and_pro(before);
    before_catalog.plans.insert(pack.id.clone(), pack);
    let mut after_catalog = messages_and_pro(after);
    after_catalog
        .plans
        .insert(pack_after.id.clone(), pack_after);
    planned(&after_catalog, &live(before_catalog, &[("pro", 1, 3)]))
}

/// o3 becomes five times dearer while 3 customers hold 12,000 prepaid credits.
pub(crate) fn credit_cost_increase_with_holders() -> Plan {
    let before = openai(("0.0002", "0.0008"));
    let mut live = live(before, &[]);
    live.held_credits = Some(BTreeMap::from([(
        "credits".to_string(),
        crate::live::HeldCredits {
            customers: 3,
            credits: decimal("12000"),
        },
    )]));
    planned(&openai(("0.001", "0.004")), &live)
}

/// A plan with customers is removed (archived) and an unused feature is removed (deleted).
pub(crate) fn delete_and_archive() -> Plan {
    let before = catalog(
        vec![feature("gpt-3-5-tokens", "GPT-3.5 tokens")],
        Vec::new(),
        vec![legacy(false)],
    );
    planned(
        &catalog(Vec::new(), Vec::new(), Vec::new()),
        &live(before, &[("legacy", 1, 12)]),
    )
}

/// Removing a protected plan: planned as a delete, and refused.
pub(crate) fn refusal() -> Plan {
    let mut enterprise = legacy(false);
    enterprise.id = "enterprise".into();
    enterprise.name = "Enterprise".into();
    enterprise.protect = true;
    let before = catalog(Vec::new(), Vec::new(), vec![enterprise]);
    planned(
        &catalog(Vec::new(), Vec::new(), Vec::new()),
        &live(before, &[]),
    )
}

/// `count` features created at once, each with a long name, and a plan with customers
/// archived: far more than a comment can hold.
pub(crate) fn huge(count: usize) -> Plan {
    let features = (0..count)
        .map(|index| {
            let id = format!("model-{index:05}-tokens");
            let name = format!("Model {index:05} tokens, a feature with a long descriptive name");
            feature(&id, &name)
        })
        .collect();
    let before = catalog(Vec::new(), Vec::new(), vec![legacy(false)]);
    planned(
        &catalog(features, Vec::new(), Vec::new()),
        &live(before, &[("legacy", 1, 12)]),
    )
}
