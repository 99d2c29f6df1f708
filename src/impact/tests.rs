//! Revenue impact against a table computed by hand, and coalesced replay against replay
//! event by event.

use std::path::PathBuf;

use rust_decimal::Decimal;

use super::{
    ImpactOptions, LiveVersions, PricedCatalog, UsageRecord, UsageSource, Window, compare,
    ledger_usage, replay, revenue_impact,
};
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
            version: None,
            prepaid: std::collections::BTreeMap::new(),
            at: at("2026-01-01"),
        });
        for (day, value) in uses.iter().enumerate() {
            records.push(UsageRecord::Use {
                customer: customer.into(),
                feature: "messages".into(),
                value: Decimal::from(*value),
                entity: None,
                capped: false,
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
    let window = Window {
        since: None,
        until: Some(at("2026-02-01")),
    };
    let old = replay(
        &PricedCatalog::current(&pricing("20", "100", "0.05")),
        usage().into_iter().map(Ok),
        window,
        true,
    )
    .unwrap();
    let new = replay(
        &PricedCatalog::current(&pricing("25", "80", "0.04")),
        usage().into_iter().map(Ok),
        window,
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
    // The JSON writes each percentage as the plan document does: one digit after the point.
    let json = serde_json::to_value(&impact).unwrap();
    let written: Vec<&str> = json["movers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|mover| mover["change_percent"].as_str().unwrap())
        .collect();
    assert_eq!(written, ["-9.8", "27.0", "25.0", "17.6", "2.1"]);
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
        let priced = PricedCatalog::current(&catalog);
        let coalesced = replay(&priced, records(), Window::default(), true).unwrap();
        let each = replay(&priced, records(), Window::default(), false).unwrap();
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
    let impact = revenue_impact(
        &catalog,
        &catalog,
        None,
        &UsageSource::File(example.join("usage.jsonl")),
        &ImpactOptions::default(),
    )
    .unwrap();
    assert_eq!(impact.total_before, impact.total_after);
    assert!(impact.total_before > Decimal::ZERO);
    assert_eq!(impact.paying_same, impact.customers);
    assert!(impact.movers.is_empty());
}

/// The totals of customers a to f.
fn totals(revenue: &super::Revenue) -> Vec<Decimal> {
    ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|id| revenue.customers[*id].total)
        .collect()
}

/// The hand-computed table's customers under the versioning rule: the change to Pro's
/// charges makes a new version, and the customers on Pro stay on theirs (they pay the old
/// column); moved, or when the plan changes Pro in place (no customer on it live), they pay
/// the new column. Free's charges do not change: its customer is not grandfathered.
#[test]
fn grandfathered_customers_stay_on_their_version_unless_moved() {
    let old = pricing("20", "100", "0.05");
    let new = pricing("25", "80", "0.04");
    let window = Window {
        since: None,
        until: Some(at("2026-02-01")),
    };
    let priced = |move_customers, in_place: &[&str]| {
        let in_place = in_place.iter().map(|plan| (*plan).to_string()).collect();
        replay(
            &PricedCatalog::new(&old, None, &new, move_customers, &in_place),
            usage().into_iter().map(Ok),
            window,
            true,
        )
        .unwrap()
    };
    let old_column = ["40", "40", "50", "85", "185", "0"].map(decimal);
    let new_column = ["50", "50.80", "58.80", "86.80", "166.80", "0"].map(decimal);

    let kept = priced(false, &[]);
    assert_eq!(totals(&kept), old_column);
    let grandfathered: Vec<bool> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|id| kept.customers[*id].grandfathered)
        .collect();
    assert_eq!(grandfathered, [true, true, true, true, true, false]);
    assert_eq!(totals(&priced(true, &[])), new_column);
    assert_eq!(totals(&priced(false, &["pro"])), new_column);

    // Through `revenue_impact`: nothing moves, and the report says who stays.
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("usage.jsonl");
    write_usage(&file, &usage());
    let report = |move_customers| {
        revenue_impact(
            &old,
            &new,
            None,
            &UsageSource::File(file.clone()),
            &ImpactOptions {
                window,
                move_customers,
                ..ImpactOptions::default()
            },
        )
        .unwrap()
    };
    let kept = report(false);
    assert_eq!(
        (kept.total_before, kept.total_after, kept.grandfathered),
        (decimal("400"), decimal("400"), 5)
    );
    assert!(!kept.customers_moved);
    let moved = report(true);
    assert_eq!(
        (moved.total_before, moved.total_after, moved.grandfathered),
        (decimal("400"), decimal("413.20"), 0)
    );
    assert!(moved.customers_moved);
}

fn write_usage(path: &std::path::Path, records: &[UsageRecord]) {
    let text: String = records
        .iter()
        .map(|record| super::sample::jsonl(record) + "\n")
        .collect();
    std::fs::write(path, text).unwrap();
}

/// Live, Pro was $10 (version 1, customer a is still on it) before it became $20 (version 2,
/// customer b). Each is priced on its own version under the old pricing; under the new one
/// ($25), both stay on theirs, or pay $25 when moved. Both use 50 messages, within every
/// version's included amount: two base prices each, January 1 and February 1.
#[test]
fn each_customer_is_priced_on_its_live_version() {
    let first = pricing("10", "100", "0.05");
    let live_catalog = pricing("20", "100", "0.05");
    let new = pricing("25", "80", "0.04");
    let live = LiveVersions {
        current: [("free".to_string(), 1), ("pro".to_string(), 2)].into(),
        definitions: [
            (("free".to_string(), 1), live_catalog.plans["free"].clone()),
            (("pro".to_string(), 1), first.plans["pro"].clone()),
            (("pro".to_string(), 2), live_catalog.plans["pro"].clone()),
        ]
        .into(),
    };
    let records = || {
        [("a", Some(1)), ("b", Some(2))]
            .into_iter()
            .flat_map(|(customer, version)| {
                [
                    UsageRecord::Subscribe {
                        customer: customer.into(),
                        plan: "pro".into(),
                        version,
                        prepaid: std::collections::BTreeMap::new(),
                        at: at("2026-01-01"),
                    },
                    UsageRecord::Use {
                        customer: customer.into(),
                        feature: "messages".into(),
                        value: Decimal::from(50),
                        entity: None,
                        capped: false,
                        at: at("2026-01-10"),
                    },
                ]
            })
            .map(Ok)
            .collect::<Vec<_>>()
    };
    let window = Window {
        since: None,
        until: Some(at("2026-02-01")),
    };
    let run = |priced: &PricedCatalog| {
        let revenue = replay(priced, records().into_iter(), window, true).unwrap();
        (revenue.customers["a"].total, revenue.customers["b"].total)
    };
    let none = std::collections::BTreeSet::new();
    assert_eq!(
        run(&PricedCatalog::old(&live_catalog, Some(&live))),
        (decimal("20"), decimal("40"))
    );
    assert_eq!(
        run(&PricedCatalog::new(
            &live_catalog,
            Some(&live),
            &new,
            false,
            &none
        )),
        (decimal("20"), decimal("40"))
    );
    assert_eq!(
        run(&PricedCatalog::new(
            &live_catalog,
            Some(&live),
            &new,
            true,
            &none
        )),
        (decimal("50"), decimal("50"))
    );
    // Pro changed in place (no customer on version 2 live): b gets the change, a keeps
    // version 1.
    let pro = ["pro".to_string()].into();
    assert_eq!(
        run(&PricedCatalog::new(
            &live_catalog,
            Some(&live),
            &new,
            false,
            &pro
        )),
        (decimal("20"), decimal("50"))
    );
    // Without the live versions, version numbers cannot be priced apart: both on the old
    // pricing's Pro.
    assert_eq!(
        run(&PricedCatalog::old(&live_catalog, None)),
        (decimal("40"), decimal("40"))
    );
}

/// The usage of the hand-computed table, performed through a ledger in a store file, read
/// back from it: the same records (on the plan's version 1), and the same report as the
/// usage file, over the whole window and over part of it.
#[test]
fn usage_from_the_ledger_is_the_usage_that_made_it() {
    use crate::backend::local::LocalStore;
    use crate::ledger::{AttachRequest, Ledger, TrackRequest};
    use crate::reconcile::{ApplyOptions, apply, plan};
    use crate::store::{Access, Store};

    let old = pricing("20", "100", "0.05");
    let new = pricing("25", "80", "0.04");
    let directory = tempfile::tempdir().unwrap();
    let store = directory.path().join("local.db");
    {
        let mut local = LocalStore::open(&store).unwrap();
        let planned = plan(&mut local, &old).unwrap();
        apply(&mut local, &planned, &old, ApplyOptions::default()).unwrap();
        let mut ledger = Ledger::over(local.into_store()).unwrap();
        for record in usage() {
            ledger
                .ensure_customer(record.customer(), record.at())
                .unwrap();
            match record {
                UsageRecord::Subscribe {
                    customer, plan, at, ..
                } => {
                    let request = AttachRequest {
                        customer_id: customer,
                        plan_id: plan,
                        quantities: std::collections::BTreeMap::new(),
                        idempotency_key: None,
                    };
                    ledger.attach(&request, at).unwrap();
                }
                UsageRecord::Use {
                    customer,
                    feature,
                    value,
                    at,
                    ..
                } => {
                    let request = TrackRequest {
                        customer_id: customer,
                        feature_id: feature,
                        value,
                        idempotency_key: None,
                        overage: crate::ledger::Overage::Overflow,
                        entity_id: None,
                    };
                    ledger.track(&request, at).unwrap();
                }
                other => panic!("the table has no {other:?}"),
            }
        }
    }
    let read: Vec<UsageRecord> = ledger_usage(Store::open(&store, Access::Read).unwrap(), None)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<UsageRecord> = usage()
        .into_iter()
        .map(|record| match record {
            UsageRecord::Subscribe {
                customer,
                plan,
                prepaid,
                at,
                ..
            } => UsageRecord::Subscribe {
                customer,
                plan,
                version: Some(1),
                prepaid,
                at,
            },
            other => other,
        })
        .collect();
    assert_eq!(read, expected);

    let file = directory.path().join("usage.jsonl");
    write_usage(&file, &usage());
    for until in ["2026-02-01", "2026-01-12"] {
        let options = ImpactOptions {
            window: Window {
                since: None,
                until: Some(at(until)),
            },
            move_customers: true,
            ..ImpactOptions::default()
        };
        let from_file =
            revenue_impact(&old, &new, None, &UsageSource::File(file.clone()), &options).unwrap();
        let from_ledger = revenue_impact(
            &old,
            &new,
            None,
            &UsageSource::Ledger(store.clone()),
            &options,
        )
        .unwrap();
        assert!(from_file.total_after > from_file.total_before, "{until}");
        assert_eq!(
            (from_ledger.total_before, from_ledger.total_after),
            (from_file.total_before, from_file.total_after),
            "{until}"
        );
        assert_eq!(from_ledger.movers, from_file.movers, "{until}");
        assert_eq!(from_ledger.items, from_file.items, "{until}");
    }
}

/// A store written before the operations journal (schema 8) is migrated with its
/// subscriptions journaled as attaches at their start and its gifts as grants (with their
/// expiry), so `--from-ledger` still reads them, after the usage that came before.
#[test]
fn a_store_from_before_the_journal_keeps_its_subscriptions_and_gifts() {
    use crate::backend::local::LocalStore;
    use crate::ledger::{AttachRequest, GrantRequest, Ledger, Overage, TrackRequest};
    use crate::reconcile::{ApplyOptions, apply, plan};
    use crate::store::{Access, Store};

    let catalog = pricing("20", "100", "0.05");
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("local.db");
    {
        let mut local = LocalStore::open(&path).unwrap();
        let planned = plan(&mut local, &catalog).unwrap();
        apply(&mut local, &planned, &catalog, ApplyOptions::default()).unwrap();
        let mut ledger = Ledger::over(local.into_store()).unwrap();
        ledger.ensure_customer("acme", at("2026-01-01")).unwrap();
        let track = |value: i64| TrackRequest {
            customer_id: "acme".into(),
            feature_id: "messages".into(),
            value: Decimal::from(value),
            idempotency_key: None,
            overage: Overage::Overflow,
            entity_id: None,
        };
        ledger.track(&track(3), at("2026-01-02")).unwrap();
        let attach = AttachRequest {
            customer_id: "acme".into(),
            plan_id: "pro".into(),
            quantities: std::collections::BTreeMap::new(),
            idempotency_key: None,
        };
        ledger.attach(&attach, at("2026-01-05")).unwrap();
        let grant = GrantRequest {
            customer_id: "acme".into(),
            feature_id: "messages".into(),
            amount: Decimal::from(40),
            expires_at: Some(at("2026-03-01").0),
            reason: "sorry".into(),
        };
        ledger.grant(&grant, at("2026-01-06")).unwrap();
        ledger.track(&track(7), at("2026-01-06")).unwrap();
    }
    let written = read_ledger(&path);
    // As a pricectl before the journal left it.
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch("DROP TABLE operations; PRAGMA user_version = 8;")
            .unwrap();
    }
    drop(Store::open(&path, Access::Write).unwrap());
    assert_eq!(read_ledger(&path), written);
    let use_of = |value: i64, day: &str| UsageRecord::Use {
        customer: "acme".into(),
        feature: "messages".into(),
        value: Decimal::from(value),
        entity: None,
        capped: false,
        at: at(day),
    };
    assert_eq!(
        written,
        [
            use_of(3, "2026-01-02"),
            UsageRecord::Subscribe {
                customer: "acme".into(),
                plan: "pro".into(),
                version: Some(1),
                prepaid: std::collections::BTreeMap::new(),
                at: at("2026-01-05"),
            },
            UsageRecord::Grant {
                customer: "acme".into(),
                feature: "messages".into(),
                amount: Decimal::from(40),
                expires: Some(at("2026-03-01")),
                at: at("2026-01-06"),
            },
            use_of(7, "2026-01-06"),
        ]
    );
}

fn read_ledger(path: &std::path::Path) -> Vec<UsageRecord> {
    use crate::store::{Access, Store};
    ledger_usage(Store::open(path, Access::Read).unwrap(), None)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
