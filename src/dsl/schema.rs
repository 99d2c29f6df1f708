//! The JSON Schema of the pricing language, generated from the document types.

use schemars::generate::SchemaSettings;

use super::document::PricingDocument;

/// The JSON Schema (draft-07, which Taplo and Tombi read) of a pricing file.
pub fn pricing_schema() -> serde_json::Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<PricingDocument>();
    let mut value = schema.to_value();
    remove_null(&mut value);
    value
}

/// TOML has no null: an optional key is absent, never `null`. schemars describes `Option<T>`
/// as "T or null"; this takes the null back out.
fn remove_null(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => {
            if let Some(serde_json::Value::Array(types)) = object.get_mut("type") {
                types.retain(|kind| kind != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(serde_json::Value::Array(options)) = object.get_mut(key) {
                    options.retain(|option| option.get("type").is_none_or(|kind| kind != "null"));
                    if options.len() == 1 {
                        let only = options.remove(0);
                        object.remove(key);
                        if let serde_json::Value::Object(inner) = only {
                            for (inner_key, inner_value) in inner {
                                object.entry(inner_key).or_insert(inner_value);
                            }
                        }
                    }
                }
            }
            for child in object.values_mut() {
                remove_null(child);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(remove_null),
        _ => {}
    }
}

/// The schema as the text committed at `schemas/pricing.v1.schema.json`.
pub fn pricing_schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(&pricing_schema()).expect("a schema always serializes");
    text.push('\n');
    text
}
