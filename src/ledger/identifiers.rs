//! What a customer id and an idempotency key may be, checked by the ledger itself so that the
//! CLI, scenarios, usage replays and `pricectl serve` all get the same answer.
//!
//! - A customer id is what Autumn accepts (`CustomerIdSchema`): not empty, only ASCII letters,
//!   digits, `_`, `-` and `:` (so no `@`, space, `.` or newline), and, pricectl's own bound, at
//!   most [`LONGEST_CUSTOMER_ID`] characters.
//! - An idempotency key is not empty, has no control characters (a newline would forge a line
//!   of the history or of a log) and is at most [`LONGEST_IDEMPOTENCY_KEY`] bytes.

use super::error::LedgerError;

/// The longest customer id, in characters (every allowed character is one byte).
pub const LONGEST_CUSTOMER_ID: usize = 256;

/// The longest idempotency key, in bytes: room for a UUID or a hash with a prefix
/// (`pricectl serve` adds `track:` to the keys it passes on).
pub const LONGEST_IDEMPOTENCY_KEY: usize = 512;

/// Characters of a refused value shown in its error.
const SHOWN: usize = 40;

/// Refuses a customer id Autumn would refuse, or one longer than [`LONGEST_CUSTOMER_ID`].
pub(super) fn check_customer_id(id: &str) -> Result<(), LedgerError> {
    let invalid = |reason: String| {
        Err(LedgerError::InvalidCustomerId {
            id: shown(id),
            reason,
        })
    };
    if id.is_empty() {
        return invalid("it is empty".into());
    }
    if let Some(character) = id
        .chars()
        .find(|character| !(character.is_ascii_alphanumeric() || "_-:".contains(*character)))
    {
        return invalid(format!(
            "{} is not allowed: use letters, digits, `_`, `-` and `:`",
            describe(character)
        ));
    }
    if id.len() > LONGEST_CUSTOMER_ID {
        return invalid(format!(
            "it is {} characters long, more than {LONGEST_CUSTOMER_ID}",
            id.len()
        ));
    }
    Ok(())
}

/// Refuses an idempotency key that is empty, holds a control character or is longer than
/// [`LONGEST_IDEMPOTENCY_KEY`] bytes.
pub(crate) fn check_idempotency_key(key: Option<&str>) -> Result<(), LedgerError> {
    let Some(key) = key else {
        return Ok(());
    };
    let invalid = |reason: String| {
        Err(LedgerError::InvalidIdempotencyKey {
            key: shown(key),
            reason,
        })
    };
    if key.is_empty() {
        return invalid("it is empty: leave it out for a request that may be repeated".into());
    }
    if let Some(character) = key.chars().find(|character| character.is_control()) {
        return invalid(format!("{} is not allowed", describe(character)));
    }
    if key.len() > LONGEST_IDEMPOTENCY_KEY {
        return invalid(format!(
            "it is {} bytes long, more than {LONGEST_IDEMPOTENCY_KEY}",
            key.len()
        ));
    }
    Ok(())
}

/// The error for a customer the store does not hold: an id no customer can have is said to be
/// invalid (shown short), rather than unknown (and echoed whole).
pub(super) fn unknown_customer(id: &str) -> LedgerError {
    match check_customer_id(id) {
        Err(invalid) => invalid,
        Ok(()) => LedgerError::UnknownCustomer(id.to_string()),
    }
}

/// A value as an error shows it: at most [`SHOWN`] characters, control characters escaped.
fn shown(value: &str) -> String {
    let mut text: String = value
        .chars()
        .take(SHOWN)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().nth(SHOWN).is_some() {
        text.push('…');
    }
    text
}

/// A character as a message names it: `` `@` ``, or its escape for one that does not print.
fn describe(character: char) -> String {
    match character {
        ' ' => "a space".into(),
        '`' => "a backtick".into(),
        _ => format!("`{}`", character.escape_debug()),
    }
}

#[cfg(test)]
mod tests {
    use super::{check_customer_id, check_idempotency_key, unknown_customer};

    #[test]
    fn customer_ids_are_what_autumn_accepts_and_at_most_256_characters() {
        for valid in ["acme", "cus_123", "org:team-7", &"a".repeat(256)] {
            assert!(check_customer_id(valid).is_ok(), "{valid}");
        }
        let refusals: Vec<String> = [
            "",
            "user@example.com",
            "two words",
            "acme.inc",
            "line\nbreak",
            "café",
            &"a".repeat(257),
            &"a".repeat(100_000),
        ]
        .iter()
        .map(|id| check_customer_id(id).expect_err(id).to_string())
        .collect();
        insta::assert_snapshot!(refusals.join("\n"), @r"
        invalid customer id ``: it is empty
        invalid customer id `user@example.com`: `@` is not allowed: use letters, digits, `_`, `-` and `:`
        invalid customer id `two words`: a space is not allowed: use letters, digits, `_`, `-` and `:`
        invalid customer id `acme.inc`: `.` is not allowed: use letters, digits, `_`, `-` and `:`
        invalid customer id `line\nbreak`: `\n` is not allowed: use letters, digits, `_`, `-` and `:`
        invalid customer id `café`: `é` is not allowed: use letters, digits, `_`, `-` and `:`
        invalid customer id `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…`: it is 257 characters long, more than 256
        invalid customer id `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…`: it is 100000 characters long, more than 256
        ");
    }

    #[test]
    fn idempotency_keys_are_printable_and_at_most_512_bytes() {
        for valid in [
            None,
            Some("b3c1a6f0-3f1e-4c55-9a8e-2f7d2c7e1a90"),
            Some("track:order 42 / é"),
            Some(&*"k".repeat(512)),
        ] {
            assert!(check_idempotency_key(valid).is_ok(), "{valid:?}");
        }
        let refusals: Vec<String> = ["", "a\nb", "tab\there", &"k".repeat(513)]
            .iter()
            .map(|key| check_idempotency_key(Some(key)).expect_err(key).to_string())
            .collect();
        insta::assert_snapshot!(refusals.join("\n"), @r"
        invalid idempotency key ``: it is empty: leave it out for a request that may be repeated
        invalid idempotency key `a\nb`: `\n` is not allowed
        invalid idempotency key `tab\there`: `\t` is not allowed
        invalid idempotency key `kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…`: it is 513 bytes long, more than 512
        ");
    }

    #[test]
    fn an_id_no_customer_can_have_is_invalid_rather_than_unknown() {
        assert_eq!(unknown_customer("acme").to_string(), "no customer `acme`");
        assert!(
            unknown_customer(&"x".repeat(100_000)).to_string().len() < 200,
            "the id is shown short"
        );
    }
}
