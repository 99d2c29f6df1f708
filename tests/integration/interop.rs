//! Autumn's own clients against `pricectl serve`: `atmn` (its CLI) pushes and pulls catalogs,
//! and `autumn-js` (its SDK, which validates every response against Autumn's schemas) runs the
//! credit story. Both are pinned in `tests/interop/package.json` with their lock file;
//! `npm ci` installs them when `node_modules` is missing (`.ci/run` does it first).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;

use crate::serve::apply_pricing;
use crate::serve::server::{KEY, Server};
use crate::support::{TestContext, root, stdout};

fn interop() -> PathBuf {
    root().join("tests").join("interop")
}

/// Installs the pinned clients once per run.
fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if interop().join("node_modules").join("atmn").exists() {
            return;
        }
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(interop())
            .output()
            .expect("npm runs (node 20 and npm are needed for these tests)");
        assert!(
            output.status.success(),
            "npm ci failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    });
}

/// Runs an autumn-js script of tests/interop against `server`, which must succeed: a script
/// exits non-zero when the SDK's own validation refused a response (`context` prefixes the
/// failure).
fn sdk_script(server: &Server, script: &str, context: &str) -> Output {
    let output = Command::new("node")
        .arg(script)
        .current_dir(interop())
        .env("AUTUMN_URL", format!("http://{}", server.address))
        .env("AUTUMN_SECRET_KEY", KEY)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{context}the SDK refused a response:\n{}",
        text(&output)
    );
    output
}

/// `atmn ARGS` in `directory` (which holds `autumn.config.ts`), headless, against `server`.
pub fn atmn(server: &Server, directory: &Path, args: &[&str]) -> Output {
    atmn_at(&server.address, directory, args)
}

/// [`atmn`] against the Autumn API at `address` (`127.0.0.1:PORT`): a server, or a proxy in
/// front of one.
pub fn atmn_at(address: &str, directory: &Path, args: &[&str]) -> Output {
    install();
    // atmn's config imports `atmn`: the directory needs the installed packages beside it.
    let link = directory.join("node_modules");
    if !link.exists() {
        std::os::unix::fs::symlink(interop().join("node_modules"), &link)
            .expect("links node_modules");
    }
    Command::new(interop().join("node_modules").join(".bin").join("atmn"))
        .arg("--headless")
        .args(args)
        .current_dir(directory)
        .env("ATMN_BACKEND_URL", format!("http://{address}"))
        .env("AUTUMN_SECRET_KEY", KEY)
        .env("ATMN_DISABLE_AUTH_RECOVERY", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("atmn runs")
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A test directory with the example's pricing and atmn's config of it.
pub fn project(example: &str) -> TestContext {
    let context = TestContext::with_example(example);
    let config = interop()
        .join("configs")
        .join(example)
        .join("autumn.config.ts");
    context.write(
        "autumn.config.ts",
        &std::fs::read_to_string(&config)
            .unwrap_or_else(|error| panic!("{}: {error}", config.display())),
    );
    context
}

/// Every example of `pricing-examples/`, each written in atmn's syntax in
/// `tests/interop/configs/NAME/autumn.config.ts` (a missing config fails the tests).
pub fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("pricing-examples"))
        .expect("pricing-examples/")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn atmn_push_then_pricectl_plan_agree() {
    for example in &examples() {
        let context = project(example);
        let server = Server::start(&context);
        let first = atmn(&server, context.directory(), &["push", "--yes"]);
        assert!(first.status.success(), "{example}: {}", text(&first));
        assert!(
            text(&first).contains("Plans created:"),
            "{example}: {}",
            text(&first)
        );
        let second = atmn(&server, context.directory(), &["push", "--yes"]);
        assert!(
            text(&second).contains("Already in sync"),
            "{example}: a second push has nothing to do:\n{}",
            text(&second)
        );
        // What atmn's config cannot say (display names, the smallest prepaid purchase, the
        // expiry of purchases, a spend limit in percent of the base price) is all that differs
        // from the pricing: each is named in the plan, never dropped. The billing controls it
        // can say (`billingControls`, an item's `rollover`) agree.
        let plan = context.run(&["plan", "--state", "local.db", "pricing.toml"]);
        insta::assert_snapshot!(format!("push_then_plan@{example}"), stdout(&plan));
    }
}

#[test]
fn pricectl_apply_then_atmn_push_is_in_sync_and_atmn_pull_writes_the_catalog() {
    for example in &examples() {
        let context = project(example);
        apply_pricing(&context);
        let server = Server::start(&context);
        let push = atmn(&server, context.directory(), &["push", "--yes"]);
        assert!(
            text(&push).contains("Already in sync"),
            "{example}: atmn sees the applied catalog as its config:\n{}",
            text(&push)
        );
        let plan = context.run(&[
            "plan",
            "--state",
            "local.db",
            "--detailed-exitcode",
            "pricing.toml",
        ]);
        assert_eq!(plan.status.code(), Some(0), "{example}: {}", stdout(&plan));
        let pulled = context.path("pulled");
        std::fs::create_dir_all(&pulled).expect("a directory");
        let pull = atmn(&server, &pulled, &["pull"]);
        assert!(pull.status.success(), "{example}: {}", text(&pull));
        insta::assert_snapshot!(
            format!("pulled@{example}"),
            std::fs::read_to_string(pulled.join("autumn.config.ts")).expect("atmn wrote a config")
        );
    }
}

#[test]
fn the_credit_story_through_autumn_js() {
    install();
    let context = TestContext::with_example("openai-credits");
    apply_pricing(&context);
    let server = Server::start(&context);
    let story = sdk_script(&server, "credit-story.mjs", "");
    insta::assert_snapshot!(stdout(&story), @r#"
    {"step":"customer","id":"story-customer","env":"sandbox"}
    {"step":"check before","allowed":false,"remaining":0}
    {"step":"attach 500 credits","paymentUrl":null,"total":5,"currency":"usd"}
    {"step":"track 100,000 o1 input tokens","value":100000,"remaining":350}
    {"step":"check after","allowed":true,"remaining":350}
    {"step":"customer after","credits":350,"purchases":["credit-top-up"]}
    "#);
}

/// Runs an autumn-js script of tests/interop against a server holding the per-entity pricing
/// of the corpus's `support-desk-seats`, applied.
fn on_support_desk_seats(script: &str) -> Output {
    install();
    let context = TestContext::new();
    let pricing = std::fs::read_to_string(
        root().join("tests/fixtures/autumn-corpus/support-desk-seats/pricing.toml"),
    )
    .expect("the corpus entry");
    context.write("pricing.toml", &pricing);
    apply_pricing(&context);
    let server = Server::start(&context);
    sdk_script(&server, script, "")
}

/// `billing.update` through autumn-js (`autumn.billing.update` with `featureQuantities`): the
/// ledger's quantity change, charged and credited pro rata, each answer accepted by the SDK's
/// own validation.
#[test]
fn a_seat_quantity_change_through_autumn_js() {
    install();
    let context = TestContext::with_example("saas-seats-credits");
    apply_pricing(&context);
    let server = Server::start(&context);
    let story = sdk_script(&server, "seat-quantities.mjs", "");
    insta::assert_snapshot!(stdout(&story));
}

/// Entities through autumn-js (`entities.create`, `get`, `delete`, `entityId` on `track` and
/// `check`), on the per-entity pricing of the corpus: the SDK's validation accepts every
/// answer, and each seat holds its own 500 replies.
#[test]
fn the_entity_story_through_autumn_js() {
    let story = on_support_desk_seats("entity-story.mjs");
    insta::assert_snapshot!(stdout(&story));
}

/// `entities.list` and `entities.update` through autumn-js (the SDK's `entities.list` pages by
/// cursor at API 2.4.0, filtered by customer, search and plan; `entities.update` with empty
/// lanes answers the entity, and with a spend limit of its own is refused): every answer
/// passes the SDK's validation.
#[test]
fn entities_listed_and_updated_through_autumn_js() {
    let story = on_support_desk_seats("entity-list-update.mjs");
    insta::assert_snapshot!(stdout(&story));
}

/// `customers.list` through autumn-js, which sends API 2.4.0 and always a `start_cursor`:
/// every customer, the newest first, page by page until `next_cursor` is `null`, and a
/// cursor the server never wrote refused as Autumn refuses it; every answer passes the SDK's
/// validation.
#[test]
fn customers_listed_by_cursor_through_autumn_js() {
    let story = on_support_desk_seats("customer-list.mjs");
    insta::assert_snapshot!(stdout(&story));
}

/// The examples with billing controls applied and listed through autumn-js, whose response
/// validation accepts every key served: the controls as the SDK reads them.
#[test]
fn the_billing_controls_served_pass_autumn_js_validation() {
    install();
    for example in ["anthropic-auto-reload", "capped-overage"] {
        let context = TestContext::with_example(example);
        apply_pricing(&context);
        let server = Server::start(&context);
        let listed = sdk_script(&server, "plans-list.mjs", &format!("{example}: "));
        insta::assert_snapshot!(format!("sdk_plans@{example}"), stdout(&listed));
    }
}

/// A catalog of the corpus (`tests/fixtures/autumn-corpus/NAME/`): its `autumn.config.ts`
/// and its translation, `pricing.toml`.
struct CorpusEntry {
    name: String,
    config: String,
    translation: PathBuf,
}

/// The corpus entries written in atmn's older syntax (`older`) or in its current one.
fn corpus(older: bool) -> Vec<CorpusEntry> {
    let mut directories: Vec<PathBuf> =
        std::fs::read_dir(root().join("tests").join("fixtures").join("autumn-corpus"))
            .expect("the corpus")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| path.join("autumn.config.ts").exists())
            .collect();
    directories.sort();
    directories
        .into_iter()
        .map(|directory| CorpusEntry {
            name: directory
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned(),
            config: std::fs::read_to_string(directory.join("autumn.config.ts")).expect("readable"),
            translation: directory.join("pricing.toml"),
        })
        .filter(|entry| in_the_older_syntax(&entry.config) == older)
        .collect()
}

/// Whether a config is written in atmn's older syntax (`product()`, `featureItem()`,
/// `pricedFeatureItem()`, `priceItem()`), which atmn 1.1.25 no longer exports.
fn in_the_older_syntax(config: &str) -> bool {
    config.contains("product(")
}

/// A directory `name` in `context` holding `config` as `autumn.config.ts`.
fn atmn_project(context: &TestContext, name: &str, config: &str) -> PathBuf {
    let directory = context.path(name);
    std::fs::create_dir_all(&directory).expect("a directory");
    std::fs::write(directory.join("autumn.config.ts"), config).expect("the config is written");
    directory
}

/// The catalog `pricectl import` writes of the served store, compiled, is the translation
/// compiled: nothing the config says was lost or changed on the way through `serve`.
fn assert_import_is_the_translation(context: &TestContext, name: &str, translation: &Path) {
    let imported = context.run(&["import", "--state", "local.db"]);
    assert!(imported.status.success(), "{name}: {}", text(&imported));
    let mut sources = pricectl::dsl::SourceSet::default();
    sources.add(PathBuf::from("imported.toml"), stdout(&imported));
    let compiled = pricectl::compile(sources)
        .catalog
        .unwrap_or_else(|| panic!("{name}: the import compiles:\n{}", stdout(&imported)));
    let expected = pricectl::compile_path(translation)
        .expect("the translation loads")
        .catalog
        .expect("the translation compiles");
    assert_eq!(
        compiled,
        expected,
        "{name}: the import of what was served is not the translation:\n{}",
        stdout(&imported)
    );
}

/// One server; each config of the corpus in atmn's syntax is pushed into it in turn (a push
/// makes the catalog the config's, removing the previous one), pushed again with nothing to
/// change, `pricectl plan` of its translation against the same store has no changes, and
/// `pricectl import` of the store is the translation.
#[test]
fn the_corpus_in_atmns_syntax_is_pushed_in_sync_and_its_translation_plans_no_changes() {
    let context = TestContext::new();
    let server = Server::start(&context);
    let mut pushed = Vec::new();
    for CorpusEntry {
        name,
        config,
        translation,
    } in corpus(false)
    {
        let project = atmn_project(&context, &name, &config);
        let first = atmn(&server, &project, &["push", "--yes"]);
        assert!(
            first.status.success() && text(&first).contains("Plans created:"),
            "{name}: {}",
            text(&first)
        );
        let second = atmn(&server, &project, &["push", "--yes"]);
        assert!(
            text(&second).contains("Already in sync"),
            "{name}: a second push has nothing to do:\n{}",
            text(&second)
        );
        let plan = context.run(&[
            "plan",
            "--state",
            "local.db",
            "--detailed-exitcode",
            &translation.to_string_lossy(),
        ]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "{name}: the translation plans changes against what atmn pushed:\n{}",
            stdout(&plan)
        );
        assert_import_is_the_translation(&context, &name, &translation);
        pushed.push(name);
    }
    assert!(pushed.len() >= 7, "the corpus in atmn's syntax: {pushed:?}");
}

/// atmn 1.1.25 exports only `feature()`, `plan()` and `item()`: a config in the older syntax
/// fails to load. Each goes through its translation instead: `pricectl apply` of it into the
/// served store, then `atmn pull` writes the catalog in atmn's syntax (snapshotted, to read
/// beside the older config), a push of that is in sync, and `pricectl import` of the store is
/// the translation.
#[test]
fn the_corpus_in_the_older_syntax_goes_through_its_translation() {
    let context = TestContext::new();
    let server = Server::start(&context);
    let mut translated = 0;
    for CorpusEntry {
        name,
        config,
        translation,
    } in corpus(true)
    {
        let project = atmn_project(&context, &name, &config);
        let refused = atmn(&server, &project, &["push", "--yes"]);
        assert!(
            !refused.status.success() && text(&refused).contains("is not a function"),
            "{name}: atmn 1.1.25 loads the older syntax?\n{}",
            text(&refused)
        );
        let applied = context.run(&[
            "apply",
            "--auto-approve",
            "--allow-destroy",
            "--state",
            "local.db",
            &translation.to_string_lossy(),
        ]);
        assert!(applied.status.success(), "{name}: {}", stdout(&applied));
        let pulled = atmn_project(&context, &format!("{name}-pulled"), "");
        std::fs::remove_file(pulled.join("autumn.config.ts")).expect("an empty directory");
        let pull = atmn(&server, &pulled, &["pull"]);
        assert!(pull.status.success(), "{name}: {}", text(&pull));
        insta::assert_snapshot!(
            format!("corpus_pulled@{name}"),
            std::fs::read_to_string(pulled.join("autumn.config.ts")).expect("atmn wrote a config")
        );
        let push = atmn(&server, &pulled, &["push", "--yes"]);
        assert!(
            text(&push).contains("Already in sync"),
            "{name}: the pulled config is the served catalog:\n{}",
            text(&push)
        );
        assert_import_is_the_translation(&context, &name, &translation);
        translated += 1;
    }
    assert!(
        translated >= 3,
        "the corpus in the older syntax: {translated}"
    );
}
