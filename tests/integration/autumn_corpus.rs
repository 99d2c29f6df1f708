//! The Autumn-style corpus (`tests/fixtures/autumn-corpus/`; `interop.rs` pushes its configs
//! with atmn into `pricectl serve`): every translation compiles,
//! holds the constructs its first lines list, survives compile → import → compile unchanged,
//! and together the corpus uses every construct the language gained for such catalogs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pricectl::catalog::{
    Billing, Catalog, FeatureType, Included, Plan, PlanItem, Rate, TrialLength, TrialOncePer,
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

/// How many objects of the translation hold `construct` (items, or plans for what a plan
/// says: trials, add-ons, defaults, usage limits), read from the compiled catalog, or, for
/// what compiles away (a warning, a no-op), from the compilation and the source.
fn coverage(construct: &str, catalog: &Catalog, codes: &[Code], source: &toml::Table) -> usize {
    let count_items =
        |test: &dyn Fn(&PlanItem) -> bool| items(catalog).filter(|item| test(item)).count();
    let count_plans =
        |test: &dyn Fn(&Plan) -> bool| catalog.plans.values().filter(|plan| test(plan)).count();
    match construct {
        "allocated_usage" => count_items(&|item| {
            allocated(catalog, &item.feature_id)
                && item.reset.is_none()
                && billed(item, Billing::Usage)
        }),
        "per_entity" => count_items(&|item| {
            item.per_entity
                .as_deref()
                .is_some_and(|entity| allocated(catalog, entity))
        }),
        "reset_on_attach" => count_items(&|item| item.reset_on_attach),
        "trial_months" => count_plans(&|plan| {
            plan.free_trial
                .is_some_and(|trial| matches!(trial.length, TrialLength::Months(_)))
        }),
        "trial_once_per_customer" => count_plans(&|plan| {
            plan.free_trial
                .is_some_and(|trial| trial.once_per == TrialOncePer::Customer)
        }),
        "proration" => count_items(&|item| item.proration.is_some()),
        // One warning per item whose `max` was rounded down to whole billing units.
        "prepaid_max_rounded" => codes
            .iter()
            .filter(|code| **code == Code::PrepaidMaxRounded)
            .count(),
        "boolean_included_zero" => catalog
            .plans
            .values()
            .map(|plan| {
                plan.items
                    .keys()
                    .filter(|id| {
                        catalog
                            .features
                            .get(*id)
                            .is_some_and(|feature| feature.kind == FeatureType::Boolean)
                            && source["plans"][&plan.id]["items"][id.as_str()].get("included")
                                == Some(&toml::Value::Integer(0))
                    })
                    .count()
            })
            .sum(),
        "credit_system" => {
            count_items(&|item| catalog.credit_systems.contains_key(&item.feature_id))
        }
        "usage_price" => count_items(&|item| billed(item, Billing::Usage)),
        "prepaid" => count_items(&|item| billed(item, Billing::Prepaid)),
        "allocated_prepaid" => count_items(&|item| {
            allocated(catalog, &item.feature_id) && billed(item, Billing::Prepaid)
        }),
        "tiered" => count_items(&|item| {
            item.price
                .as_ref()
                .is_some_and(|price| matches!(price.rate, Rate::Tiered { .. }))
        }),
        "trial_days" => count_plans(&|plan| {
            plan.free_trial
                .is_some_and(|trial| matches!(trial.length, TrialLength::Days(_)))
        }),
        "add_on" => count_plans(&|plan| plan.add_on),
        "default_plan" => count_plans(&|plan| plan.default),
        "unlimited" => count_items(&|item| item.included == Included::Unlimited),
        "auto_top_up" => count_items(&|item| item.controls.auto_top_up.is_some()),
        "spend_limit" => count_items(&|item| item.controls.spend_limit.is_some()),
        "usage_limit" => count_plans(&|plan| !plan.usage_limits.is_empty()),
        "alert" => count_items(&|item| !item.controls.alerts.is_empty()),
        "rollover" => count_items(&|item| item.controls.rollover.is_some()),
        // An allowance and a price of one feature, two items in an Autumn config, as one item.
        "allowance_and_price_in_one_item" => count_items(&|item| {
            matches!(item.included, Included::Units(units) if !units.is_zero())
                && item.price.is_some()
        }),
        other => panic!("unknown construct `{other}`"),
    }
}

/// What [`coverage`] counts for `construct`.
fn counted(construct: &str) -> &'static str {
    match construct {
        "trial_months"
        | "trial_once_per_customer"
        | "trial_days"
        | "add_on"
        | "default_plan"
        | "usage_limit" => "plans",
        _ => "items",
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
                coverage(&construct, &catalog, &codes, &source) > 0,
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

/// How many configs of the corpus use each construct, and how many of their items (or plans)
/// do, counted from the translations: the snapshot is the corpus's coverage, and every
/// construct is used by at least one config.
#[test]
fn the_corpus_covers_every_construct_and_says_how_often() {
    let mut configs: BTreeMap<&str, usize> = BTreeMap::new();
    let mut objects: BTreeMap<&str, usize> = BTreeMap::new();
    let translations = translations();
    for path in &translations {
        let text = std::fs::read_to_string(path).expect("readable");
        let source: toml::Table = toml::from_str(&text).expect("TOML");
        let (catalog, codes) = compile_translation(path);
        for construct in CONSTRUCTS {
            let count = coverage(construct, &catalog, &codes, &source);
            if count > 0 {
                *configs.entry(construct).or_default() += 1;
                *objects.entry(construct).or_default() += count;
            }
        }
    }
    let mut table = format!(
        "{} configs\n{:<34} {:>7} {:>7}\n",
        translations.len(),
        "construct",
        "configs",
        "objects"
    );
    for construct in CONSTRUCTS {
        let used_by = configs.get(construct).copied().unwrap_or(0);
        assert!(used_by > 0, "no config of the corpus uses `{construct}`");
        writeln!(
            table,
            "{construct:<34} {used_by:>7} {:>7} {}",
            objects[construct],
            counted(construct)
        )
        .expect("a string takes every write");
    }
    insta::assert_snapshot!(table);
}

/// The constructs of issue 10 as `pricectl plan` shows them, creating three translations of
/// the corpus from nothing: `per_entity`, an allocated item billed by usage with no reset, a
/// proration policy and a trial in months (`support-desk-seats`); a trial once per customer
/// and a purchase limit rounded down to whole billing units (`seats-monthly-trial`, with its
/// warning); `reset_on_attach` (`projects-reset-on-attach`).
#[test]
fn the_plan_shows_the_constructs() {
    for name in [
        "support-desk-seats",
        "seats-monthly-trial",
        "projects-reset-on-attach",
    ] {
        let context = crate::support::TestContext::new();
        let translation = root()
            .join("tests/fixtures/autumn-corpus")
            .join(name)
            .join("pricing.toml");
        let plan = context.run(&[
            "plan",
            "--state",
            "local.db",
            &translation.to_string_lossy(),
        ]);
        assert!(
            plan.status.success(),
            "{name}: {}",
            crate::support::stdout(&plan)
        );
        insta::assert_snapshot!(
            format!("plan@{name}"),
            format!(
                "{}\n--- stderr\n{}",
                crate::support::stdout(&plan),
                String::from_utf8_lossy(&plan.stderr)
                    .replace(&root().to_string_lossy().into_owned(), "[root]")
            )
        );
    }
}
