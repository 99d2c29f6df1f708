//! `pricectl init`: a project that validates, is formatted, points at a schema that exists,
//! and is never written over anything.

use std::path::Path;

use crate::support::{TestContext, root, stderr};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn catalog(path: &Path) -> String {
    let compilation = pricectl::compile_path(path).expect("loads");
    assert!(
        compilation.diagnostics.is_empty(),
        "{}",
        crate::support::human_report(&compilation)
    );
    compilation.catalog.expect("valid").to_canonical_json()
}

#[test]
fn init_writes_a_project_from_each_template() {
    for template in ["openai-credits", "saas-seats-credits", "api-tiered"] {
        let context = TestContext::new();
        let output = context.run(&["init", "--template", template]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(output.stdout, b"", "init prints nothing on stdout");
        let project = context.directory();
        let example = root().join("pricing-examples").join(template);

        let pricing = read(&project.join("pricing.toml"));
        assert!(
            pricing.starts_with("#:schema ./pricing.schema.json\n\n"),
            "{pricing}"
        );
        assert_eq!(
            catalog(&project.join("pricing.toml")),
            catalog(&example.join("pricing.toml")),
            "the template is the example"
        );
        assert_eq!(
            read(&project.join("pricing.schema.json")),
            pricectl::dsl::schema::pricing_schema_text()
        );
        assert_eq!(
            read(&project.join("pricing.scenario.toml")),
            read(&example.join("pricing.scenario.toml"))
        );
        assert_eq!(
            read(&project.join(".github/workflows/pricing.yml")),
            read(&root().join("docs/ci/pricing.yml")),
            "the workflow is the one docs/ci.md shows"
        );

        let validate = context.run(&["validate"]);
        assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
        let format = context.run(&["fmt", "--check", "."]);
        assert_eq!(format.status.code(), Some(0), "{}", stderr(&format));
        // The next steps work: the scenario passes against the template's pricing.
        let scenarios = context.run(&["test"]);
        assert_eq!(
            scenarios.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&scenarios.stdout),
            stderr(&scenarios)
        );
    }
}

#[test]
fn init_says_what_it_wrote_and_what_to_do_next() {
    let context = TestContext::new();
    let output = context.run(&["init"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(stderr(&output), @r"
    Created a pricing project from the `openai-credits` template:
      pricing.toml                    the pricing; your editor checks it against the schema
      pricing.schema.json             the JSON Schema of the language, for Taplo and Tombi
      pricing.scenario.toml           a scenario: what a customer is charged and granted
      .github/workflows/pricing.yml   review on pull requests, apply from main, daily drift check

    Next steps:
      pricectl validate pricing.toml   check the pricing
      pricectl test pricing.toml       run its scenarios
      pricectl plan pricing.toml       see what applying it would create

    The workflow plans pull requests against Autumn's sandbox, applies main to the sandbox
    then live, and checks live for drift daily. Set in the GitHub repository (Settings →
    Secrets and variables → Actions):
      secret   AUTUMN_SANDBOX_KEY  Autumn's sandbox secret key (am_sk_test_…)
      secret   AUTUMN_LIVE_KEY     Autumn's live secret key (am_sk_live_…)
      variable PRICECTL_GIT        the git repository pricectl is built from
    ");

    let elsewhere = context.run(&["init", "--template", "api-tiered", "billing/pricing"]);
    assert_eq!(elsewhere.status.code(), Some(0));
    assert!(context.path("billing/pricing/pricing.toml").is_file());
    insta::assert_snapshot!(stderr(&elsewhere), @r"
    Created a pricing project from the `api-tiered` template in billing/pricing:
      pricing.toml                    the pricing; your editor checks it against the schema
      pricing.schema.json             the JSON Schema of the language, for Taplo and Tombi
      pricing.scenario.toml           a scenario: what a customer is charged and granted
      .github/workflows/pricing.yml   review on pull requests, apply from main, daily drift check

    Next steps:
      pricectl validate billing/pricing/pricing.toml   check the pricing
      pricectl test billing/pricing/pricing.toml       run its scenarios
      pricectl plan billing/pricing/pricing.toml       see what applying it would create

    The workflow plans pull requests against Autumn's sandbox, applies main to the sandbox
    then live, and checks live for drift daily. Set in the GitHub repository (Settings →
    Secrets and variables → Actions):
      secret   AUTUMN_SANDBOX_KEY  Autumn's sandbox secret key (am_sk_test_…)
      secret   AUTUMN_LIVE_KEY     Autumn's live secret key (am_sk_live_…)
      variable PRICECTL_GIT        the git repository pricectl is built from

    GitHub reads workflows from `.github/workflows/` at the root of the repository: move
    the workflow there and set its `PRICING` to the pricing's path.
    ");

    let quiet = context.run(&["init", "--quiet", "third"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let context = TestContext::new();
    let project = context.directory();
    context.write("pricing.scenario.toml", "# mine\n");
    context.write(".github/workflows/pricing.yml", "# mine\n");

    let output = context.run(&["init"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: these files exist already; nothing was written
      pricing.scenario.toml
      .github/workflows/pricing.yml
      help: run `pricectl init` in an empty directory, or pass one: `pricectl init DIR`
    ");
    assert!(
        !project.join("pricing.toml").exists(),
        "nothing was written"
    );
    assert!(!project.join("pricing.schema.json").exists());
    assert_eq!(read(&project.join("pricing.scenario.toml")), "# mine\n");
    assert_eq!(
        read(&project.join(".github/workflows/pricing.yml")),
        "# mine\n"
    );
}

#[test]
fn unknown_templates_are_usage_errors() {
    let context = TestContext::new();
    let output = context.run(&["init", "--template", "openai"]);
    assert_eq!(output.status.code(), Some(64));
    assert!(
        stderr(&output).contains("openai-credits"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_dir(context.directory()).expect("dir").count(),
        0
    );
}
