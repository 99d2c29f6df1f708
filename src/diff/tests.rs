//! The diff kernel on its own: live states and pricings built from the catalog types, each
//! decision checked as the data the diff returns (no CLI, no store, no words).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::{Action, Change, Plan, Reason, RefusalReason, User, changed_addresses, diff};
use crate::catalog::{
    Address, BasePrice, Billing, Catalog, CreditCost, CreditSystem, Feature, Included,
    ItemControls, ItemPrice, Plan as PricingPlan, PlanItem, PriceInterval, Rate,
};
use crate::live::LiveState;

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("test decimals are valid")
}

fn feature(id: &str) -> Feature {
    Feature::metered(id, id)
}

fn credits(costs: &[(&str, &str)]) -> CreditSystem {
    CreditSystem {
        id: "credits".into(),
        name: "Credits".into(),
        display: None,
        costs: costs
            .iter()
            .map(|(id, cost)| ((*id).to_string(), CreditCost::per_unit(decimal(cost))))
            .collect(),
        archived: false,
        protect: false,
    }
}

/// An item granting `id`, each unit beyond none included at `amount` (usage, monthly).
fn item(id: &str, amount: &str) -> PlanItem {
    PlanItem {
        feature_id: id.into(),
        included: Included::Units(Decimal::ZERO),
        reset: None,
        price: Some(ItemPrice {
            billing: Billing::Usage,
            interval: PriceInterval::Month,
            per: Decimal::ONE,
            rate: Rate::Flat {
                amount: decimal(amount),
            },
            prepaid: None,
        }),
        reset_on_attach: false,
        per_entity: None,
        proration: None,
        controls: ItemControls::default(),
    }
}

/// A monthly plan at `amount` granting `items`.
fn plan(id: &str, amount: &str, items: Vec<PlanItem>) -> PricingPlan {
    PricingPlan {
        id: id.into(),
        name: id.into(),
        description: None,
        group: None,
        add_on: false,
        default: false,
        price: Some(BasePrice {
            amount: decimal(amount),
            interval: PriceInterval::Month,
        }),
        free_trial: None,
        items: items
            .into_iter()
            .map(|item| (item.feature_id.clone(), item))
            .collect(),
        archived: false,
        protect: false,
        usage_limits: BTreeMap::new(),
    }
}

fn catalog(features: Vec<Feature>, systems: Vec<CreditSystem>, plans: Vec<PricingPlan>) -> Catalog {
    Catalog::of("USD", features, systems, plans)
}

fn live(catalog: Catalog) -> LiveState {
    LiveState::without_customers(catalog)
}

/// `pro` at `amount` a month, selling messages.
fn pro_at(amount: &str) -> Catalog {
    catalog(
        vec![feature("messages")],
        Vec::new(),
        vec![plan("pro", amount, vec![item("messages", "0.01")])],
    )
}

fn change<'a>(plan: &'a Plan, address: &Address) -> &'a Change {
    plan.changes
        .iter()
        .find(|change| &change.address == address)
        .unwrap_or_else(|| panic!("no change to {address} in {:#?}", plan.changes))
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|change| (change.address.to_string(), change.action))
        .collect()
}

#[test]
fn a_removed_plan_is_archived_while_customers_are_or_were_on_it_and_deleted_otherwise() {
    let before = catalog(
        Vec::new(),
        Vec::new(),
        vec![
            plan("current", "10", Vec::new()),
            plan("former", "10", Vec::new()),
            plan("unused", "10", Vec::new()),
        ],
    );
    let live = live(before).with_customers("current", 2, 7, 9);
    let live = live.with_customers("former", 1, 0, 3);
    let planned = diff(&catalog(Vec::new(), Vec::new(), Vec::new()), &live);
    assert_eq!(
        actions(&planned),
        [
            ("plan.current".to_string(), Action::Archive),
            ("plan.former".to_string(), Action::Archive),
            ("plan.unused".to_string(), Action::Delete),
        ]
    );
    assert_eq!(
        change(&planned, &Address::plan("current")).why,
        Reason::KeptForCustomers { customers: 7 }
    );
    assert_eq!(
        change(&planned, &Address::plan("former")).why,
        Reason::KeptForCustomers { customers: 0 }
    );
    let archived = change(&planned, &Address::plan("current"));
    assert!(matches!(
        &archived.after,
        Some(super::ObjectState::Plan(plan)) if plan.archived
    ));
    assert_eq!(
        change(&planned, &Address::plan("unused")).why,
        Reason::Removed
    );
    assert_eq!(planned.summary.archive, 2);
    assert_eq!(planned.summary.delete, 1);
}

#[test]
fn a_removed_feature_is_archived_only_while_something_that_stays_uses_it() {
    let before = catalog(
        vec![
            feature("kept-by-archive"),
            feature("kept-by-old-version"),
            feature("free"),
        ],
        Vec::new(),
        vec![
            plan("legacy", "10", vec![item("kept-by-archive", "0.01")]),
            plan("gone", "10", vec![item("free", "0.01")]),
            plan("pro", "20", Vec::new()),
        ],
    );
    // `legacy` has customers (archived, so its items stay); `gone` has none (deleted, so
    // `free` goes with it); an older version of `pro`, which stays, still grants a feature.
    let mut live = live(before).with_customers("legacy", 1, 4, 4);
    live.grandfathered.insert(
        "pro".into(),
        BTreeSet::from(["kept-by-old-version".to_string()]),
    );
    let desired = catalog(Vec::new(), Vec::new(), vec![plan("pro", "20", Vec::new())]);
    let planned = diff(&desired, &live);
    assert_eq!(
        actions(&planned),
        [
            ("plan.gone".to_string(), Action::Delete),
            ("plan.legacy".to_string(), Action::Archive),
            ("feature.free".to_string(), Action::Delete),
            ("feature.kept-by-archive".to_string(), Action::Archive),
            ("feature.kept-by-old-version".to_string(), Action::Archive),
        ]
    );
    assert_eq!(
        change(&planned, &Address::feature("kept-by-archive")).why,
        Reason::KeptInUse {
            users: vec![User {
                address: Address::plan("legacy"),
                older_version: false,
            }],
        }
    );
    assert_eq!(
        change(&planned, &Address::feature("kept-by-old-version")).why,
        Reason::KeptInUse {
            users: vec![User {
                address: Address::plan("pro"),
                older_version: true,
            }],
        }
    );
}

#[test]
fn a_feature_a_removed_credit_system_draws_on_goes_with_it_unless_the_system_is_kept() {
    let before = catalog(
        vec![feature("tokens")],
        vec![credits(&[("tokens", "0.001")])],
        vec![plan("top-up", "0", vec![item("credits", "0.01")])],
    );
    // Nobody ever bought the top-up: everything is deleted.
    let planned = diff(
        &catalog(Vec::new(), Vec::new(), Vec::new()),
        &live(before.clone()),
    );
    assert_eq!(
        actions(&planned),
        [
            ("plan.top-up".to_string(), Action::Delete),
            ("credit_system.credits".to_string(), Action::Delete),
            ("feature.tokens".to_string(), Action::Delete),
        ]
    );
    // Customers bought it: the plan is archived, which keeps the credit system, which keeps
    // the feature its costs draw on.
    let live = live(before).with_customers("top-up", 1, 1, 1);
    let planned = diff(&catalog(Vec::new(), Vec::new(), Vec::new()), &live);
    assert!(
        planned
            .changes
            .iter()
            .all(|change| change.action == Action::Archive)
    );
    assert_eq!(
        change(&planned, &Address::feature("tokens")).why,
        Reason::KeptInUse {
            users: vec![User {
                address: Address::credit_system("credits"),
                older_version: false,
            }],
        }
    );
}

#[test]
fn a_plan_whose_charges_change_with_customers_on_it_becomes_a_new_version() {
    let (before, after) = (pro_at("20"), pro_at("25"));
    let with_customers_on_it = live(before.clone()).with_customers("pro", 3, 4, 6);
    let planned = diff(&after, &with_customers_on_it);
    let pro = change(&planned, &Address::plan("pro"));
    assert_eq!(pro.action, Action::NewVersion);
    assert_eq!(
        pro.why,
        Reason::Grandfathered {
            version: 3,
            customers: 4
        }
    );
    assert_eq!(pro.customers_staying, 4);
    assert_eq!(planned.summary.new_version, 1);

    // Nobody on it: changed in place.
    let planned = diff(&after, &live(before.clone()).with_customers("pro", 3, 0, 6));
    let pro = change(&planned, &Address::plan("pro"));
    assert_eq!(
        (pro.action, &pro.why),
        (Action::Update, &Reason::NoCustomersOnIt)
    );

    // A new name is not a new charge: changed in place even with customers on it.
    let mut renamed = before.clone();
    if let Some(plan) = renamed.plans.get_mut("pro") {
        plan.name = "Pro (2026)".into();
    }
    let planned = diff(&renamed, &with_customers_on_it);
    let pro = change(&planned, &Address::plan("pro"));
    assert_eq!(
        (pro.action, &pro.why),
        (Action::Update, &Reason::ChargesUnchanged)
    );
    assert_eq!(pro.customers_staying, 0);
}

#[test]
fn item_changes_are_addressed_under_their_plan() {
    let before = catalog(
        vec![feature("a"), feature("b"), feature("c")],
        Vec::new(),
        vec![plan(
            "pro",
            "20",
            vec![item("a", "0.01"), item("b", "0.01")],
        )],
    );
    let after = catalog(
        vec![feature("a"), feature("b"), feature("c")],
        Vec::new(),
        vec![plan(
            "pro",
            "20",
            vec![item("b", "0.02"), item("c", "0.01")],
        )],
    );
    let planned = diff(&after, &live(before));
    let pro = change(&planned, &Address::plan("pro"));
    let items: Vec<(Address, Action, &Reason)> = pro
        .items
        .iter()
        .map(|item| (item.address.clone(), item.action, &item.why))
        .collect();
    assert_eq!(
        items,
        [
            (
                Address::item("pro", "a"),
                Action::Delete,
                &Reason::RemovedFromPlan
            ),
            (Address::item("pro", "b"), Action::Update, &Reason::Differs),
            (Address::item("pro", "c"), Action::Create, &Reason::NotLive),
        ]
    );
}

#[test]
fn price_impact_is_exact_per_unit_with_the_change_in_percent() {
    let openai = |o3: &str| {
        catalog(
            vec![feature("o1-tokens"), feature("o3-tokens")],
            vec![credits(&[("o1-tokens", "0.0015"), ("o3-tokens", o3)])],
            vec![plan("top-up", "0", vec![item("credits", "0.01")])],
        )
    };
    let planned = diff(&openai("0.0002"), &live(openai("0.001")));
    // Only what changed: o1's price through the credit system did not.
    assert_eq!(planned.impact.len(), 1, "{:#?}", planned.impact);
    let o3 = &planned.impact[0];
    assert_eq!(
        (o3.feature.as_str(), o3.plan.as_str(), o3.via.as_deref()),
        ("o3-tokens", "top-up", Some("credits"))
    );
    assert_eq!(o3.before, Some(decimal("0.00001")));
    assert_eq!(o3.after, Some(decimal("0.000002")));
    assert_eq!(o3.change_percent, Some(decimal("-80.0")));
    // A token costs less than a cent: quoted per million.
    assert_eq!(o3.quoted_per, 1_000_000);
    assert!(!o3.is_increase());

    // A direct price: a third dearer, rounded half away from zero to one decimal.
    let priced = |amount: &str| {
        catalog(
            vec![feature("messages")],
            Vec::new(),
            vec![plan("pro", "20", vec![item("messages", amount)])],
        )
    };
    let planned = diff(&priced("0.04"), &live(priced("0.03")));
    let messages = &planned.impact[0];
    assert_eq!(messages.change_percent, Some(decimal("33.3")));
    assert_eq!(
        messages.change_percent.map(|percent| percent.scale()),
        Some(1)
    );
    assert_eq!(messages.quoted_per, 1);
    assert!(messages.is_increase());
    // From free, there is no percentage.
    let planned = diff(&priced("0.04"), &live(priced("0")));
    assert_eq!(planned.impact[0].change_percent, None);
    assert!(planned.impact[0].is_increase());
}

#[test]
fn protection_refuses_removing_or_archiving_and_a_currency_cannot_change() {
    let mut sso = feature("sso");
    sso.protect = true;
    let mut enterprise = plan("enterprise", "100", Vec::new());
    enterprise.protect = true;
    let before = catalog(vec![sso], Vec::new(), vec![enterprise.clone()]);
    let mut archived = enterprise;
    archived.archived = true;
    let mut after = catalog(Vec::new(), Vec::new(), vec![archived]);
    after.currency = "EUR".into();
    let planned = diff(&after, &live(before));
    let refusals: Vec<(Option<String>, &RefusalReason)> = planned
        .refusals
        .iter()
        .map(|refusal| {
            (
                refusal.address.as_ref().map(ToString::to_string),
                &refusal.why,
            )
        })
        .collect();
    assert_eq!(
        refusals,
        [
            (
                None,
                &RefusalReason::CurrencyChange {
                    live: "USD".into(),
                    pricing: "EUR".into()
                }
            ),
            (
                Some("feature.sso".into()),
                &RefusalReason::ProtectedRemoval {
                    action: Action::Delete
                }
            ),
            (
                Some("plan.enterprise".into()),
                &RefusalReason::ProtectedArchive
            ),
        ]
    );
    // The refused changes are still planned, so a reviewer sees what was asked.
    assert_eq!(
        change(&planned, &Address::feature("sso")).action,
        Action::Delete
    );
}

#[test]
fn decisions_ignore_customer_counts_but_not_what_is_done() {
    let (before, after) = (pro_at("20"), pro_at("25"));
    let three = diff(&after, &live(before.clone()).with_customers("pro", 1, 3, 3));
    let four = diff(&after, &live(before.clone()).with_customers("pro", 1, 4, 4));
    assert_ne!(three.changes, four.changes, "the counts differ");
    assert_eq!(three.decisions(), four.decisions(), "the decision does not");
    let none = diff(&after, &live(before));
    assert_ne!(
        three.decisions(),
        none.decisions(),
        "a version is not an update"
    );
}

#[test]
fn what_still_differs_after_an_apply_is_the_plan_s_changes_by_address() {
    let before = catalog(
        vec![feature("a"), feature("b"), feature("gone")],
        vec![credits(&[("a", "1")])],
        vec![
            plan("pro", "20", vec![item("a", "0.5")]),
            plan("old", "5", Vec::new()),
        ],
    );
    let after = catalog(
        vec![feature("a"), feature("b"), feature("new")],
        vec![credits(&[("a", "2"), ("b", "1")])],
        vec![
            plan("pro", "25", vec![item("a", "0.5"), item("b", "1")]),
            plan("team", "50", Vec::new()),
        ],
    );
    let current = live(before);
    let planned: Vec<Address> = diff(&after, &current)
        .changes
        .into_iter()
        .map(|change| change.address)
        .collect();
    assert!(planned.len() >= 5, "{planned:?}");
    assert_eq!(changed_addresses(&after, &current), planned);
    assert!(changed_addresses(&after, &live(after.clone())).is_empty());
}
