//! The GitHub Actions view of a plan: workflow commands that annotate the pricing file where
//! a reviewer must look (refusals as errors, destructive changes and price increases as
//! warnings), then the text view for the log.
//!
//! Each annotation sits on the line that declares the object in the new pricing (its table
//! header, or its key). An object removed from the pricing has no line: it is annotated on the
//! pricing file (when the pricing is one file) or on the run. Annotations of one kind on one
//! line are merged, as GitHub shows only the first ten of each level per step.
//!
//! The text view is wrapped in `::stop-commands::`, so nothing the pricing says (a name with a
//! newline and `::`) is read as a workflow command.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::comparison::Comparison;
use super::github::{escape_data, escape_property};
use super::location::Location;
use super::plan_text::{impact_prices, render_plan_text_for, show_percent};
use super::plan_words::{reason_words, refusal_words};
use super::term_words::{costs_customers_more, term_words};
use crate::catalog::Address;
use crate::diagnostics::Span;
use crate::diff::{Action, Change, Plan, PriceImpact, Term};
use crate::dsl::{Declarations, SourceSet};

/// Where each object of the new pricing is written, as annotations name it.
#[derive(Debug, Clone, Default)]
pub struct PlanLocations {
    objects: BTreeMap<Address, Place>,
    /// One cost of a credit system, by (credit system id, feature id).
    costs: BTreeMap<(String, String), Place>,
    /// The catalog's currency, where a refusal of the catalog as a whole points.
    currency: Option<Place>,
    /// Where an object with no place of its own is annotated: the pricing, when it is one file.
    fallback: Option<String>,
}

/// A span of a file, as annotations give it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    file: String,
    start: Location,
    end: Location,
}

/// What an annotation is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Place(Place),
    File(String),
    Run,
}

impl PlanLocations {
    /// The places of the objects of `sources` (the new pricing), from the declarations its
    /// compilation found. `annotation_paths` names each file by id as GitHub should (from the
    /// repository root); a file it does not cover keeps its own path.
    pub fn new(
        sources: &SourceSet,
        declarations: &Declarations,
        annotation_paths: &[PathBuf],
    ) -> PlanLocations {
        let name = |index: usize, path: &PathBuf| {
            annotation_paths
                .get(index)
                .unwrap_or(path)
                .display()
                .to_string()
        };
        let place = |span: &Span| {
            let file = sources.file(span.file);
            Place {
                file: name(span.file.0 as usize, &file.path),
                start: Location::in_file(file, span.start()),
                end: Location::last_in_file(file, span.start(), span.end()),
            }
        };
        let mut files = sources.files();
        let fallback = match (files.next(), files.next()) {
            (Some((id, file)), None) => Some(name(id.0 as usize, &file.path)),
            _ => None,
        };
        PlanLocations {
            objects: declarations
                .objects
                .iter()
                .map(|(address, span)| (address.clone(), place(span)))
                .collect(),
            costs: declarations
                .costs
                .iter()
                .map(|(key, span)| (key.clone(), place(span)))
                .collect(),
            currency: declarations.currency.as_ref().map(place),
            fallback,
        }
    }

    /// The object's place; for an item the pricing no longer has, its plan's; else the file.
    fn target(&self, address: &Address) -> Target {
        let place = self
            .objects
            .get(address)
            .or_else(|| address.parent().and_then(|plan| self.objects.get(&plan)));
        match place {
            Some(place) => Target::Place(place.clone()),
            None => self.file_or_run(),
        }
    }

    /// Where a refusal points: its object, or for the catalog as a whole its currency.
    fn refusal_target(&self, address: Option<&Address>) -> Target {
        match (address, &self.currency) {
            (Some(address), _) => self.target(address),
            (None, Some(currency)) => Target::Place(currency.clone()),
            (None, None) => self.file_or_run(),
        }
    }

    fn file_or_run(&self) -> Target {
        self.fallback.clone().map_or(Target::Run, Target::File)
    }
}

struct Annotation {
    level: &'static str,
    target: Target,
    title: &'static str,
    messages: Vec<String>,
}

/// Renders a plan as GitHub workflow commands, then its text view.
pub fn render_plan_github(
    plan: &Plan,
    locations: &PlanLocations,
    comparison: &Comparison,
) -> String {
    let mut annotations: Vec<Annotation> = Vec::new();
    let mut add = |level, target, title, message: String| {
        if let Some(annotation) = annotations.iter_mut().find(|annotation| {
            annotation.level == level && annotation.target == target && annotation.title == title
        }) {
            annotation.messages.push(message);
        } else {
            annotations.push(Annotation {
                level,
                target,
                title,
                messages: vec![message],
            });
        }
    };
    for refusal in &plan.refusals {
        let (reason, help) = refusal_words(refusal);
        add(
            "error",
            locations.refusal_target(refusal.address.as_ref()),
            "pricectl: refused",
            format!("{reason}\nhelp: {help}"),
        );
    }
    let mut destructive = Vec::new();
    let mut addresses = BTreeSet::new();
    walk(&plan.changes, &mut destructive, &mut addresses);
    for change in destructive {
        add(
            "warning",
            locations.target(&change.address),
            "pricectl: destructive change",
            format!(
                "{} {}: {} (applying it needs --allow-destroy)",
                match change.action {
                    Action::Archive => "archive",
                    _ => "delete",
                },
                change.address,
                reason_words(&change.why)
            ),
        );
    }
    for impact in plan.impact.iter().filter(|impact| impact.is_increase()) {
        add(
            "warning",
            increase_target(impact, &addresses, locations),
            "pricectl: price increase",
            increase_message(impact),
        );
    }
    // What customers pay or get that the price increases above do not already say: a dearer
    // base price, fewer units included, a shorter trial, credits already held buying less.
    for term in plan.terms.iter().filter(|term| costs_customers_more(term)) {
        let target = match &term.term {
            Term::Price => continue,
            Term::CreditCost { .. } if term.holders.is_none() => continue,
            Term::CreditCost { feature } => {
                let cost = (term.address.id().to_string(), feature.clone());
                match locations.costs.get(&cost) {
                    Some(place) => Target::Place(place.clone()),
                    None => locations.target(&term.address),
                }
            }
            _ => locations.target(&term.address),
        };
        add(
            "warning",
            target,
            "pricectl: customers pay more or get less",
            term_words(term, &plan.currency).replace('`', ""),
        );
    }

    let mut out = String::new();
    for annotation in &annotations {
        let mut properties = Vec::new();
        match &annotation.target {
            Target::Place(place) => {
                properties.push(format!("file={}", escape_property(&place.file)));
                properties.push(format!("line={}", place.start.line));
                properties.push(format!("col={}", place.start.column));
                properties.push(format!("endLine={}", place.end.line));
                properties.push(format!("endColumn={}", place.end.column));
            }
            Target::File(file) => properties.push(format!("file={}", escape_property(file))),
            Target::Run => {}
        }
        properties.push(format!("title={}", escape_property(annotation.title)));
        let _ = writeln!(
            out,
            "::{} {}::{}",
            annotation.level,
            properties.join(","),
            escape_data(&annotation.messages.join("\n"))
        );
    }
    let text = render_plan_text_for(plan, false, comparison);
    // A token no text can contain: it is derived from the text itself.
    let token = stop_token(&text);
    let _ = write!(out, "::stop-commands::{token}\n{text}::{token}::\n");
    out
}

/// Every destructive change (a plan's items included), and the address of every change.
fn walk<'a>(
    changes: &'a [Change],
    destructive: &mut Vec<&'a Change>,
    addresses: &mut BTreeSet<&'a Address>,
) {
    for change in changes {
        addresses.insert(&change.address);
        if change.action.is_destructive() {
            destructive.push(change);
        }
        walk(&change.items, destructive, addresses);
    }
}

/// Where a price goes up: at the plan's item when it changed (its price per unit or credit),
/// else at the credit system's cost for the feature when that changed, else at the plan.
fn increase_target(
    impact: &PriceImpact,
    changed: &BTreeSet<&Address>,
    locations: &PlanLocations,
) -> Target {
    let granted = impact.via.as_deref().unwrap_or(&impact.feature);
    let item = Address::item(&impact.plan, granted);
    if changed.contains(&item) {
        return locations.target(&item);
    }
    if let Some(via) = &impact.via {
        let system = Address::credit_system(via);
        if changed.contains(&system) {
            let cost = (via.clone(), impact.feature.clone());
            return match locations.costs.get(&cost) {
                Some(place) => Target::Place(place.clone()),
                None => locations.target(&system),
            };
        }
    }
    locations.target(&Address::plan(&impact.plan))
}

/// "o3 input tokens via credits in credit-top-up: $10.00 → $12.00 per 1M (+20.0%)".
fn increase_message(impact: &PriceImpact) -> String {
    let mut message = impact.feature_name.clone();
    if let Some(via) = &impact.via {
        let _ = write!(message, " via {via}");
    }
    let _ = write!(message, " in {}: {}", impact.plan, impact_prices(impact));
    if let Some(percent) = impact.change_percent {
        let _ = write!(message, " ({})", show_percent(percent));
    }
    message
}

/// A token for `::stop-commands::` that `text` cannot contain: derived from the text itself.
pub fn stop_token(text: &str) -> String {
    format!("pricectl-{}", &hex(&Sha256::digest(text.as_bytes()))[..32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{PlanLocations, render_plan_github};
    use crate::dsl::{Declarations, SourceSet, parse_sources};
    use crate::render::Comparison;
    use crate::render::plan_fixtures;

    /// The new pricing of the fixtures: `pro` with its messages item, a credit system, a
    /// protected `enterprise` plan; `legacy` and the GPT-3.5 feature are gone.
    fn locations() -> PlanLocations {
        let text = "version = 1\ncurrency = \"USD\"\n\n[features.messages]\ntype = \"metered\"\n\n[credit_systems.credits.costs]\no3-input-tokens = 0.0002\no3-output-tokens = 0.0008\n\n[plans.pro]\nname = \"Pro\"\n\n[plans.pro.items.messages]\nincluded = 500\n\n[plans.credit-top-up.items.credits]\nincluded = 0\n";
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("pricing/pricing.toml"), text.into());
        let declarations = Declarations::of(&parse_sources(&sources).files);
        PlanLocations::new(&sources, &declarations, &[])
    }

    fn render(plan: &crate::diff::Plan) -> String {
        render_plan_github(plan, &locations(), &Comparison::Live)
    }

    #[test]
    fn price_increases_at_the_item_that_changed() {
        insta::assert_snapshot!(render(&plan_fixtures::new_version()));
    }

    #[test]
    fn removed_objects_on_the_file() {
        insta::assert_snapshot!(render(&plan_fixtures::delete_and_archive()));
    }

    #[test]
    fn refusals_are_errors() {
        insta::assert_snapshot!(render(&plan_fixtures::refusal()));
    }

    #[test]
    fn increases_through_a_credit_system_at_its_cost() {
        insta::assert_snapshot!(render(&plan_fixtures::credit_cost_increase()));
    }

    #[test]
    fn a_directory_has_no_file_for_removed_objects() {
        let mut sources = SourceSet::default();
        sources.add(PathBuf::from("a.toml"), "version = 1\n".into());
        sources.add(PathBuf::from("b.toml"), "version = 1\n".into());
        let declarations = Declarations::of(&parse_sources(&sources).files);
        let locations =
            PlanLocations::new(&sources, &declarations, &[PathBuf::from("prices/a.toml")]);
        let output = render_plan_github(
            &plan_fixtures::delete_and_archive(),
            &locations,
            &Comparison::Live,
        );
        assert!(
            output
                .starts_with("::warning title=pricectl%3A destructive change::archive plan.legacy"),
            "{output}"
        );
    }

    #[test]
    fn nothing_in_the_text_is_a_command() {
        let mut plan = plan_fixtures::new_version();
        plan.impact[0].feature_name = "Messages\n::error::injected %0A".into();
        let output = render(&plan);
        let token = output
            .lines()
            .find_map(|line| line.strip_prefix("::stop-commands::"))
            .expect("the text is fenced");
        assert!(output.ends_with(&format!("::{token}::\n")));
        // The annotation carries the name escaped, on one line.
        assert!(
            output.contains("Messages%0A::error::injected %250A in pro"),
            "{output}"
        );
        // The same text always gets the same token.
        assert_eq!(output, render(&plan));
    }
}
