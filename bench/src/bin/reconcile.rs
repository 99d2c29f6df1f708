//! Times `plan` against a local store holding a large generated catalog: with no changes, and
//! with 10% of the objects changed (docs/performance.md).
//!
//! ```text
//! reconcile PRICING.toml [RUNS]
//! ```
//!
//! It compiles the pricing, applies it to a fresh store file in a temporary directory, then
//! times, in process, `reconcile::plan` (fetch the live state from SQLite + diff) over RUNS
//! repetitions and prints the median, for the unchanged catalog and for one with every tenth
//! feature renamed, every tenth credit system's costs doubled and every tenth plan's price
//! raised.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pricectl::backend::local::LocalStore;
use pricectl::catalog::Catalog;
use pricectl::reconcile::{ApplyOptions, apply, plan};
use rust_decimal::Decimal;

fn main() {
    let mut args = std::env::args().skip(1);
    let pricing = PathBuf::from(args.next().expect("usage: reconcile PRICING.toml [RUNS]"));
    let runs: usize = args
        .next()
        .map_or(9, |runs| runs.parse().expect("RUNS is a number"));
    let catalog = pricectl::compile_path(&pricing)
        .expect("pricing loads")
        .catalog
        .expect("pricing is valid");
    let directory = std::env::temp_dir().join(format!("pricectl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let state = directory.join("local.db");
    let mut store = LocalStore::open(&state).expect("store");
    let started = Instant::now();
    let initial = plan(&mut store, &catalog).expect("plan");
    apply(&mut store, &initial, &catalog, ApplyOptions::default()).expect("apply");
    println!(
        "apply of {} changes: {:.0} ms",
        initial.changes.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );

    let (unchanged, changes) = median(runs, || plan(&mut store, &catalog).expect("plan"));
    println!(
        "plan, no changes: {:.1} ms median ({} changes)",
        ms(unchanged),
        changes
    );

    let changed = ten_percent_changed(&catalog);
    let (ten_percent, changes) = median(runs, || plan(&mut store, &changed).expect("plan"));
    println!(
        "plan, 10% changed: {:.1} ms median ({} changes)",
        ms(ten_percent),
        changes
    );
    let _ = std::fs::remove_dir_all(&directory);
}

fn median(runs: usize, mut run: impl FnMut() -> pricectl::diff::Plan) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut changes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let planned = run();
        times.push(started.elapsed());
        changes = planned.changes.len();
    }
    times.sort();
    (times[times.len() / 2], changes)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Every tenth feature renamed, every tenth credit system's costs doubled, every tenth plan's
/// base price raised (or set).
fn ten_percent_changed(catalog: &Catalog) -> Catalog {
    let mut changed = catalog.clone();
    for feature in changed.features.values_mut().step_by(10) {
        feature.name.push_str(" (renamed)");
    }
    for system in changed.credit_systems.values_mut().step_by(10) {
        for cost in system.costs.values_mut() {
            cost.credits *= Decimal::TWO;
        }
    }
    for plan in changed.plans.values_mut().step_by(10) {
        match &mut plan.price {
            Some(price) => price.amount += Decimal::ONE,
            None => {
                plan.description = Some("changed".into());
            }
        }
    }
    changed
}
