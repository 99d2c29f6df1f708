//! `billing.update` with `feature_quantities` (Autumn's way to change a subscription's prepaid
//! quantities) over HTTP: the ledger's quantity change (`set-quantity`), charged and credited
//! pro rata, with the subscription named by plan, by `subscription_id` or by neither, and
//! what pricectl cannot change refused by name.

use super::apply_pricing;
use super::server::Server;
use crate::support::TestContext;

/// The saas-seats-credits example served, with `u1` on Pro holding 5 seats (3 included, 2
/// bought at $5 a month).
fn on_pro_with_five_seats() -> (TestContext, Server) {
    let context = TestContext::with_example("saas-seats-credits");
    apply_pricing(&context);
    let server = Server::start(&context);
    let created = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(created.status, 200, "{}", created.body);
    let attached = server.post(
        "billing.attach",
        r#"{"customer_id":"u1","plan_id":"pro","feature_quantities":[{"feature_id":"seats","quantity":5}]}"#,
    );
    assert_eq!(attached.status, 200, "{}", attached.body);
    (context, server)
}

fn seats_held(server: &Server) -> String {
    let customer = server
        .post("customers.get", r#"{"customer_id":"u1"}"#)
        .json();
    customer["balances"]["seats"]["remaining"].to_string()
}

#[test]
fn billing_update_changes_a_prepaid_quantity_through_the_ledger() {
    let (context, server) = on_pro_with_five_seats();
    assert_eq!(seats_held(&server), "5");
    let mut answers = Vec::new();
    let mut update = |body: &str| {
        let answer = server.post("billing.update", body);
        answers.push(format!("{body}\n  {}", answer.summary()));
        answer.status
    };
    // 3 more seats, bought now for what is left of the month: about $15.
    assert_eq!(
        update(
            r#"{"customer_id":"u1","plan_id":"pro","feature_quantities":[{"feature_id":"seats","quantity":8}]}"#
        ),
        200
    );
    assert_eq!(seats_held(&server), "8");
    // No plan named: the customer's paid main subscription with a prepaid `seats` (Autumn's
    // choice). 4 fewer seats, credited pro rata.
    assert_eq!(
        update(
            r#"{"customer_id":"u1","feature_quantities":[{"feature_id":"seats","quantity":4}]}"#
        ),
        200
    );
    assert_eq!(seats_held(&server), "4");
    // The same quantity again: nothing to charge, so no invoice.
    assert_eq!(
        update(
            r#"{"customer_id":"u1","plan_id":"pro","feature_quantities":[{"feature_id":"seats","quantity":4},{"feature_id":"credits"}]}"#
        ),
        200
    );
    // Refused, each changing nothing.
    for body in [
        r#"{"customer_id":"u1","plan_id":"pro","cancel_action":"cancel_end_of_cycle"}"#,
        r#"{"customer_id":"u1","plan_id":"pro"}"#,
        r#"{"customer_id":"u1","plan_id":"pro","entity_id":"e1","feature_quantities":[{"feature_id":"seats","quantity":9}]}"#,
        r#"{"customer_id":"u1","plan_id":"free","feature_quantities":[{"feature_id":"seats","quantity":9}]}"#,
        r#"{"customer_id":"u1","plan_id":"pro","feature_quantities":[{"feature_id":"seats","quantity":9},{"feature_id":"sso","quantity":1}]}"#,
        r#"{"customer_id":"u1","plan_id":"pro","feature_quantities":[{"feature_id":"seats","quantity":-1}]}"#,
        r#"{"customer_id":"u1","subscription_id":"999","feature_quantities":[{"feature_id":"seats","quantity":9}]}"#,
        r#"{"customer_id":"u1","plan_id":"pro","feature_quantities":[{"feature_id":"seats","quantity":9,"colour":1}]}"#,
    ] {
        assert_ne!(update(body), 200, "{body}");
    }
    assert_eq!(seats_held(&server), "4");
    // By `subscription_id`, as the customer lists it.
    let customer = server
        .post("customers.get", r#"{"customer_id":"u1"}"#)
        .json();
    let subscription_id = customer["subscriptions"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    assert_eq!(
        update(&format!(
            r#"{{"customer_id":"u1","subscription_id":"{subscription_id}","feature_quantities":[{{"feature_id":"seats","quantity":6}}]}}"#
        )),
        200
    );
    assert_eq!(seats_held(&server), "6");
    insta::assert_snapshot!(
        answers
            .join("\n")
            .replace(
                &format!(r#""subscription_id":"{subscription_id}""#),
                r#""subscription_id":"[id]""#
            )
            .replace(
                &format!("pricectl_charge_{subscription_id}"),
                "pricectl_charge_[id]"
            )
    );
    // The ledger recorded each change as `pricectl set-quantity` does: the CLI sees them.
    drop(server);
    let history = context.run(&[
        "history",
        "--customer",
        "u1",
        "--state",
        "local.db",
        "--format",
        "json",
    ]);
    assert!(history.status.success());
    let entries: serde_json::Value =
        serde_json::from_slice(&history.stdout).expect("history is JSON");
    let seat_entries: Vec<String> = entries
        .as_array()
        .expect("a list")
        .iter()
        .filter(|entry| entry["balance_key"] == "seats")
        .map(|entry| format!("{} {}", entry["kind"], entry["amount"]))
        .collect();
    insta::assert_snapshot!(seat_entries.join("\n"));
}
