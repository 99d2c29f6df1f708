//! Entities over HTTP (issue 10): `entities.create`, `entities.get`, `entities.delete`, and
//! `entity_id` on `balances.track` and `balances.check`, answered as Autumn answers them.

use super::apply_pricing;
use super::server::{KEY, Server};
use crate::support::{TestContext, root, stdout};

#[test]
fn the_entity_story_over_http() {
    let context = TestContext::new();
    let server = serving_the_entities_rule(&context);
    let created = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(created.status, 200, "{}", created.body);
    let attached = server.post(
        "billing.attach",
        r#"{"customer_id":"u1","plan_id":"team","feature_quantities":[{"feature_id":"seats","quantity":2}]}"#,
    );
    assert_eq!(attached.status, 200, "{}", attached.body);
    let mut answers = Vec::new();
    for (route, body) in [
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"seats","name":"Ada"}"#,
        ),
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"bo","feature_id":"seats"}"#,
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"messages","value":30}"#,
        ),
        (
            "balances.check",
            r#"{"customer_id":"u1","entity_id":"bo","feature_id":"messages"}"#,
        ),
        (
            "balances.check",
            r#"{"customer_id":"u1","feature_id":"messages"}"#,
        ),
        ("entities.get", r#"{"customer_id":"u1","entity_id":"ada"}"#),
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"seats"}"#,
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","entity_id":"zed","feature_id":"messages"}"#,
        ),
        (
            "balances.check",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"seats"}"#,
        ),
        (
            "balances.create",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"messages","included_grant":5}"#,
        ),
        (
            "entities.delete",
            r#"{"customer_id":"u1","entity_id":"bo"}"#,
        ),
        ("entities.get", r#"{"customer_id":"u1","entity_id":"bo"}"#),
        ("entities.get", r#"{"entity_id":"ada"}"#),
    ] {
        let answer = with_times_hidden(&server.post(route, body).summary());
        answers.push(format!("{route} {body}\n  {answer}"));
    }
    insta::assert_snapshot!(answers.join("\n"));
    // What was refused changed nothing: Ada holds 70 messages, one seat is free again.
    let customer = server
        .post("customers.get", r#"{"customer_id":"u1"}"#)
        .json();
    assert_eq!(
        customer["balances"]["messages"]["remaining"].to_string(),
        "70"
    );
    assert_eq!(customer["balances"]["seats"]["remaining"].to_string(), "1");
}

/// `entities.list` and `entities.update` over HTTP, as Autumn answers them: a page of the live
/// entities across customers, the newest first, filtered by customer, search, plan and
/// processor, by offset before API 2.3.0 and by cursor from it; an update of an entity's own
/// billing controls, which pricectl refuses when it holds an entry, answering the entity
/// otherwise.
#[test]
fn entities_are_listed_and_updated_over_http() {
    let context = TestContext::new();
    let server = serving_the_entities_rule(&context);
    for (route, body) in [
        ("customers.get_or_create", r#"{"customer_id":"u1"}"#),
        ("customers.get_or_create", r#"{"customer_id":"u2"}"#),
        ("customers.get_or_create", r#"{"customer_id":"u3"}"#),
        (
            "billing.attach",
            r#"{"customer_id":"u1","plan_id":"team","feature_quantities":[{"feature_id":"seats","quantity":3}]}"#,
        ),
        (
            "billing.attach",
            r#"{"customer_id":"u2","plan_id":"team","feature_quantities":[{"feature_id":"seats","quantity":1}]}"#,
        ),
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"seats","name":"Ada"}"#,
        ),
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"bo","feature_id":"seats"}"#,
        ),
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"cy","feature_id":"seats","name":"Cy Adams"}"#,
        ),
        (
            "entities.create",
            r#"{"customer_id":"u2","entity_id":"ada","feature_id":"seats","name":"Ada Two"}"#,
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"messages","value":30}"#,
        ),
        // u3 is on no plan: its seat is on none.
        (
            "entities.create",
            r#"{"customer_id":"u3","entity_id":"solo","feature_id":"seats"}"#,
        ),
        // A deleted entity is listed no more.
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"gone","feature_id":"seats"}"#,
        ),
        (
            "entities.delete",
            r#"{"customer_id":"u1","entity_id":"gone"}"#,
        ),
    ] {
        let answer = server.post(route, body);
        assert_eq!(answer.status, 200, "{route} {body}: {}", answer.body);
    }
    let mut answers = Vec::new();
    // API 2.1.0: pages by offset.
    for (route, body) in [
        ("entities.list", "{}"),
        ("entities.list", r#"{"limit":2,"offset":1}"#),
        ("entities.list", r#"{"customer_id":"u1","search":" ADA "}"#),
        (
            "entities.list",
            r#"{"plans":[{"id":"team","versions":[1]}]}"#,
        ),
        (
            "entities.list",
            r#"{"plans":[{"id":"team","versions":[2]}]}"#,
        ),
        ("entities.list", r#"{"processors":["stripe"]}"#),
        ("entities.list", r#"{"customer_id":"nobody"}"#),
        ("entities.list", r#"{"start_cursor":""}"#),
        ("entities.list", r#"{"limit":0}"#),
        ("entities.list", r#"{"limit":1001}"#),
        ("entities.list", r#"{"customer_id":" "}"#),
        ("entities.list", r#"{"subscription_status":"scheduled"}"#),
        ("entities.list", r#"{"sort":"name"}"#),
        (
            "entities.update",
            r#"{"customer_id":"u1","entity_id":"ada","billing_controls":{"spend_limits":[],"usage_alerts":[]}}"#,
        ),
        (
            "entities.update",
            r#"{"customer_id":"u1","entity_id":"bo"}"#,
        ),
        (
            "entities.update",
            r#"{"customer_id":"u1","entity_id":"ada","billing_controls":{"spend_limits":[{"feature_id":"messages","enabled":true,"overage_limit":25}]}}"#,
        ),
        (
            "entities.update",
            r#"{"customer_id":"u1","entity_id":"ada","billing_controls":{"overage_allowed":[{"feature_id":"messages","enabled":true}]}}"#,
        ),
        (
            "entities.update",
            r#"{"customer_id":"u1","entity_id":"ada","billing_controls":{"auto_topups":[{"feature_id":"messages","threshold":10,"quantity":100}]}}"#,
        ),
        (
            "entities.update",
            r#"{"customer_id":"u1","entity_id":"gone"}"#,
        ),
        (
            "entities.update",
            r#"{"customer_id":"nobody","entity_id":"ada"}"#,
        ),
        ("entities.update", r#"{"entity_id":"ada"}"#),
    ] {
        let answer = with_times_hidden(&server.post(route, body).summary());
        answers.push(format!("{route} {body}\n  {answer}"));
    }
    // API 2.4.0 (what autumn-js 1.3.13 sends): pages by cursor.
    let list = |body: &str| {
        server.request(
            "POST",
            "/v1/entities.list",
            &[
                ("Authorization", &format!("Bearer {KEY}")),
                ("X-API-Version", "2.4.0"),
            ],
            body.as_bytes(),
        )
    };
    let first = list(r#"{"limit":3}"#);
    let cursor = first.json()["next_cursor"]
        .as_str()
        .expect("a page with more after it has a cursor")
        .to_string();
    let second_body = format!(r#"{{"limit":3,"start_cursor":"{cursor}"}}"#);
    for (body, answer) in [
        (r#"{"limit":3}"#, first),
        ("{next_cursor}", list(&second_body)),
        ("{}", list("{}")),
        (r#"{"offset":1}"#, list(r#"{"offset":1}"#)),
        (r#"{"limit":5001}"#, list(r#"{"limit":5001}"#)),
        (
            r#"{"start_cursor":"not a cursor"}"#,
            list(r#"{"start_cursor":"not a cursor"}"#),
        ),
        // A cursor of Autumn's shape whose key this server never wrote: {"v":0,"id":"x","t":1}.
        (
            r#"{"start_cursor":"eyJ2IjowLCJpZCI6IngiLCJ0IjoxfQ"}"#,
            list(r#"{"start_cursor":"eyJ2IjowLCJpZCI6IngiLCJ0IjoxfQ"}"#),
        ),
    ] {
        let answer = with_times_hidden(&answer.summary()).replace(&cursor, "[cursor]");
        answers.push(format!("entities.list (2.4.0) {body}\n  {answer}"));
    }
    insta::assert_snapshot!(answers.join("\n"));
}

/// A server over the pricing of the ledger rule `tests/ledger-rules/entities/` (every seat
/// holds its own 100 messages a month), applied.
fn serving_the_entities_rule(context: &TestContext) -> Server {
    let pricing = std::fs::read_to_string(root().join("tests/ledger-rules/entities/pricing.toml"))
        .expect("the rule's pricing");
    context.write("pricing.toml", &pricing);
    apply_pricing(context);
    Server::start(context)
}

/// The answer with the server's times (`created_at`, `next_reset_at`: milliseconds from the
/// clock of the run) written as `[time]`.
fn with_times_hidden(answer: &str) -> String {
    let mut hidden = answer.to_string();
    for key in [r#""created_at":"#, r#""next_reset_at":"#] {
        let mut from = 0;
        while let Some(found) = hidden[from..].find(key) {
            let digits = from + found + key.len();
            let end = hidden[digits..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(hidden.len(), |offset| digits + offset);
            if end > digits {
                hidden.replace_range(digits..end, "[time]");
            }
            from = digits;
        }
    }
    hidden
}

/// A plan item held per entity, sent as Autumn's clients send it (`entity_feature_id`, which
/// atmn writes from a config's `entityFeatureId`): `plans.create` takes it, the answer carries
/// it, an allocated feature's usage-priced item answers `reset: null`, the entities of a
/// customer on the plan each hold the item, an unknown or consumable feature is refused, and an update whose
/// item leaves it out makes the balance the customer's again (Autumn reads a missing
/// `entity_feature_id` as none).
#[test]
fn a_per_entity_item_through_the_catalog_endpoints() {
    let context = TestContext::new();
    let server = Server::start(&context);
    let mut answers = Vec::new();
    let mut post = |route: &str, body: &str| {
        let response = server.post(route, body);
        answers.push(format!(
            "{route} {body}\n  {}",
            with_times_hidden(&response.summary())
        ));
        response
    };
    for body in [
        r#"{"feature_id":"seats","name":"Seats","type":"metered","consumable":false}"#,
        r#"{"feature_id":"messages","name":"Messages","type":"metered","consumable":true}"#,
    ] {
        assert_eq!(post("features.create", body).status, 200);
    }
    let created = post(
        "plans.create",
        r#"{"plan_id":"team","name":"Team","items":[
            {"feature_id":"seats","included":2,"price":{"amount":9,"interval":"month","billing_units":1,"billing_method":"usage_based"}},
            {"feature_id":"messages","included":100,"reset":{"interval":"month"},"entity_feature_id":"seats"}]}"#,
    );
    assert_eq!(created.status, 200);
    let plan = created.json();
    assert_eq!(plan["items"][0]["feature_id"], "messages");
    assert_eq!(plan["items"][0]["entity_feature_id"], "seats");
    assert_eq!(plan["items"][1]["reset"], serde_json::Value::Null);
    let refused = post(
        "plans.create",
        r#"{"plan_id":"solo","items":[{"feature_id":"messages","included":5,"reset":{"interval":"month"},"entity_feature_id":"desks"}]}"#,
    );
    assert_eq!(refused.status, 400);
    let consumable = post(
        "plans.create",
        r#"{"plan_id":"solo","items":[{"feature_id":"seats","included":1,"entity_feature_id":"messages"}]}"#,
    );
    assert_eq!(consumable.status, 400);
    // `pricectl plan` of the same pricing against the served store: no changes.
    context.write(
        "pricing.toml",
        r#"version = 1
currency = "USD"

[features.seats]
name = "Seats"
type = "metered"
consumable = false

[features.messages]
name = "Messages"
type = "metered"

[plans.team]
name = "Team"

[plans.team.items.seats]
included = 2
price = { amount = 9, billing = "usage", interval = "month" }

[plans.team.items.messages]
included = 100
reset = "month"
per_entity = "seats"
"#,
    );
    let planned = context.run(&[
        "plan",
        "--state",
        "local.db",
        "--detailed-exitcode",
        "pricing.toml",
    ]);
    assert_eq!(planned.status.code(), Some(0), "{}", stdout(&planned));
    for (route, body) in [
        ("customers.get_or_create", r#"{"customer_id":"u1"}"#),
        ("billing.attach", r#"{"customer_id":"u1","plan_id":"team"}"#),
        (
            "entities.create",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"seats"}"#,
        ),
        (
            "balances.track",
            r#"{"customer_id":"u1","entity_id":"ada","feature_id":"messages","value":30}"#,
        ),
    ] {
        assert_eq!(post(route, body).status, 200);
    }
    let updated = post(
        "plans.update",
        r#"{"plan_id":"team","items":[
            {"feature_id":"seats","included":2,"price":{"amount":9,"interval":"month","billing_units":1,"billing_method":"usage_based"}},
            {"feature_id":"messages","included":100,"reset":{"interval":"month"}}]}"#,
    );
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.json()["items"][0].get("entity_feature_id"),
        None,
        "left out, the balance is the customer's"
    );
    insta::assert_snapshot!(answers.join("\n"));
}

/// A plan attached for an entity is refused by name, never attached to the whole customer:
/// pricectl's plans are a customer's (Autumn can hold one per entity).
#[test]
fn a_plan_attached_for_an_entity_is_refused_by_name() {
    let context = TestContext::new();
    let server = serving_the_entities_rule(&context);
    let created = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(created.status, 200, "{}", created.body);
    for (route, body) in [
        (
            "billing.attach",
            r#"{"customer_id":"u1","entity_id":"ada","plan_id":"team","feature_quantities":[{"feature_id":"seats","quantity":2}]}"#,
        ),
        (
            "attach",
            r#"{"customer_id":"u1","entity_id":"ada","product_id":"team","options":[{"feature_id":"seats","quantity":1}]}"#,
        ),
    ] {
        let refused = server.post(route, body);
        assert_eq!(refused.status, 400, "{route}: {}", refused.body);
        assert!(
            refused
                .body
                .contains("entity_id: pricectl's plans are a customer's"),
            "{route}: {}",
            refused.body
        );
    }
    let customer = server
        .post("customers.get", r#"{"customer_id":"u1"}"#)
        .json();
    assert_eq!(
        customer["subscriptions"],
        serde_json::json!([]),
        "{customer}"
    );
}
