//! Tracked events per second through the library API, and the cost of `check`
//! (docs/performance.md).
//!
//! ```text
//! ledger [EVENTS]
//! ```
//!
//! The store is a file (WAL, `synchronous = NORMAL` as `Ledger::open` sets it) holding the
//! OpenAI credits example. Every `track` is its own `BEGIN IMMEDIATE` transaction, durable
//! against a killed process. Single writer: one ledger, EVENTS events. Eight writers: eight
//! threads, each with its own connection, EVENTS / 8 events each, contending for the write
//! lock as separate processes would. Then EVENTS checks.

use std::path::{Path, PathBuf};
use std::time::Instant as Clock;

use pricectl::backend::local::LocalStore;
use pricectl::ledger::{AttachRequest, Instant, Ledger, Overage, TrackRequest};
use pricectl::reconcile::{ApplyOptions, apply, plan};
use rust_decimal::Decimal;

fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .map_or(20_000, |events| events.parse().expect("EVENTS is a number"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalog =
        pricectl::compile_path(&root.join("pricing-examples/openai-credits/pricing.toml"))
            .expect("example loads")
            .catalog
            .expect("example is valid");
    let directory =
        std::env::temp_dir().join(format!("pricectl-ledger-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let state = directory.join("local.db");
    {
        let mut store = LocalStore::open(&state).expect("store");
        let planned = plan(&mut store, &catalog).expect("plan");
        apply(&mut store, &planned, &catalog, ApplyOptions::default()).expect("apply");
    }
    let at = Instant::parse("2026-01-01T00:00:00Z").expect("instant");
    let mut ledger = Ledger::open(&state).expect("ledger");
    for customer in 0..8 {
        let id = format!("customer-{customer}");
        ledger.ensure_customer(&id, at).expect("customer");
        let request = AttachRequest {
            customer_id: id,
            plan_id: "credit-top-up".into(),
            quantities: [("credits".to_string(), Decimal::from(1_000_000))].into(),
            idempotency_key: None,
        };
        ledger.attach(&request, at).expect("attach");
    }

    let started = Clock::now();
    for event in 0..events {
        track(&mut ledger, "customer-0", event);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "single writer: {events} events in {seconds:.2} s = {:.0} events/s",
        events as f64 / seconds
    );

    let per_writer = events / 8;
    let started = Clock::now();
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let state: PathBuf = state.clone();
            std::thread::spawn(move || {
                let mut ledger = Ledger::open(&state).expect("ledger");
                for event in 0..per_writer {
                    track(&mut ledger, &format!("customer-{writer}"), events + event);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer");
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "8 writers: {} events in {seconds:.2} s = {:.0} events/s",
        per_writer * 8,
        (per_writer * 8) as f64 / seconds
    );

    // After every tracked event (a check dated before them would be a point-in-time view of
    // the past, summed from the entries).
    let checked_at = Instant::parse("2026-01-03T00:00:00Z").expect("instant");
    let started = Clock::now();
    for _ in 0..events {
        let checked = ledger
            .check("customer-1", "o1-input-tokens", None, checked_at)
            .expect("check");
        assert!(checked.allowed);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "check: {events} checks in {seconds:.2} s = {:.1} µs per check",
        seconds * 1e6 / events as f64
    );
    let _ = std::fs::remove_dir_all(&directory);
}

fn track(ledger: &mut Ledger, customer: &str, event: usize) {
    let request = TrackRequest {
        customer_id: customer.into(),
        feature_id: "o1-input-tokens".into(),
        value: Decimal::from(1_000),
        idempotency_key: None,
        overage: Overage::Overflow,
        entity_id: None,
    };
    // Each event a millisecond after the last, as a stream of real events is: every track
    // moves the customer's clock.
    let start = Instant::parse("2026-01-02T00:00:00Z").expect("instant");
    let offset = i64::try_from(event).expect("event count fits");
    ledger.track(&request, Instant(start.0 + offset)).expect("track");
}
