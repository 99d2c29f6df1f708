//! Field-level differences between two objects, by dotted path.

use serde::Serialize;
use serde_json::Value;

use super::plan::FieldChange;

/// The fields that differ between `before` and `after`, leaves only, sorted by path.
/// `skip` names top-level fields compared elsewhere (a plan's items).
pub fn changed_fields<T: Serialize>(before: &T, after: &T, skip: &[&str]) -> Vec<FieldChange> {
    let before = serde_json::to_value(before).expect("catalog objects serialize");
    let after = serde_json::to_value(after).expect("catalog objects serialize");
    let mut changes = Vec::new();
    compare("", Some(&before), Some(&after), skip, &mut changes);
    changes.sort_by(|left, right| left.path.cmp(&right.path));
    changes
}

fn compare(
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    skip: &[&str],
    changes: &mut Vec<FieldChange>,
) {
    if before == after {
        return;
    }
    match (before, after) {
        (Some(Value::Object(left)), Some(Value::Object(right))) => {
            let mut keys: Vec<&String> = left.keys().chain(right.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                if path.is_empty() && skip.contains(&key.as_str()) {
                    continue;
                }
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                compare(&child, left.get(key), right.get(key), &[], changes);
            }
        }
        _ => changes.push(FieldChange {
            path: path.to_string(),
            before: before.filter(|value| !value.is_null()).cloned(),
            after: after.filter(|value| !value.is_null()).cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::changed_fields;

    #[test]
    fn reports_leaves_by_path() {
        let before = json!({"name": "Pro", "price": {"amount": "20", "interval": "month"}, "items": {"a": 1}, "trial": null});
        let after = json!({"name": "Pro", "price": {"amount": "25", "interval": "month"}, "items": {"a": 2}, "trial": {"days": 14}});
        let changes = changed_fields(&before, &after, &["items"]);
        let paths: Vec<&str> = changes.iter().map(|change| change.path.as_str()).collect();
        assert_eq!(paths, ["price.amount", "trial"]);
        assert_eq!(changes[0].before, Some(json!("20")));
        assert_eq!(changes[1].before, None);
        assert_eq!(changes[1].after, Some(json!({"days": 14})));
        assert!(changed_fields(&before, &before, &[]).is_empty());
    }
}
