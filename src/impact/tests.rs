//! Revenue impact against a table computed by hand, and coalesced replay against replay
//! event by event.

use std::path::PathBuf;

use rust_decimal::Decimal;

use super::{UsageRecord, compare, replay, revenue_impact};
use crate::catalog::Catalog;
use crate::dsl::SourceSet;
use crate::ledger::Instant;

fn pricing(amount: &str, included: &str, overage: &str) -> Catalog {
    let text = format!(
        r#"version = 1
currency = "USD"

[features.messages]
name = "Messages"
type = "metered"
display = {{ singular = "message", plural = "messages" }}

[plans.free]
name = "Free"

[plans.free.items.messages]
included = 10
reset = "month"

[plans.pro]
name = "Pro"
price = {{ amount = {amount}, interval = "month" }}

[plans.pro.items.messages]
included = {included}
reset = "month"
price = {{ amount = {overage}, billing = "usage", interval = "month" }}
"#
    );
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("pricing.toml"), text);
    let compilation = crate::compile::compile(sources);
    compilation.catalog.expect("the test pricing compiles")
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn at(text: &str) -> Instant {
    Instant::parse(text).unwrap()
}

/// Five customers on Pro and one on Free, each subscribing on January 1 and using messages on
/// a few days of January; charges counted up to February 1 (two base prices, January's
/// overage billed at the period's end).
fn usage() -> Vec<UsageRecord> {
    let mut records = Vec::new();
    for (customer, plan, uses) in [
        ("a", "pro", &[30, 20][..]),
        ("b", "pro", &[60, 40]),
        ("c", "pro", &[100, 150, 50]),
        ("d", "pro", &[400, 600]),
        ("e", "pro", &[1000, 1000, 1000]),
        ("f", "free", &[5]),
    ] {
        records.push(UsageRecord::Subscribe {
            customer: customer.into(),
            plan: plan.into(),
            prepaid: std::collections::BTreeMap::new(),
            at: at("2026-01-01"),
        });
        for (day, value) in uses.iter().enumerate() {
            records.push(UsageRecord::Use {
                customer: customer.into(),
                feature: "messages".into(),
                value: Decimal::from(*value),
                at: at(&format!("2026-01-{:02}T12:00:00Z", 3 + day * 7)),
            });
        }
    }
    records
}

#[test]
fn revenue_impact_matches_the_table_computed_by_hand() {
    // Old: Pro $20 a month, 100 messages included, $0.05 each beyond.
    // New: Pro $25 a month, 80 included, $0.04 each beyond.
    //
    // | customer | messages | old                      | new                         | change  |
    // | a        |       50 | 20 + 20           = 40.00 | 25 + 25              = 50.00 | +25.0%  |
    // | b        |      100 | 40                = 40.00 | 50 + 20 × 0.04       = 50.80 | +27.0%  |
    // | c        |      300 | 40 + 200 × 0.05   = 50.00 | 50 + 220 × 0.04      = 58.80 | +17.6%  |
    // | d        |    1,000 | 40 + 900 × 0.05   = 85.00 | 50 + 920 × 0.04      = 86.80 |  +2.1%  |
    // | e        |    3,000 | 40 + 2,900 × 0.05 = 185.00 | 50 + 2,920 × 0.04   = 166.80 |  −9.8%  |
    // | f (free) |        5 | 0                         | 0                            |   same  |
    // | total    |          | 400.00                    | 413.20                       |  +3.3%  |
    let until = Some(at("2026-02-01"));
    let old = replay(
        &pricing("20", "100", "0.05"),
        usage().into_iter().map(Ok),
        until,
        true,
    )
    .unwrap();
    let new = replay(
        &pricing("25", "80", "0.04"),
        usage().into_iter().map(Ok),
        until,
        true,
    )
    .unwrap();
    let impact = compare("USD", &old, &new);
    let totals: Vec<(&str, Decimal, Decimal)> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|id| (*id, old.customers[*id].total, new.customers[*id].total))
        .collect();
    assert_eq!(
        totals,
        [
            ("a", decimal("40"), decimal("50")),
            ("b", decimal("40"), decimal("50.80")),
            ("c", decimal("50"), decimal("58.80")),
            ("d", decimal("85"), decimal("86.80")),
            ("e", decimal("185"), decimal("166.80")),
            ("f", decimal("0"), decimal("0")),
        ]
    );
    assert_eq!(impact.total_before, decimal("400"));
    assert_eq!(impact.total_after, decimal("413.20"));
    assert_eq!(impact.change_percent, Some(decimal("3.3")));
    assert_eq!(
        (impact.paying_more, impact.paying_less, impact.paying_same),
        (4, 1, 1)
    );
    // a rises exactly 25%: more than 10%, not more than 25%.
    assert_eq!(
        (
            impact.more_than_10_percent,
            impact.more_than_25_percent,
            impact.more_than_50_percent
        ),
        (3, 1, 0)
    );
    let movers: Vec<(&str, Option<Decimal>)> = impact
        .movers
        .iter()
        .map(|mover| (mover.customer.as_str(), mover.change_percent))
        .collect();
    assert_eq!(
        movers,
        [
            ("e", Some(decimal("-9.8"))),
            ("b", Some(decimal("27.0"))),
            ("a", Some(decimal("25.0"))),
            ("c", Some(decimal("17.6"))),
            ("d", Some(decimal("2.1"))),
        ]
    );
    assert_eq!(impact.movers[0].plan.as_deref(), Some("pro"));
    let items: Vec<(&str, Decimal, Decimal)> = impact
        .items
        .iter()
        .map(|item| (item.item.as_str(), item.before, item.after))
        .collect();
    assert_eq!(
        items,
        [
            ("base price", decimal("200"), decimal("250")),
            ("messages", decimal("200"), decimal("163.20")),
        ]
    );
    assert!(impact.problems.is_empty());
}

/// Summing usage between billing boundaries charges exactly what tracking each event does,
/// on every example's sample usage (several months, trials, prepaid quantities, resets).
#[test]
fn coalesced_replay_charges_what_event_by_event_replay_does() {
    for example in crate::impact::sample::examples() {
        let catalog = crate::compile::compile_path(&example.join("pricing.toml"))
            .unwrap()
            .catalog
            .unwrap();
        let records = || super::read_usage(&example.join("usage.jsonl")).unwrap();
        let coalesced = replay(&catalog, records(), None, true).unwrap();
        let each = replay(&catalog, records(), None, false).unwrap();
        assert_eq!(coalesced, each, "{}", example.display());
        assert!(
            coalesced
                .customers
                .values()
                .any(|customer| !customer.total.is_zero()),
            "{}: the sample charges something",
            example.display()
        );
    }
}

/// `revenue_impact` reads the file once per pricing and compares: a pricing against itself
/// moves nothing.
#[test]
fn the_same_pricing_moves_nothing() {
    let example = crate::impact::sample::examples().remove(0);
    let catalog = crate::compile::compile_path(&example.join("pricing.toml"))
        .unwrap()
        .catalog
        .unwrap();
    let impact = revenue_impact(&catalog, &catalog, &example.join("usage.jsonl"), None).unwrap();
    assert_eq!(impact.total_before, impact.total_after);
    assert!(impact.total_before > Decimal::ZERO);
    assert_eq!(impact.paying_same, impact.customers);
    assert!(impact.movers.is_empty());
}
