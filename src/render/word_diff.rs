//! A changed text shown word by word, as `git diff --word-diff` does: what stays is shown
//! once, what goes in `[-…-]`, what comes in `{+…+}`.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

/// "For teams that [-ship-]{+deploy+} every day".
pub fn word_diff(before: &str, after: &str) -> String {
    let diff = TextDiff::from_words(before, after);
    let tokens: Vec<(ChangeTag, &str)> = diff
        .iter_all_changes()
        .map(|change| (change.tag(), change.value()))
        .collect();
    let mut out = String::new();
    let mut index = 0;
    while index < tokens.len() {
        let (tag, text) = tokens[index];
        if tag == ChangeTag::Equal {
            out.push_str(text);
            index += 1;
            continue;
        }
        // A run of changed words, with the spaces between them, reads as one change.
        let mut removed = String::new();
        let mut inserted = String::new();
        while let Some(&(tag, text)) = tokens.get(index) {
            let joins_next = tag == ChangeTag::Equal
                && text.trim().is_empty()
                && tokens
                    .get(index + 1)
                    .is_some_and(|(next, _)| *next != ChangeTag::Equal);
            match tag {
                ChangeTag::Delete => removed.push_str(text),
                ChangeTag::Insert => inserted.push_str(text),
                ChangeTag::Equal if joins_next => {
                    removed.push_str(text);
                    inserted.push_str(text);
                }
                ChangeTag::Equal => break,
            }
            index += 1;
        }
        // Spaces at the edges of the change stay outside its brackets.
        let leading = |text: &str| text.len() - text.trim_start().len();
        let before = match (removed.is_empty(), inserted.is_empty()) {
            (false, false) => leading(&removed).min(leading(&inserted)),
            (false, true) => leading(&removed),
            _ => leading(&inserted),
        };
        let trailing = |text: &str| text.len() - text.trim_end().len();
        let after = match (removed.is_empty(), inserted.is_empty()) {
            (false, false) => trailing(&removed).min(trailing(&inserted)),
            (false, true) => trailing(&removed),
            _ => trailing(&inserted),
        };
        let spaces = if removed.is_empty() {
            &inserted
        } else {
            &removed
        };
        out.push_str(&spaces[..before]);
        let tail = spaces[spaces.len() - after..].to_string();
        let (removed, inserted) = (removed.trim(), inserted.trim());
        if !removed.is_empty() {
            let _ = write!(out, "[-{removed}-]");
        }
        if !inserted.is_empty() {
            let _ = write!(out, "{{+{inserted}+}}");
        }
        out.push_str(&tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::word_diff;

    #[test]
    fn words_that_change_and_those_that_stay() {
        assert_eq!(
            word_diff(
                "For teams that ship every day",
                "For teams that deploy every day"
            ),
            "For teams that [-ship-]{+deploy+} every day"
        );
        assert_eq!(word_diff("Pro", "Pro Plus"), "Pro {+Plus+}");
        assert_eq!(
            word_diff("Credits for the o1 models", "Credits for o3 models"),
            "Credits for [-the o1-]{+o3+} models"
        );
        assert_eq!(word_diff("Starter", "Team"), "[-Starter-]{+Team+}");
        assert_eq!(
            word_diff("For teams: 500 credits", "For growing teams: 400 credits"),
            "For {+growing+} teams: [-500-]{+400+} credits"
        );
    }
}
