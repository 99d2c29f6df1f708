//! Amounts as exact JSON numbers.
//!
//! Autumn's API writes money and quantities as JSON numbers (`"amount": 0.01`), and a
//! JavaScript client writes small ones in exponent form (`1e-7`). `serde_json`'s
//! `arbitrary_precision` keeps each number's text, so these functions read it into a
//! [`Decimal`] exactly (never through `f64`) and write a decimal back as the shortest exact
//! number text (`0.0000001`, `2000`).

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Reads a decimal from a JSON number's text, exactly: `0.0015`, `1e-7`, `-2.5E3`.
pub fn parse(text: &str) -> Result<Decimal, String> {
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|_| format!("the number {text} does not fit an exact decimal (28 digits)"))
}

/// The JSON number text of a decimal: normalized, never in exponent form.
pub fn text(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Serializes a decimal as an exact JSON number.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let number: serde_json::Number = text(*value).parse().map_err(S::Error::custom)?;
    number.serialize(serializer)
}

/// Reads a decimal from a JSON number, exactly.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    parse(number.as_str()).map_err(D::Error::custom)
}

/// The same for `Option<Decimal>` (`null` or absent is `None`).
pub mod option {
    use rust_decimal::Decimal;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(decimal) => super::serialize(decimal, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Option::<serde_json::Number>::deserialize(deserializer)?
            .map(|number| super::parse(number.as_str()).map_err(D::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Amount {
        #[serde(with = "super")]
        amount: Decimal,
    }

    #[test]
    fn numbers_are_read_exactly_in_every_form() {
        let cases = [
            ("0.0015", "0.0015"),
            ("1e-7", "0.0000001"),
            ("1.5E3", "1500"),
            ("-2.5e-1", "-0.25"),
            ("20", "20"),
            ("0.1", "0.1"),
            // Past f64's 17 significant digits: f64 would have rounded it.
            ("1234567890.123456789012", "1234567890.123456789012"),
        ];
        for (json, expected) in cases {
            let read: Amount =
                serde_json::from_str(&format!(r#"{{"amount":{json}}}"#)).expect(json);
            assert_eq!(read.amount.to_string(), expected, "{json}");
        }
    }

    #[test]
    fn decimals_are_written_as_exact_numbers() {
        for (decimal, json) in [
            (Decimal::new(1, 7), r#"{"amount":0.0000001}"#),
            (Decimal::new(500, 2), r#"{"amount":5}"#),
            (Decimal::new(15, 4), r#"{"amount":0.0015}"#),
        ] {
            let written = serde_json::to_string(&Amount { amount: decimal }).expect("serializes");
            assert_eq!(written, json);
            let back: Amount = serde_json::from_str(&written).expect("reads back");
            assert_eq!(back.amount, decimal);
        }
    }

    #[test]
    fn strings_and_overflowing_numbers_are_refused() {
        assert!(serde_json::from_str::<Amount>(r#"{"amount":"5"}"#).is_err());
        let error = serde_json::from_str::<Amount>(r#"{"amount":1e400}"#)
            .expect_err("too large for a decimal");
        assert!(error.to_string().contains("does not fit"), "{error}");
    }
}
