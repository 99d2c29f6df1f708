//! The backend conformance suite: what every billing system pricectl reconciles with must do,
//! written against the `Backend` trait only, so a later backend (Autumn over HTTP) runs it
//! unchanged: implement [`System`] for it and call [`conformance_suite!`] with a factory.
//!
//! A backend may be atomic (the local store: a failed apply changes nothing) or not (a remote
//! API: the changes before a failure are live); the suite asks the backend which, and expects
//! the report and the live catalog to say the same.

#[cfg(all(feature = "serve", feature = "autumn"))]
mod autumn;
mod local;

use pricectl::backend::{ApplyProgress, ApplyReport, Backend, ChangeStatus, ErrorKind, NoProgress};
use pricectl::catalog::{Address, Catalog};
use pricectl::diff::{Action, Change, Plan};
use pricectl::reconcile::{ApplyError, ApplyOptions, apply, apply_with_progress, plan};

/// A billing system under test: its backend, and a way to put a customer on a plan (the
/// ledger for the local store; the system's own API for a remote one).
pub trait System {
    fn backend(&mut self) -> &mut dyn Backend;

    /// Puts a new customer `customer` on the current version of `plan`.
    fn subscribe(&mut self, customer: &str, plan: &str);
}

/// One `#[test]` per case of the suite, each on a fresh system from `$make`.
macro_rules! conformance_suite {
    ($make:expr) => {
        conformance_suite!(@cases $make;
            fetch_of_an_empty_system,
            creates_every_kind_of_object_and_reports_each_change,
            updates_every_kind_of_object,
            creates_updates_and_deletes_a_plans_items,
            deletes_what_nothing_uses,
            archives_what_customers_still_use,
            versions_a_plan_that_has_customers,
            keeps_protection,
            a_plan_applied_twice_changes_nothing_the_second_time,
            a_failure_halfway_is_reported_change_by_change,
            a_malformed_change_is_rejected,
            turns_a_priced_metered_feature_boolean,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[test]
            fn $case() {
                let mut system = $make();
                $crate::conformance::$case(&mut system);
            }
        )+
    };
}

use conformance_suite;

/// The catalog every case starts from: a feature of each type, a credit system, a plan that
/// grants some of them.
const BASE: &str = r#"
version = 1
currency = "USD"

[features.api-calls]
name = "API calls"
type = "metered"

[features.seats]
name = "Seats"
type = "metered"
consumable = false

[features.sso]
name = "SSO"
type = "boolean"

[credit_systems.credits]
name = "Credits"

[credit_systems.credits.costs]
api-calls = 1

[plans.pro]
name = "Pro"
price = { amount = 20, interval = "month" }

[plans.pro.items.credits]
included = 500
reset = "month"

[plans.pro.items.sso]
"#;

/// Compiles pricing text; the suite's pricing is always valid.
fn catalog(text: &str) -> Catalog {
    crate::support::catalog_of("conformance.toml", text)
}

fn base() -> Catalog {
    catalog(BASE)
}

/// Plans and applies `desired` (destroying what it must), expecting it to take.
fn converge(system: &mut dyn System, desired: &Catalog) -> Plan {
    let planned = plan(system.backend(), desired).expect("plan");
    let options = ApplyOptions {
        allow_destroy: true,
    };
    if let Err(error) = apply(system.backend(), &planned, desired, options) {
        panic!("apply: {error}");
    }
    planned
}

fn live_catalog(system: &mut dyn System) -> Catalog {
    system.backend().fetch().expect("fetch").catalog
}

/// The action of the top-level change at `address`.
fn action_of(planned: &Plan, address: &str) -> Action {
    let address: Address = address.parse().expect("a valid address");
    planned
        .changes
        .iter()
        .find(|change| change.address == address)
        .map_or_else(
            || panic!("no change to {address} in {planned:#?}"),
            |change| change.action,
        )
}

/// Asserts the live catalog matches `desired` and a new plan is empty.
fn assert_converged(system: &mut dyn System, desired: &Catalog) {
    assert_eq!(
        &live_catalog(system),
        desired,
        "the live catalog is the pricing"
    );
    let again = plan(system.backend(), desired).expect("plan");
    assert!(again.changes.is_empty(), "nothing left: {again:#?}");
}

pub fn fetch_of_an_empty_system(system: &mut dyn System) {
    let live = system.backend().fetch().expect("fetch");
    assert!(live.catalog.features.is_empty());
    assert!(live.catalog.credit_systems.is_empty());
    assert!(live.catalog.plans.is_empty());
    assert!(live.plans.is_empty() && live.grandfathered.is_empty());
    let planned = plan(system.backend(), &base()).expect("plan");
    assert!(
        planned
            .changes
            .iter()
            .all(|change| change.action == Action::Create),
        "an empty system gets only creates"
    );
}

/// Records the progress hook's calls.
#[derive(Default)]
struct Recorded(Vec<String>);

impl ApplyProgress for Recorded {
    fn started(&mut self, index: usize, total: usize, change: &Change) {
        self.0
            .push(format!("start {}/{total} {}", index + 1, change.address));
    }

    fn finished(&mut self, index: usize, total: usize, change: &Change, status: &ChangeStatus) {
        let fate = if status.is_applied() { "ok" } else { "not ok" };
        self.0.push(format!(
            "end {}/{total} {} {fate}",
            index + 1,
            change.address
        ));
    }
}

pub fn creates_every_kind_of_object_and_reports_each_change(system: &mut dyn System) {
    let desired = base();
    let planned = plan(system.backend(), &desired).expect("plan");
    for address in [
        "feature.api-calls",
        "feature.seats",
        "feature.sso",
        "credit_system.credits",
        "plan.pro",
    ] {
        assert_eq!(action_of(&planned, address), Action::Create);
    }
    let mut progress = Recorded::default();
    let outcome = apply_with_progress(
        system.backend(),
        &planned,
        &desired,
        ApplyOptions::default(),
        &mut progress,
    )
    .unwrap_or_else(|error| panic!("apply: {error}"));
    let reported: Vec<(&Address, bool)> = outcome
        .report
        .changes
        .iter()
        .map(|change| (&change.address, change.status.is_applied()))
        .collect();
    let expected: Vec<(&Address, bool)> = planned
        .changes
        .iter()
        .map(|change| (&change.address, true))
        .collect();
    assert_eq!(reported, expected, "every change applied, in plan order");
    // Each change is started, then finished, the starts and the ends each in plan order (a
    // backend sending several changes in one request starts them all before the first ends).
    let total = planned.changes.len();
    let lines = |verb: &str, suffix: &str| -> Vec<String> {
        planned
            .changes
            .iter()
            .enumerate()
            .map(|(index, change)| {
                format!("{verb} {}/{total} {}{suffix}", index + 1, change.address)
            })
            .collect()
    };
    let heard = |verb: &str| -> Vec<String> {
        progress
            .0
            .iter()
            .filter(|line| line.starts_with(verb))
            .cloned()
            .collect()
    };
    assert_eq!(
        heard("start "),
        lines("start", ""),
        "the hook hears each start"
    );
    assert_eq!(
        heard("end "),
        lines("end", " ok"),
        "the hook hears each end"
    );
    for (start, end) in lines("start", "").iter().zip(lines("end", " ok")) {
        let position = |line: &String| progress.0.iter().position(|heard| heard == line);
        assert!(position(start) < position(&end), "{start} before {end}");
    }
    assert_eq!(
        outcome.remaining.expect("read again"),
        Vec::<Address>::new()
    );
    assert_converged(system, &desired);
}

pub fn updates_every_kind_of_object(system: &mut dyn System) {
    converge(system, &base());
    let updated = catalog(
        &BASE
            .replace("name = \"API calls\"", "name = \"Requests\"")
            .replace("api-calls = 1", "api-calls = 2")
            .replace("name = \"Pro\"", "name = \"Professional\""),
    );
    let planned = converge(system, &updated);
    for address in ["feature.api-calls", "credit_system.credits", "plan.pro"] {
        assert_eq!(action_of(&planned, address), Action::Update, "{address}");
    }
    assert_converged(system, &updated);
}

pub fn creates_updates_and_deletes_a_plans_items(system: &mut dyn System) {
    converge(system, &base());
    let items_changed = catalog(&BASE.replace("included = 500", "included = 800").replace(
        "[plans.pro.items.sso]",
        "[plans.pro.items.seats]\nincluded = 3",
    ));
    let planned = converge(system, &items_changed);
    let pro = planned
        .changes
        .iter()
        .find(|change| change.address == Address::plan("pro"))
        .expect("the plan changes");
    let items: Vec<(String, Action)> = pro
        .items
        .iter()
        .map(|item| (item.address.to_string(), item.action))
        .collect();
    assert_eq!(
        items,
        [
            ("plan.pro.item.credits".to_string(), Action::Update),
            ("plan.pro.item.seats".to_string(), Action::Create),
            ("plan.pro.item.sso".to_string(), Action::Delete),
        ]
    );
    assert_converged(system, &items_changed);
}

pub fn deletes_what_nothing_uses(system: &mut dyn System) {
    converge(system, &base());
    let empty = catalog("version = 1\ncurrency = \"USD\"\n");
    let planned = converge(system, &empty);
    for change in &planned.changes {
        assert_eq!(change.action, Action::Delete, "{}", change.address);
    }
    assert_eq!(planned.changes.len(), 5, "{planned:#?}");
    assert_converged(system, &empty);
}

pub fn archives_what_customers_still_use(system: &mut dyn System) {
    converge(system, &base());
    system.subscribe("acme", "pro");
    let empty = catalog("version = 1\ncurrency = \"USD\"\n");
    let planned = converge(system, &empty);
    assert_eq!(action_of(&planned, "plan.pro"), Action::Archive);
    let live = live_catalog(system);
    assert!(
        live.plans["pro"].archived,
        "kept for its customer, archived"
    );
    for change in &planned.changes {
        assert!(change.action.is_destructive(), "{}", change.address);
    }
    for (id, feature) in &live.features {
        assert_eq!(
            feature.archived,
            action_of(&planned, &format!("feature.{id}")) == Action::Archive,
            "feature.{id} is archived exactly when the plan archived it"
        );
    }
    let again = plan(system.backend(), &empty).expect("plan");
    assert!(
        again.changes.is_empty(),
        "an archived plan with customers stays: {again:#?}"
    );
}

pub fn versions_a_plan_that_has_customers(system: &mut dyn System) {
    converge(system, &base());
    system.subscribe("acme", "pro");
    let dearer = catalog(&BASE.replace("amount = 20", "amount = 25"));
    let planned = converge(system, &dearer);
    assert_eq!(action_of(&planned, "plan.pro"), Action::NewVersion);
    let live = system.backend().fetch().expect("fetch");
    assert_eq!(live.plans["pro"].version, 2, "a new version");
    assert_eq!(
        live.plans["pro"].customers_by_version.get(&1),
        Some(&1),
        "the customer stays on version 1"
    );
    assert_eq!(
        live.catalog.plans["pro"], dearer.plans["pro"],
        "version 2 is current"
    );
    assert!(
        live.grandfathered
            .get("pro")
            .is_some_and(|items| items.contains("credits") && items.contains("sso")),
        "version 1's items are still in use: {:?}",
        live.grandfathered
    );
    assert_converged(system, &dearer);
}

pub fn keeps_protection(system: &mut dyn System) {
    let protected = catalog(&BASE.replace("name = \"Pro\"", "name = \"Pro\"\nprotect = true"));
    converge(system, &protected);
    assert!(
        live_catalog(system).plans["pro"].protect,
        "the flag is live"
    );
    let without_pro = catalog(&BASE[..BASE.find("[plans.pro]").expect("the plan")]);
    let planned = plan(system.backend(), &without_pro).expect("plan");
    assert!(!planned.refusals.is_empty(), "removing it is refused");
    let refused = apply(
        system.backend(),
        &planned,
        &without_pro,
        ApplyOptions {
            allow_destroy: true,
        },
    );
    assert!(
        matches!(refused, Err(ApplyError::Refused { .. })),
        "{refused:?}"
    );
    assert_eq!(live_catalog(system), protected, "nothing moved");
}

pub fn a_plan_applied_twice_changes_nothing_the_second_time(system: &mut dyn System) {
    let desired = base();
    let planned = converge(system, &desired);
    // Planned again: nothing to do, and applying nothing is a success.
    let again = plan(system.backend(), &desired).expect("plan");
    assert!(again.changes.is_empty());
    let outcome = apply(system.backend(), &again, &desired, ApplyOptions::default())
        .unwrap_or_else(|error| panic!("an empty apply: {error}"));
    assert!(outcome.report.changes.is_empty());
    // The first plan, applied a second time, is stale: its first change conflicts and the
    // backend stops there.
    let report = system.backend().apply(&planned, &mut NoProgress);
    let (first, rest) = report.changes.split_first().expect("changes");
    assert_failed_with(&first.status, ErrorKind::Conflict);
    assert!(
        rest.iter()
            .all(|change| matches!(change.status, ChangeStatus::NotAttempted)),
        "{rest:?}"
    );
    assert_converged(system, &desired);
}

pub fn a_failure_halfway_is_reported_change_by_change(system: &mut dyn System) {
    let desired = base();
    let planned = plan(system.backend(), &desired).expect("plan");
    // Someone else creates `feature.sso` first: the plan's third change now conflicts.
    let only_sso = catalog(
        "version = 1\ncurrency = \"USD\"\n[features.sso]\nname = \"SSO\"\ntype = \"boolean\"\n",
    );
    converge(system, &only_sso);
    let failing = planned
        .changes
        .iter()
        .position(|change| change.address == Address::feature("sso"))
        .expect("the plan creates sso");
    assert!(failing > 0 && failing + 1 < planned.changes.len());
    let atomic = system.backend().capabilities().atomic;
    let error = apply(
        system.backend(),
        &planned,
        &desired,
        ApplyOptions::default(),
    )
    .expect_err("the apply fails");
    let ApplyError::Incomplete(outcome) = error else {
        panic!("an incomplete apply, not {error}");
    };
    assert_eq!(outcome.atomic, atomic);
    let report: &ApplyReport = &outcome.report;
    for (index, change) in report.changes.iter().enumerate() {
        match index.cmp(&failing) {
            std::cmp::Ordering::Less if atomic => {
                assert!(
                    matches!(change.status, ChangeStatus::RolledBack),
                    "{change:?}"
                );
            }
            std::cmp::Ordering::Less => assert!(change.status.is_applied(), "{change:?}"),
            std::cmp::Ordering::Equal => assert_failed_with(&change.status, ErrorKind::Conflict),
            std::cmp::Ordering::Greater => {
                assert!(
                    matches!(change.status, ChangeStatus::NotAttempted),
                    "{change:?}"
                );
            }
        }
    }
    // The fresh read says what is left, and it is what is live.
    let live = live_catalog(system);
    let expected_features: Vec<&str> = if atomic {
        vec!["sso"]
    } else {
        vec!["api-calls", "seats", "sso"]
    };
    assert_eq!(
        live.features.keys().map(String::as_str).collect::<Vec<_>>(),
        expected_features
    );
    let remaining = outcome.remaining.as_ref().expect("read again");
    let left = plan(system.backend(), &desired).expect("plan");
    let left: Vec<Address> = left
        .changes
        .into_iter()
        .map(|change| change.address)
        .collect();
    assert_eq!(remaining, &left);
    // Planning again finishes the job.
    converge(system, &desired);
    assert_converged(system, &desired);
}

pub fn a_malformed_change_is_rejected(system: &mut dyn System) {
    let desired = base();
    let planned = plan(system.backend(), &desired).expect("plan");
    let create_pro = planned
        .changes
        .iter()
        .find(|change| change.address == Address::plan("pro"))
        .expect("the plan creates pro");
    // What a plan file can say that the diff never does.
    let mut update_of_nothing = create_pro.clone();
    update_of_nothing.action = Action::Update;
    let mut named_otherwise = create_pro.clone();
    named_otherwise.address = Address::feature("api-calls");
    for crafted in [update_of_nothing, named_otherwise] {
        let mut one = planned.clone();
        one.changes = vec![crafted];
        let report = system.backend().apply(&one, &mut NoProgress);
        assert_failed_with(&report.changes[0].status, ErrorKind::Rejected);
        let live = live_catalog(system);
        assert!(
            live.plans.is_empty() && live.features.is_empty(),
            "nothing was written"
        );
    }
}

/// A metered feature billed by usage in a plan becomes a boolean feature the plan just grants:
/// the plan's item changes before the feature does (a boolean item has no price, and Autumn
/// refuses to change the type of a feature a usage price uses), so the plan applies whole.
pub fn turns_a_priced_metered_feature_boolean(system: &mut dyn System) {
    let metered = catalog(
        r#"
version = 1
currency = "USD"

[features.exports]
name = "Exports"
type = "metered"

[plans.pro]
name = "Pro"
price = { amount = 20, interval = "month" }

[plans.pro.items.exports]
included = 100
reset = "month"
price = { amount = 0.5, billing = "usage", interval = "month" }
"#,
    );
    converge(system, &metered);
    let boolean = catalog(
        r#"
version = 1
currency = "USD"

[features.exports]
name = "Exports"
type = "boolean"

[plans.pro]
name = "Pro"
price = { amount = 20, interval = "month" }

[plans.pro.items.exports]
"#,
    );
    let planned = converge(system, &boolean);
    let order: Vec<String> = planned
        .changes
        .iter()
        .map(|change| change.address.to_string())
        .collect();
    assert_eq!(order, ["plan.pro", "feature.exports"], "the plan first");
    assert_converged(system, &boolean);
}

fn assert_failed_with(status: &ChangeStatus, kind: ErrorKind) {
    match status {
        ChangeStatus::Failed(error) => assert_eq!(error.kind(), kind, "{error}"),
        other => panic!("expected a failure of kind {kind:?}, got {other:?}"),
    }
}
