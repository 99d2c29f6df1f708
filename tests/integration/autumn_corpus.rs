//! The Autumn-style corpus (`tests/fixtures/autumn-corpus/`; `interop.rs` pushes its configs
//! with atmn into `pricectl serve`): every translation compiles,
//! holds the constructs its first lines list, survives compile → import → compile unchanged,
//! and together the corpus uses every construct the language gained for such catalogs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pricectl::catalog::{
    Billing, Catalog, FeatureType, Included, PlanItem, Rate, TrialLength, TrialOncePer,
};
use pricectl::diagnostics::Code;
use pricectl::dsl::SourceSet;
use pricectl::dsl::write::write_pricing;
use pricectl::{compile, compile_path};

use crate::support::root;

/// Every construct the corpus must use, by the name the `# constructs:` line gives it.
const CONSTRUCTS: &[&str] = &[
    "allocated_usage",
    "per_entity",
    "reset_on_attach",
    "trial_months",
    "trial_once_per_customer",
    "proration",
    "prepaid_max_rounded",
    "boolean_included_zero",
    "credit_system",
    "usage_price",
    "prepaid",
    "allocated_prepaid",
    "tiered",
    "trial_days",
    "add_on",
    "default_plan",
    "unlimited",
    "auto_top_up",
    "spend_limit",
    "usage_limit",
    "alert",
    "rollover",
    "allowance_and_price_in_one_item",
];

fn translations() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/autumn-corpus"))
        .expect("the corpus directory")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_dir())
        .map(|path| path.join("pricing.toml"))
        .collect();
    paths.sort();
    paths
}

fn listed_constructs(text: &str) -> Vec<String> {
    text.lines()
        .find_map(|line| line.strip_prefix("# constructs:"))
        .expect("a `# constructs:` line")
        .split(',')
        .map(|name| name.trim().to_string())
        .collect()
}

fn items(catalog: &Catalog) -> impl Iterator<Item = &PlanItem> {
    catalog.plans.values().flat_map(|plan| plan.items.values())
}

fn billed(item: &PlanItem, billing: Billing) -> bool {
    item.price
        .as_ref()
        .is_some_and(|price| price.billing == billing)
}

fn allocated(catalog: &Catalog, id: &str) -> bool {
    catalog
        .features
        .get(id)
        .is_some_and(|feature| feature.kind == FeatureType::Metered && !feature.consumable)
}

/// Whether the translation holds `construct`: read from the compiled catalog, or, for what
/// compiles away (a warning, a no-op), from the compilation and the source.
fn holds(construct: &str, catalog: &Catalog, codes: &[Code], source: &toml::Table) -> bool {
    match construct {
        "allocated_usage" => items(catalog).any(|item| {
            allocated(catalog, &item.feature_id)
                && item.reset.is_none()
                && item
                    .price
                    .as_ref()
                    .is_some_and(|price| price.billing == Billing::Usage)
        }),
        "per_entity" => items(catalog).any(|item| {
            item.per_entity
                .as_deref()
                .is_some_and(|entity| allocated(catalog, entity))
        }),
        "reset_on_attach" => items(catalog).any(|item| item.reset_on_attach),
        "trial_months" => catalog.plans.values().any(|plan| {
            plan.free_trial
                .is_some_and(|trial| matches!(trial.length, TrialLength::Months(_)))
        }),
        "trial_once_per_customer" => catalog.plans.values().any(|plan| {
            plan.free_trial
                .is_some_and(|trial| trial.once_per == TrialOncePer::Customer)
        }),
        "proration" => items(catalog).any(|item| item.proration.is_some()),
        "prepaid_max_rounded" => {
            codes.contains(&Code::PrepaidMaxRounded)
                && items(catalog).any(|item| {
                    item.price.as_ref().is_some_and(|price| {
                        price
                            .prepaid
                            .and_then(|bounds| bounds.max)
                            .is_some_and(|max| {
                                max.checked_rem(price.per)
                                    .is_some_and(|rest| rest.is_zero())
                            })
                    })
                })
        }
        "boolean_included_zero" => catalog.plans.values().any(|plan| {
            plan.items.keys().any(|id| {
                catalog
                    .features
                    .get(id)
                    .is_some_and(|feature| feature.kind == FeatureType::Boolean)
                    && source["plans"][&plan.id]["items"][id].get("included")
                        == Some(&toml::Value::Integer(0))
            })
        }),
        "credit_system" => {
            items(catalog).any(|item| catalog.credit_systems.contains_key(&item.feature_id))
        }
        "usage_price" => items(catalog).any(|item| billed(item, Billing::Usage)),
        "prepaid" => items(catalog).any(|item| billed(item, Billing::Prepaid)),
        "allocated_prepaid" => items(catalog)
            .any(|item| allocated(catalog, &item.feature_id) && billed(item, Billing::Prepaid)),
        "tiered" => items(catalog).any(|item| {
            item.price
                .as_ref()
                .is_some_and(|price| matches!(price.rate, Rate::Tiered { .. }))
        }),
        "trial_days" => catalog.plans.values().any(|plan| {
            plan.free_trial
                .is_some_and(|trial| matches!(trial.length, TrialLength::Days(_)))
        }),
        "add_on" => catalog.plans.values().any(|plan| plan.add_on),
        "default_plan" => catalog.plans.values().any(|plan| plan.default),
        "unlimited" => items(catalog).any(|item| item.included == Included::Unlimited),
        "auto_top_up" => items(catalog).any(|item| item.controls.auto_top_up.is_some()),
        "spend_limit" => items(catalog).any(|item| item.controls.spend_limit.is_some()),
        "usage_limit" => catalog
            .plans
            .values()
            .any(|plan| !plan.usage_limits.is_empty()),
        "alert" => items(catalog).any(|item| !item.controls.alerts.is_empty()),
        "rollover" => items(catalog).any(|item| item.controls.rollover.is_some()),
        // An allowance and a price of one feature, two items in an Autumn config, as one item.
        "allowance_and_price_in_one_item" => items(catalog).any(|item| {
            matches!(item.included, Included::Units(units) if !units.is_zero())
                && item.price.is_some()
        }),
        other => panic!("unknown construct `{other}`"),
    }
}

fn compile_translation(path: &Path) -> (Catalog, Vec<Code>) {
    let compilation = compile_path(path).expect("the translation loads");
    let codes: Vec<Code> = compilation
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect();
    let catalog = compilation
        .catalog
        .unwrap_or_else(|| panic!("{} has errors: {codes:?}", path.display()));
    (catalog, codes)
}

#[test]
fn every_translation_holds_its_constructs_and_the_corpus_holds_them_all() {
    let mut used = BTreeSet::new();
    for path in translations() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let source: toml::Table = toml::from_str(&text).expect("TOML");
        let (catalog, codes) = compile_translation(&path);
        for construct in listed_constructs(&text) {
            assert!(
                holds(&construct, &catalog, &codes, &source),
                "{} does not hold `{construct}`",
                path.display()
            );
            used.insert(construct);
        }
    }
    let all: BTreeSet<String> = CONSTRUCTS.iter().map(ToString::to_string).collect();
    assert_eq!(used, all, "the corpus uses every construct");
}

#[test]
fn every_translation_survives_compile_import_compile() {
    for path in translations() {
        let (catalog, _) = compile_translation(&path);
        let written = write_pricing(&catalog, None);
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("imported.toml"), written.clone());
        let again = compile(sources).catalog.unwrap_or_else(|| {
            panic!(
                "the import of {} does not compile:\n{written}",
                path.display()
            )
        });
        assert_eq!(
            again,
            catalog,
            "{} changed on the way:\n{written}",
            path.display()
        );
    }
}
