//! The Autumn backend end to end: every example planned, applied and imported through
//! `pricectl serve`, and the mapping between the catalog and Autumn's bodies exact for each.

use pricectl::autumn::mapping::{
    CatalogFeature, credit_system_to_wire, feature_from_answer, feature_to_wire, plan_body,
    plan_from_answer, plan_from_wire, plan_to_wire,
};
use pricectl::dsl::SourceSet;

use crate::support::examples;

#[test]
fn every_example_survives_being_written_as_bodies_and_read_back_as_answers() {
    let paths = examples();
    assert!(paths.len() >= 4, "every example is read: {paths:?}");
    for path in paths {
        let sources = SourceSet::load(&path).expect("loads");
        let catalog = pricectl::compile(sources).catalog.expect("compiles");
        for plan in catalog.plans.values() {
            let answer = plan_to_wire(plan, 3, 0, "sandbox");
            let read = plan_from_answer(&answer, "plan").expect("the answer reads");
            assert_eq!(&read, plan, "{}: answer", path.display());
            let body = plan_from_wire(&plan_body(plan), None, "").expect("the body reads");
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
