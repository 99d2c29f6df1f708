//! Where each object of the pricing is declared, by address: what annotations point at.

use std::collections::BTreeMap;

use super::ParsedFile;
use crate::catalog::Address;
use crate::diagnostics::Span;

/// Where each object is written: the span of its id (in its table header, or its key in an
/// inline table), so a tool can point at the line that declares it. Built once, while
/// compiling, so no view parses the pricing again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declarations {
    /// Every feature, credit system, plan and plan item, by address. An id written twice
    /// keeps its first place.
    pub objects: BTreeMap<Address, Span>,
    /// One cost of a credit system, by (credit system id, feature id): what a change's field
    /// `costs.<feature>` points at.
    pub costs: BTreeMap<(String, String), Span>,
    /// The catalog's `currency` (the first file that sets it).
    pub currency: Option<Span>,
}

impl Declarations {
    /// The declarations of every object in `files`.
    pub fn of(files: &[ParsedFile]) -> Declarations {
        let mut currency = None;
        let mut objects = Vec::new();
        let mut costs = Vec::new();
        for file in files {
            let document = &file.document;
            if let Some(declared) = &document.currency {
                currency.get_or_insert_with(|| declared.span.clone());
            }
            for feature in document.features.iter().flat_map(|map| map.value.iter()) {
                objects.push((Address::feature(&feature.id.value), feature.id.span.clone()));
            }
            for system in document
                .credit_systems
                .iter()
                .flat_map(|map| map.value.iter())
            {
                for cost in system.value.costs.iter().flat_map(|map| map.value.iter()) {
                    costs.push((
                        (system.id.value.clone(), cost.id.value.clone()),
                        cost.id.span.clone(),
                    ));
                }
                objects.push((
                    Address::credit_system(&system.id.value),
                    system.id.span.clone(),
                ));
            }
            for plan in document.plans.iter().flat_map(|map| map.value.iter()) {
                for item in plan.value.items.iter().flat_map(|map| map.value.iter()) {
                    objects.push((
                        Address::item(&plan.id.value, &item.id.value),
                        item.id.span.clone(),
                    ));
                }
                objects.push((Address::plan(&plan.id.value), plan.id.span.clone()));
            }
        }
        Declarations {
            objects: first_places(objects),
            costs: first_places(costs),
            currency,
        }
    }
}

/// A map of each key's first place, built whole from a sorted list: a map built by inserting
/// leaves its nodes about half full (the declarations of 200,000 features took 26 MB so).
fn first_places<K: Ord, V>(mut places: Vec<(K, V)>) -> BTreeMap<K, V> {
    // A stable sort keeps the places of one key in the order they were written.
    places.sort_by(|left, right| left.0.cmp(&right.0));
    places.dedup_by(|later, earlier| later.0 == earlier.0);
    places.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::Declarations;
    use crate::dsl::{SourceSet, parse_sources};
    use crate::render::Location;

    #[test]
    fn every_object_at_the_line_that_declares_it() {
        let text = "version = 1\ncurrency = \"USD\"\n\n[features.tokens]\ntype = \"metered\"\n\n[features]\nseats = { type = \"metered\", consumable = false }\n\n[credit_systems.credits.costs]\ntokens = 0.5\n\n[plans.pro]\nname = \"Pro\"\n\n[plans.pro.items.credits]\nincluded = 100\n\n[plans.pro.items.seats]\nincluded = 3\n";
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("pricing.toml"), text.into());
        let parsed = parse_sources(&sources);
        let declarations = Declarations::of(&parsed.files);
        let line = |span: &crate::diagnostics::Span| Location::of(text, span.start()).line;
        let mut lines: Vec<String> = declarations
            .objects
            .iter()
            .map(|(address, span)| format!("{address}: {}", line(span)))
            .collect();
        lines.extend(declarations.costs.iter().map(|((system, feature), span)| {
            format!("cost of {feature} in {system}: {}", line(span))
        }));
        lines.extend(
            declarations
                .currency
                .iter()
                .map(|span| format!("currency: {}", line(span))),
        );
        insta::assert_snapshot!(lines.join("\n"), @r"
        credit_system.credits: 10
        feature.seats: 8
        feature.tokens: 4
        plan.pro: 13
        plan.pro.item.credits: 16
        plan.pro.item.seats: 19
        cost of tokens in credits: 11
        currency: 2
        ");
    }
}
