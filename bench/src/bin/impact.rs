//! Revenue impact at scale (docs/performance.md): a usage file of EVENTS events for
//! CUSTOMERS customers of the SaaS seats-and-credits example, replayed under the example and
//! under a repricing (Pro from $20 to $25 a month, 400 credits included instead of 500), its
//! customers moved to the new Pro.
//!
//! ```text
//! impact [EVENTS] [CUSTOMERS]
//! ```
//!
//! The file is written first (JSON Lines, streamed from the generator); then only
//! `pricectl::impact::revenue_impact` is timed, which streams it once per pricing, both at
//! once. Peak memory is the process's (`VmHWM`), read after the replay.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant as Clock;

use pricectl::catalog::Included;
use pricectl::impact::{ImpactOptions, UsageSource, revenue_impact, sample};
use rust_decimal::Decimal;

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args
        .next()
        .map_or(1_000_000, |events| events.parse().expect("EVENTS is a number"));
    let customers: usize = args
        .next()
        .map_or(10_000, |customers| customers.parse().expect("CUSTOMERS is a number"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let old = pricectl::compile_path(&root.join("pricing-examples/saas-seats-credits/pricing.toml"))
        .expect("example loads")
        .catalog
        .expect("example is valid");
    let mut new = old.clone();
    let pro = new.plans.get_mut("pro").expect("the example has pro");
    if let Some(price) = pro.price.as_mut() {
        price.amount = Decimal::from(25);
    }
    if let Some(credits) = pro.items.get_mut("credits") {
        credits.included = Included::Units(Decimal::from(400));
    }

    let path = std::env::temp_dir().join(format!("pricectl-impact-bench-{}.jsonl", std::process::id()));
    let started = Clock::now();
    {
        let file = std::fs::File::create(&path).expect("usage file");
        let mut writer = std::io::BufWriter::new(file);
        for record in sample::sample_usage(&old, customers, events, 7) {
            writeln!(writer, "{}", sample::jsonl(&record)).expect("write");
        }
        writer.flush().expect("flush");
    }
    let size = std::fs::metadata(&path).map(|meta| meta.len()).unwrap_or(0);
    eprintln!(
        "generated {events} events for {customers} customers ({:.1} MB) in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let before = peak_kib();
    let started = Clock::now();
    // Customers priced on the new Pro (as if moved to it): grandfathered, they would pay what
    // they paid, and the replay of the new pricing would be the old one's work again.
    let options = ImpactOptions {
        move_customers: true,
        ..ImpactOptions::default()
    };
    let impact = revenue_impact(&old, &new, None, &UsageSource::File(path.clone()), &options)
        .expect("replay");
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    println!("| events | customers | records read | replay of both pricings | peak memory (VmHWM) | before the replay | total before → after |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    println!(
        "| {events} | {customers} | {} | {seconds:.2} s | {} MiB | {} MiB | {} → {} |",
        impact.records,
        peak_kib() / 1024,
        before / 1024,
        impact.total_before,
        impact.total_after
    );
}

/// The process's peak resident memory, in KiB (Linux).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
