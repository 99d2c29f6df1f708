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
                        if only.get("$ref").is_some() {
                            // Draft-07 ignores the siblings of `$ref`; keep the description
                            // beside an `allOf` instead.
                            object.insert("allOf".into(), serde_json::Value::Array(vec![only]));
                        } else if let serde_json::Value::Object(inner) = only {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::pricing_schema;
    use crate::diagnostics::FileId;
    use crate::dsl::document::PricingDocument;
    use crate::dsl::reader::ReadContext;

    /// Every kind of table the language has, once.
    const EVERY_TABLE: &str = r#"
version = 1
currency = "USD"
[features.tokens]
type = "metered"
display = { singular = "token", plural = "tokens" }
[features.sso]
type = "boolean"
[credit_systems.credits]
costs = { tokens = { credits = 1, per = 1000 } }
[plans.pro]
price = { amount = 20, interval = "month" }
free_trial = { days = 14 }
[plans.pro.items.credits]
price = { billing = "prepaid", interval = "month" }
tiers = [{ up_to = "inf", amount = 1 }]
prepaid = { min = 1 }
proration = { on_increase = "bill_immediately" }
auto_top_up = { threshold = 1, quantity = 2, purchase_limit = { limit = 1, interval = "day" } }
spend_limit = { amount = 1 }
alerts = [{ remaining = 1 }]
rollover = { max = 1 }
expires_after = { days = 1 }
[plans.pro.usage_limits]
tokens = { limit = 1, interval = "day" }
"#;

    /// The reader and the schema know the same keys, and require the same ones: the schema
    /// is generated from the document types, the reader asks for keys by name, and this test
    /// holds the two together.
    #[test]
    fn reader_and_schema_agree_on_every_key() {
        let (root, errors) = toml::de::DeTable::parse_recoverable(EVERY_TABLE);
        assert!(errors.is_empty());
        let mut diagnostics = Vec::new();
        let mut cx = ReadContext {
            file: FileId(0),
            diagnostics: &mut diagnostics,
            known_keys: Some(Vec::new()),
            invalid_keys: Vec::new(),
            offset: 0,
        };
        let root = toml::Spanned::new(root.span(), toml::de::DeValue::Table(root.into_inner()));
        PricingDocument::read_root(&root, &mut cx);
        let known_keys = cx.known_keys.take().expect("logged");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");

        let schema = pricing_schema();
        let mut tables: BTreeMap<String, &serde_json::Value> = schema["definitions"]
            .as_object()
            .expect("definitions")
            .iter()
            .filter(|(_, definition)| definition.get("properties").is_some())
            .map(|(name, definition)| (name.clone(), definition))
            .collect();
        tables.insert("PricingDocument".into(), &schema);

        let mut seen = BTreeMap::new();
        for logged in known_keys {
            seen.insert(logged.schema_name.clone(), logged.keys);
        }
        assert_eq!(
            seen.keys().collect::<Vec<_>>(),
            tables.keys().collect::<Vec<_>>(),
            "every table type of the schema is read, and nothing else"
        );
        for (name, definition) in tables {
            let mut schema_keys: Vec<&str> = definition["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .map(String::as_str)
                .collect();
            let mut schema_required: Vec<&str> = definition
                .get("required")
                .and_then(|required| required.as_array())
                .map(|required| required.iter().filter_map(|key| key.as_str()).collect())
                .unwrap_or_default();
            let keys = &seen[&name];
            let mut reader_keys: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
            let mut reader_required: Vec<&str> = keys
                .iter()
                .filter(|(_, required)| *required)
                .map(|(key, _)| *key)
                .collect();
            schema_keys.sort_unstable();
            schema_required.sort_unstable();
            reader_keys.sort_unstable();
            reader_required.sort_unstable();
            assert_eq!(reader_keys, schema_keys, "keys of {name}");
            assert_eq!(reader_required, schema_required, "required keys of {name}");
        }
    }
}
