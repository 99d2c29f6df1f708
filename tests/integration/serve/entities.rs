//! Entities over HTTP (issue 10): `entities.create`, `entities.get`, `entities.delete`, and
//! `entity_id` on `balances.track` and `balances.check`, answered as Autumn answers them.

use super::apply_pricing;
use super::server::Server;
use crate::support::{TestContext, root};

#[test]
fn the_entity_story_over_http() {
    let context = TestContext::new();
    let pricing = std::fs::read_to_string(root().join("tests/ledger-rules/entities/pricing.toml"))
        .expect("the rule's pricing");
    context.write("pricing.toml", &pricing);
    apply_pricing(&context);
    let server = Server::start(&context);
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
