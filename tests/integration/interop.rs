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

/// `atmn ARGS` in `directory` (which holds `autumn.config.ts`), headless, against `server`.
pub fn atmn(server: &Server, directory: &Path, args: &[&str]) -> Output {
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
        .env("ATMN_BACKEND_URL", format!("http://{}", server.address))
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
        // What atmn's config cannot say (display names, the smallest prepaid purchase), and the
        // billing controls serve does not map to Autumn's yet, is all that differs from the
        // pricing: each is named in the plan, never dropped.
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
    let story = Command::new("node")
        .arg("credit-story.mjs")
        .current_dir(interop())
        .env("AUTUMN_URL", format!("http://{}", server.address))
        .env("AUTUMN_SECRET_KEY", KEY)
        .output()
        .expect("node runs");
    assert!(
        story.status.success(),
        "the SDK refused a response:\n{}",
        text(&story)
    );
    insta::assert_snapshot!(stdout(&story), @r#"
    {"step":"customer","id":"story-customer","env":"sandbox"}
    {"step":"check before","allowed":false,"remaining":0}
    {"step":"attach 500 credits","paymentUrl":null,"total":5,"currency":"usd"}
    {"step":"track 100,000 o1 input tokens","value":100000,"remaining":350}
    {"step":"check after","allowed":true,"remaining":350}
    {"step":"customer after","credits":350,"purchases":["credit-top-up"]}
    "#);
}
