use std::borrow::Cow;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use toml::de::DeValue;

/// An exact decimal written in the source, as a TOML number (`0.0015`, `1_000_000`) or a quoted
/// string (`"0.0015"`).
///
/// It is read from the source text, never through `f64`: `0.1` is exactly one tenth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DecimalLiteral(pub Decimal);

/// Why a value is not an exact decimal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalProblem {
    /// Not a number at all, or written in a form we do not accept (hex, `nan`, `1__0`).
    #[error("{0}")]
    Malformed(String),
    /// A well-formed number that a decimal cannot hold without rounding (more than 28
    /// fractional digits, or beyond ±7.9e28).
    #[error("{0}")]
    Inexact(String),
}

impl DecimalLiteral {
    /// Reads a TOML value as an exact decimal.
    pub fn from_value(value: &DeValue<'_>) -> Result<DecimalLiteral, DecimalProblem> {
        match value {
            DeValue::Integer(integer) => {
                if integer.radix() != 10 {
                    return Err(DecimalProblem::Malformed(
                        "amounts are written in decimal, not hexadecimal, octal or binary".into(),
                    ));
                }
                parse_plain(integer.as_str())
            }
            DeValue::Float(float) => parse_plain(float.as_str()),
            DeValue::String(text) => parse_quoted(text),
            other => Err(DecimalProblem::Malformed(format!(
                "expected a number, found {}",
                describe(other)
            ))),
        }
    }
}

impl std::str::FromStr for DecimalLiteral {
    type Err = DecimalProblem;

    /// Reads a decimal as the pricing language writes one (`1_000`, `0.0015`, `1e3`, `-2`),
    /// exactly: for command-line values.
    fn from_str(text: &str) -> Result<DecimalLiteral, DecimalProblem> {
        parse_quoted(text)
    }
}

/// A TOML number's text with separators already removed by the TOML parser.
fn parse_plain(text: &str) -> Result<DecimalLiteral, DecimalProblem> {
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned == "inf" || unsigned == "nan" {
        return Err(DecimalProblem::Malformed(format!(
            "`{text}` is not an amount"
        )));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed
        .map(DecimalLiteral)
        .map_err(|error| classify(text, &error))
}

/// A quoted decimal: the same grammar as a TOML decimal number, `_` allowed between digits.
fn parse_quoted(text: &str) -> Result<DecimalLiteral, DecimalProblem> {
    let malformed = || DecimalProblem::Malformed(format!("`{text}` is not a decimal number"));
    let bytes = text.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        match byte {
            b'0'..=b'9' | b'.' | b'+' | b'-' | b'e' | b'E' => {}
            b'_' => {
                let between_digits = index > 0
                    && bytes[index - 1].is_ascii_digit()
                    && bytes.get(index + 1).is_some_and(u8::is_ascii_digit);
                if !between_digits {
                    return Err(malformed());
                }
            }
            _ => return Err(malformed()),
        }
    }
    let cleaned: String = text.chars().filter(|character| *character != '_').collect();
    let unsigned = cleaned.trim_start_matches(['+', '-']);
    let well_formed = cleaned.len() - unsigned.len() <= 1
        && unsigned.starts_with(|character: char| character.is_ascii_digit())
        && !unsigned.ends_with('.')
        && unsigned.matches('.').count() <= 1;
    if !well_formed {
        return Err(malformed());
    }
    parse_plain(&cleaned)
}

/// Every text that reaches the decimal parser is well formed (TOML checked numbers, and
/// quoted decimals are checked above), so a failure means the value does not fit.
fn classify(text: &str, _: &rust_decimal::Error) -> DecimalProblem {
    DecimalProblem::Inexact(format!(
        "`{text}` cannot be held exactly: a decimal keeps at most 28 digits after the point and about 28 significant digits"
    ))
}

/// How a TOML value is named in messages ("found a boolean").
pub fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl JsonSchema for DecimalLiteral {
    fn schema_name() -> Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An exact decimal: a TOML number, or a quoted string such as \"0.0015\" (read exactly, never through floating point).",
            "anyOf": [
                { "type": "number" },
                { "type": "string", "pattern": "^[+-]?[0-9](_?[0-9])*(\\.[0-9](_?[0-9])*)?([eE][+-]?[0-9]+)?$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(source: &str) -> Result<Decimal, DecimalProblem> {
        let document = format!("x = {source}");
        let table = toml::de::DeTable::parse(&document).expect("valid TOML");
        let value = table.get_ref().get("x").expect("key x");
        DecimalLiteral::from_value(value.get_ref()).map(|literal| literal.0)
    }

    #[test]
    fn reads_numbers_and_strings_exactly() {
        let cases = [
            ("0.1", "0.1"),
            ("0.0015", "0.0015"),
            ("1_000_000", "1000000"),
            ("\"0.0015\"", "0.0015"),
            ("\"1_000.5\"", "1000.5"),
            ("1e-3", "0.001"),
            ("2.5E2", "250"),
            ("-3", "-3"),
            (
                "0.3000000000000000000000000001",
                "0.3000000000000000000000000001",
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(
                read(source).map(|value| value.to_string()),
                Ok(expected.to_string()),
                "{source}"
            );
        }
    }

    #[test]
    fn rejects_malformed_numbers() {
        for source in [
            "0x10",
            "inf",
            "nan",
            "\"1__0\"",
            "\"_1\"",
            "\"1.\"",
            "\"abc\"",
            "\"\"",
            "true",
            "\"--1\"",
            "\"1.2.3\"",
        ] {
            assert!(
                matches!(read(source), Err(DecimalProblem::Malformed(_))),
                "{source}"
            );
        }
    }

    #[test]
    fn rejects_what_cannot_be_held_exactly() {
        for source in [
            "0.00000000000000000000000000001",
            "0.30000000000000000000000000001",
            "\"99999999999999999999999999999999\"",
        ] {
            assert!(
                matches!(read(source), Err(DecimalProblem::Inexact(_))),
                "{source}: {:?}",
                read(source)
            );
        }
    }
}
