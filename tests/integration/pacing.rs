//! Autumn's rate limit is per organization, not per process (issue 13: "requests stay under
//! Autumn's 25 requests per second per organization"): `pricectl` processes using the same API
//! URL and key pace their requests together, through a small file in the user's cache
//! (`src/backend/autumn/pace.rs`). Plans started at once send more than 25 requests
//! between them, yet a recording proxy in front of `pricectl serve` never sees more than 25
//! arrive within one second; and a cache that cannot be used leaves each process pacing alone,
//! without an error.

use std::process::{Child, Stdio};

use crate::fault_proxy::FaultProxy;
use crate::interop::text;
use crate::serve::server::{KEY, Server};
use crate::support::TestContext;

/// Requests the plans started at once send between them, at least: a second and a half's worth
/// at Autumn's rate.
const AT_LEAST: usize = 36;

/// `pricectl plan --backend autumn` through `proxy`, with `cache` as the user's cache.
fn plan(context: &TestContext, proxy: &FaultProxy, cache: &std::path::Path) -> Child {
    context
        .command()
        .args(["plan", "--quiet", "--backend", "autumn", "--api-url"])
        .arg(format!("http://{}", proxy.address))
        .arg("pricing.toml")
        .env("AUTUMN_SECRET_KEY", KEY)
        .env("XDG_CACHE_HOME", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pricectl runs")
}

/// Starts `processes` plans at once and waits for them: what each printed.
fn plans_at_once(
    context: &TestContext,
    proxy: &FaultProxy,
    cache: &std::path::Path,
    processes: usize,
) -> Vec<String> {
    let children: Vec<Child> = (0..processes)
        .map(|_| plan(context, proxy, cache))
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("pricectl ends");
            assert!(output.status.success(), "{}", text(&output));
            text(&output)
        })
        .collect()
}

#[test]
fn processes_of_one_organization_stay_under_its_limit_together() {
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    let proxy = FaultProxy::recording(&server.address).expect("the proxy starts");
    let cache = context.path("cache");
    // One plan alone says how many requests a plan sends (7 today); then enough plans at once
    // to send at least [`AT_LEAST`] between them.
    plans_at_once(&context, &proxy, &cache, 1);
    let one = usize::try_from(proxy.counts().requests).expect("a count");
    assert!(one > 0, "a plan reads the catalog");
    plans_at_once(&context, &proxy, &cache, AT_LEAST.div_ceil(one));
    let counts = proxy.counts();
    assert!(
        counts.requests >= u64::try_from(AT_LEAST + one).expect("a count"),
        "the processes sent more than a second's worth between them: {counts:?}"
    );
    assert!(
        counts.busiest_second <= 25,
        "at most 25 arrived within any one second: {counts:?}"
    );
    // The pace is kept in one file named by a hash of the URL and the key, never the key.
    let directory = cache.join("pricectl").join("pace");
    let files: Vec<_> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("{}: {error}", directory.display()))
        .map(|entry| entry.expect("an entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().expect("a name").to_string_lossy();
    let held = std::fs::read_to_string(&files[0]).expect("the pace file reads");
    for secret in [KEY, &KEY[..12]] {
        assert!(
            !name.contains(secret) && !held.contains(secret),
            "{name}: {held}"
        );
    }
}

#[test]
fn a_cache_that_cannot_be_used_leaves_each_process_pacing_alone_without_an_error() {
    let context = TestContext::with_example("openai-credits");
    let server = Server::start(&context);
    let proxy = FaultProxy::recording(&server.address).expect("the proxy starts");
    // A file where the cache directory should be: nothing can be created under it.
    context.write("not-a-directory", "");
    let processes = 4;
    let unusable = plans_at_once(
        &context,
        &proxy,
        &context.path("not-a-directory"),
        processes,
    );
    let sent = proxy.counts().requests;
    let usable = plans_at_once(&context, &proxy, &context.path("cache"), processes);
    assert_eq!(
        unusable, usable,
        "the same plans, and nothing said about the cache"
    );
    assert_eq!(proxy.counts().requests, 2 * sent, "the same requests");
}
