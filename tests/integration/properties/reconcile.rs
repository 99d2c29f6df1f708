//! The reconciler on the local backend: a store holding A has nothing to do for A, and the
//! plan from A to B, applied, leaves B (or, refused, leaves A untouched).

use pricectl::backend::Backend;
use pricectl::backend::local::LocalStore;
use pricectl::catalog::Catalog;
use pricectl::diff::diff;
use pricectl::reconcile::{ApplyError, ApplyOptions, apply, plan};
use proptest::prelude::*;

use super::catalogs::{catalog_and_variant, catalogs, drawn};
use super::config;

const DESTROY: ApplyOptions = ApplyOptions {
    allow_destroy: true,
};

/// An in-memory store holding `catalog`.
fn store_holding(catalog: &Catalog) -> LocalStore {
    let mut store = LocalStore::open_in_memory().expect("an in-memory store");
    let planned = plan(&mut store, catalog).expect("plan");
    apply(&mut store, &planned, catalog, DESTROY).expect("apply");
    store
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn the_plan_from_a_to_a_is_empty(a in catalogs()) {
        let mut store = store_holding(&a);
        prop_assert_eq!(&store.fetch().expect("fetch").catalog, &a);
        let again = plan(&mut store, &a).expect("plan");
        prop_assert!(again.changes.is_empty(), "{:?}", again.changes);
        prop_assert!(again.refusals.is_empty(), "{:?}", again.refusals);
    }

    #[test]
    fn the_plan_from_a_to_b_applied_to_a_gives_b((a, b) in catalog_and_variant()) {
        let mut store = store_holding(&a);
        let to_b = plan(&mut store, &b).expect("plan");
        if to_b.refusals.is_empty() {
            apply(&mut store, &to_b, &b, DESTROY).expect("apply B");
            let live = store.fetch().expect("fetch");
            prop_assert_eq!(&live.catalog, &b);
            prop_assert!(diff(&b, &live).changes.is_empty());
        } else {
            // B removes a protected object or changes the currency: refused, nothing moves.
            let refused = apply(&mut store, &to_b, &b, DESTROY);
            let was_refused = matches!(refused, Err(ApplyError::Refused { .. }));
            prop_assert!(was_refused, "a plan with refusals was applied");
            prop_assert_eq!(&store.fetch().expect("fetch").catalog, &a);
        }
    }
}

/// The variants are mostly ones the reconciler can apply (no protected object removed, the
/// currency kept), so the property above mostly tests applying, not refusing.
#[test]
fn most_variants_can_be_applied() {
    let applicable = drawn(100)
        .iter()
        .filter(|(a, b)| {
            let mut store = store_holding(a);
            plan(&mut store, b).expect("plan").refusals.is_empty()
        })
        .count();
    assert!(
        applicable >= 60,
        "only {applicable} of 100 variants can be applied: the generator refuses too often to test much"
    );
}

/// A failing case shrinks to a small one: here a made-up property, "no catalog has two
/// plans", shrinks to a catalog of exactly two plans and nothing it does not need.
#[test]
fn a_failure_shrinks_to_a_small_catalog() {
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        proptest::test_runner::Config {
            failure_persistence: None,
            max_shrink_iters: 20_000,
            ..proptest::test_runner::Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let result = runner.run(&catalogs(), |catalog| {
        prop_assert!(catalog.plans.len() < 2);
        Ok(())
    });
    let Err(proptest::test_runner::TestError::Fail(_, minimal)) = result else {
        panic!("the made-up property must fail: {result:?}");
    };
    assert_eq!(minimal.plans.len(), 2);
    assert!(
        minimal.features.len() + minimal.credit_systems.len() <= 2,
        "not shrunk: {} features, {} credit systems, {} items",
        minimal.features.len(),
        minimal.credit_systems.len(),
        minimal
            .plans
            .values()
            .map(|plan| plan.items.len())
            .sum::<usize>()
    );
}
