//! What each fuzz target does with its bytes, in one file shared by the fuzz targets
//! (`fuzz/fuzz_targets/`) and the test that replays every saved input through the same
//! functions in `cargo test` (`tests/integration/fuzz_regressions.rs`, which includes this
//! file). Each function must return for any input: a panic is the bug the fuzzer looks for,
//! and so are the `assert!`s below, which state what must hold of any input.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pricectl::dsl::SourceSet;
use pricectl::dsl::format::{FormatError, format_pricing};
use pricectl::impact::{UsageFormat, UsageReader};
use pricectl::reconcile::SavedPlan;
use pricectl::render::{HumanOptions, render_github, render_human, render_json};
use pricectl::scenario::parse_scenario;
use pricectl::serve::{ApiKey, InProcess, Limits};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The secret key the in-process server accepts; the seed requests carry it.
pub const SERVE_KEY: &str = "am_sk_test_fuzz";

/// The pricing the in-process server's store holds before each request: customers get the
/// free plan's grants, and `pro` can be attached with prepaid credits and seats.
const SERVE_PRICING: &str = include_str!("../../pricing-examples/saas-seats-credits/pricing.toml");

/// Bytes as a pricing file: compiled, its diagnostics rendered in every format; a pricing
/// that compiles is laid out by `fmt` without changing its catalog.
pub fn pricing(data: &[u8]) {
    // The loader refuses bytes that are not UTF-8 before parsing (`SourceSet::load`).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let compilation = compile_text(text);
    let options = HumanOptions {
        color: false,
        width: 100,
        deny_warnings: false,
    };
    let diagnostics = &compilation.diagnostics;
    let sources = &compilation.sources;
    render_human(diagnostics, sources, options);
    render_json(
        diagnostics,
        sources,
        compilation.error_count(),
        compilation.warning_count(),
    );
    render_github(diagnostics, sources, true);
    let Some(catalog) = &compilation.catalog else {
        return;
    };
    match format_pricing(text) {
        Ok(formatted) => {
            let again = compile_text(&formatted);
            assert_eq!(
                again.catalog.as_ref(),
                Some(catalog),
                "fmt changed the catalog:\n{formatted}"
            );
        }
        Err(FormatError::ChangedMeaning) => {
            panic!("fmt refused a pricing that compiles as a bug in the formatter")
        }
        Err(FormatError::Syntax(error)) => {
            panic!("fmt found a syntax error in a pricing that compiles: {error}")
        }
    }
}

fn compile_text(text: &str) -> pricectl::Compilation {
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("pricing.toml"), text.to_string());
    pricectl::compile(sources)
}

/// Bytes as a scenario file (`*.scenario.toml`): a scenario, or an error placed in the file.
pub fn scenario(data: &[u8]) {
    // `read_scenario` refuses bytes that are not UTF-8 before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = parse_scenario(Path::new("fuzz.scenario.toml"), text) {
        let _ = error.to_string();
    }
}

/// Bytes as a usage file, read both as JSON Lines and as CSV to the end: every line is a
/// record or an error naming its line.
pub fn usage(data: &[u8]) {
    for format in [UsageFormat::JsonLines, UsageFormat::Csv] {
        let reader = UsageReader::new("usage".to_string(), data, format);
        for (index, record) in reader.enumerate() {
            if let Err(error) = record {
                let _ = error.to_string();
            }
            assert!(index <= data.len(), "more records than bytes");
        }
    }
}

/// Bytes as a saved plan (`pricectl plan --out`): a plan, or a reason it is refused.
pub fn saved_plan(data: &[u8]) {
    if let Err(error) = SavedPlan::parse(Path::new("fuzz.plan.json"), data.to_vec()) {
        let _ = error.to_string();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        SavedPlan::is_saved_plan(text);
    }
}

/// Bytes sent by a client to `pricectl serve` on one connection, which it then closes: the
/// server answers each request it can read, and never answers 500 (a 500 is a request the
/// server did not expect, which is a bug).
pub fn serve(data: &[u8]) {
    let answer = serve_answer(data);
    for status in statuses(&answer) {
        assert!(
            status != 500,
            "the server answered 500:\n{}",
            String::from_utf8_lossy(&answer)
        );
    }
}

/// What the server answers to `data` on a fresh store holding the pricing (fresh each time,
/// so an input does the same whatever ran before it).
pub fn serve_answer(data: &[u8]) -> Vec<u8> {
    let harness = ServeHarness::get();
    let store = tempfile::tempdir().expect("a temporary directory");
    let state = store.path().join("local.db");
    std::fs::copy(&harness.template, &state).expect("the store is copied");
    let key = ApiKey::new(SERVE_KEY).expect("a key");
    let server = InProcess::start(&state, vec![key], Limits::default()).expect("the server starts");
    let answer = harness.runtime.block_on(async {
        let (client, connection) = tokio::io::duplex(64 * 1024);
        let (mut from_server, mut to_server) = tokio::io::split(client);
        let send = async {
            // The server may close the connection before reading everything (a request it
            // cannot parse): the rest is not sent, as over TCP.
            let _ = to_server.write_all(data).await;
            let _ = to_server.shutdown().await;
        };
        let receive = async {
            let mut answer = Vec::new();
            let _ = from_server.read_to_end(&mut answer).await;
            answer
        };
        let ((), (), answer) = tokio::join!(server.serve_connection(connection), send, receive);
        answer
    });
    server.stop();
    answer
}

/// The status of each response in `answer`, in order (as far as they can be read).
pub fn statuses(answer: &[u8]) -> Vec<u16> {
    let mut statuses = Vec::new();
    let mut rest = answer;
    while let Some(end) = find(rest, b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&rest[..end]);
        let mut lines = head.split("\r\n");
        let Some(status) = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
        else {
            break;
        };
        statuses.push(status);
        let length: usize = lines
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse().ok())
            .unwrap_or(0);
        let next = end + 4 + length;
        if next > rest.len() {
            break;
        }
        rest = &rest[next..];
    }
    statuses
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// What every `serve` input shares: a runtime, and a store with the pricing applied that each
/// input gets a copy of.
struct ServeHarness {
    runtime: tokio::runtime::Runtime,
    template: PathBuf,
    _directory: tempfile::TempDir,
}

impl ServeHarness {
    fn get() -> &'static ServeHarness {
        static HARNESS: OnceLock<ServeHarness> = OnceLock::new();
        HARNESS.get_or_init(ServeHarness::new)
    }

    fn new() -> ServeHarness {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let pricing = directory.path().join("pricing.toml");
        std::fs::File::create(&pricing)
            .and_then(|mut file| file.write_all(SERVE_PRICING.as_bytes()))
            .expect("the pricing is written");
        let template = directory.path().join("local.db");
        apply(&pricing, &template);
        ServeHarness {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime"),
            template,
            _directory: directory,
        }
    }
}

/// `pricectl apply --auto-approve --state STORE PRICING`, quietly.
fn apply(pricing: &Path, store: &Path) {
    use clap::Parser as _;
    let cli = pricectl::cli::Cli::parse_from([
        "pricectl".as_ref(),
        "--quiet".as_ref(),
        "apply".as_ref(),
        "--auto-approve".as_ref(),
        "--state".as_ref(),
        store.as_os_str(),
        pricing.as_os_str(),
    ]);
    let status = pricectl::cli::run(cli);
    assert!(
        matches!(status, pricectl::cli::ExitStatus::Success),
        "the pricing applies"
    );
}
