//! Saved plans (`plan --out FILE`, `apply FILE`): the backend named as data, paths that resolve
//! from any working directory, and a file treated as the input it is (edits, foreign formats,
//! a pricing that is not one, a store it would create elsewhere, customers who moved).

use pricectl::backend::BackendChoice;
use pricectl::reconcile::SavedPlan;

use crate::support::{TestContext, example, stderr};

/// A workspace with the `OpenAI` example applied, and its price per credit doubled in the
/// pricing: a plan saved now updates `plan.credit-top-up` in place (nobody is on it).
fn applied_then_repriced() -> TestContext {
    let context = TestContext::with_example("openai-credits");
    let applied = context.run(&["apply", "--auto-approve"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    context.write(
        "pricing.toml",
        &example("openai-credits").replace("price = { amount = 0.01,", "price = { amount = 0.02,"),
    );
    context
}

fn save_plan(context: &TestContext, out: &str) {
    let saved = context.run(&["plan", "--out", out]);
    assert!(saved.status.success(), "{}", stderr(&saved));
}

/// Rewrites a saved plan as someone editing it would, fingerprint included (it is no secret
/// seal: the checks behind it must hold on their own).
fn edit_and_reseal(context: &TestContext, name: &str, edit: impl FnOnce(&mut SavedPlan)) {
    let mut saved: SavedPlan = serde_json::from_str(&context.read(name)).expect("a saved plan");
    edit(&mut saved);
    saved.fingerprint = saved.content_fingerprint();
    context.write(name, &pricectl::render::render_saved_plan(&saved));
}

#[test]
fn a_saved_plan_names_its_backend_as_data_with_paths_from_its_own_directory() {
    let context = applied_then_repriced();
    std::fs::create_dir(context.path("plans")).expect("mkdir");
    save_plan(&context, "plans/next.json");
    let saved: serde_json::Value =
        serde_json::from_str(&context.read("plans/next.json")).expect("json");
    assert_eq!(saved["format_version"], 2);
    assert_eq!(saved["pricing"], "../pricing.toml");
    assert_eq!(
        saved["backend"],
        serde_json::json!({ "kind": "local", "path": "../.pricectl/local.db" })
    );
    assert!(saved.get("state").is_none(), "no state path any more");
}

#[test]
fn a_saved_plan_holds_the_plan_document_that_plan_prints() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    let printed = context.run(&["plan", "--format", "json"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let document: serde_json::Value = serde_json::from_slice(&printed.stdout).expect("json");
    let saved: serde_json::Value = serde_json::from_str(&context.read("plan.json")).expect("json");
    assert_eq!(saved["plan"], document);
    // Words for people beside the facts a tool matches on.
    let change = &document["changes"][0];
    assert_eq!(change["address"], "plan.credit-top-up");
    assert!(change["reason"].is_string(), "{change}");
    assert_eq!(change["why"]["kind"], "no_customers_on_it");
}

#[test]
fn a_saved_plan_applies_from_another_working_directory() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    let elsewhere = TestContext::new();
    let applied = elsewhere
        .command()
        .arg("apply")
        .arg(context.path("plan.json"))
        .output()
        .expect("runs");
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(
        !elsewhere.path(".pricectl").exists(),
        "no store created in the working directory"
    );
    let again = context.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "the workspace's store took it"
    );
}

#[test]
fn an_edited_plan_is_refused_as_edited() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    let text = context.read("plan.json");
    context.write(
        "plan.json",
        &text.replace("\"action\": \"update\"", "\"action\": \"delete\""),
    );
    let output = context.run(&["apply", "plan.json"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: `plan.json` was edited after it was made: its content no longer matches its fingerprint
      help: a saved plan is applied exactly as it was made; make it again with `pricectl plan --out FILE` and review that
    ");
}

#[test]
fn an_address_that_is_not_one_is_refused_as_malformed() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    let text = context.read("plan.json");
    let edited = text.replacen(
        "\"address\": \"plan.credit-top-up\"",
        "\"address\": \"plan.credit-top-up.items.credits\"",
        1,
    );
    assert_ne!(edited, text, "the plan changes `plan.credit-top-up`");
    context.write("plan.json", &edited);
    let output = context.run(&["apply", "plan.json"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: `plan.json` is not a pricectl plan: `plan.credit-top-up.items.credits` is not an address: write `feature.<id>`, `credit_system.<id>`, `plan.<id>` or `plan.<id>.item.<id>`
      help: make the plan with `pricectl plan --out FILE`
    ");
}

#[test]
fn edited_changes_with_a_recomputed_fingerprint_are_still_refused() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    edit_and_reseal(&context, "plan.json", |saved| saved.plan.changes.clear());
    let output = context.run(&["apply", "plan.json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the plan would now be different"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_plan_naming_another_file_as_its_pricing_never_shows_it() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    context.write(".env", "API_KEY=am_sk_do_not_print\n");
    context.write("secrets.toml", "token = \"am_sk_do_not_print\"\n");
    edit_and_reseal(&context, "plan.json", |saved| {
        saved.pricing = ".env".into();
    });
    let env = context.run(&["apply", "plan.json"]);
    assert_eq!(env.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&env), @r"
    error: the saved plan names `.env` as its pricing, which is not a pricing file (a `.toml` file or a directory of them)
      help: make the plan again from your pricing with `pricectl plan --out FILE`
    ");
    edit_and_reseal(&context, "plan.json", |saved| {
        saved.pricing = "secrets.toml".into();
    });
    let toml = context.run(&["apply", "plan.json"]);
    assert_eq!(toml.status.code(), Some(1));
    assert!(
        !stderr(&toml).contains("am_sk_"),
        "a TOML file that is not this pricing is not echoed either:\n{}",
        stderr(&toml)
    );
    insta::assert_snapshot!(stderr(&toml), @r"
    error: the pricing changed since the plan was made
      help: `secrets.toml` no longer compiles to the catalog this plan was made for; run `pricectl plan --out` again and review the new plan
    ");
}

#[test]
fn a_plan_never_chooses_where_a_store_is_created() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    edit_and_reseal(&context, "plan.json", |saved| {
        saved.backend = BackendChoice::Local {
            path: "elsewhere/store.db".into(),
        };
    });
    let output = context.run(&["apply", "plan.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!context.path("elsewhere").exists(), "nothing was created");
    insta::assert_snapshot!(stderr(&output), @r"
    error: the saved plan names the local store `elsewhere/store.db`, which does not exist
      help: name the store to apply to with `--state PATH`
    ");
    // The user may name the store.
    let named = context.run(&["apply", "plan.json", "--state", ".pricectl/local.db"]);
    assert!(named.status.success(), "{}", stderr(&named));
}

#[test]
fn an_unknown_format_anywhere_in_the_document_is_refused() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    let text = context.read("plan.json");
    for (from, to) in [
        ("\"format_version\": 2", "\"format_version\": 3"),
        ("\"format_version\": 1", "\"format_version\": 7"),
    ] {
        context.write("plan.json", &text.replacen(from, to, 1));
        let output = context.run(&["apply", "plan.json"]);
        assert_eq!(output.status.code(), Some(1));
        context.bind(|| {
            insta::with_settings!({ snapshot_suffix => to.rsplit(' ').next().unwrap_or(to) }, {
                insta::assert_snapshot!("unknown_format", stderr(&output));
            });
        });
    }
}

#[test]
fn customers_who_move_after_planning_change_its_decisions_and_it_is_refused() {
    let context = applied_then_repriced();
    save_plan(&context, "plan.json");
    // Planned: nobody is on the top-up plan, so its price changes in place. A customer buys
    // credits now: the same change must become a new version, so the saved plan is stale.
    for args in [
        &["customer", "create", "acme"][..],
        &[
            "attach",
            "--customer",
            "acme",
            "--plan",
            "credit-top-up",
            "--quantity",
            "credits=500",
        ],
    ] {
        let output = context.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let output = context.run(&["apply", "plan.json"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&output), @r"
    error: customers moved since the plan was made, and the plan would now be different
      help: customers joined or left a plan this plan changes; run `pricectl plan --out` again and review the new plan
    ");
}
