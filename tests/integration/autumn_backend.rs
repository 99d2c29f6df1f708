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
