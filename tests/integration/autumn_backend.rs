//! The Autumn backend end to end: every example planned, applied and imported through
//! `pricectl serve`, and the mapping between the catalog and Autumn's bodies exact for each.

use pricectl::autumn::mapping::{
    CatalogFeature, credit_system_to_wire, feature_from_answer, feature_to_wire, plan_body,
    plan_from_answer, plan_from_wire, plan_to_wire,
};
use std::process::Output;

use pricectl::dsl::SourceSet;

use crate::interop::{atmn, examples, project, text};
use crate::serve::server::{KEY, Server};
use crate::support::{TestContext, stdout};

#[test]
fn every_example_survives_being_written_as_bodies_and_read_back_as_answers() {
    let paths = crate::support::examples();
    assert!(paths.len() >= 4, "every example is read: {paths:?}");
    for path in paths {
        let sources = SourceSet::load(&path).expect("loads");
        let catalog = pricectl::compile(sources).catalog.expect("compiles");
        for plan in catalog.plans.values() {
            let answer = plan_to_wire(plan, &catalog.features, 3, 0, "sandbox");
            let read =
                plan_from_answer(&answer, &catalog.features, "plan").expect("the answer reads");
            assert_eq!(&read, plan, "{}: answer", path.display());
            let body = plan_from_wire(
                &plan_body(plan, &catalog.features),
                None,
                &catalog.features,
                "",
            )
            .expect("the body reads");
            assert_eq!(&body, plan, "{}: body", path.display());
        }
        for feature in catalog.features.values() {
            let read = feature_from_answer(&feature_to_wire(feature), "").expect("reads");
            assert_eq!(read, CatalogFeature::Feature(feature.clone()));
        }
        for system in catalog.credit_systems.values() {
            let read = feature_from_answer(&credit_system_to_wire(system), "").expect("reads");
            assert_eq!(read, CatalogFeature::CreditSystem(system.clone()));
        }
    }
}

/// Every translation of the Autumn-style corpus (`tests/fixtures/autumn-corpus/`) written as
/// Autumn's answers and bodies and read back is the same catalog: an allocated feature's item
/// billed by usage answers `reset: null` and is read back without a reset (Autumn never resets
/// a continuous-use balance), and a per-entity item travels as `entity_feature_id`.
#[test]
fn every_corpus_translation_survives_being_written_as_bodies_and_read_back_as_answers() {
    let corpus = crate::support::root().join("tests/fixtures/autumn-corpus");
    let mut directories: Vec<_> = std::fs::read_dir(&corpus)
        .expect("the corpus")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_dir())
        .collect();
    directories.sort();
    assert!(directories.len() >= 10, "the corpus: {directories:?}");
    let (mut per_entity, mut allocated_usage) = (0, 0);
    for directory in directories {
        let path = directory.join("pricing.toml");
        let catalog = pricectl::compile_path(&path)
            .expect("loads")
            .catalog
            .expect("compiles");
        for plan in catalog.plans.values() {
            let answer = plan_to_wire(plan, &catalog.features, 1, 0, "sandbox");
            for (item, wire) in plan.items.values().zip(&answer.items) {
                assert_eq!(
                    wire.entity_feature_id,
                    item.per_entity,
                    "{}",
                    path.display()
                );
                per_entity += usize::from(item.per_entity.is_some());
                let allocated = catalog
                    .features
                    .get(&item.feature_id)
                    .is_some_and(|feature| !feature.consumable);
                if allocated && item.price.is_some() {
                    assert_eq!(wire.reset, None, "{}: {}", path.display(), item.feature_id);
                    allocated_usage += 1;
                }
            }
            let read = plan_from_answer(&answer, &catalog.features, "plan").expect("reads");
            assert_eq!(&read, plan, "{}: answer", path.display());
            let body = plan_from_wire(
                &plan_body(plan, &catalog.features),
                None,
                &catalog.features,
                "",
            )
            .expect("the body reads");
            assert_eq!(&body, plan, "{}: body", path.display());
        }
    }
    assert!(
        per_entity >= 5 && allocated_usage >= 8,
        "{per_entity} {allocated_usage}"
    );
}

/// The plans of `support-desk-seats` on the wire: the per-entity items with their
/// `entity_feature_id`, the seats billed by usage with `reset: null` and a monthly
/// `usage_based` price (Autumn's allocated usage billing), the prepaid seats with their
/// proration.
#[test]
fn the_per_entity_and_allocated_items_on_the_wire() {
    let path =
        crate::support::root().join("tests/fixtures/autumn-corpus/support-desk-seats/pricing.toml");
    let catalog = pricectl::compile_path(&path)
        .expect("loads")
        .catalog
        .expect("compiles");
    let mut wire = serde_json::Map::new();
    for plan in catalog.plans.values() {
        wire.insert(
            format!("{}: plans.create", plan.id),
            serde_json::to_value(plan_body(plan, &catalog.features)).expect("a body"),
        );
        wire.insert(
            format!("{}: plans.list", plan.id),
            serde_json::to_value(plan_to_wire(plan, &catalog.features, 1, 0, "sandbox"))
                .expect("an answer"),
        );
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&wire).expect("JSON"));
}

/// The plans of the two examples with billing controls as the Autumn backend sends them
/// (`plans.create`, a `plans.update` setting every field) and as Autumn answers them
/// (`plans.list`): each control in Autumn's own field, and in `metadata.pricectl` only the
/// spend limit's percent and nothing else.
#[test]
fn the_billing_controls_of_the_examples_on_the_wire() {
    for example in ["anthropic-auto-reload", "capped-overage"] {
        let path = crate::support::root()
            .join("pricing-examples")
            .join(example)
            .join("pricing.toml");
        let catalog = pricectl::compile_path(&path)
            .expect("the example loads")
            .catalog
            .expect("the example compiles");
        let mut wire = serde_json::Map::new();
        for plan in catalog.plans.values() {
            wire.insert(
                format!("{}: plans.create", plan.id),
                serde_json::to_value(plan_body(plan, &catalog.features)).expect("a body"),
            );
            wire.insert(
                format!("{}: plans.list", plan.id),
                serde_json::to_value(plan_to_wire(plan, &catalog.features, 1, 0, "sandbox"))
                    .expect("an answer"),
            );
        }
        insta::assert_snapshot!(
            format!("wire@{example}"),
            serde_json::to_string_pretty(&wire).expect("JSON")
        );
    }
}

/// `pricectl ARGS` in `context` against the Autumn API of `server` with its key.
fn against(context: &TestContext, server: &Server, args: &[&str]) -> Output {
    context
        .command()
        .args(args)
        .args(["--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", server.address))
        .env("AUTUMN_SECRET_KEY", KEY)
        .output()
        .expect("pricectl runs")
}

#[test]
fn every_example_plans_applies_and_imports_through_serve_and_atmn_agrees() {
    for example in &examples() {
        let context = project(example);
        let server = Server::start(&context);
        let first = against(&context, &server, &["plan", "pricing.toml"]);
        assert!(first.status.success(), "{example}: {}", text(&first));
        assert!(
            stdout(&first).contains("to create"),
            "{example}: {}",
            text(&first)
        );
        let applied = against(
            &context,
            &server,
            &["apply", "--auto-approve", "pricing.toml"],
        );
        assert!(applied.status.success(), "{example}: {}", text(&applied));
        let again = against(
            &context,
            &server,
            &["plan", "--detailed-exitcode", "pricing.toml"],
        );
        assert_eq!(again.status.code(), Some(0), "{example}: {}", text(&again));
        // Autumn's own CLI, pushing the same catalog, finds nothing to change.
        let pushed = atmn(&server, context.directory(), &["push", "--yes"]);
        assert!(
            text(&pushed).contains("Already in sync"),
            "{example}: {}",
            text(&pushed)
        );
        let imported = against(&context, &server, &["import", "-o", "imported.toml"]);
        assert!(imported.status.success(), "{example}: {}", text(&imported));
        let round = against(
            &context,
            &server,
            &["plan", "--detailed-exitcode", "imported.toml"],
        );
        assert_eq!(round.status.code(), Some(0), "{example}: {}", text(&round));
        assert!(
            stdout(&round).starts_with("No changes."),
            "{example}: {}",
            text(&round)
        );
    }
}

/// A live key no output may ever show.
const CANARY: &str = "am_sk_live_CANARY7f3a9e2d1c";

/// `pricectl ARGS` against `server` with `key` as `AUTUMN_SECRET_KEY`, the job summary going
/// to `summary.md` in the directory.
fn with_key(context: &TestContext, server: &Server, key: &str, args: &[&str]) -> Output {
    context
        .command()
        .args(args)
        .args(["--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", server.address))
        .env("AUTUMN_SECRET_KEY", key)
        .env("GITHUB_STEP_SUMMARY", context.path("summary.md"))
        .output()
        .expect("pricectl runs")
}

/// Every file under `directory`, as bytes.
fn files_under(directory: &std::path::Path, found: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(directory).expect("readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            let bytes = std::fs::read(&path).expect("readable");
            found.push((path, bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn the_key_appears_in_nothing_any_command_writes() {
    let context = TestContext::with_example("openai-credits");
    let server = Server::start_with(&context, &["--api-key", CANARY]);
    // The key's tail or head alone would show a key cut short, printed in pieces or masked.
    let tail = &CANARY[CANARY.len() - 12..];
    let head = &CANARY[..14];
    let mut outputs = Vec::new();
    let mut run = |key: &str, args: &[&str]| {
        let output = with_key(&context, &server, key, args);
        outputs.push((args.join(" "), output));
    };
    for format in ["text", "json", "markdown", "github"] {
        run(CANARY, &["plan", "--format", format, "pricing.toml"]);
    }
    run(CANARY, &["plan", "--out", "saved.json", "pricing.toml"]);
    run(CANARY, &["apply", "pricing.toml"]);
    run(CANARY, &["apply", "saved.json"]);
    run(CANARY, &["apply", "--auto-approve", "saved.json"]);
    run(CANARY, &["apply", "--auto-approve", "pricing.toml"]);
    run(CANARY, &["import"]);
    run(CANARY, &["import", "-o", "imported.toml"]);
    run(CANARY, &["plan", "--detailed-exitcode", "imported.toml"]);
    // Failures: a key the server refuses (close to the real one), and a server that is gone.
    let refused = format!("{CANARY}x");
    run(&refused, &["plan", "pricing.toml"]);
    run(&refused, &["apply", "--auto-approve", "pricing.toml"]);
    run(&refused, &["import"]);
    drop(server);
    let gone = Server::start_with(&TestContext::new(), &["--api-key", CANARY]);
    let address = gone.address.clone();
    drop(gone);
    for args in [
        vec!["plan", "pricing.toml"],
        vec!["apply", "--auto-approve", "pricing.toml"],
    ] {
        let output = context
            .command()
            .args(&args)
            .args(["--backend", "autumn", "--api-url"])
            .arg(format!("http://{address}"))
            .env("AUTUMN_SECRET_KEY", CANARY)
            .output()
            .expect("pricectl runs");
        outputs.push((args.join(" "), output));
    }
    assert!(outputs.len() > 15);
    let mut applied = false;
    for (args, output) in &outputs {
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !contains(bytes, CANARY) && !contains(bytes, tail) && !contains(bytes, head),
                "`{args}` printed the key on {stream}:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
        applied |= args == "apply --auto-approve saved.json" && output.status.success();
    }
    assert!(
        applied,
        "the saved plan was applied: the runs reached the server"
    );
    let mut files = Vec::new();
    files_under(context.directory(), &mut files);
    assert!(files.iter().any(|(path, _)| path.ends_with("saved.json")));
    assert!(files.iter().any(|(path, _)| path.ends_with("summary.md")));
    for (path, bytes) in files {
        assert!(
            !contains(&bytes, CANARY) && !contains(&bytes, tail) && !contains(&bytes, head),
            "{} holds the key",
            path.display()
        );
    }
}

/// What a user sees of `pricectl ARGS` (with `env`), the server's address as `[API]`.
fn seen(context: &TestContext, server: &Server, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut command = context.command();
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("pricectl runs");
    crate::support::transcript(args, &output)
        .replace(&server.address, "[API]")
        .replace(&context.directory().display().to_string(), "[TEMP]")
}

#[test]
fn what_a_user_sees_of_the_autumn_backend() {
    let context = TestContext::with_example("api-tiered");
    let server = Server::start_with(&context, &["--api-key", KEY, "--api-key", CANARY]);
    let url = format!("http://{}", server.address);
    let sandbox = [("AUTUMN_SECRET_KEY", KEY)];
    let live = [("AUTUMN_SECRET_KEY", CANARY)];
    let autumn = ["--backend", "autumn", "--api-url", url.as_str()];
    let with = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(ToString::to_string)
            .chain(autumn.iter().map(ToString::to_string))
            .collect()
    };
    let mut transcript = String::new();
    let mut show = |env: &[(&str, &str)], args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        transcript.push_str(&seen(&context, &server, env, &args));
        transcript.push('\n');
    };
    show(&[], with(&["plan", "pricing.toml"]));
    show(
        &sandbox,
        vec![
            "plan".into(),
            "--backend".into(),
            "autumn".into(),
            "--api-url".into(),
            "http://example.com".into(),
        ],
    );
    show(
        &[("AUTUMN_SECRET_KEY", "am_sk_test_wrong")],
        with(&["plan", "pricing.toml"]),
    );
    show(
        &live,
        with(&["plan", "--format", "markdown", "pricing.toml"]),
    );
    show(&live, with(&["apply", "pricing.toml"]));
    show(&sandbox, with(&["apply", "--auto-approve", "pricing.toml"]));
    // The project names its backend: no flags needed.
    context.write(
        "pricectl.toml",
        &format!("[backend]\nkind = \"autumn\"\napi_url = \"{url}\"\nkey_variable = \"AUTUMN_SANDBOX_KEY\"\n"),
    );
    show(
        &[("AUTUMN_SANDBOX_KEY", KEY)],
        vec!["plan".into(), "pricing.toml".into()],
    );
    show(
        &[("AUTUMN_SECRET_KEY", KEY)],
        vec!["plan".into(), "pricing.toml".into()],
    );
    crate::support::bind(|| insta::assert_snapshot!(transcript));
}

/// A stand-in for Autumn answering each route with a canned body, on a free loopback port:
/// what `pricectl serve` never holds (billing controls, shapes pricectl cannot express,
/// rewards) and a preview that disagrees.
struct Canned {
    address: String,
    /// Every request received: its route and body.
    requests: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl Canned {
    fn start(answers: Vec<(&'static str, String)>) -> Canned {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("an address").to_string();
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let received = std::sync::Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("a stream"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let path = request_line.split(' ').nth(1).unwrap_or_default();
                let route = path.trim_start_matches("/v1/");
                if let Ok(mut received) = received.lock() {
                    received.push((
                        route.to_string(),
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                }
                let answer = answers
                    .iter()
                    .find(|(name, _)| *name == route)
                    .map_or_else(|| r#"{"list":[]}"#.to_string(), |(_, body)| body.clone());
                // An answer may start with its status (`400 {...}`); else it is a 200.
                let (status, answer) = match answer.split_once(' ') {
                    Some((status, rest))
                        if status.len() == 3
                            && status.bytes().all(|byte| byte.is_ascii_digit()) =>
                    {
                        (status.to_string(), rest.to_string())
                    }
                    _ => ("200".to_string(), answer),
                };
                let response = format!(
                    "HTTP/1.1 {status} Answer\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Canned { address, requests }
    }

    /// The bodies received on `route`.
    fn bodies(&self, route: &str) -> Vec<serde_json::Value> {
        self.requests
            .lock()
            .expect("the requests")
            .iter()
            .filter(|(received, _)| received == route)
            .map(|(_, body)| serde_json::from_str(body).expect("a JSON body"))
            .collect()
    }
}

#[test]
fn what_autumn_holds_beyond_the_language_and_its_disagreeing_preview_are_shown() {
    let plan_answer = |id: &str, extra: &str| {
        format!(
            r#"{{"id":"{id}","name":"{id}","description":null,"group":null,"version":1,"add_on":false,"auto_enable":false,"price":{{"amount":20,"interval":"month"{extra}}},"items":[],"created_at":0,"env":"sandbox","archived":false,"config":{{}},"billing_controls":{{"spend_limits":[{{"limit_type":"absolute","overage_limit":100}}]}},"metadata":{{"crm_id":"x"}},"base_variant_id":null}}"#
        )
    };
    let stub = Canned::start(vec![
        (
            "organization/me",
            r#"{"id":"o","name":"Org","slug":"org","env":"sandbox","default_currency":"usd"}"#.into(),
        ),
        (
            "plans.list",
            format!(
                r#"{{"list":[{},{}]}}"#,
                plan_answer("team", ""),
                plan_answer("legacy", r#","interval_count":3"#)
            ),
        ),
        (
            "features.list",
            r#"{"list":[{"id":"ai","name":"AI","type":"ai_credit_system","consumable":true,"archived":false}]}"#.into(),
        ),
        ("rewards.list", r#"{"coupons":[{"id":"c"}],"feature_grants":[]}"#.into()),
        (
            "catalog.preview_update",
            r#"{"feature_changes":[{"feature_id":"sso","action":"create","will_archive":false,"blocked":true,"blocked_reason":"id_already_exists","previous_attributes":null}],"plan_changes":[{"plan_id":"team","action":"updated","versionable":true,"has_customers":true,"customer_count":4,"will_archive":false,"previous_attributes":null,"customize":null}],"reward_changes":[],"referral_program_changes":[]}"#.into(),
        ),
    ]);
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        "version = 1\ncurrency = \"USD\"\n\n[features.sso]\nname = \"SSO\"\ntype = \"boolean\"\n\n[plans.team]\nname = \"team\"\nprice = { amount = 20, interval = \"month\" }\n",
    );
    let url = format!("http://{}", stub.address);
    let env = [("AUTUMN_SECRET_KEY", "am_sk_test_stub")];
    let mut transcript = String::new();
    for args in [
        vec!["plan", "pricing.toml"],
        vec!["apply", "--auto-approve", "pricing.toml"],
        vec!["import"],
    ] {
        let mut args: Vec<&str> = args;
        args.extend(["--backend", "autumn", "--api-url", url.as_str()]);
        let mut command = context.command();
        command.args(&args);
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("pricectl runs");
        transcript
            .push_str(&crate::support::transcript(&args, &output).replace(&stub.address, "[API]"));
        transcript.push('\n');
    }
    crate::support::bind(|| insta::assert_snapshot!(transcript));
}

#[test]
fn a_change_autumn_refuses_is_reported_with_its_words_at_the_line_that_declares_it() {
    // An organization that refuses every write with a 400, as Autumn refuses what it finds
    // invalid: the bulk request, then the change tried alone, which Autumn's words then name.
    let refusal = r#"400 {"message":"name: String must contain at most 50 character(s)","code":"invalid_inputs"}"#;
    let stub = Canned::start(vec![
        (
            "organization/me",
            r#"{"id":"o","name":"Org","slug":"org","env":"sandbox","default_currency":"usd"}"#.into(),
        ),
        ("rewards.list", r#"{"coupons":[],"feature_grants":[]}"#.into()),
        (
            "catalog.preview_update",
            r#"{"feature_changes":[{"feature_id":"messages","action":"create","will_archive":false,"blocked":false,"blocked_reason":null,"previous_attributes":null}],"plan_changes":[{"plan_id":"pro","action":"created","versionable":false,"has_customers":false,"customer_count":0,"will_archive":false,"previous_attributes":null,"customize":null}],"reward_changes":[],"referral_program_changes":[]}"#.into(),
        ),
        ("catalog.update", refusal.into()),
        ("features.create", refusal.into()),
        ("plans.create", refusal.into()),
    ]);
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        "version = 1\ncurrency = \"USD\"\n\n[features.messages]\nname = \"Messages\"\ntype = \"metered\"\n\n[plans.pro]\nname = \"Pro\"\nprice = { amount = 20, interval = \"month\" }\n\n[plans.pro.items.messages]\nincluded = 100\nreset = \"month\"\n",
    );
    let args = [
        "apply",
        "--auto-approve",
        "--quiet",
        "pricing.toml",
        "--backend",
        "autumn",
    ];
    let url = format!("http://{}", stub.address);
    let output = context
        .command()
        .args(args)
        .args(["--api-url", &url])
        .env("AUTUMN_SECRET_KEY", "am_sk_test_stub")
        .stdout(std::process::Stdio::null())
        .output()
        .expect("pricectl runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    // Not retried: one bulk request, then the first change alone, where the apply stopped.
    let writes: Vec<&str> = ["catalog.update", "features.create", "plans.create"]
        .into_iter()
        .filter(|route| !stub.bodies(route).is_empty())
        .collect();
    assert_eq!(writes, ["catalog.update", "features.create"]);
    assert_eq!(
        stub.bodies("catalog.update").len(),
        1,
        "a 400 is not retried"
    );
    let seen = crate::support::transcript(&args, &output);
    assert!(
        seen.contains("(`invalid_inputs`)") && seen.contains("pricing.toml:4:11"),
        "{seen}"
    );
    context.bind(|| insta::assert_snapshot!(seen));
}

/// An organization in dollars with no rewards, whose preview creates the features `created`
/// and changes no plan, answering `routes` beside.
fn organization(
    created: &[&str],
    mut routes: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    let changes: Vec<String> = created
        .iter()
        .map(|id| format!(r#"{{"feature_id":"{id}","action":"create","will_archive":false,"blocked":false,"blocked_reason":null,"previous_attributes":null}}"#))
        .collect();
    routes.extend([
        (
            "organization/me",
            r#"{"id":"o","name":"Org","slug":"org","env":"sandbox","default_currency":"usd"}"#.into(),
        ),
        ("rewards.list", r#"{"coupons":[],"feature_grants":[]}"#.into()),
        (
            "catalog.preview_update",
            format!(
                r#"{{"feature_changes":[{}],"plan_changes":[],"reward_changes":[],"referral_program_changes":[]}}"#,
                changes.join(",")
            ),
        ),
    ]);
    routes
}

/// `pricectl apply --auto-approve` of a pricing of one metered feature, `messages`, against
/// `stub`.
fn apply_messages(stub: &Canned) -> Output {
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        "version = 1\ncurrency = \"USD\"\n\n[features.messages]\nname = \"Messages\"\ntype = \"metered\"\n",
    );
    context
        .command()
        .args(["apply", "--auto-approve", "--quiet", "pricing.toml"])
        .args(["--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", stub.address))
        .env("AUTUMN_SECRET_KEY", "am_sk_test_stub")
        .output()
        .expect("pricectl runs")
}

/// `catalog.update` skips a feature change it blocks and still answers 200: the catalog read
/// again after it shows what did not take, and that change, tried alone, fails with Autumn's
/// own refusal, naming it.
#[test]
fn a_change_the_bulk_request_skipped_is_tried_alone_and_fails_by_name() {
    let stub = Canned::start(organization(&["messages"], vec![
        (
            "catalog.update",
            r#"{"plans":[],"features":[],"rewards":[],"referral_programs":[]}"#.into(),
        ),
        (
            "features.create",
            r#"400 {"message":"Cannot change type of feature messages because it has a usage price set","code":"invalid_inputs"}"#.into(),
        ),
    ]));
    let output = apply_messages(&stub);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(stub.bodies("catalog.update").len(), 1);
    assert_eq!(stub.bodies("features.create").len(), 1, "tried alone");
    let seen = text(&output);
    assert!(
        seen.contains("the change to `feature.messages` was rejected: Autumn answered 400: Cannot change type of feature messages because it has a usage price set")
            && seen.contains("failed (1): feature.messages"),
        "{seen}"
    );
}

/// The answer of `catalog.update` is not used (the catalog is read again after it), but an
/// answer that is not JSON is still named in the words a read of it says: here a truncated
/// one, where a read of the whole value stops at the list left open.
#[test]
fn a_bulk_answer_that_is_not_json_fails_its_changes_in_the_words_of_its_read() {
    let stub = Canned::start(organization(
        &["messages"],
        vec![("catalog.update", r#"{"plans":["#.into())],
    ));
    let output = apply_messages(&stub);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_eq!(stub.bodies("catalog.update").len(), 1, "not retried");
    assert!(
        stub.bodies("features.create").is_empty(),
        "an unreadable answer is no refusal to try alone"
    );
    let seen = text(&output);
    assert!(
        seen.contains(
            "Autumn's answer of `catalog.update` could not be read: EOF while parsing a list at line 1 column 10"
        ) && seen.contains("failed (1): feature.messages"),
        "{seen}"
    );
}

/// A feature answer pricectl cannot read is set aside (or, without an id, named by its
/// place), and the features beside it in the same answer are read all the same.
#[test]
fn an_unreadable_feature_is_set_aside_and_the_others_are_read() {
    let stub = Canned::start(organization(
        &[],
        vec![(
            "features.list",
            r#"{"list":[{"id":"sso","name":"SSO","type":"boolean","consumable":false,"archived":false},{"id":"ai","name":"AI","type":"ai_credit_system","consumable":true,"archived":false},{"name":"No id","type":"boolean","consumable":false,"archived":false}]}"#.into(),
        )],
    ));
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        "version = 1\ncurrency = \"USD\"\n\n[features.sso]\nname = \"SSO\"\ntype = \"boolean\"\n",
    );
    let output = context
        .command()
        .args(["plan", "pricing.toml", "--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", stub.address))
        .env("AUTUMN_SECRET_KEY", "am_sk_test_stub")
        .output()
        .expect("pricectl runs");
    let seen = text(&output);
    assert_eq!(output.status.code(), Some(0), "{seen}");
    assert!(seen.contains("No changes."), "`sso` was read: {seen}");
    assert!(
        seen.contains(
            "`feature.ai`: a feature pricectl cannot read: unknown variant `ai_credit_system`"
        ) && seen.contains("features[2]"),
        "{seen}"
    );
}

/// The system's certificate roots are read for an `https` URL, as ever (here a store of one
/// unreadable certificate, so the client refuses to start), and not for plain `http` to this
/// machine, where no certificate is checked.
#[test]
fn the_certificate_roots_are_read_for_https_only() {
    let stub = Canned::start(organization(&[], Vec::new()));
    let context = TestContext::new();
    context.write("pricing.toml", "version = 1\ncurrency = \"USD\"\n");
    context.write(
        "roots/bad.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    std::fs::create_dir_all(context.directory().join("no-roots")).expect("a directory");
    let plan = |url: &str| {
        let output = context
            .command()
            .args(["plan", "pricing.toml", "--backend", "autumn"])
            .args(["--api-url", url])
            .env("AUTUMN_SECRET_KEY", "am_sk_test_stub")
            .env("SSL_CERT_FILE", context.directory().join("roots/bad.pem"))
            .env("SSL_CERT_DIR", context.directory().join("no-roots"))
            .output()
            .expect("pricectl runs");
        (output.status.code(), text(&output))
    };
    let (code, seen) = plan("https://127.0.0.1:9");
    assert_eq!(code, Some(3), "unavailable: {seen}");
    assert!(
        seen.contains("the HTTPS client could not start"),
        "the roots were not read: {seen}"
    );
    let (code, seen) = plan(&format!("http://{}", stub.address));
    assert_eq!(code, Some(0), "{seen}");
}

/// Billing controls Autumn holds that the language cannot say (usage allowed past the balance,
/// a limit counting only some events) are named in the plan and go back as Autumn holds them
/// with an update of their plan, beside the controls the pricing gives.
#[test]
fn billing_controls_pricectl_cannot_say_go_back_with_every_update_of_their_plan() {
    let stub = Canned::start(vec![
        (
            "organization/me",
            r#"{"id":"o","name":"Org","slug":"org","env":"sandbox","default_currency":"usd"}"#.into(),
        ),
        (
            "plans.list",
            r#"{"list":[{"id":"team","name":"Team","description":null,"group":null,"version":1,"add_on":false,"auto_enable":false,"price":{"amount":20,"interval":"month"},"items":[{"feature_id":"requests","included":100,"unlimited":false,"reset":{"interval":"month"},"price":{"amount":0.05,"interval":"month","billing_units":1,"billing_method":"usage_based","max_purchase":null}}],"created_at":0,"env":"sandbox","archived":false,"config":{},"billing_controls":{"overage_allowed":[{"feature_id":"requests","enabled":true}],"usage_limits":[{"feature_id":"requests","limit":50,"interval":"day","filter":{"properties":{"model":"o3"}}}]},"metadata":{},"base_variant_id":null}]}"#.into(),
        ),
        (
            "features.list",
            r#"{"list":[{"id":"requests","name":"Requests","type":"metered","consumable":true,"archived":false}]}"#.into(),
        ),
        ("rewards.list", r#"{"coupons":[],"feature_grants":[]}"#.into()),
        (
            "catalog.preview_update",
            r#"{"feature_changes":[],"plan_changes":[{"plan_id":"team","action":"updated","versionable":false,"has_customers":false,"customer_count":0,"will_archive":false,"previous_attributes":null,"customize":null}],"reward_changes":[],"referral_program_changes":[]}"#.into(),
        ),
    ]);
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        "version = 1\ncurrency = \"USD\"\n\n[features.requests]\nname = \"Requests\"\ntype = \"metered\"\n\n[plans.team]\nname = \"Team\"\nprice = { amount = 30, interval = \"month\" }\n\n[plans.team.items.requests]\nincluded = 100\nprice = { amount = 0.05, billing = \"usage\", interval = \"month\" }\n\n[plans.team.usage_limits]\nrequests = { limit = 200, interval = \"day\" }\n",
    );
    let url = format!("http://{}", stub.address);
    let run = |args: &[&str]| {
        context
            .command()
            .args(args)
            .args(["--backend", "autumn", "--api-url", url.as_str()])
            .env("AUTUMN_SECRET_KEY", "am_sk_test_stub")
            .output()
            .expect("pricectl runs")
    };
    let plan = run(&["plan", "pricing.toml"]);
    let shown = stdout(&plan);
    assert!(
        shown.contains("`plan.team.item.requests`: usage past the balance allowed or not (`overage_allowed`)")
            && shown.contains("`plan.team`: a usage limit that counts only some events (`filter`) (`billing_controls.usage_limits[0]`)"),
        "{}",
        text(&plan)
    );
    // Autumn's preview goes first with the reads, of the pricing alone; the read finds
    // controls an update sends back, so it is asked again about the plan as the update will
    // send it, and that answer is the verdict's.
    let previewed: Vec<serde_json::Value> = stub
        .bodies("catalog.preview_update")
        .into_iter()
        .filter(|body| {
            body["plans"]
                .as_array()
                .is_some_and(|plans| !plans.is_empty())
        })
        .collect();
    assert_eq!(previewed.len(), 2, "the pricing was previewed twice");
    assert_eq!(
        previewed[0]["plans"][0]["billing_controls"]["overage_allowed"],
        serde_json::json!([]),
        "sent before the read"
    );
    assert_eq!(
        previewed[1]["plans"][0]["billing_controls"]["overage_allowed"],
        serde_json::json!([{"feature_id": "requests", "enabled": true}])
    );
    run(&["apply", "--auto-approve", "pricing.toml"]);
    // The bulk request carries them; the stub does not keep it, so the plan is then updated
    // alone, carrying them too.
    let bulk = stub.bodies("catalog.update");
    assert_eq!(bulk.len(), 1, "{bulk:?}");
    assert_eq!(
        bulk[0]["plans"][0]["billing_controls"]["overage_allowed"],
        serde_json::json!([{"feature_id": "requests", "enabled": true}])
    );
    assert_eq!(bulk[0]["skip_deletions"], serde_json::json!(true));
    let updates = stub.bodies("plans.update");
    assert_eq!(updates.len(), 1, "one update of `team`: {updates:?}");
    let controls = &updates[0]["billing_controls"];
    assert_eq!(
        controls["overage_allowed"],
        serde_json::json!([{"feature_id": "requests", "enabled": true}])
    );
    assert_eq!(
        controls["usage_limits"],
        serde_json::json!([
            {"feature_id": "requests", "enabled": true, "limit": 200, "interval": "day", "anchor": "billing_cycle"},
            {"feature_id": "requests", "limit": 50, "interval": "day", "filter": {"properties": {"model": "o3"}}}
        ])
    );
    assert_eq!(updates[0]["price"]["amount"], serde_json::json!(30));
}

#[test]
fn apply_shows_a_bar_on_a_terminal_and_plain_lines_in_a_log() {
    // A log: stderr is a pipe.
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    let logged = against(
        &context,
        &server,
        &["apply", "--auto-approve", "pricing.toml"],
    );
    assert!(logged.status.success(), "{}", text(&logged));
    let log = String::from_utf8_lossy(&logged.stderr);
    // In bulk, the six changes go in one request: each starts, then each is done.
    assert!(
        log.starts_with(
            "[1/6] create feature.o1-input-tokens …\n[2/6] create feature.o1-output-tokens …\n"
        ) && log
            .contains("[6/6] create plan.credit-top-up …\n[1/6] feature.o1-input-tokens: done\n")
            && log.contains("[6/6] plan.credit-top-up: done\n"),
        "{log}"
    );
    assert!(!log.contains('\r') && !log.contains('\u{1b}'), "{log:?}");
    // Change by change, each ends before the next starts.
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    let logged = against(
        &context,
        &server,
        &[
            "apply",
            "--auto-approve",
            "--apply-mode",
            "per-object",
            "pricing.toml",
        ],
    );
    assert!(logged.status.success(), "{}", text(&logged));
    let log = String::from_utf8_lossy(&logged.stderr);
    assert!(
        log.starts_with(
            "[1/6] create feature.o1-input-tokens …\n[1/6] feature.o1-input-tokens: done\n"
        ) && log.contains("[6/6] plan.credit-top-up: done\n"),
        "{log}"
    );

    // A terminal: `script` runs pricectl on a pseudo-terminal (stdout to /dev/null, so what
    // it records is stderr).
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_script {
        eprintln!("skipped the terminal: no `script` (util-linux) to make one");
        return;
    }
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    let command = format!(
        "'{}' apply --auto-approve --backend autumn --api-url http://{} pricing.toml > /dev/null",
        insta_cmd::get_cargo_bin("pricectl").display(),
        server.address
    );
    let on_terminal = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(context.directory())
        .env("NO_COLOR", "1")
        .env("AUTUMN_SECRET_KEY", KEY)
        .env_remove("AUTUMN_API_URL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("script runs");
    let screen = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{screen}");
    assert!(
        screen.contains("1-6/6") && screen.contains("create feature.o1-input-tokens (and 5 more)"),
        "the bar names the changes under way: {screen:?}"
    );
    assert!(
        !screen.contains("feature.o1-input-tokens: done"),
        "no plain lines on a terminal: {screen:?}"
    );
    assert!(screen.contains("Apply complete"), "{screen:?}");
}

/// Credits bought every month that never expire, minutes bought every month that reset, and
/// seats billed by usage: each item's reset as Autumn reads and answers it
/// (`src/autumn/mapping/item_reset.rs`).
fn resets_catalog() -> pricectl::catalog::Catalog {
    let mut sources = SourceSet::default();
    sources.add(
        std::path::PathBuf::from("pricing.toml"),
        r#"version = 1
currency = "USD"

[features.credits]
type = "metered"

[features.minutes]
type = "metered"

[features.seats]
type = "metered"
consumable = false

[plans.team]
price = { amount = 10, interval = "month" }

[plans.team.items.credits]
price = { amount = 1, per = 100, billing = "prepaid", interval = "month" }

[plans.team.items.minutes]
reset = "month"
price = { amount = 1, per = 100, billing = "prepaid", interval = "month" }

[plans.team.items.seats]
included = 2
price = { amount = 9, billing = "usage", interval = "month" }
"#
        .to_string(),
    );
    pricectl::compile(sources).catalog.expect("compiles")
}

/// Never, said out loud (`one_off`) where leaving the reset out would mean the price's month;
/// the allocated seats answer `reset: null`; all read back the same.
#[test]
fn each_reset_is_said_as_autumn_reads_it_and_read_back_the_same() {
    use pricectl::autumn::wire::plan::ResetInterval as WireReset;
    let catalog = resets_catalog();
    let plan = &catalog.plans["team"];
    let answer = plan_to_wire(plan, &catalog.features, 1, 0, "sandbox");
    let resets: Vec<_> = answer
        .items
        .iter()
        .map(|item| {
            (
                item.feature_id.as_str(),
                item.reset.as_ref().map(|reset| reset.interval),
            )
        })
        .collect();
    assert_eq!(
        resets,
        [
            ("credits", Some(WireReset::OneOff)),
            ("minutes", Some(WireReset::Month)),
            ("seats", None),
        ]
    );
    let read = plan_from_answer(&answer, &catalog.features, "plan").expect("reads");
    assert_eq!(&read, plan);
    let body = plan_from_wire(
        &plan_body(plan, &catalog.features),
        None,
        &catalog.features,
        "",
    )
    .expect("reads");
    assert_eq!(&body, plan);
}

/// A reset left out (atmn leaves out one equal to the price interval) is the price's interval,
/// prepaid included; a reset sent on an allocated feature's item is ignored, as Autumn ignores
/// it (a continuous-use balance never resets).
#[test]
fn a_reset_left_out_is_the_price_interval_and_an_allocated_item_never_resets() {
    use pricectl::autumn::wire::plan::{Reset, ResetInterval as WireReset};
    use pricectl::catalog::ResetInterval;
    let catalog = resets_catalog();
    let mut body = plan_body(&catalog.plans["team"], &catalog.features);
    for item in body.items.iter_mut().flatten() {
        item.reset = match item.feature_id.as_str() {
            "minutes" | "credits" => None,
            _ => Some(Reset {
                interval: WireReset::Month,
                interval_count: None,
            }),
        };
    }
    let read = plan_from_wire(&body, None, &catalog.features, "").expect("reads");
    assert_eq!(read.items["minutes"].reset, Some(ResetInterval::Month));
    assert_eq!(read.items["credits"].reset, Some(ResetInterval::Month));
    assert_eq!(read.items["seats"].reset, None);
}

#[test]
fn of_reads_sent_at_once_the_first_failing_by_request_order_is_reported() {
    // The lists, the organization and rewards are read at once and their answers race; the
    // error shown is the one of the first request in the order the fetch names them
    // (`plans.list` before `organization/me` and `rewards.list`), whichever came back first.
    let stub = Canned::start(vec![
        (
            "plans.list",
            r#"403 {"message":"plans are not yours to read","code":"forbidden"}"#.into(),
        ),
        (
            "organization/me",
            r#"404 {"message":"no such organization","code":"not_found"}"#.into(),
        ),
        (
            "rewards.list",
            r#"401 {"message":"rewards need another key","code":"unauthorized"}"#.into(),
        ),
    ]);
    let context = TestContext::new();
    context.write(
        "pricing.toml",
        "version = 1\ncurrency = \"USD\"\n\n[features.messages]\nname = \"Messages\"\ntype = \"metered\"\n",
    );
    let url = format!("http://{}", stub.address);
    // Repeated: the arrival order differs from run to run, the error must not.
    for _ in 0..3 {
        let output = context
            .command()
            .args([
                "plan",
                "pricing.toml",
                "--backend",
                "autumn",
                "--api-url",
                &url,
            ])
            .env("AUTUMN_SECRET_KEY", "am_sk_test_stub")
            .output()
            .expect("pricectl runs");
        let shown = text(&output);
        assert_ne!(output.status.code(), Some(0), "{shown}");
        assert!(shown.contains("plans are not yours to read"), "{shown}");
        assert!(
            !shown.contains("no such organization") && !shown.contains("rewards need another key"),
            "{shown}"
        );
    }
}
