//! Amounts as exact JSON numbers.
//!
//! Autumn's API writes money and quantities as JSON numbers (`"amount": 0.01`), and a
//! JavaScript client writes small ones in exponent form (`1e-7`). `serde_json`'s
//! `arbitrary_precision` keeps each number's text, so these functions read it into a
//! [`Decimal`] exactly (never through `f64`) and write a decimal back as the shortest exact
//! number text (`0.0000001`, `2000`).

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

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
    let mut buffer = [0u8; NUMBER_TEXT_CAPACITY];
    number_text(value, &mut buffer).to_string()
}

/// The most bytes [`number_text`] writes: a sign, 29 digits (a decimal's 96-bit mantissa),
/// a point and the zeros before the first digit of a number under 1 (a scale of 28 at most).
const NUMBER_TEXT_CAPACITY: usize = 1 + 29 + 1 + 28;

/// Writes the normalized text of `value` into `buffer` (digits, a point only when there is a
/// fraction, no exponent) and returns it. Built from the mantissa and scale directly: the
/// answer of every track holds several amounts, and `Display` with its padding and
/// precision handling cost several times as much.
fn number_text(value: Decimal, buffer: &mut [u8; NUMBER_TEXT_CAPACITY]) -> &str {
    let value = value.normalize();
    let scale = value.scale() as usize;
    let mut mantissa = value.mantissa().unsigned_abs();
    // Digits from the last, at the end of the buffer, the point inserted after `scale` of
    // them, then zeros up to the units digit for a number under 1.
    let mut start = buffer.len();
    let mut written = 0;
    loop {
        if written == scale && scale > 0 {
            start -= 1;
            buffer[start] = b'.';
        }
        start -= 1;
        // `mantissa % 10` is under 10: the cast keeps it exactly.
        buffer[start] = b'0' + u8::try_from(mantissa % 10).unwrap_or(0);
        mantissa /= 10;
        written += 1;
        if mantissa == 0 && written > scale {
            break;
        }
    }
    if value.is_sign_negative() && !value.is_zero() {
        start -= 1;
        buffer[start] = b'-';
    }
    // Only ASCII digits, `.` and `-` were written.
    std::str::from_utf8(&buffer[start..]).unwrap_or("0")
}

/// The name under which `serde_json` (built with `arbitrary_precision`) receives a number's
/// text to write as it is: what `serde_json::Number` itself serializes as, and what
/// `rust_decimal`'s own serde support uses to read one. Writing the text through it saves
/// parsing it back into a `serde_json::Number` first (a second scan and allocation per
/// amount); a `serde_json` that stopped honouring it would write an object instead, which
/// the tests below would catch.
const SERDE_JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Serializes a decimal as an exact JSON number.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut buffer = [0u8; NUMBER_TEXT_CAPACITY];
    let text = number_text(*value, &mut buffer);
    let mut number = serializer.serialize_struct(SERDE_JSON_NUMBER_TOKEN, 1)?;
    number.serialize_field(SERDE_JSON_NUMBER_TOKEN, text)?;
    number.end()
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
    use serde::Serialize;

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
            (Decimal::new(-15, 4), r#"{"amount":-0.0015}"#),
            (Decimal::new(-1500, 2), r#"{"amount":-15}"#),
            (Decimal::new(0, 5), r#"{"amount":0}"#),
            (Decimal::new(-0, 3), r#"{"amount":0}"#),
            (Decimal::new(120_034, 3), r#"{"amount":120.034}"#),
            (
                Decimal::new(1, 28),
                r#"{"amount":0.0000000000000000000000000001}"#,
            ),
            (Decimal::MAX, r#"{"amount":79228162514264337593543950335}"#),
            (Decimal::MIN, r#"{"amount":-79228162514264337593543950335}"#),
            (
                Decimal::from_i128_with_scale(-79_228_162_514_264_337_593_543_950_335, 28),
                r#"{"amount":-7.9228162514264337593543950335}"#,
            ),
        ] {
            let written = serde_json::to_string(&Amount { amount: decimal }).expect("serializes");
            assert_eq!(written, json);
            let back: Amount = serde_json::from_str(&written).expect("reads back");
            assert_eq!(back.amount, decimal);
        }
    }

    #[test]
    fn the_written_text_is_the_decimal_s_own_normalized_text() {
        // The hand-written digits against `Display` of the normalized decimal, over
        // mantissas and scales of every length.
        let mut mantissa: i128 = 7;
        for _ in 0..28 {
            for scale in 0..=28 {
                for sign in [1, -1] {
                    let value = Decimal::from_i128_with_scale(sign * mantissa, scale);
                    assert_eq!(text(value), value.normalize().to_string(), "{value:?}");
                }
            }
            mantissa = mantissa * 10 + 3;
        }
        // Inside a `Value` (`serde_json::to_value`) the number is kept as written too.
        let value = serde_json::to_value(Amount {
            amount: Decimal::new(15, 4),
        })
        .expect("a value");
        assert_eq!(value["amount"].to_string(), "0.0015");
    }

    #[test]
    fn strings_and_overflowing_numbers_are_refused() {
        assert!(serde_json::from_str::<Amount>(r#"{"amount":"5"}"#).is_err());
        let error = serde_json::from_str::<Amount>(r#"{"amount":1e400}"#)
            .expect_err("too large for a decimal");
        assert!(error.to_string().contains("does not fit"), "{error}");
    }
}
