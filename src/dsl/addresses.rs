use std::collections::BTreeMap;

use super::ParsedFile;
use crate::diagnostics::Span;

/// Where each object is written, by its plan address: the span of its id (in its table header,
/// or its key in an inline table), so a tool can point at the line that declares it.
///
/// Addresses are those of a plan (`feature.<id>`, `credit_system.<id>`, `plan.<id>`,
/// `plan.<id>.item.<id>`), plus `catalog` for the currency and
/// `credit_system.<id>.costs.<feature>` for one cost of a credit system (what a change's
/// field `costs.<feature>` points at). An id written twice keeps its first place.
pub fn address_spans(files: &[ParsedFile]) -> BTreeMap<String, Span> {
    let mut spans = BTreeMap::new();
    for file in files {
        let document = &file.document;
        if let Some(currency) = &document.currency {
            spans
                .entry("catalog".to_string())
                .or_insert_with(|| currency.span.clone());
        }
        for feature in document.features.iter().flat_map(|map| map.value.iter()) {
            spans
                .entry(format!("feature.{}", feature.id.value))
                .or_insert_with(|| feature.id.span.clone());
        }
        for system in document
            .credit_systems
            .iter()
            .flat_map(|map| map.value.iter())
        {
            let address = format!("credit_system.{}", system.id.value);
            for cost in system.value.costs.iter().flat_map(|map| map.value.iter()) {
                spans
                    .entry(format!("{address}.costs.{}", cost.id.value))
                    .or_insert_with(|| cost.id.span.clone());
            }
            spans
                .entry(address)
                .or_insert_with(|| system.id.span.clone());
        }
        for plan in document.plans.iter().flat_map(|map| map.value.iter()) {
            let address = format!("plan.{}", plan.id.value);
            for item in plan.value.items.iter().flat_map(|map| map.value.iter()) {
                spans
                    .entry(format!("{address}.item.{}", item.id.value))
                    .or_insert_with(|| item.id.span.clone());
            }
            spans.entry(address).or_insert_with(|| plan.id.span.clone());
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::address_spans;
    use crate::dsl::{SourceSet, parse_sources};
    use crate::render::Location;

    #[test]
    fn every_object_at_the_line_that_declares_it() {
        let text = "version = 1\ncurrency = \"USD\"\n\n[features.tokens]\ntype = \"metered\"\n\n[features]\nseats = { type = \"metered\", consumable = false }\n\n[credit_systems.credits.costs]\ntokens = 0.5\n\n[plans.pro]\nname = \"Pro\"\n\n[plans.pro.items.credits]\nincluded = 100\n\n[plans.pro.items.seats]\nincluded = 3\n";
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("pricing.toml"), text.into());
        let parsed = parse_sources(&sources);
        let lines: Vec<String> = address_spans(&parsed.files)
            .into_iter()
            .map(|(address, span)| format!("{address}: {}", Location::of(text, span.start).line))
            .collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        catalog: 2
        credit_system.credits: 10
        credit_system.credits.costs.tokens: 11
        feature.seats: 8
        feature.tokens: 4
        plan.pro: 13
        plan.pro.item.credits: 16
        plan.pro.item.seats: 19
        ");
    }
}
