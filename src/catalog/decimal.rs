//! Decimals in the catalog's JSON form: normalized strings (`"0.015"`), never JSON numbers,
//! so no consumer reads an amount through floating point.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};

/// Serializes a decimal as its normalized string.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.normalize().to_string())
}

/// Reads a decimal from its string form, exactly.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    Decimal::from_str_exact(&text).map_err(serde::de::Error::custom)
}

/// The same for `Option<Decimal>`.
pub mod option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(decimal) => serializer.serialize_str(&decimal.normalize().to_string()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
        text.map(|text| Decimal::from_str_exact(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// The same for maps of decimals (`{ "credits": "500" }`).
pub mod map {
    use std::collections::BTreeMap;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &BTreeMap<String, Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            value
                .iter()
                .map(|(key, decimal)| (key, decimal.normalize().to_string())),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Decimal>, D::Error> {
        let texts = BTreeMap::<String, String>::deserialize(deserializer)?;
        texts
            .into_iter()
            .map(|(key, text)| {
                Decimal::from_str_exact(&text)
                    .map(|decimal| (key, decimal))
                    .map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

/// Divides exactly: `Some` only when `numerator / denominator` is a decimal with no rounding.
///
/// A quotient that fills a decimal's whole precision (28 significant digits) is taken as
/// rounded: `10 / 3` is `3.333…3` to 28 digits, and multiplying back rounds to 10 again, so
/// the product alone cannot tell. Exact pricing quotients are short.
pub fn exact_div(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    let quotient = numerator.checked_div(denominator)?.normalize();
    if quotient.mantissa().unsigned_abs().to_string().len() >= 28 {
        return None;
    }
    (quotient.checked_mul(denominator)? == numerator).then_some(quotient)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::exact_div;
    use rust_decimal::Decimal;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn divides_exactly_or_not_at_all() {
        let cases = [
            ("1500", "1000000", Some("0.0015")),
            ("6000", "1000000", Some("0.006")),
            ("375", "1000000", Some("0.000375")),
            ("1", "3", None),
            ("2", "7", None),
            ("10", "4", Some("2.5")),
            ("1", "0", None),
            ("10", "3", None),
            ("100", "3", None),
            ("20", "7", None),
            ("1000", "3", None),
            ("0.5", "0.25", Some("2")),
        ];
        for (numerator, denominator, expected) in cases {
            assert_eq!(
                exact_div(decimal(numerator), decimal(denominator)).map(|value| value.to_string()),
                expected.map(str::to_string),
                "{numerator} / {denominator}"
            );
        }
    }
}
