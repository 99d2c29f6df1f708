//! The language and its writer: a catalog written as pricing compiles back to itself, through
//! a store and `import` too; `fmt` never changes what a pricing says.

use std::path::PathBuf;

use pricectl::backend::Backend;
use pricectl::backend::local::LocalStore;
use pricectl::catalog::Catalog;
use pricectl::dsl::SourceSet;
use pricectl::dsl::format::format_pricing;
use pricectl::dsl::write::write_pricing;
use pricectl::reconcile::{ApplyOptions, apply, plan};
use proptest::prelude::*;

use super::catalogs::{catalogs, drawn};
use super::config;

/// The catalog `text` compiles to, or its errors.
fn compiled(text: &str) -> Result<Catalog, String> {
    let mut sources = SourceSet::default();
    sources.add(PathBuf::from("pricing.toml"), text.to_string());
    let compilation = pricectl::compile(sources);
    compilation.catalog.ok_or_else(|| {
        compilation
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| {
                let span = diagnostic.primary().span.range();
                format!(
                    "{}: {} (at `{}`)",
                    diagnostic.code.name(),
                    diagnostic.message,
                    text.get(span).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

proptest! {
    #![proptest_config(config(64))]

    /// compile → apply → import → compile: the pricing a catalog is written as compiles to
    /// it, and what `import` writes from the store holding it compiles to it again.
    #[test]
    fn compile_import_compile_is_the_identity(catalog in catalogs()) {
        let text = write_pricing(&catalog, None);
        let first = compiled(&text).map_err(|errors| {
            TestCaseError::fail(format!("the written pricing has errors:\n{errors}\n--- text ---\n{text}"))
        })?;
        prop_assert_eq!(&first, &catalog, "--- text ---\n{}", text);
        let mut store = LocalStore::open_in_memory().expect("an in-memory store");
        let planned = plan(&mut store, &first).expect("plan");
        apply(&mut store, &planned, &first, ApplyOptions { allow_destroy: true })
            .expect("apply");
        let imported = write_pricing(&store.fetch().expect("fetch").catalog, None);
        prop_assert_eq!(&imported, &text, "import writes what was applied");
        let second = compiled(&imported).map_err(TestCaseError::fail)?;
        prop_assert_eq!(second, first);
    }

    /// `fmt` lays a pricing out and never changes the catalog it compiles to; formatting twice
    /// is formatting once.
    #[test]
    fn fmt_never_changes_the_catalog(catalog in catalogs()) {
        let text = write_pricing(&catalog, None);
        let formatted = format_pricing(&text)
            .map_err(|error| TestCaseError::fail(format!("{error}\n--- text ---\n{text}")))?;
        let after = compiled(&formatted).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&after, &catalog, "--- formatted ---\n{}", formatted);
        prop_assert_eq!(format_pricing(&formatted).map_err(|error| TestCaseError::fail(error.to_string()))?, formatted);
    }
}

/// Every shape the writer has a rule for, which the generated catalogs must reach.
const SHAPES: &[&str] = &[
    "archived = true",
    "protect = true",
    "consumable = false",
    "add_on = true",
    "default = true",
    "card_required = false",
    "included = \"unlimited\"",
    "reset = \"minute\"",
    "billing = \"usage\"",
    "billing = \"prepaid\"",
    "tier_mode = \"volume\"",
    "tier_mode = \"graduated\"",
    "tiers = [\n",
    "tiers = [{",
    "prepaid = { min = ",
    "prepaid = { max = ",
    "per = 1_000_000 }",
    "per = 1000 }",
    "_000",
    "\\\"",
    "\\\\",
    "\\n",
    "\\u007F",
    "日本語",
    "event_names = [",
    "description = ",
    "free_trial = { days = ",
    "free_trial = { months = ",
    "once_per = \"customer\"",
    "reset_on_attach = true",
    "per_entity = ",
    "proration = { on_increase = ",
    "on_decrease = \"none\"",
];

/// The catalogs the properties draw reach every shape the writer has a rule for (so the round
/// trip above tests each rule), integers beyond 64 bits included.
#[test]
fn generated_catalogs_reach_every_shape_of_the_language() {
    let texts: String = drawn(300)
        .iter()
        .flat_map(|(catalog, variant)| [write_pricing(catalog, None), write_pricing(variant, None)])
        .collect();
    for shape in SHAPES {
        assert!(texts.contains(shape), "no generated catalog has `{shape}`");
    }
    let quoted_integer = texts
        .match_indices("= \"")
        .any(|(at, _)| texts[at + 3..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(
        quoted_integer,
        "no generated catalog has an integer beyond 64 bits"
    );
}
