//! The machine view of a plan: the plan document, as pretty JSON. Its layout is documented,
//! field by field, in `docs/plan-format.md`, and is what `apply` reads back.
//!
//! The document is the `Plan`'s data with the words of each reason and refusal beside their
//! facts (`reason` beside `why`, and a refusal's `help`), so a tool can show them to people
//! and match on the facts.

use serde_json::{Map, Value};

use super::plan_words::{reason_words, refusal_words};
use crate::diff::{Change, Plan};
use crate::reconcile::SavedPlan;

/// Renders a plan as its JSON document, ending in a newline.
pub fn render_plan_json(plan: &Plan) -> String {
    let mut text =
        serde_json::to_string_pretty(&plan_document(plan)).expect("a plan always serializes");
    text.push('\n');
    text
}

/// The plan document: the plan's data with the words of its reasons and refusals.
pub fn plan_document(plan: &Plan) -> Value {
    let mut document = serde_json::to_value(plan).expect("a plan always serializes");
    if let Some(changes) = document.get_mut("changes") {
        word_changes(changes, &plan.changes);
    }
    if let Some(Value::Array(refusals)) = document.get_mut("refusals") {
        for (value, refusal) in refusals.iter_mut().zip(&plan.refusals) {
            let (reason, help) = refusal_words(refusal);
            insert_before(
                value,
                "why",
                [
                    ("reason", Value::String(reason)),
                    ("help", Value::String(help)),
                ],
            );
        }
    }
    document
}

/// A saved plan's file (`pricectl plan --out`): the saved plan with its plan as the plan
/// document, pretty-printed, ending in a newline.
pub fn render_saved_plan(saved: &SavedPlan) -> String {
    let mut document = serde_json::to_value(saved).expect("a saved plan always serializes");
    if let Some(plan) = document.get_mut("plan") {
        *plan = plan_document(&saved.plan);
    }
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

/// Puts each change's `reason` in words before its `why`, items included.
fn word_changes(values: &mut Value, changes: &[Change]) {
    let Value::Array(values) = values else { return };
    for (value, change) in values.iter_mut().zip(changes) {
        insert_before(
            value,
            "why",
            [("reason", Value::String(reason_words(&change.why)))],
        );
        if let Some(items) = value.get_mut("items") {
            word_changes(items, &change.items);
        }
    }
}

/// Inserts `entries` into an object just before its key `key`, keeping the order of the rest.
fn insert_before<const N: usize>(value: &mut Value, key: &str, entries: [(&str, Value); N]) {
    let Value::Object(object) = value else { return };
    let mut entries = Some(entries);
    let mut ordered = Map::with_capacity(object.len() + N);
    for (name, field) in std::mem::take(object) {
        if name == key
            && let Some(entries) = entries.take()
        {
            for (entry, entry_value) in entries {
                ordered.insert(entry.to_string(), entry_value);
            }
        }
        ordered.insert(name, field);
    }
    *object = ordered;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::render_plan_json;
    use crate::diff::Plan;
    use crate::render::plan_fixtures;

    const FORMAT_DOC: &str = include_str!("../../docs/plan-format.md");

    fn fixtures() -> Vec<Plan> {
        vec![
            plan_fixtures::empty(),
            plan_fixtures::openai_create(),
            plan_fixtures::credit_cost_update(),
            plan_fixtures::new_version(),
            plan_fixtures::delete_and_archive(),
            plan_fixtures::refusal(),
            plan_fixtures::live_with_unmanaged(),
            plan_fixtures::controls_changed(),
        ]
    }

    #[test]
    fn new_version_document() {
        // The version a plan records changes with every release; the snapshot must not.
        let version = env!("CARGO_PKG_VERSION").replace('.', r"\.");
        insta::with_settings!({ filters => vec![(version.as_str(), "[VERSION]")] }, {
            insta::assert_snapshot!(render_plan_json(&plan_fixtures::new_version()));
        });
    }

    #[test]
    fn reads_back_what_it_writes() {
        for plan in fixtures() {
            let text = render_plan_json(&plan);
            assert!(text.ends_with("}\n"));
            let read: Plan = serde_json::from_str(&text).expect("a rendered plan reads back");
            assert_eq!(read, plan);
        }
    }

    /// The fenced block after `marker` in the format document, with its final newline.
    fn documented(marker: &str) -> &'static str {
        let start = FORMAT_DOC
            .find(marker)
            .unwrap_or_else(|| panic!("docs/plan-format.md has no `{marker}`"));
        let block = &FORMAT_DOC[start + marker.len()..];
        let block = &block[block.find("```").unwrap()..];
        let block = &block[block.find('\n').unwrap() + 1..];
        &block[..=block.find("\n```\n").unwrap()]
    }

    /// The example in the format document is a real plan: it reads as one, renders back to
    /// itself byte for byte, and its text view is the one the document shows.
    #[test]
    fn documented_example_is_a_plan() {
        let example = documented("<!-- example -->");
        let plan: Plan = serde_json::from_str(example).expect("the example is a plan");
        assert_eq!(render_plan_json(&plan), example);
        assert_eq!(
            crate::render::render_plan_text(&plan, false),
            documented("<!-- example-text -->")
        );
    }

    /// Every key a plan document can hold is documented.
    #[test]
    fn every_key_is_documented() {
        let mut keys = BTreeSet::new();
        let mut plan_keys = fixtures();
        plan_keys.push(plan_fixtures::huge(1));
        for plan in plan_keys {
            collect_keys(&serde_json::to_value(&plan).unwrap(), &mut keys);
        }
        let missing: Vec<&String> = keys
            .iter()
            .filter(|key| !FORMAT_DOC.contains(&format!("`{key}`")))
            .collect();
        assert!(missing.is_empty(), "undocumented keys: {missing:?}");
    }

    /// Object keys, except those that are ids (maps keyed by feature or item id).
    fn collect_keys(value: &Value, keys: &mut BTreeSet<String>) {
        match value {
            Value::Object(object) => {
                // A field change of a whole id-keyed map (usage limits added) holds ids.
                let id_keyed = object
                    .get("path")
                    .is_some_and(|path| path == "usage_limits");
                for (key, child) in object {
                    keys.insert(key.clone());
                    if id_keyed && (key == "before" || key == "after") {
                        for entry in child.as_object().into_iter().flat_map(|map| map.values()) {
                            collect_keys(entry, keys);
                        }
                        continue;
                    }
                    if key == "costs"
                        || key == "usage_limits"
                        || (key == "items" && child.is_object())
                    {
                        for entry in child.as_object().unwrap().values() {
                            collect_keys(entry, keys);
                        }
                    } else {
                        collect_keys(child, keys);
                    }
                }
            }
            Value::Array(values) => values.iter().for_each(|value| collect_keys(value, keys)),
            _ => {}
        }
    }
}
