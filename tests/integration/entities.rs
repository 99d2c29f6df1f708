//! Per-entity balances (issue 10): every entity of a customer (a seat, a workspace) holds its
//! own balance of the items held per entity, renewed each period; the customer's balance is
//! their sum. The rule's scenarios are `tests/ledger-rules/entities/`; these tests go through
//! the library and the command line.

use std::path::Path;
use std::str::FromStr;

use pricectl::ledger::{
    AttachRequest, CheckRequest, CreateEntityRequest, Instant, Ledger, LedgerError, Operation,
    TrackRequest,
};
use rust_decimal::Decimal;

use crate::support::TestContext;

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn at(text: &str) -> Instant {
    Instant::parse(text).expect("instant")
}

/// Seats with 100 messages a month each (billed beyond), and workspaces with 5 GB each (not
/// billed beyond), on one plan.
const PRICING: &str = r#"
version = 1
currency = "USD"

[features.seats]
type = "metered"
consumable = false

[features.workspaces]
type = "metered"
consumable = false

[features.messages]
type = "metered"

[features.storage-gb]
type = "metered"

[features.api-calls]
type = "metered"

[plans.team.items.seats]
price = { amount = 10, billing = "prepaid", interval = "month" }

[plans.team.items.workspaces]
included = 3

[plans.team.items.messages]
included = 100
reset = "month"
price = { amount = 0.01, billing = "usage", interval = "month" }
per_entity = "seats"

[plans.team.items.storage-gb]
included = 5
reset = "month"
per_entity = "workspaces"

[plans.team.items.api-calls]
included = 1000
reset = "month"
"#;

fn ledger(directory: &Path) -> Ledger {
    let pricing = directory.join("pricing.toml");
    std::fs::write(&pricing, PRICING).expect("writes");
    let mut ledger = crate::ledger_rules::ledger_for(&pricing, directory);
    ledger
        .ensure_customer("acme", at("2026-01-01"))
        .expect("customer");
    ledger
        .attach(
            &AttachRequest {
                customer_id: "acme".into(),
                plan_id: "team".into(),
                quantities: [("seats".to_string(), decimal("3"))].into(),
                idempotency_key: None,
            },
            at("2026-01-01"),
        )
        .expect("attach");
    ledger
}

fn create(ledger: &mut Ledger, entity: &str, feature: &str, when: &str) {
    ledger
        .execute(
            &Operation::CreateEntity(CreateEntityRequest {
                customer_id: "acme".into(),
                entity_id: entity.into(),
                feature_id: feature.into(),
                name: None,
            }),
            at(when),
        )
        .expect("creates the entity");
}

fn track(
    ledger: &mut Ledger,
    feature: &str,
    entity: Option<&str>,
    value: &str,
    when: &str,
) -> Result<pricectl::ledger::TrackResult, LedgerError> {
    ledger.track(
        &TrackRequest {
            customer_id: "acme".into(),
            feature_id: feature.into(),
            value: decimal(value),
            idempotency_key: None,
            overage: pricectl::ledger::Overage::Overflow,
            entity_id: entity.map(str::to_string),
        },
        at(when),
    )
}

fn balance(ledger: &mut Ledger, feature: &str, entity: Option<&str>, when: &str) -> Decimal {
    ledger
        .check_for(
            &CheckRequest {
                customer_id: "acme".into(),
                feature_id: feature.into(),
                required: None,
                entity_id: entity.map(str::to_string),
            },
            at(when),
        )
        .expect("check")
        .balance
        .expect("metered")
        .balance
}

/// The sum of the entries of `key` an entity's balance is made of (its own and the
/// customer's), or of every entry of it for `None`.
fn sum_of_entries(ledger: &mut Ledger, key: &str, entity: Option<&str>) -> Decimal {
    ledger
        .history("acme")
        .expect("history")
        .into_iter()
        .filter(|entry| entry.balance_key == key)
        .filter(|entry| {
            entity.is_none() || entry.entity_id.is_none() || entry.entity_id.as_deref() == entity
        })
        .map(|entry| entry.amount)
        .sum()
}

#[test]
fn each_entity_holds_its_own_balance_and_the_customer_their_sum() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger(directory.path());
    // A plan attached before any entity grants nothing held per entity.
    assert_eq!(
        balance(&mut ledger, "messages", None, "2026-01-01"),
        decimal("0")
    );
    create(&mut ledger, "ada", "seats", "2026-01-01");
    create(&mut ledger, "bo", "seats", "2026-01-01");
    create(&mut ledger, "docs", "workspaces", "2026-01-01");
    // Each entity is one unit of its feature in use.
    assert_eq!(
        balance(&mut ledger, "seats", None, "2026-01-01"),
        decimal("1")
    );
    assert_eq!(
        balance(&mut ledger, "workspaces", None, "2026-01-01"),
        decimal("2")
    );
    let tracked = track(&mut ledger, "messages", Some("ada"), "30", "2026-01-02").expect("track");
    assert_eq!(tracked.balance, decimal("70"));
    assert_eq!(tracked.entity_id.as_deref(), Some("ada"));
    assert_eq!(
        balance(&mut ledger, "messages", Some("bo"), "2026-01-02"),
        decimal("100")
    );
    assert_eq!(
        balance(&mut ledger, "messages", None, "2026-01-02"),
        decimal("170")
    );
    // Without an entity, usage is drawn from the entities in the order of their ids.
    track(&mut ledger, "messages", None, "80", "2026-01-03").expect("track");
    assert_eq!(
        balance(&mut ledger, "messages", Some("ada"), "2026-01-03"),
        decimal("0")
    );
    assert_eq!(
        balance(&mut ledger, "messages", Some("bo"), "2026-01-03"),
        decimal("90")
    );
    // A customer-level gift is shared: every entity may use it.
    ledger
        .grant(
            &pricectl::ledger::GrantRequest {
                customer_id: "acme".into(),
                feature_id: "messages".into(),
                amount: decimal("25"),
                expires_at: None,
                reason: "apology".into(),
            },
            at("2026-01-04"),
        )
        .expect("grant");
    assert_eq!(
        balance(&mut ledger, "messages", Some("ada"), "2026-01-04"),
        decimal("25")
    );
    assert_eq!(
        balance(&mut ledger, "messages", None, "2026-01-04"),
        decimal("115")
    );
    // Beyond its balance (its 90 and the shared 25) an entity owes; each period bills what the
    // entities owe and renews every entity.
    track(&mut ledger, "messages", Some("bo"), "200", "2026-01-05").expect("track");
    assert_eq!(
        balance(&mut ledger, "messages", Some("bo"), "2026-01-05"),
        decimal("-85")
    );
    assert_eq!(
        balance(&mut ledger, "messages", Some("ada"), "2026-01-05"),
        decimal("0")
    );
    assert_eq!(
        balance(&mut ledger, "messages", Some("bo"), "2026-02-01"),
        decimal("100")
    );
    assert_eq!(
        balance(&mut ledger, "messages", None, "2026-02-01"),
        decimal("200")
    );
    assert_eq!(
        balance(&mut ledger, "storage-gb", Some("docs"), "2026-02-01"),
        decimal("5")
    );
    let charges = ledger.charges("acme").expect("charges");
    assert!(
        charges.iter().any(
            |charge| charge.line_items.iter().any(|line| line.description
                == "messages: 85 units of usage beyond the balance"
                && line.amount == decimal("0.85"))
        ),
        "{charges:?}"
    );
    // Deleting an entity releases its unit and ends its own balances.
    ledger
        .delete_entity("acme", "bo", at("2026-02-02"))
        .expect("delete");
    assert_eq!(
        balance(&mut ledger, "seats", None, "2026-02-02"),
        decimal("2")
    );
    assert_eq!(
        balance(&mut ledger, "messages", None, "2026-02-02"),
        decimal("100")
    );
    // Its id can be used again, with a fresh grant.
    create(&mut ledger, "bo", "seats", "2026-02-03");
    assert_eq!(
        balance(&mut ledger, "messages", Some("bo"), "2026-02-03"),
        decimal("100")
    );
    // Every balance, each entity's and the customer's, is the sum of its entries.
    for entity in [Some("ada"), Some("bo"), None] {
        assert_eq!(
            balance(&mut ledger, "messages", entity, "2026-02-03"),
            sum_of_entries(&mut ledger, "messages", entity),
            "{entity:?}"
        );
    }
}

#[test]
fn an_entity_named_wrongly_is_refused_with_its_name() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger(directory.path());
    let refused = |result: Result<pricectl::ledger::TrackResult, LedgerError>| {
        result.expect_err("refused").to_string()
    };
    assert_eq!(
        refused(track(&mut ledger, "messages", None, "1", "2026-01-01")),
        "`messages` is held per entity of `seats`: `acme` has no entity of `seats` for the usage to belong to"
    );
    create(&mut ledger, "ada", "seats", "2026-01-01");
    create(&mut ledger, "docs", "workspaces", "2026-01-01");
    assert_eq!(
        refused(track(
            &mut ledger,
            "messages",
            Some("cy"),
            "1",
            "2026-01-01"
        )),
        "`acme` has no entity `cy`"
    );
    assert_eq!(
        refused(track(
            &mut ledger,
            "api-calls",
            Some("ada"),
            "1",
            "2026-01-01"
        )),
        "`api-calls` is held per customer, not per entity: entity `ada` has no balance of its own for it"
    );
    assert_eq!(
        refused(track(
            &mut ledger,
            "messages",
            Some("docs"),
            "1",
            "2026-01-01"
        )),
        "entity `docs` is one of `workspaces`, and `messages` is held per entity of `seats`"
    );
    let error = ledger
        .execute(
            &Operation::CreateEntity(CreateEntityRequest {
                customer_id: "acme".into(),
                entity_id: "bot".into(),
                feature_id: "messages".into(),
                name: None,
            }),
            at("2026-01-01"),
        )
        .expect_err("a consumable feature has no entities");
    assert!(
        error.to_string().contains("`messages` is consumable"),
        "{error}"
    );
    // A refused operation leaves nothing behind.
    assert_eq!(
        balance(&mut ledger, "messages", None, "2026-01-01"),
        decimal("100")
    );
    assert_eq!(
        balance(&mut ledger, "seats", None, "2026-01-01"),
        decimal("2")
    );
}

#[test]
fn a_customer_without_entities_keeps_its_history_as_before() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut ledger = ledger(directory.path());
    track(&mut ledger, "api-calls", None, "10", "2026-01-02").expect("track");
    let history = serde_json::to_string(&ledger.history("acme").expect("history")).expect("json");
    assert!(!history.contains("entity_id"), "{history}");
}

#[test]
fn the_entity_commands_as_users_see_them() {
    let context = TestContext::new();
    context.write("pricing.toml", PRICING);
    let run = |args: &[&str]| context.transcript(args);
    assert!(run(&["apply", "--auto-approve", "--quiet"]).ends_with("[exit 0]\n"));
    let mut transcript = String::new();
    for args in [
        &["customer", "create", "acme", "--at", "2026-01-01"][..],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "team",
            "--quantity",
            "seats=2",
            "--at",
            "2026-01-01",
        ],
        &[
            "entity",
            "create",
            "ada",
            "--customer",
            "acme",
            "--feature",
            "seats",
            "--name",
            "Ada",
            "--at",
            "2026-01-01",
        ],
        &[
            "entity",
            "create",
            "bo",
            "--customer",
            "acme",
            "--feature",
            "seats",
            "--at",
            "2026-01-01",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "messages",
            "--entity",
            "ada",
            "--value",
            "30",
            "--at",
            "2026-01-02",
        ],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "messages",
            "--value",
            "120",
            "--at",
            "2026-01-03",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "messages",
            "--entity",
            "bo",
            "--at",
            "2026-01-03",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "messages",
            "--format",
            "json",
            "--at",
            "2026-01-03",
        ],
        &["balance", "--customer", "acme", "--at", "2026-01-03"],
        &[
            "entity",
            "show",
            "ada",
            "--customer",
            "acme",
            "--at",
            "2026-01-03",
        ],
        &[
            "entity",
            "delete",
            "bo",
            "--customer",
            "acme",
            "--at",
            "2026-01-04",
        ],
        &["history", "--customer", "acme"],
        &["customer", "show", "acme", "--at", "2026-01-04"],
        &[
            "track",
            "--customer",
            "acme",
            "--feature",
            "messages",
            "--entity",
            "bo",
            "--at",
            "2026-01-05",
        ],
        &[
            "check",
            "--customer",
            "acme",
            "--feature",
            "api-calls",
            "--entity",
            "ada",
            "--at",
            "2026-01-05",
        ],
    ] {
        transcript.push_str(&run(args));
    }
    context.bind(|| insta::assert_snapshot!(transcript));
}
