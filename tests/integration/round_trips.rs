//! How many round trips `pricectl plan` and `pricectl apply --backend autumn` wait for in turn
//! (issue 13's benchmark: at 50 ms a request, they are most of pricectl's time). A recording
//! proxy delays every request by [`LATENCY`]: requests sent at once arrive together, a request
//! sent after an answer arrives at least [`LATENCY`] after the one it waited for. The
//! arrivals, grouped, are the rounds; each round's routes are pinned.

use std::time::Duration;

use crate::fault_proxy::{FaultProxy, Recorded};
use crate::interop::{project, text};
use crate::serve::server::{KEY, Server};
use crate::support::TestContext;

/// The delay added to each request.
const LATENCY: Duration = Duration::from_millis(300);

/// Arrivals closer than this to a round's first belong to it (a round's requests leave
/// together but their threads may start a little apart on a loaded machine; the next round
/// comes at least [`LATENCY`] later).
const SAME_ROUND: Duration = Duration::from_millis(150);

/// The routes of each round, sorted within it.
fn rounds(requests: &[Recorded]) -> Vec<Vec<String>> {
    let mut requests: Vec<&Recorded> = requests.iter().collect();
    requests.sort_by_key(|request| request.arrived);
    let mut rounds: Vec<(std::time::Instant, Vec<String>)> = Vec::new();
    for request in requests {
        let route = request.path.trim_start_matches("/v1/").to_string();
        match rounds.last_mut() {
            Some((start, routes)) if request.arrived.duration_since(*start) < SAME_ROUND => {
                routes.push(route);
            }
            _ => rounds.push((request.arrived, vec![route])),
        }
    }
    rounds
        .into_iter()
        .map(|(_, mut routes)| {
            routes.sort();
            routes
        })
        .collect()
}

fn routes(names: &[&str]) -> Vec<String> {
    names.iter().map(ToString::to_string).collect()
}

/// The rounds of `plan`, then of `apply`, each a pricectl command run against `pricectl serve`
/// of the openai-credits example through the recording proxy.
fn rounds_of(plan: &[&str], apply: &[&str]) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let context = project("openai-credits");
    let server = Server::start(&context);
    let proxy =
        FaultProxy::recording_with_latency(&server.address, LATENCY).expect("the proxy starts");
    run(&context, &proxy, plan);
    let planned = proxy.recorded().len();
    run(&context, &proxy, apply);
    let sent = proxy.recorded();
    (rounds(&sent[..planned]), rounds(&sent[planned..]))
}

/// Runs pricectl with `command` against Autumn at the proxy; it must succeed.
fn run(context: &TestContext, proxy: &FaultProxy, command: &[&str]) {
    let output = context
        .command()
        .args(command)
        .args(["--quiet", "--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", proxy.address))
        .env("AUTUMN_SECRET_KEY", KEY)
        .output()
        .expect("pricectl runs");
    assert!(output.status.success(), "{}", text(&output));
}

/// Every read of a plan, sent at once: the lists, the organization, the customer counts (a
/// preview of removing everything), rewards and referral programs, and Autumn's preview of
/// the pricing (which needs nothing read unless Autumn holds what pricectl sets aside).
fn read_everything_and_preview() -> Vec<String> {
    let mut routes = read_everything();
    routes.insert(0, "catalog.preview_update".to_string());
    routes
}

/// Every read of a plan, without the preview of the pricing.
fn read_everything() -> Vec<String> {
    routes(&[
        "catalog.preview_update",
        "features.list",
        "organization/me",
        "plans.list",
        "referral_programs.list",
        "rewards.list",
    ])
}

#[test]
fn plan_and_apply_in_bulk_wait_for_one_and_three_rounds() {
    let (plan, apply) = rounds_of(
        &["plan", "pricing.toml"],
        &["apply", "--auto-approve", "pricing.toml"],
    );
    // The plan: everything read at once, Autumn's preview of the pricing with it.
    assert_eq!(plan, vec![read_everything_and_preview()], "plan");
    // The apply: the same plan again; its changes checked against that read, made moments
    // ago (nobody was asked to confirm), so no read before the first change; one
    // `catalog.update`; and one read after it, which both says what took and verifies the
    // apply.
    assert_eq!(
        apply,
        vec![
            read_everything_and_preview(),
            routes(&["catalog.update"]),
            read_everything(),
        ],
        "apply"
    );
}

/// A saved plan is checked against a read of the live catalog when it is applied; the apply
/// checks its changes against that same read, and Autumn's preview is not asked again (the
/// saved plan holds its verdict).
#[test]
fn a_saved_plan_is_applied_after_one_read() {
    let (_, apply) = rounds_of(
        &["plan", "--out", "plan.json", "pricing.toml"],
        &["apply", "--auto-approve", "plan.json"],
    );
    assert_eq!(
        apply,
        vec![
            read_everything(),
            routes(&["catalog.update"]),
            read_everything(),
        ],
        "apply of the saved plan"
    );
}

/// The reads go out before the pricing is compiled, so they travel while it compiles. A
/// pricing that does not compile is still reported as it always was, by its diagnostics alone
/// (not by Autumn's refusal of the key the reads were sent with), and nothing but those reads
/// was sent: no preview of the pricing, no change.
#[test]
fn a_pricing_that_does_not_compile_stops_at_the_reads_sent_ahead() {
    let context = project("openai-credits");
    let server = Server::start(&context);
    let proxy =
        FaultProxy::recording_with_latency(&server.address, LATENCY).expect("the proxy starts");
    let pricing = context.read("pricing.toml");
    context.write(
        "pricing.toml",
        &format!("{pricing}\n[features.broken]\nname = 1\n"),
    );
    let commands: [&[&str]; 2] = [
        &["plan", "pricing.toml"],
        &["apply", "--auto-approve", "pricing.toml"],
    ];
    for command in commands {
        let output = context
            .command()
            .args(command)
            .args(["--backend", "autumn", "--api-url"])
            .arg(format!("http://{}", proxy.address))
            .env("AUTUMN_SECRET_KEY", "am_sk_test_not_the_servers_key")
            .output()
            .expect("pricectl runs");
        let shown = text(&output);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {shown}");
        assert!(
            shown.contains("pricing.toml") && shown.contains("broken"),
            "{command:?} shows the pricing's diagnostics: {shown}"
        );
        assert!(
            !shown.contains("Autumn"),
            "{command:?} does not report the refused key: {shown}"
        );
    }
    let sent = proxy.recorded();
    let reads = read_everything();
    assert!(
        sent.iter()
            .all(|request| reads.contains(&request.path.trim_start_matches("/v1/").to_string())),
        "only reads were sent: {:?}",
        sent.iter().map(|request| &request.path).collect::<Vec<_>>()
    );
    let previews = sent
        .iter()
        .filter(|request| request.path.ends_with("catalog.preview_update"))
        .count();
    assert!(
        previews <= commands.len(),
        "only the customer counts were previewed, not the pricing: {previews} previews"
    );
}
