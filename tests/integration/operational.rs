//! Operational failures: a store pricectl cannot use exits 3, distinct from invalid pricing
//! (1), so a CI job tells "the billing system is down" from "the pricing is wrong".

use crate::support::{TestContext, stderr};

#[test]
fn a_store_that_is_not_a_database_exits_3_from_every_backend_command() {
    let context = TestContext::with_example("openai-credits");
    context.write("store.db", "SECRET=do-not-print\nthis is not a database\n");
    for args in [
        &["plan", "--state", "store.db"][..],
        &["apply", "--auto-approve", "--state", "store.db"],
        &["import", "--state", "store.db"],
    ] {
        let output = context.run(args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains("SECRET"),
            "the file's content is never shown"
        );
    }
    context.bind(|| {
        insta::assert_snapshot!(context.transcript(&["plan", "--state", "store.db"]), @r"
        $ pricectl plan --state store.db
        error: `store.db` is not a pricectl store: it is not a SQLite database
          help: pass `--state` with the path of a store that `pricectl apply` created
        [exit 3]
        ");
    });
}

#[test]
fn a_store_path_that_cannot_be_opened_exits_3() {
    let context = TestContext::with_example("openai-credits");
    std::fs::create_dir(context.path("a-directory")).expect("mkdir");
    context.bind(|| {
        insta::assert_snapshot!(context.transcript(&["plan", "--state", "a-directory"]), @r"
        $ pricectl plan --state a-directory
        error: `a-directory` is not a pricectl store: it is a directory
          help: pass `--state` with the path of a store that `pricectl apply` created
        [exit 3]
        ");
    });
}

#[test]
fn invalid_pricing_still_exits_1_whatever_the_store() {
    let context = TestContext::new();
    context.write("pricing.toml", "version = 1\ncurrency = 7\n");
    context.write("store.db", "this is not a database\n");
    let output = context.run(&["plan", "--state", "store.db"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}
