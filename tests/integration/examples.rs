//! The bundled examples: each validates with no diagnostics, and its canonical catalog is a
//! snapshot.

use pricectl::compile_path;

use crate::support::{examples, pricectl, relative, stderr, stdout};

#[test]
fn examples_compile_without_diagnostics() {
    for example in examples() {
        let path = relative(&example);
        let compilation = compile_path(&path).expect("example loads");
        assert!(
            compilation.diagnostics.is_empty(),
            "{} has diagnostics:\n{}",
            path.display(),
            crate::support::human_report(&compilation)
        );
        let catalog = compilation.catalog.expect("a catalog without errors");
        let name = example
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        insta::with_settings!({ snapshot_suffix => name, omit_expression => true }, {
            insta::assert_snapshot!("catalog", catalog.to_canonical_json());
        });
    }
}

/// `pricectl compile` prints the catalog the library compiles (whose form the snapshots above
/// pin, order included), and that JSON reads back into the same catalog.
#[test]
fn compile_prints_the_catalog_and_it_reads_back() {
    for example in examples() {
        let path = relative(&example).join("pricing.toml");
        let output = pricectl().arg("compile").arg(&path).output().expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        let compiled = compile_path(&path)
            .expect("example loads")
            .catalog
            .expect("a catalog without errors");
        assert_eq!(text, compiled.to_canonical_json(), "{}", path.display());
        let catalog: pricectl::catalog::Catalog =
            serde_json::from_str(&text).expect("catalog JSON reads back");
        assert_eq!(catalog, compiled);
    }
}

#[test]
fn openai_example_means_what_the_walkthrough_says() {
    use rust_decimal::Decimal;
    use std::str::FromStr;

    let compilation =
        compile_path(std::path::Path::new("pricing-examples/openai-credits")).expect("loads");
    let catalog = compilation.catalog.expect("valid");
    let decimal = |text: &str| Decimal::from_str(text).expect("decimal");
    let credits = &catalog.credit_systems["credits"];
    // 100,000 o1 input tokens draw 150 credits.
    assert_eq!(
        credits.costs["o1-input-tokens"].credits * decimal("100000"),
        decimal("150")
    );
    assert_eq!(credits.costs["o3-output-tokens"].credits, decimal("0.004"));
    // 1,000 credits cost $10.00; $5 buys 500 credits.
    let item = &catalog.plans["credit-top-up"].items["credits"];
    let price = item.price.as_ref().expect("priced");
    let cost = |quantity: &str| {
        pricectl::catalog::charge::cost_of(&price.rate, price.per, decimal(quantity))
    };
    assert_eq!(cost("1000"), Some(decimal("10")));
    assert_eq!(cost("500"), Some(decimal("5")));
    assert_eq!(price.prepaid.expect("prepaid").min, decimal("500"));
}

#[test]
fn a_directory_of_files_is_one_catalog() {
    let directory = tempfile::tempdir().expect("temp dir");
    let whole =
        std::fs::read_to_string("pricing-examples/openai-credits/pricing.toml").expect("example");
    let (features, rest) = whole
        .split_once("[credit_systems.credits]")
        .expect("has a credit system");
    std::fs::write(directory.path().join("a-features.toml"), features).expect("write");
    std::fs::write(
        directory.path().join("b-credits.toml"),
        format!("version = 1\n\n[credit_systems.credits]{rest}"),
    )
    .expect("write");
    let split = compile_path(directory.path()).expect("loads");
    assert!(split.diagnostics.is_empty(), "{:?}", split.diagnostics);
    let single = compile_path(std::path::Path::new(
        "pricing-examples/openai-credits/pricing.toml",
    ))
    .expect("loads");
    assert_eq!(split.catalog, single.catalog);
}
