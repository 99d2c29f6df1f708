//! Plan and apply against the embedded store: what a reviewer sees for each transition, and
//! the guarantees behind it (protection, stale plans, convergence, import round trips).

use std::process::Output;

use pricectl::backend::local::LocalStore;
use pricectl::backend::{Backend, ChangeStatus, ErrorKind};
use pricectl::reconcile::{ApplyError, ApplyOptions, apply, plan};

use crate::support::{TestContext, example, examples, stderr, stdout};

/// Applies the context's pricing to its store, destroying what it must.
fn apply_all(context: &TestContext) {
    let output = context.run(&["apply", "--auto-approve", "--allow-destroy"]);
    assert!(
        output.status.success(),
        "apply failed:\n{}",
        stderr(&output)
    );
}

/// The store `apply` creates beside the context's pricing.
fn store(context: &TestContext) -> LocalStore {
    LocalStore::open(&context.path(".pricectl/local.db")).expect("store opens")
}

fn openai() -> String {
    example("openai-credits")
}

/// Snapshots the text, markdown and json renderings of the plan of the workspace's pricing.
fn snapshot_plan(workspace: &TestContext, name: &str) -> Output {
    let text = workspace.run(&["plan", "--detailed-exitcode"]);
    let markdown = workspace.run(&["plan", "--format", "markdown"]);
    let json = workspace.run(&["plan", "--format", "json"]);
    workspace.bind(|| {
        insta::with_settings!({ snapshot_suffix => name }, {
            insta::assert_snapshot!("plan_text", stdout(&text));
            insta::assert_snapshot!("plan_markdown", stdout(&markdown));
            insta::assert_snapshot!("plan_json", stdout(&json));
        });
    });
    text
}

#[test]
fn empty_store_to_openai_credits() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    let output = snapshot_plan(&workspace, "empty_to_openai");
    assert_eq!(
        output.status.code(),
        Some(2),
        "changes with --detailed-exitcode"
    );
    apply_all(&workspace);
    // Applying again finds nothing to do.
    let again = workspace.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    insta::assert_snapshot!(stdout(&again), @"No changes. The live catalog matches the pricing.");
}

#[test]
fn cheaper_o3_shows_the_price_impact() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    let cheaper = openai()
        .replace(
            "o3-input-tokens  = { credits = 1000,",
            "o3-input-tokens  = { credits = 200,",
        )
        .replace(
            "o3-output-tokens = { credits = 4000,",
            "o3-output-tokens = { credits = 800,",
        );
    assert_ne!(cheaper, openai());
    workspace.write("pricing.toml", &cheaper);
    let output = snapshot_plan(&workspace, "o3_cheaper");
    assert!(
        stdout(&output).contains("$10.00 → $2.00 per 1M o3 input tokens (−80.0%)"),
        "{}",
        stdout(&output)
    );
    apply_all(&workspace);
    assert_eq!(
        workspace
            .run(&["plan", "--detailed-exitcode"])
            .status
            .code(),
        Some(0)
    );
}

/// The `OpenAI` example without its top-up plan (and so without anything selling credits).
fn without_top_up() -> String {
    let text = openai();
    let start = text
        .find("[plans.credit-top-up]")
        .expect("the example has the top-up plan");
    text[..start].to_string()
}

#[test]
fn removing_the_top_up_plan_without_customers_deletes_it() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    workspace.write("pricing.toml", &without_top_up());
    snapshot_plan(&workspace, "remove_top_up_without_customers");
    // Destructive changes need --allow-destroy.
    let refused = workspace.run(&["apply", "--auto-approve"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("--allow-destroy"),
        "{}",
        stderr(&refused)
    );
    apply_all(&workspace);
    let live = store(&workspace).fetch().expect("fetch");
    assert!(!live.catalog.plans.contains_key("credit-top-up"));
}

#[test]
fn removing_the_top_up_plan_with_customers_archives_it() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    // A customer buys credits through the ledger.
    let attached = workspace.run(&[
        "attach",
        "--customer",
        "acme",
        "--plan",
        "credit-top-up",
        "--quantity",
        "credits=500",
    ]);
    assert_eq!(attached.status.code(), Some(1), "no such customer yet");
    let created = workspace.run(&["customer", "create", "acme", "--name", "Acme"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let attached = workspace.run(&[
        "attach",
        "--customer",
        "acme",
        "--plan",
        "credit-top-up",
        "--quantity",
        "credits=500",
    ]);
    assert!(attached.status.success(), "{}", stderr(&attached));
    workspace.write("pricing.toml", &without_top_up());
    snapshot_plan(&workspace, "remove_top_up_with_customers");
    apply_all(&workspace);
    let live = store(&workspace).fetch().expect("fetch");
    assert!(
        live.catalog.plans["credit-top-up"].archived,
        "kept, archived"
    );
    // Nothing more to do: an archived plan with customers stays.
    assert_eq!(
        workspace
            .run(&["plan", "--detailed-exitcode"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_price_change_on_a_plan_with_customers_is_a_new_version() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    // Three customers buy credits through the ledger.
    let mut ledger =
        pricectl::ledger::Ledger::open(&workspace.path(".pricectl/local.db")).expect("ledger");
    for customer in ["acme", "globex", "initech"] {
        let now = pricectl::ledger::Instant::now();
        ledger.ensure_customer(customer, now).expect("customer");
        let request = pricectl::ledger::AttachRequest {
            customer_id: customer.into(),
            plan_id: "credit-top-up".into(),
            quantities: [("credits".to_string(), rust_decimal::Decimal::from(500))].into(),
            idempotency_key: None,
        };
        ledger.attach(&request, now).expect("attach");
    }
    drop(ledger);
    workspace.write(
        "pricing.toml",
        &openai().replace("price = { amount = 0.01,", "price = { amount = 0.02,"),
    );
    let output = snapshot_plan(&workspace, "new_version_with_customers");
    assert!(
        stdout(&output).contains("3 customers"),
        "{}",
        stdout(&output)
    );
    apply_all(&workspace);
    let live = store(&workspace).fetch().expect("fetch");
    assert_eq!(live.plans["credit-top-up"].version, 2);
    assert_eq!(
        live.plans["credit-top-up"].customers_by_version.get(&1),
        Some(&3),
        "they stay on version 1"
    );
}

#[test]
fn a_protected_object_cannot_be_removed() {
    let workspace = TestContext::new();
    let protected = openai().replace(
        "[plans.credit-top-up]\n",
        "[plans.credit-top-up]\nprotect = true\n",
    );
    workspace.write("pricing.toml", &protected);
    apply_all(&workspace);
    workspace.write("pricing.toml", &without_top_up());
    let output = workspace.run(&["plan"]);
    assert_eq!(output.status.code(), Some(1), "the plan itself fails");
    workspace.bind(|| {
        insta::assert_snapshot!("protect_refusal_text", stdout(&output));
        insta::assert_snapshot!("protect_refusal_stderr", stderr(&output));
    });
    let apply = workspace.run(&["apply", "--auto-approve", "--allow-destroy"]);
    assert_eq!(apply.status.code(), Some(1));
    assert!(
        store(&workspace)
            .fetch()
            .expect("fetch")
            .catalog
            .plans
            .contains_key("credit-top-up")
    );
    // The way out: unprotect, apply, then remove.
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    workspace.write("pricing.toml", &without_top_up());
    apply_all(&workspace);
    assert!(
        !store(&workspace)
            .fetch()
            .expect("fetch")
            .catalog
            .plans
            .contains_key("credit-top-up")
    );
}

#[test]
fn a_saved_plan_applies_exactly_and_refuses_when_stale() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    let saved = workspace.run(&["plan", "--out", "plan.json"]);
    assert!(saved.status.success(), "{}", stderr(&saved));

    // The pricing moved: refused.
    workspace.write(
        "pricing.toml",
        &openai().replace("name = \"Credits\"", "name = \"AI credits\""),
    );
    let stale_pricing = workspace.run(&["apply", "plan.json"]);
    assert_eq!(stale_pricing.status.code(), Some(1));
    workspace.bind(|| insta::assert_snapshot!("stale_pricing", stderr(&stale_pricing)));

    // Back to the planned pricing, but the live catalog moved: refused.
    workspace.write("pricing.toml", &openai());
    let other = TestContext::new();
    other.write("pricing.toml", &without_top_up());
    let moved = other
        .command()
        .args(["apply", "--auto-approve", "--state"])
        .arg(workspace.path(".pricectl/local.db"))
        .output()
        .expect("runs");
    assert!(moved.status.success(), "{}", stderr(&moved));
    let stale_live = workspace.run(&["apply", "plan.json"]);
    assert_eq!(stale_live.status.code(), Some(1));
    workspace.bind(|| insta::assert_snapshot!("stale_live", stderr(&stale_live)));
}

#[test]
fn a_saved_plan_from_another_format_is_refused() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    assert!(
        workspace
            .run(&["plan", "--out", "plan.json"])
            .status
            .success()
    );
    let text = workspace.read("plan.json");
    std::fs::write(
        workspace.path("plan.json"),
        text.replacen("\"format_version\": 1", "\"format_version\": 99", 1),
    )
    .expect("write");
    let output = workspace.run(&["apply", "plan.json"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: `plan.json` was made by pricectl 0.1.0 in plan format 99; this pricectl reads format 1
      help: make the plan again with this pricectl: `pricectl plan --out FILE`
    ");
}

#[test]
fn a_saved_plan_applies_without_asking() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    assert!(
        workspace
            .run(&["plan", "--out", "plan.json"])
            .status
            .success()
    );
    let output = workspace.run(&["apply", "plan.json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        workspace
            .run(&["plan", "--detailed-exitcode"])
            .status
            .code(),
        Some(0)
    );
    // Applied twice: it says so, not that someone else changed the catalog.
    let again = workspace.run(&["apply", "plan.json"]);
    assert_eq!(again.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&again), @r"
    error: this plan was already applied: the live catalog matches the pricing it was made for
      help: nothing is left to apply; to change the catalog again, edit the pricing and make a new plan with `pricectl plan --out`
    ");
}

#[test]
fn import_then_plan_shows_no_changes_for_every_example() {
    for example in examples() {
        let workspace = TestContext::new();
        let text = std::fs::read_to_string(example.join("pricing.toml")).expect("example");
        workspace.write("pricing.toml", &text);
        apply_all(&workspace);
        let imported = workspace.run(&[
            "import",
            "--state",
            ".pricectl/local.db",
            "-o",
            "imported.toml",
        ]);
        assert!(imported.status.success(), "{}", stderr(&imported));
        let plan = workspace.run(&[
            "plan",
            "imported.toml",
            "--state",
            ".pricectl/local.db",
            "--detailed-exitcode",
        ]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "{}: {}{}",
            example.display(),
            stdout(&plan),
            stderr(&plan)
        );
        // import refuses to overwrite.
        let again = workspace.run(&[
            "import",
            "--state",
            ".pricectl/local.db",
            "-o",
            "imported.toml",
        ]);
        assert_eq!(again.status.code(), Some(1));
    }
}

#[test]
fn an_apply_is_all_or_nothing() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    let mut store = store(&workspace);
    let desired = pricectl::compile_path(&workspace.path("pricing.toml"))
        .expect("loads")
        .catalog
        .expect("valid");
    let mut planned = plan(&mut store, &desired).expect("plan");
    // Sabotage the last change: the plan's first changes must not stay applied.
    let last = planned.changes.last_mut().expect("changes");
    last.before = last.after.clone();
    let error =
        apply(&mut store, &planned, &desired, ApplyOptions::default()).expect_err("rejected");
    let ApplyError::Incomplete(outcome) = error else {
        panic!("expected an incomplete apply, got {error}");
    };
    assert!(
        outcome.atomic,
        "the local store applies whole or not at all"
    );
    let (last, first) = outcome.report.changes.split_last().expect("changes");
    assert!(
        matches!(&last.status, ChangeStatus::Failed(error) if error.kind() == ErrorKind::Rejected),
        "{last:?}"
    );
    assert!(
        first
            .iter()
            .all(|change| matches!(change.status, ChangeStatus::RolledBack)),
        "{first:?}"
    );
    assert_eq!(
        outcome.remaining.as_ref().expect("read again").len(),
        planned.changes.len(),
        "the fresh read finds the whole plan still to do"
    );
    let live = store.fetch().expect("fetch");
    assert!(
        live.catalog.features.is_empty() && live.catalog.plans.is_empty(),
        "nothing was applied"
    );
}

#[test]
fn a_plan_customers_have_left_is_archived_not_deleted() {
    let workspace = TestContext::new();
    let pricing = example("api-tiered");
    workspace.write("pricing.toml", &pricing);
    apply_all(&workspace);
    for args in [
        &["customer", "create", "acme"][..],
        &["attach", "--customer", "acme", "--plan", "api"],
        &["attach", "--customer", "acme", "--plan", "api-enterprise"],
    ] {
        let output = workspace.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    // Nobody is on `api` now, but acme was: it is archived, and the apply succeeds.
    let start = pricing.find("[plans.api]").expect("the plan");
    let end = pricing
        .find("[plans.api-enterprise]")
        .expect("the next plan");
    workspace.write(
        "pricing.toml",
        &format!("{}{}", &pricing[..start], &pricing[end..]),
    );
    let planned = workspace.run(&["plan"]);
    assert!(
        stdout(&planned).contains("archive plan.api\n"),
        "{}",
        stdout(&planned)
    );
    assert!(
        stdout(&planned).contains("customers have been on it"),
        "{}",
        stdout(&planned)
    );
    apply_all(&workspace);
    assert_eq!(
        workspace
            .run(&["plan", "--detailed-exitcode"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_saved_plan_survives_customer_activity() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    workspace.write(
        "pricing.toml",
        &openai().replace("name = \"Credits\"", "name = \"AI credits\""),
    );
    assert!(
        workspace
            .run(&["plan", "--out", "plan.json"])
            .status
            .success()
    );
    // A signup and a purchase change no decision of the plan.
    assert!(
        workspace
            .run(&["customer", "create", "acme"])
            .status
            .success()
    );
    assert!(
        workspace
            .run(&[
                "attach",
                "--customer",
                "acme",
                "--plan",
                "credit-top-up",
                "--quantity",
                "credits=500"
            ])
            .status
            .success()
    );
    let applied = workspace.run(&["apply", "plan.json"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
}

#[test]
fn plan_out_writes_over_a_saved_plan_and_nothing_else() {
    let workspace = TestContext::with_example("openai-credits");
    let pricing = workspace.read("pricing.toml");
    let refused = workspace.run(&["plan", "--out", "pricing.toml"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(stdout(&refused), "", "no plan is shown as if saved");
    workspace.bind(|| insta::assert_snapshot!(stderr(&refused)));
    assert_eq!(
        workspace.read("pricing.toml"),
        pricing,
        "the pricing is kept"
    );

    // JSON that is not a saved plan is kept too.
    let notes = "{\"format_version\": 1, \"notes\": []}\n";
    workspace.write("notes.json", notes);
    let refused = workspace.run(&["plan", "--out", "notes.json"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(workspace.read("notes.json"), notes);

    // A saved plan, even of another format, is replaced by the new one.
    let saved = workspace.run(&["plan", "--out", "plan.json"]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    let old_format =
        workspace
            .read("plan.json")
            .replacen("\"format_version\": 1", "\"format_version\": 0", 1);
    workspace.write("plan.json", &old_format);
    let again = workspace.run(&["plan", "--out", "plan.json"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        workspace
            .read("plan.json")
            .contains("\"format_version\": 1")
    );
    let applied = workspace.run(&["apply", "plan.json"]);
    assert!(applied.status.success(), "{}", stderr(&applied));

    // `--force` writes over anything.
    let forced = workspace.run(&["plan", "--out", "notes.json", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(pricectl::reconcile::SavedPlan::is_saved_plan(
        &workspace.read("notes.json")
    ));
}

/// A credit cost that rises says what it does to customers already holding prepaid credits:
/// the local store counts them and their credits, and the plan says what those credits buy
/// before and after.
#[test]
fn a_dearer_credit_cost_tells_what_held_credits_now_buy() {
    let workspace = TestContext::new();
    workspace.write("pricing.toml", &openai());
    apply_all(&workspace);
    for (customer, credits) in [("acme", "500"), ("globex", "1000")] {
        for args in [
            &["customer", "create", customer][..],
            &[
                "attach",
                "--customer",
                customer,
                "--plan",
                "credit-top-up",
                "--quantity",
                &format!("credits={credits}"),
            ],
        ] {
            let output = workspace.run(args);
            assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        }
    }
    // acme spends 150 of its 500 credits: 1,350 are held between the two.
    let track = workspace.run(&[
        "track",
        "--customer",
        "acme",
        "--feature",
        "o1-input-tokens",
        "--value",
        "100000",
    ]);
    assert!(track.status.success(), "{}", stderr(&track));
    workspace.write(
        "pricing.toml",
        &openai().replace(
            "o3-input-tokens  = { credits = 1000,",
            "o3-input-tokens  = { credits = 1250,",
        ),
    );
    let plan = workspace.run(&["plan"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    let text = stdout(&plan);
    let terms: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("prepaid credits"))
        .collect();
    insta::assert_snapshot!(terms.join("\n"), @"  - `credit_system.credits` cost of o3 input tokens: 0.001 → 0.00125 credits per unit (+25.0%); 2 customers already hold 1,350 prepaid credits, worth 1,350,000 o3 input tokens before and 1,080,000 now");
}
