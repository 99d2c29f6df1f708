//! The server keeps the live state it read while the store has not changed
//! (`src/serve/live_cache.rs`). Each test reads first, so a state is kept, then changes the
//! store one way, and reads again: a state kept past the change fails it.

use super::server::Server;
use super::{OPENAI_CATALOG, apply_pricing, on_top_up, served_example};
use crate::support::{TestContext, stdout};

/// The catalog of no objects: its preview says what removing everything does, with the
/// customers on each plan (what `pricectl plan` asks for them).
const EMPTY_CATALOG: &str = r#"{"features":[],"plans":[]}"#;

fn feature_ids(server: &Server) -> Vec<String> {
    let listed = server.post("features.list", "{}").json();
    listed["list"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|feature| feature["id"].as_str().expect("an id").to_string())
        .collect()
}

fn plan_name(server: &Server) -> String {
    let listed = server.post("plans.list", "{}").json();
    listed["list"][0]["name"]
        .as_str()
        .expect("a name")
        .to_string()
}

fn customers_on_top_up(server: &Server) -> u64 {
    let preview = server.post("catalog.preview_update", EMPTY_CATALOG).json();
    preview["plan_changes"]
        .as_array()
        .expect("plan changes")
        .iter()
        .find(|change| change["plan_id"] == "credit-top-up")
        .expect("the top-up plan")["customer_count"]
        .as_u64()
        .expect("a count")
}

/// Reads everything the server keeps, so what follows reads a kept state unless the store
/// changed.
fn read_all(server: &Server) {
    feature_ids(server);
    plan_name(server);
    customers_on_top_up(server);
    let me = server.request(
        "GET",
        "/v1/organization/me",
        &[
            ("Authorization", &format!("Bearer {}", super::server::KEY)),
            ("X-API-Version", "2.1.0"),
        ],
        b"",
    );
    assert_eq!(me.status, 200, "{}", me.body);
}

#[test]
fn a_read_after_a_write_through_the_server_sees_the_write() {
    let (_context, server) = served_example();
    read_all(&server);
    let created = server.post(
        "features.create",
        r#"{"feature_id":"seats","name":"Seats","type":"metered","consumable":false}"#,
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(feature_ids(&server).contains(&"seats".to_string()));
    let updated = server.post(
        "plans.update",
        r#"{"plan_id":"credit-top-up","name":"Credits, topped up"}"#,
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(plan_name(&server), "Credits, topped up");
    // The whole catalog sent again, without the new feature: it is removed.
    let pushed = server.post("catalog.update", OPENAI_CATALOG);
    assert_eq!(pushed.status, 200, "{}", pushed.body);
    assert!(!feature_ids(&server).contains(&"seats".to_string()));
    assert_eq!(plan_name(&server), "Credit top-up");
}

#[test]
fn a_read_after_another_process_applied_to_the_store_sees_the_apply() {
    let (context, server) = served_example();
    read_all(&server);
    let pricing = context.read("pricing.toml").replace(
        "[plans.credit-top-up]\n",
        "[features.seats]\nname = \"Seats\"\ntype = \"metered\"\nconsumable = false\n\n[plans.credit-top-up]\n",
    );
    assert!(pricing.contains("[features.seats]"), "the example changed");
    context.write("pricing.toml", &pricing);
    apply_pricing(&context);
    assert!(feature_ids(&server).contains(&"seats".to_string()));
    customers_on_top_up(&server);
}

#[test]
fn a_customer_attached_changes_the_customer_count_served() {
    let (context, server) = served_example();
    read_all(&server);
    assert_eq!(customers_on_top_up(&server), 0);
    // Through the server: its ledger writes on a connection of its own.
    on_top_up(&server, "acme");
    assert_eq!(customers_on_top_up(&server), 1);
    // Through the CLI's ledger, another process on the same file.
    for args in [
        &["customer", "create", "globex", "--state", "local.db"][..],
        &[
            "attach",
            "--customer",
            "globex",
            "--plan",
            "credit-top-up",
            "--quantity",
            "credits=500",
            "--state",
            "local.db",
        ],
    ] {
        let output = context.run(args);
        assert!(output.status.success(), "{args:?}: {}", stdout(&output));
    }
    assert_eq!(customers_on_top_up(&server), 2);
}

#[test]
fn an_empty_store_answers_its_first_catalog_once_another_process_applied_it() {
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    read_all_empty(&server);
    apply_pricing(&context);
    assert_eq!(feature_ids(&server).len(), 5);
    assert_eq!(plan_name(&server), "Credit top-up");
}

/// [`read_all`] of a store with no catalog yet.
fn read_all_empty(server: &Server) {
    assert!(feature_ids(server).is_empty());
    let plans = server.post("plans.list", "{}").json();
    assert_eq!(plans["list"], serde_json::json!([]));
}

#[test]
fn every_version_of_a_plan_is_listed_the_current_one_from_the_kept_state() {
    let (_context, server) = served_example();
    on_top_up(&server, "acme");
    read_all(&server);
    // A customer is on the plan: a new price makes a version 2, and version 1 stays.
    let repriced = server.post(
        "catalog.update",
        &OPENAI_CATALOG.replace(r#""amount":0.01"#, r#""amount":0.02"#),
    );
    assert_eq!(repriced.status, 200, "{}", repriced.body);
    let versions = |body: &str| -> Vec<String> {
        let listed = server.post("plans.list", body).json();
        listed["list"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|plan| {
                format!(
                    "{} v{} {}",
                    plan["id"].as_str().expect("an id"),
                    plan["version"],
                    plan["items"][0]["price"]["amount"]
                )
            })
            .collect()
    };
    assert_eq!(
        versions(r#"{"all_versions":true}"#),
        ["credit-top-up v1 0.01", "credit-top-up v2 0.02"]
    );
    assert_eq!(versions("{}"), ["credit-top-up v2 0.02"]);
    let archived = server.post(
        "plans.update",
        r#"{"plan_id":"credit-top-up","archived":true}"#,
    );
    assert_eq!(archived.status, 200, "{}", archived.body);
    assert!(versions(r#"{"all_versions":true}"#).is_empty());
    assert_eq!(
        versions(r#"{"all_versions":true,"include_archived":true}"#),
        ["credit-top-up v1 0.01", "credit-top-up v2 0.02"]
    );
}
