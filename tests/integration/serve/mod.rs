//! `pricectl serve`: auth, versions and bad input answered as Autumn answers them, the catalog
//! endpoints against `pricectl plan`, the credit story over HTTP, idempotency, concurrency,
//! limits and a graceful stop. Each test starts its own server on a free loopback port.

mod crash;
mod entities;
mod hostile_clients;
mod live_state;
mod quantities;
pub mod server;

use std::thread;

use self::server::{KEY, Server};
use crate::support::{TestContext, stdout};

/// What `atmn push` sends for `pricing-examples/openai-credits` (its recording's shape).
const OPENAI_CATALOG: &str = r#"{"features":[
  {"feature_id":"o1-input-tokens","name":"o1 input tokens","type":"metered","consumable":true,"display":{"singular":"token","plural":"tokens"}},
  {"feature_id":"o1-output-tokens","name":"o1 output tokens","type":"metered","consumable":true},
  {"feature_id":"o3-input-tokens","name":"o3 input tokens","type":"metered","consumable":true},
  {"feature_id":"o3-output-tokens","name":"o3 output tokens","type":"metered","consumable":true},
  {"feature_id":"credits","name":"Credits","type":"credit_system","display":{"singular":"credit","plural":"credits"},"credit_schema":[
    {"metered_feature_id":"o1-input-tokens","credit_cost":0.0015},
    {"metered_feature_id":"o1-output-tokens","credit_cost":0.006},
    {"metered_feature_id":"o3-input-tokens","credit_cost":1e-3},
    {"metered_feature_id":"o3-output-tokens","credit_cost":0.004}]}],
 "plans":[
  {"plan_id":"credit-top-up","name":"Credit top-up","licenses":[],"group":"","add_on":true,
   "auto_enable":false,"items":[{"feature_id":"credits","price":{"interval":"one_off",
   "billing_units":1,"billing_method":"prepaid","amount":0.01,"max_purchase":1000000}}],
   "price":null,"free_trial":null}],
 "rewards":[],"referral_programs":[],"skip_deletions":false,"skip_feature_ids":[],"skip_plan_ids":[]}"#;

/// Applies the context's `pricing.toml` to its `local.db`.
pub fn apply_pricing(context: &TestContext) {
    let applied = context.run(&[
        "apply",
        "--auto-approve",
        "--state",
        "local.db",
        "pricing.toml",
    ]);
    assert!(applied.status.success(), "{}", stdout(&applied));
}

/// A directory with the openai-credits example applied to `local.db`, and a server on it.
fn served_example() -> (TestContext, Server) {
    let context = TestContext::with_example("openai-credits");
    apply_pricing(&context);
    let server = Server::start(&context);
    (context, server)
}

/// A customer `u1` given `credits` credits (a grant).
fn customer_with_credits(server: &Server, credits: u32) {
    let created = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(created.status, 200, "{}", created.body);
    let granted = server.post(
        "balances.create",
        &format!(r#"{{"customer_id":"u1","feature_id":"credits","included_grant":{credits}}}"#),
    );
    assert_eq!(granted.status, 200, "{}", granted.body);
}

/// `customer` created and put on `credit-top-up` with 500 credits bought.
fn on_top_up(server: &Server, customer: &str) {
    let created = server.post(
        "customers.get_or_create",
        &format!(r#"{{"customer_id":"{customer}"}}"#),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let attached = server.post(
        "billing.attach",
        &format!(
            r#"{{"customer_id":"{customer}","plan_id":"credit-top-up","feature_quantities":[{{"feature_id":"credits","quantity":500}}]}}"#
        ),
    );
    assert_eq!(attached.status, 200, "{}", attached.body);
}

fn actions(preview: &serde_json::Value) -> Vec<String> {
    ["feature_changes", "plan_changes"]
        .iter()
        .flat_map(|list| preview[list].as_array().cloned().unwrap_or_default())
        .map(|change| {
            format!(
                "{} {}",
                change
                    .get("feature_id")
                    .or_else(|| change.get("plan_id"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default(),
                change["action"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn requests_without_a_valid_key_or_version_get_autumns_errors() {
    let context = TestContext::new();
    let server = Server::start(&context);
    let no_key = server.request("POST", "/v1/features.list", &[], b"");
    let wrong_key = server.request(
        "POST",
        "/v1/features.list",
        &[("Authorization", "Bearer am_sk_test_not_the_right_key")],
        b"",
    );
    let auth = format!("Bearer {KEY}");
    let with_version = |version: &str| {
        server
            .request(
                "POST",
                "/v1/features.list",
                &[("Authorization", &auth), ("X-API-Version", version)],
                b"",
            )
            .summary()
    };
    let unknown_route = server.post("features.frobnicate", "{}");
    insta::assert_snapshot!(
        [
            no_key.summary(),
            wrong_key.summary(),
            with_version("9.9.9"),
            with_version("1.2"),
            with_version("2026-03-17"),
            with_version("2.4.0"),
            unknown_route.summary(),
        ]
        .join("\n"),
        @r#"
    401 {"message":"Secret key not found in Authorization header","code":"no_secret_key"}
    401 {"message":"Invalid secret key: am_sk_test_not_*************","code":"invalid_secret_key"}
    400 {"message":"\"9.9.9\" is not a valid API version","code":"invalid_api_version","env":"sandbox"}
    400 {"message":"API version 1.2.0 is not served here: pricectl serve speaks the 2.x shapes (send `X-API-Version: 2.1.0` or newer)","code":"invalid_api_version","env":"sandbox"}
    200 {"list":[]}
    200 {"list":[]}
    404 {"message":"no route `POST /v1/features.frobnicate`: pricectl serve answers the routes in docs/serve.md","code":"not_found","env":"sandbox"}
    "#
    );
    assert_eq!(no_key.header("content-type"), Some("application/json"));
    let (log, clean) = server.stop();
    assert!(clean, "SIGTERM stops the server cleanly:\n{log}");
    assert!(log.contains("POST /v1/features.list 401 "), "{log}");
    assert!(log.contains("POST /v1/<unknown> 404 "), "{log}");
    assert!(!log.contains("am_sk_test_"), "the log shows no key:\n{log}");
}

#[test]
fn malformed_bodies_get_a_400_naming_the_field_never_a_500() {
    let (_context, server) = served_example();
    let answers: Vec<String> = [
        ("balances.track", r#"{"customer_id":"a","feature_id":"f","value":"ten"}"#),
        ("balances.track", r#"{"customer_id":"a","feature_id":"f","valeu":1}"#),
        ("balances.check", r#"{"customer_id":"a""#),
        ("balances.check", "[]"),
        ("billing.attach", r#"{"customer_id":"a","plan_id":"credit-top-up","feature_quantities":[{"feature_id":"credits","quantity":1e400}]}"#),
        ("catalog.update", r#"{"plans":[{"plan_id":"p","items":[{"feature_id":"credits","price":{"interval":"fortnight","billing_method":"prepaid","amount":1}}]}]}"#),
        ("catalog.update", r#"{"features":[{"feature_id":"seats","type":"metered"}],"plans":[]}"#),
    ]
    .iter()
    .map(|(route, body)| format!("{route}: {}", server.post(route, body).summary()))
    .collect();
    insta::assert_snapshot!(answers.join("\n"));
}

#[test]
fn an_atmn_push_is_planned_and_applied_by_the_same_rules_as_pricectl_apply() {
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    let preview = server.post("catalog.preview_update", OPENAI_CATALOG);
    assert_eq!(preview.status, 200, "{}", preview.body);
    insta::assert_snapshot!("first_preview", actions(&preview.json()).join("\n"));
    let update = server.post("catalog.update", OPENAI_CATALOG);
    assert_eq!(update.status, 200, "{}", update.body);
    // A second push has nothing to do: every action is `none` (atmn: "Already in sync").
    let again = server.post("catalog.preview_update", OPENAI_CATALOG).json();
    assert!(
        actions(&again)
            .iter()
            .all(|action| action.ends_with(" none")),
        "{again}"
    );
    // The lists atmn reads, with exact numbers.
    let features = server.post("features.list", "").json();
    assert_eq!(
        features["list"][0]["credit_schema"][2]["credit_cost"].to_string(),
        "0.001"
    );
    let plans = server
        .post(
            "plans.list",
            r#"{"include_archived":true,"all_versions":false}"#,
        )
        .json();
    assert_eq!(
        plans["list"][0]["items"][0]["price"]["amount"].to_string(),
        "0.01"
    );
    // pricectl plan of the example against the same store: only what Autumn's shapes cannot
    // say (the smallest purchase of 500 credits) is left.
    let plan = context.run(&["plan", "--state", "local.db", "pricing.toml"]);
    insta::assert_snapshot!("plan_after_push", stdout(&plan));
}

#[test]
fn a_preview_says_what_a_plan_change_does_to_its_items_and_price() {
    let (_context, server) = served_example();
    // Credits cost 2 cents instead of 1, and the top-up gets a $1 base price.
    let changed = OPENAI_CATALOG
        .replace(r#""amount":0.01"#, r#""amount":0.02"#)
        .replace(
            r#""price":null,"free_trial":null"#,
            r#""price":{"amount":1,"interval":"one_off"},"free_trial":null"#,
        );
    let preview = server.post("catalog.preview_update", &changed);
    assert_eq!(preview.status, 200, "{}", preview.body);
    let plan_change = &preview.json()["plan_changes"][0];
    assert_eq!(plan_change["action"], "updated");
    insta::assert_snapshot!(
        serde_json::to_string_pretty(&serde_json::json!({
            "item_changes": plan_change["item_changes"],
            "price_change": plan_change["price_change"],
        }))
        .expect("JSON")
    );
    // Nothing changed: no item changes, no price change.
    let same = server.post("catalog.preview_update", OPENAI_CATALOG).json();
    assert_eq!(
        same["plan_changes"][0]["item_changes"],
        serde_json::json!([])
    );
    assert_eq!(same["plan_changes"][0].get("price_change"), None);
}

#[test]
fn a_catalog_change_that_removes_a_plan_with_customers_archives_it() {
    let (_context, server) = served_example();
    on_top_up(&server, "acme");
    let deleted = server.post("plans.delete", r#"{"plan_id":"credit-top-up"}"#);
    let without_plan = OPENAI_CATALOG.replace(
        &OPENAI_CATALOG[OPENAI_CATALOG.find(r#"{"plan_id""#).expect("a plan")
            ..OPENAI_CATALOG
                .find(
                    r#"],
 "rewards""#,
                )
                .expect("the end of the plans")],
        "",
    );
    let preview = server.post("catalog.preview_update", &without_plan).json();
    let plan_change = &preview["plan_changes"][0];
    insta::assert_snapshot!(format!(
        "{}\n{} will_archive={} customer_count={}",
        deleted.summary(),
        plan_change["action"],
        plan_change["will_archive"],
        plan_change["customer_count"]
    ), @r#"
    409 {"message":"`plan.credit-top-up` cannot be deleted: 1 customer is on it; archive it instead (`archived: true`)","code":"change_blocked","env":"sandbox"}
    "deleted" will_archive=true customer_count=1
    "#);
    let update = server.post("catalog.update", &without_plan);
    assert_eq!(update.status, 200, "{}", update.body);
    let listed = server
        .post("plans.list", r#"{"include_archived":true}"#)
        .json();
    assert_eq!(listed["list"][0]["archived"], true);
    let unarchived_only = server.post("plans.list", "{}").json();
    assert_eq!(unarchived_only["list"], serde_json::json!([]));
}

#[test]
fn the_credit_story_over_http() {
    let (_context, server) = served_example();
    let customer = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(customer.status, 200, "{}", customer.body);
    let check = |label: &str| {
        let answer = server.post(
            "balances.check",
            r#"{"customer_id":"u1","feature_id":"o1-input-tokens"}"#,
        );
        format!("{label}: {}", answer.summary())
    };
    let before = check("before");
    let attach = server.post(
        "billing.attach",
        r#"{"customer_id":"u1","plan_id":"credit-top-up","feature_quantities":[{"feature_id":"credits","quantity":500}],"redirect_mode":"if_required"}"#,
    );
    // A JavaScript client may write 100,000 as 1e5: read exactly.
    let track = server.post(
        "balances.track",
        r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":1e5}"#,
    );
    let after = check("after");
    insta::assert_snapshot!(
        [
            before,
            format!("attach: {}", attach.summary()),
            format!("track: {}", track.summary()),
            after
        ]
        .join("\n")
    );
    let customer = server
        .post("customers.get", r#"{"customer_id":"u1"}"#)
        .json();
    assert_eq!(
        customer["balances"]["credits"]["remaining"].to_string(),
        "350"
    );
    assert_eq!(customer["purchases"][0]["plan_id"], "credit-top-up");
}

#[test]
fn an_idempotency_key_is_honoured_once_and_a_repeat_is_a_409_even_after_a_restart() {
    let (context, server) = served_example();
    customer_with_credits(&server, 10);
    let auth = format!("Bearer {KEY}");
    let track = |server: &Server, header: &str, body: &str| {
        server.request(
            "POST",
            "/v1/balances.track",
            &[("Authorization", &auth), ("Idempotency-Key", header)],
            body.as_bytes(),
        )
    };
    let plain = r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":1000}"#;
    let keyed = r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":1000,"idempotency_key":"body-1"}"#;
    let (first, second) = (track(&server, "k-1", plain), track(&server, "k-1", plain));
    assert_eq!(first.status, 200, "{}", first.body);
    insta::assert_snapshot!(second.summary(), @r#"409 {"message":"Another request with the same idempotency key has already been received","code":"duplicate_idempotency_key","env":"sandbox"}"#);
    let with_body_key = track(&server, "k-2", keyed);
    assert_eq!(with_body_key.status, 200, "{}", with_body_key.body);
    // The claims are in the store with the answers given.
    let store = rusqlite::Connection::open(context.path("local.db")).expect("the store opens");
    let answer: String = store
        .query_row(
            "SELECT answer FROM serve_idempotency WHERE key = 'k-1'",
            [],
            |row| row.get(0),
        )
        .expect("k-1 is kept");
    assert_eq!(answer, first.body);
    // A crash (SIGKILL) and a new server on the same store: the keys are still claimed.
    drop(server);
    let server = Server::start(&context);
    assert_eq!(track(&server, "k-1", plain).status, 409);
    let body_key_again = track(&server, "k-3", keyed);
    assert_eq!(body_key_again.status, 409, "{}", body_key_again.body);
    // A new key is served: exactly three tracks of 1,000 tokens were applied (1.5 credits each).
    assert_eq!(track(&server, "k-4", plain).status, 200);
    let balance = server
        .post(
            "balances.check",
            r#"{"customer_id":"u1","feature_id":"o1-input-tokens"}"#,
        )
        .json();
    assert_eq!(balance["balance"]["remaining"].to_string(), "5.5");
}

#[test]
fn track_caps_usage_at_the_balance_unless_told_to_overflow_as_autumn_does() {
    let (_context, server) = served_example();
    customer_with_credits(&server, 10);
    let track = |body: &str| {
        let answer = server.post("balances.track", body);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let json = answer.json();
        format!(
            "deducted {}, balance {}",
            json["deductions"][0]["value"], json["balance"]["remaining"]
        )
    };
    // 10,000 o1 input tokens are 15 credits; 10 are held and nothing bills the rest.
    let capped = track(r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":10000}"#);
    let at_zero = track(r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":10000}"#);
    let overflow = track(
        r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":10000,"overage_behavior":"overflow"}"#,
    );
    insta::assert_snapshot!([capped, at_zero, overflow].join("\n"), @r"
    deducted 10, balance 0
    deducted 0, balance 0
    deducted 15, balance -15
    ");
}

#[test]
fn capped_usage_of_an_allocated_feature_granted_free_still_goes_below_zero() {
    let context = TestContext::with_example("saas-seats-credits");
    apply_pricing(&context);
    let server = Server::start(&context);
    // Free (the default plan) grants 1 seat with no price: Autumn lets it go negative.
    let created = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(created.status, 200, "{}", created.body);
    let seats = server
        .post(
            "balances.track",
            r#"{"customer_id":"u1","feature_id":"seats","value":3}"#,
        )
        .json();
    assert_eq!(seats["balance"]["remaining"].to_string(), "-2");
    // Credits on Free are granted free too, but consumable: capped at 0.
    let messages = server
        .post(
            "balances.track",
            r#"{"customer_id":"u1","feature_id":"ai-messages","value":80}"#,
        )
        .json();
    assert_eq!(messages["balance"]["remaining"].to_string(), "0");
    assert_eq!(messages["deductions"][0]["value"].to_string(), "50");
}

#[test]
fn concurrent_tracks_keep_the_balance_exact() {
    let (_context, server) = served_example();
    customer_with_credits(&server, 1000);
    let (clients, tracks) = (8, 25);
    thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                for _ in 0..tracks {
                    let answer = server.post(
                        "balances.track",
                        r#"{"customer_id":"u1","feature_id":"o3-input-tokens","value":7}"#,
                    );
                    assert_eq!(answer.status, 200, "{}", answer.body);
                }
            });
        }
    });
    // 200 tracks of 7 tokens at 0.001 credits: exactly 1.4 credits.
    let balance = server
        .post(
            "balances.check",
            r#"{"customer_id":"u1","feature_id":"o3-input-tokens"}"#,
        )
        .json();
    assert_eq!(balance["balance"]["remaining"].to_string(), "998.6");
}

/// The usage entries in the store at `path` (read beside the server, as another process
/// would).
fn usage_entries(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .expect("the store opens")
        .query_row(
            "SELECT COUNT(*) FROM entries WHERE kind = 'usage'",
            [],
            |row| row.get(0),
        )
        .expect("counted")
}

#[test]
fn failing_requests_among_many_concurrent_tracks_fail_alone() {
    // Tracks that wait together share one commit: a request that fails among them must get
    // its own error and undo nothing of the others.
    let (context, server) = served_example();
    customer_with_credits(&server, 1000);
    let good = r#"{"customer_id":"u1","feature_id":"o3-input-tokens","value":7}"#;
    let failing = [
        (
            r#"{"customer_id":"nobody","feature_id":"o3-input-tokens","value":7}"#,
            404,
        ),
        (
            r#"{"customer_id":"u1","feature_id":"o3-input-tokens","value":-7}"#,
            400,
        ),
        (
            r#"{"customer_id":"u1","feature_id":"no-such-feature","value":7}"#,
            404,
        ),
    ];
    let (clients, requests) = (16, 30);
    let server = &server;
    let succeeded: usize = thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                scope.spawn(move || {
                    let mut succeeded = 0;
                    for request in 0..requests {
                        if (client + request) % 4 == 0 {
                            let (body, status) = failing[(client + request) % 3];
                            let answer = server.post("balances.track", body);
                            assert_eq!(answer.status, status, "{body}: {}", answer.body);
                        } else if request % 7 == 0 {
                            let answer = server.post(
                                "balances.check",
                                r#"{"customer_id":"u1","feature_id":"o3-input-tokens"}"#,
                            );
                            assert_eq!(answer.status, 200, "{}", answer.body);
                        } else {
                            let answer = server.post("balances.track", good);
                            assert_eq!(answer.status, 200, "{}", answer.body);
                            succeeded += 1;
                        }
                    }
                    succeeded
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a client"))
            .sum()
    });
    // Each track of 7 o3 input tokens is 0.007 credits.
    let expected = rust_decimal::Decimal::from(1000)
        - rust_decimal::Decimal::new(7, 3) * rust_decimal::Decimal::from(succeeded);
    let balance = server
        .post(
            "balances.check",
            r#"{"customer_id":"u1","feature_id":"o3-input-tokens"}"#,
        )
        .json();
    assert_eq!(
        balance["balance"]["remaining"].to_string(),
        expected.normalize().to_string()
    );
    assert_eq!(
        usage_entries(&context.path("local.db")),
        i64::try_from(succeeded).expect("a count")
    );
}

#[test]
fn a_killed_server_loses_no_acknowledged_track() {
    // A track is answered only once the commit it shares with others is done: a crash loses
    // nothing acknowledged.
    let (context, server) = served_example();
    customer_with_credits(&server, 1000);
    let acknowledged = std::sync::atomic::AtomicI64::new(0);
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                // Until the server is gone.
                while let Ok(answer) = server.try_post(
                    "balances.track",
                    r#"{"customer_id":"u1","feature_id":"o3-input-tokens","value":7}"#,
                ) {
                    assert_eq!(answer.status, 200, "{}", answer.body);
                    acknowledged.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
        while acknowledged.load(std::sync::atomic::Ordering::SeqCst) < 300 {
            thread::sleep(std::time::Duration::from_millis(5));
        }
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &server.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
    });
    drop(server);
    let acknowledged = acknowledged.into_inner();
    let recorded = usage_entries(&context.path("local.db"));
    // Tracks performed but not yet answered when the kill came may be there too.
    assert!(
        recorded >= acknowledged,
        "{recorded} usage entries for {acknowledged} acknowledged tracks"
    );
    let server = Server::start(&context);
    let balance = server
        .post(
            "balances.check",
            r#"{"customer_id":"u1","feature_id":"o3-input-tokens"}"#,
        )
        .json();
    let expected = rust_decimal::Decimal::from(1000)
        - rust_decimal::Decimal::new(7, 3) * rust_decimal::Decimal::from(recorded);
    assert_eq!(
        balance["balance"]["remaining"].to_string(),
        expected.normalize().to_string(),
        "the balance agrees with the entries"
    );
}

#[test]
fn a_body_over_the_limit_is_refused_and_nothing_else_breaks() {
    let (_context, server) = served_example();
    let huge = format!(
        r#"{{"customer_id":"{}","feature_id":"f"}}"#,
        "x".repeat(5 * 1024 * 1024)
    );
    let answer = server.post("balances.check", &huge);
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_eq!(answer.json()["code"], "payload_too_large");
    assert_eq!(server.post("features.list", "").status, 200);
}

#[test]
fn a_generated_key_is_printed_once_and_works() {
    let context = TestContext::new();
    let mut child = context
        .command()
        .args(["serve", "--listen", "127.0.0.1:0", "--state", "local.db"])
        .env_remove("PRICECTL_SERVE_KEYS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(
        child.stdout.take().expect("stdout"),
    ));
    let key_line = lines.next().expect("a line").expect("text");
    let url_line = lines.next().expect("a line").expect("text");
    let key = key_line
        .strip_prefix("AUTUMN_SECRET_KEY=")
        .expect("the key first");
    assert!(key.starts_with("am_sk_test_") && key.len() == 43, "{key}");
    let server = Server {
        address: url_line
            .strip_prefix("ATMN_BACKEND_URL=http://")
            .expect("the address")
            .to_string(),
        child,
    };
    let answer = server.request(
        "POST",
        "/v1/features.list",
        &[("Authorization", &format!("Bearer {key}"))],
        b"",
    );
    assert_eq!(answer.summary(), r#"200 {"list":[]}"#);
}

#[test]
fn an_apply_made_while_serving_is_served_on_the_next_request() {
    let (context, server) = served_example();
    customer_with_credits(&server, 1000);
    let track = || {
        server
            .post(
                "balances.track",
                r#"{"customer_id":"u1","feature_id":"o1-input-tokens","value":100000}"#,
            )
            .json()["deductions"][0]["value"]
            .to_string()
    };
    assert_eq!(track(), "150");
    // o1 input doubles, applied by pricectl apply beside the running server.
    let pricing = context.read("pricing.toml").replace(
        "credits = 1500, per = 1_000_000",
        "credits = 3000, per = 1_000_000",
    );
    context.write("pricing.toml", &pricing);
    apply_pricing(&context);
    assert_eq!(track(), "300");
}

/// The billing controls of `pricing-examples/capped-overage` as `plans.list` answers them (in
/// Autumn's own fields); an update that gives one lane replaces that lane and keeps the others
/// (Autumn's `mergeBillingControls`); what the language cannot say is a 400 naming the field,
/// and so are billing controls given when a customer is created (a customer turns its plans'
/// top-ups on or off with `customers.update`).
#[test]
fn billing_controls_are_served_in_autumns_fields_and_what_pricectl_cannot_say_is_refused() {
    let context = TestContext::with_example("capped-overage");
    apply_pricing(&context);
    let server = Server::start(&context);
    let plan = |server: &Server| {
        let answer = server.post("plans.get", r#"{"plan_id":"pro"}"#);
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    };
    let before = plan(&server);
    insta::assert_snapshot!(
        "served_controls",
        serde_json::to_string_pretty(&serde_json::json!({
            "billing_controls": before["billing_controls"],
            "rollover": before["items"][0]["rollover"],
            "metadata": before["metadata"],
        }))
        .expect("JSON")
    );
    let lowered = server.post(
        "plans.update",
        r#"{"plan_id":"pro","billing_controls":{"usage_limits":[{"feature_id":"premium-requests","limit":150,"interval":"day","anchor":"utc"}]}}"#,
    );
    assert_eq!(lowered.status, 200, "{}", lowered.body);
    let after = plan(&server);
    assert_eq!(
        after["billing_controls"]["usage_limits"][0]["limit"].to_string(),
        "150"
    );
    assert_eq!(
        after["billing_controls"]["spend_limits"], before["billing_controls"]["spend_limits"],
        "the lane left out is kept"
    );
    assert_eq!(
        after["metadata"], before["metadata"],
        "the percent form is kept"
    );
    let plan_now = context.run(&["plan", "--state", "local.db", "pricing.toml"]);
    assert!(
        stdout(&plan_now).contains("usage limit of `premium-requests`: 150 → 200 requests per day"),
        "{}",
        stdout(&plan_now)
    );
    let refused: Vec<String> = [
        ("plans.update", r#"{"plan_id":"pro","billing_controls":{"spend_limits":[{"feature_id":"premium-requests","enabled":true,"limit_type":"usage_percentage","overage_limit":100}]}}"#),
        ("plans.update", r#"{"plan_id":"pro","billing_controls":{"overage_allowed":[{"feature_id":"premium-requests","enabled":false}]}}"#),
        ("plans.update", r#"{"plan_id":"pro","billing_controls":{"usage_alerts":[{"threshold":50,"threshold_type":"usage"}]}}"#),
        ("plans.update", r#"{"plan_id":"pro","items":[{"feature_id":"premium-requests","included":500,"price":{"amount":0.04,"interval":"month","billing_method":"usage_based"},"rollover":{"max_percentage":50,"expiry_duration_type":"forever"}}]}"#),
        ("customers.get_or_create", r#"{"customer_id":"u1","billing_controls":{"auto_topups":[{"feature_id":"premium-requests","enabled":false,"threshold":1,"quantity":2}]}}"#),
    ]
    .iter()
    .map(|(route, body)| format!("{route}: {}", server.post(route, body).summary()))
    .collect();
    insta::assert_snapshot!("refused_controls", refused.join("\n"));
}

/// `POST /v1/<route>` with API version `version`.
fn post_as(server: &Server, version: &str, route: &str, body: &str) -> server::Response {
    server.request(
        "POST",
        &format!("/v1/{route}"),
        &[
            ("Authorization", &format!("Bearer {KEY}")),
            ("X-API-Version", version),
        ],
        body.as_bytes(),
    )
}

/// `customers.list` pages the customers the newest first, as Autumn's `handleListCustomersV2`
/// picks by version: by offset before API 2.3.0, with the counts (`has_more` when the page is
/// full), and by cursor from it (`next_cursor` until the last page; autumn-js 1.3.13 always
/// sends `start_cursor`). The other form's field, a limit out of range and a cursor Autumn
/// could not read are 400s naming the field. Each customer is shown as its id.
#[test]
fn customers_are_listed_by_offset_before_2_3_and_by_cursor_from_it() {
    let (_context, server) = served_example();
    // Created in the order of their ids: customers created in the same millisecond are listed
    // by id, the highest first, so the order is the same whatever the clock says.
    for id in ["c1", "c2", "c3", "c4", "c5"] {
        let created = server.post(
            "customers.get_or_create",
            &format!(r#"{{"customer_id":"{id}"}}"#),
        );
        assert_eq!(created.status, 200, "{}", created.body);
    }
    let mut cursors: Vec<String> = Vec::new();
    let mut answers = Vec::new();
    let mut list = |version: &str, body: &str| {
        let body = match cursors.last() {
            Some(cursor) => body.replace("{next_cursor}", cursor),
            None => body.to_string(),
        };
        let answer = post_as(&server, version, "customers.list", &body);
        let mut shown = answer.json();
        if let Some(list) = shown.get_mut("list") {
            let ids = list
                .as_array()
                .expect("a list")
                .iter()
                .map(|customer| customer["id"].clone())
                .collect();
            *list = serde_json::Value::Array(ids);
        }
        if let Some(cursor) = shown["next_cursor"].as_str() {
            cursors.push(cursor.to_string());
            shown["next_cursor"] = format!("[cursor {}]", cursors.len()).into();
        }
        let shown_body = cursors
            .iter()
            .enumerate()
            .fold(body, |body, (index, cursor)| {
                body.replace(cursor, &format!("[cursor {}]", index + 1))
            });
        answers.push(format!(
            "customers.list ({version}) {shown_body}\n  {} {shown}",
            answer.status
        ));
    };
    for (version, body) in [
        ("2.1.0", "{}"),
        ("2.2.0", r#"{"limit":2}"#),
        ("2.2.0", r#"{"offset":2,"limit":2}"#),
        ("2.2.0", r#"{"offset":4,"limit":2}"#),
        ("2.2.0", r#"{"offset":3,"limit":2}"#),
        ("2.2.0", r#"{"start_cursor":""}"#),
        ("2.2.0", r#"{"limit":0}"#),
        ("2.2.0", r#"{"limit":1001}"#),
        ("2.2.0", r#"{"plans":[{"id":"pro"}]}"#),
        ("2.4.0", r#"{"start_cursor":"","limit":2}"#),
        ("2.4.0", r#"{"start_cursor":"{next_cursor}","limit":2}"#),
        ("2.4.0", r#"{"start_cursor":"{next_cursor}","limit":2}"#),
        ("2.3.0", "{}"),
        ("2.3.0", r#"{"offset":0}"#),
        ("2.3.0", r#"{"limit":1001}"#),
        ("2.3.0", r#"{"start_cursor":"not a cursor"}"#),
        // {"v":1,"id":"1","t":1}: Autumn's shape in a version it does not write.
        (
            "2.3.0",
            r#"{"start_cursor":"eyJ2IjoxLCJpZCI6IjEiLCJ0IjoxfQ"}"#,
        ),
    ] {
        list(version, body);
    }
    insta::assert_snapshot!(answers.join("\n"));
}

/// A customer turns its plan's auto top-up off and on through `customers.update`, as on
/// Autumn (its `auto_topups` entry shadows the plan's): off, usage below the threshold buys
/// nothing; on while below it, the top-up is bought at once. A customer's answer merges the
/// plan's default controls, tagged with their `source`, from API 2.3.0; before, only the
/// customer's own entries. What pricectl's customers cannot set is a 400 naming the field.
#[test]
fn a_customer_turns_its_plans_auto_top_up_on_and_off_through_customers_update() {
    let context = TestContext::with_example("anthropic-auto-reload");
    apply_pricing(&context);
    let server = Server::start(&context);
    let created = server.post("customers.get_or_create", r#"{"customer_id":"u1"}"#);
    assert_eq!(created.status, 200, "{}", created.body);
    let attached = server.post(
        "billing.attach",
        r#"{"customer_id":"u1","plan_id":"api-credits","feature_quantities":[{"feature_id":"credits","quantity":1500}]}"#,
    );
    assert_eq!(attached.status, 200, "{}", attached.body);
    let controls = |version: &str| {
        let answer = post_as(&server, version, "customers.get", r#"{"customer_id":"u1"}"#);
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()["billing_controls"].clone()
    };
    let credits = |server: &Server| {
        server
            .post("customers.get", r#"{"customer_id":"u1"}"#)
            .json()["balances"]["credits"]["remaining"]
            .to_string()
    };
    let plan_defaults = controls("2.3.0");
    assert_eq!(
        controls("2.2.0"),
        serde_json::json!({}),
        "no entry of its own"
    );
    let update = |enabled: bool| {
        format!(
            r#"{{"customer_id":"u1","billing_controls":{{"auto_topups":[{{"feature_id":"credits","enabled":{enabled},"threshold":1000,"quantity":2000,"purchase_limit":{{"interval":"day","interval_count":1,"limit":3}}}}]}}}}"#
        )
    };
    let off = post_as(&server, "2.3.0", "customers.update", &update(false));
    assert_eq!(off.status, 200, "{}", off.body);
    let turned_off = off.json()["billing_controls"].clone();
    // 600 credits: 900 left, below 1,000, and nothing bought.
    let tracked = server.post(
        "balances.track",
        r#"{"customer_id":"u1","feature_id":"sonnet-input-tokens","value":2000000}"#,
    );
    assert_eq!(tracked.status, 200, "{}", tracked.body);
    assert_eq!(credits(&server), "900");
    let on = post_as(&server, "2.2.0", "customers.update", &update(true));
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(
        credits(&server),
        "2900",
        "bought at once, below the threshold"
    );
    let own_entry = on.json()["billing_controls"].clone();
    // An empty lane: the customer's own entries go, the plan's default is back.
    let back = post_as(
        &server,
        "2.3.0",
        "customers.update",
        r#"{"customer_id":"u1","billing_controls":{"auto_topups":[]}}"#,
    );
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.json()["billing_controls"], plan_defaults);
    insta::assert_snapshot!(
        "customer_controls",
        serde_json::to_string_pretty(&serde_json::json!({
            "2.3.0 plan defaults": plan_defaults,
            "2.3.0 turned off": turned_off,
            "2.2.0 turned on": own_entry,
        }))
        .expect("JSON")
    );
    let history = context.run(&["history", "--customer", "u1", "--state", "local.db"]);
    let history = stdout(&history);
    let settings: Vec<&str> = history
        .lines()
        .filter(|line| line.contains(" setting "))
        .map(|line| line.split("  ").last().unwrap_or_default())
        .collect();
    assert_eq!(
        settings,
        [
            "auto top-up turned off by the customer",
            "auto top-up turned on by the customer",
            "auto top-up back to the plan's default (on)"
        ]
    );
    let refused: Vec<String> = [
        r#"{"customer_id":"u1","billing_controls":{"auto_topups":[{"feature_id":"credits","enabled":true,"threshold":500,"quantity":2000,"purchase_limit":{"interval":"day","limit":3}}]}}"#,
        r#"{"customer_id":"u1","billing_controls":{"auto_topups":[{"feature_id":"credits","enabled":true,"threshold":1000,"quantity":2000}]}}"#,
        r#"{"customer_id":"u1","billing_controls":{"auto_topups":[{"feature_id":"sonnet-input-tokens","enabled":true,"threshold":1,"quantity":2}]}}"#,
        r#"{"customer_id":"u1","billing_controls":{"spend_limits":[{"feature_id":"credits","enabled":true,"overage_limit":10}]}}"#,
        r#"{"customer_id":"u1","name":"Someone else"}"#,
        r#"{"customer_id":"nobody","billing_controls":{"auto_topups":[]}}"#,
    ]
    .iter()
    .map(|body| server.post("customers.update", body).summary())
    .collect();
    insta::assert_snapshot!("customer_controls_refused", refused.join("\n"));
}

/// A plan body in the form pricectl wrote before billing controls were mapped to Autumn's own
/// fields: the item's controls whole in `metadata.pricectl.items.<id>.controls` and the plan's
/// usage limits in `metadata.pricectl.usage_limits`, no `billing_controls`. Read again, it
/// means what it meant: after it, the store holds the example's controls exactly.
#[test]
fn a_plan_body_in_the_earlier_metadata_form_is_read_as_it_was_meant() {
    let context = TestContext::with_example("anthropic-auto-reload");
    let pricing = context.read("pricing.toml");
    let without_controls: String = pricing
        .lines()
        .filter(|line| {
            ![
                "auto_top_up",
                "expires_after",
                "alerts",
                "sonnet-output-tokens = { limit",
            ]
            .iter()
            .any(|start| line.starts_with(start))
                && *line != "[plans.api-credits.usage_limits]"
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    context.write("pricing.toml", &without_controls);
    apply_pricing(&context);
    let server = Server::start(&context);
    let earlier = r#"{"plan_id":"api-credits","name":"API credits","group":"","add_on":true,"auto_enable":false,"price":null,"free_trial":null,
      "items":[{"feature_id":"credits","price":{"amount":0.01,"interval":"one_off","billing_units":1,"billing_method":"prepaid","max_purchase":1000000}}],
      "metadata":{"pricectl":{
        "items":{"credits":{"prepaid_min":"500","controls":{
          "auto_top_up":{"threshold":"1000","quantity":"2000","enabled":true,"purchase_limit":{"limit":3,"interval":"day"}},
          "alerts":[{"remaining":"500"}],"expires_after":{"months":12}}}},
        "usage_limits":{"sonnet-output-tokens":{"limit":"2000000","interval":"day","anchor":"calendar"}}}}}"#;
    let updated = server.post("plans.update", earlier);
    assert_eq!(updated.status, 200, "{}", updated.body);
    // Answered in today's form: Autumn's own fields, and no controls left in the metadata.
    let answer = updated.json();
    assert_eq!(
        answer["billing_controls"]["auto_topups"][0]["threshold"].to_string(),
        "1000"
    );
    assert_eq!(answer["items"][0]["expiry"]["length"].to_string(), "12");
    assert_eq!(
        answer["metadata"],
        serde_json::json!({"pricectl": {"items": {"credits": {"prepaid_min": "500"}}}})
    );
    context.write("pricing.toml", &pricing);
    let plan = context.run(&["plan", "--state", "local.db", "pricing.toml"]);
    assert!(stdout(&plan).contains("No changes."), "{}", stdout(&plan));
    // A fact pricectl never kept is still refused, naming its place.
    let unknown = server.post(
        "plans.update",
        r#"{"plan_id":"api-credits","metadata":{"pricectl":{"items":{"credits":{"colour":"red"}}}}}"#,
    );
    assert_eq!(
        unknown.summary(),
        r#"400 {"message":"metadata.pricectl.items.credits.colour: not a fact pricectl keeps about an item","code":"invalid_inputs","env":"sandbox"}"#
    );
}

/// Autumn's answer of a plan an earlier pricectl wrote (controls in the metadata only) is read
/// for what Autumn enforces, its own fields: no controls, so a plan against it shows the
/// pricing's controls as changes to make there. The same plan sent as a body means them.
#[test]
fn an_answer_in_the_earlier_metadata_form_holds_only_the_controls_autumn_enforces() {
    use pricectl::autumn::mapping::{plan_from_answer, plan_from_wire, plan_params, plan_to_wire};
    let catalog = pricectl::compile_path(
        &crate::support::root().join("pricing-examples/anthropic-auto-reload/pricing.toml"),
    )
    .expect("loads")
    .catalog
    .expect("valid");
    let plan = &catalog.plans["api-credits"];
    let mut answer = plan_to_wire(plan, &catalog.features, 1, 0, "sandbox");
    answer.billing_controls = pricectl::autumn::wire::billing_controls::BillingControls::default();
    for item in &mut answer.items {
        item.expiry = None;
    }
    let metadata = serde_json::json!({"pricectl": {
        "items": {"credits": {"prepaid_min": "500", "controls": serde_json::to_value(&plan.items["credits"].controls).expect("JSON")}},
        "usage_limits": serde_json::to_value(&plan.usage_limits).expect("JSON"),
    }});
    answer.metadata = metadata.as_object().expect("an object").clone();
    let in_force = plan_from_answer(&answer, &catalog.features, "plans[0]").expect("reads");
    assert!(in_force.items["credits"].controls.is_empty());
    assert!(in_force.usage_limits.is_empty());
    assert_eq!(
        in_force.items["credits"]
            .price
            .as_ref()
            .and_then(|price| price.prepaid)
            .map(|bounds| bounds.min.to_string()),
        Some("500".to_string()),
        "the other facts are read"
    );
    let meant = plan_from_wire(&plan_params(&answer), None, &catalog.features, "").expect("reads");
    assert_eq!(&meant, plan);
}
