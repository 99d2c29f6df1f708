//! Two items for one feature in a plan (`pricectl::duplicate_item`).
//!
//! TOML itself refuses a table defined twice ("duplicate key"), and a syntax error stops every
//! other check of the file. A second `[plans.<plan>.items.<id>]` is a common, readable mistake
//! (Autumn configs list the allowance and the price of one feature as two items), so it is
//! recognised here, reported in the language's words, and blanked out of the text, keeping
//! every byte offset, so the rest of the file is still read and checked.

use super::document::PricingDocument;
use crate::diagnostics::{Code, Diagnostic, FileId, Span};

/// A second definition of one plan item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DuplicateItem {
    pub plan: String,
    pub item: String,
    /// The key of the second definition, as the TOML error reports it.
    pub key: std::ops::Range<usize>,
    /// The bytes to blank: the second table, header to the next header, or its one line.
    pub region: std::ops::Range<usize>,
}

/// The duplicate item a TOML error is about, when it is one.
pub(super) fn classify(text: &str, error: &toml::de::Error) -> Option<DuplicateItem> {
    if error.message().trim().trim_end_matches('.') != "duplicate key" {
        return None;
    }
    let key = error.span()?;
    let line_start = text.get(..key.start)?.rfind('\n').map_or(0, |at| at + 1);
    let line_end = text
        .get(key.start..)?
        .find('\n')
        .map_or(text.len(), |at| key.start + at + 1);
    let line = text.get(line_start..line_end)?.trim();
    if let Some(header) = line.strip_prefix('[').filter(|_| !line.starts_with("[[")) {
        let path = header.split(']').next()?;
        let (plan, item) = item_path(&keys(path)?)?;
        let region = line_start..next_header(text, line_end);
        return Some(DuplicateItem {
            plan,
            item,
            key,
            region,
        });
    }
    // `<id> = { … }` on one line, inside `[plans.<plan>.items]`.
    let header = enclosing_header(text, line_start)?;
    let mut path = keys(&header)?;
    path.extend(keys(line.split('=').next()?)?);
    let (plan, item) = item_path(&path)?;
    Some(DuplicateItem {
        plan,
        item,
        key,
        region: line_start..line_end,
    })
}

/// `text` with every region blanked: spaces, newlines kept, so every span stays valid.
pub(super) fn blank(text: &str, duplicates: &[DuplicateItem]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for duplicate in duplicates {
        for byte in bytes
            .get_mut(duplicate.region.clone())
            .into_iter()
            .flatten()
        {
            if *byte != b'\n' && *byte != b'\r' {
                *byte = b' ';
            }
        }
    }
    // Only whole lines are blanked and every line ends at an ASCII byte, so this is UTF-8
    // whenever the text was; the fallback keeps the text as it was.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// The diagnostic, pointing at the first item when the rest of the file shows it.
pub(super) fn diagnostic(
    file: FileId,
    duplicate: &DuplicateItem,
    document: Option<&PricingDocument>,
) -> Diagnostic {
    let first = document
        .and_then(|document| document.plans.as_ref())
        .and_then(|plans| plans.value.get(&duplicate.plan))
        .and_then(|plan| plan.value.items.as_ref())
        .and_then(|items| items.value.get(&duplicate.item))
        .map(|item| item.id.span.clone());
    let (plan, item) = (&duplicate.plan, &duplicate.item);
    let mut diagnostic = Diagnostic::new(
        Code::DuplicateItem,
        format!("plan `{plan}` has two items for `{item}`"),
        Span::new(file, duplicate.key.clone()),
        "a second item for the same feature",
    )
    .with_help(format!(
        "a plan has one item per feature or credit system: put what it includes (`included`, `reset`) and its price (`price`, `prepaid`) in one `[plans.{plan}.items.{item}]` table, and remove the other"
    ));
    if let Some(first) = first {
        diagnostic = diagnostic.with_related(first, "first item here");
    }
    diagnostic
}

/// The plan and item ids of a path `plans.<plan>.items.<item>`.
fn item_path(path: &[String]) -> Option<(String, String)> {
    match path {
        [plans, plan, items, item] if plans == "plans" && items == "items" => {
            Some((plan.clone(), item.clone()))
        }
        _ => None,
    }
}

/// The keys of a dotted key as TOML reads them (`"pro"` and `pro` are one key).
fn keys(dotted: &str) -> Option<Vec<String>> {
    let keys = toml_edit::Key::parse(dotted.trim()).ok()?;
    Some(keys.iter().map(|key| key.get().to_string()).collect())
}

/// Where the next table header starts, at or after `from`; the end of the text without one.
fn next_header(text: &str, from: usize) -> usize {
    let mut at = from;
    for line in text.get(from..).unwrap_or_default().split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            return at;
        }
        at += line.len();
    }
    text.len()
}

/// The path of the table header above `before` (`plans.pro.items`); empty at the top level.
fn enclosing_header(text: &str, before: usize) -> Option<String> {
    let above = text.get(..before)?;
    for line in above.lines().rev() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            if line.starts_with("[[") {
                return None;
            }
            return header.split(']').next().map(str::to_string);
        }
    }
    Some(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<toml::de::Error> {
        toml::de::DeTable::parse_recoverable(text).1
    }

    #[test]
    fn a_second_item_table_is_recognised_and_blanked_keeping_offsets() {
        let text = "[plans.pro.items.seats]\nincluded = 3\n\n[plans.pro.items.seats]\nprice = 1\n\n[plans.pro.items.sso]\n";
        let found: Vec<DuplicateItem> = errors(text)
            .iter()
            .filter_map(|error| classify(text, error))
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].plan.as_str(), found[0].item.as_str()),
            ("pro", "seats")
        );
        let blanked = blank(text, &found);
        assert_eq!(blanked.len(), text.len());
        assert!(errors(&blanked).is_empty());
        assert!(blanked.contains("[plans.pro.items.sso]"));
        assert!(!blanked.contains("price"));
    }

    #[test]
    fn a_second_inline_item_is_recognised() {
        let text = "[plans.\"pro\".items]\nseats = { included = 3 }\nseats = { included = 4 }\n";
        let found: Vec<DuplicateItem> = errors(text)
            .iter()
            .filter_map(|error| classify(text, error))
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].plan, "pro");
        assert!(errors(&blank(text, &found)).is_empty());
    }

    #[test]
    fn other_duplicate_keys_stay_syntax_errors() {
        let text = "[plans.pro]\nname = \"a\"\nname = \"b\"\n[features.x]\n[features.x]\n";
        assert!(
            errors(text)
                .iter()
                .all(|error| classify(text, error).is_none())
        );
    }
}
