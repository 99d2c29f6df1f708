//! The committed JSON Schema is what `pricectl schema` prints, and it describes the examples.

use crate::support::{pricectl, root};

#[test]
fn committed_schema_matches_the_generated_one() {
    let generated = pricectl::dsl::schema::pricing_schema_text();
    let path = root().join("schemas/pricing.v1.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated && std::env::var_os("PRICECTL_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    assert!(
        committed == generated,
        "schemas/pricing.v1.schema.json is stale; run `PRICECTL_WRITE_SCHEMA=1 cargo test schema` or `pricectl schema > schemas/pricing.v1.schema.json`"
    );
    let output = pricectl().arg("schema").output().expect("runs");
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).expect("utf-8"), generated);
}

#[test]
fn schema_is_draft_07_with_descriptions_and_closed_objects() {
    let schema = pricectl::dsl::schema::pricing_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let definitions = schema["definitions"].as_object().expect("definitions");
    let mut objects = vec![&schema];
    objects.extend(definitions.values());
    for object in objects {
        let Some(properties) = object.get("properties").and_then(|value| value.as_object()) else {
            continue;
        };
        assert_eq!(
            object["additionalProperties"], false,
            "unknown keys are rejected: {object}"
        );
        for (name, property) in properties {
            assert!(
                property.get("description").is_some(),
                "property `{name}` has no description: {property}"
            );
        }
    }
    assert_eq!(schema["required"], serde_json::json!(["version"]));
}

#[test]
fn every_example_points_at_the_committed_schema() {
    for example in crate::support::examples() {
        let text = std::fs::read_to_string(example.join("pricing.toml")).expect("example");
        assert!(
            text.starts_with("#:schema ../../schemas/pricing.v1.schema.json\n\n"),
            "{} must start with the `#:schema` line and a blank line",
            example.display()
        );
    }
}
