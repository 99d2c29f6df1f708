//! A change in percent: computed one way and written one way, wherever the plan or the
//! revenue impact shows one (`"-80.0"`, `"25.0"`).

use rust_decimal::{Decimal, RoundingStrategy};

/// The change from `before` to `after` in percent, one decimal, rounded half away from zero;
/// `None` from zero (no percentage of nothing).
pub fn change_percent(before: Decimal, after: Decimal) -> Option<Decimal> {
    if before.is_zero() {
        return None;
    }
    let change = (after - before)
        .checked_div(before)?
        .checked_mul(Decimal::ONE_HUNDRED)?;
    let mut rounded = change.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(1);
    Some(rounded)
}

/// A change in percent in a JSON document: a string with exactly one digit after the point
/// (`"-80.0"`, `"20.0"`), or `null`. For `#[serde(with = "crate::diff::percent::one_decimal")]`.
pub mod one_decimal {
    use rust_decimal::Decimal;
    use serde::Serializer;

    /// Read exactly, as every decimal of a document.
    pub use crate::catalog::decimal::option::deserialize;

    #[allow(clippy::ref_option)] // serde's `with` hands the field by reference
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(percent) => serializer.collect_str(&format_args!("{percent:.1}")),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::change_percent;
    use rust_decimal::Decimal;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn one_decimal_half_away_from_zero_and_none_from_zero() {
        assert_eq!(
            change_percent(decimal("20"), decimal("25")),
            Some(decimal("25.0"))
        );
        assert_eq!(
            change_percent(decimal("3"), decimal("4")).map(|percent| percent.to_string()),
            Some("33.3".into())
        );
        // -0.05% rounds away from zero to -0.1, +0.05% to 0.1.
        assert_eq!(
            change_percent(decimal("2000"), decimal("1999")),
            Some(decimal("-0.1"))
        );
        assert_eq!(
            change_percent(decimal("2000"), decimal("2001")),
            Some(decimal("0.1"))
        );
        assert_eq!(change_percent(Decimal::ZERO, decimal("5")), None);
        assert_eq!(
            change_percent(decimal("5"), decimal("5")).map(|percent| percent.to_string()),
            Some("0.0".into())
        );
    }

    #[test]
    fn written_with_exactly_one_decimal() {
        #[derive(serde::Serialize)]
        struct Document {
            #[serde(with = "super::one_decimal")]
            change_percent: Option<Decimal>,
        }
        let written = |percent| {
            serde_json::to_string(&Document {
                change_percent: percent,
            })
            .unwrap()
        };
        assert_eq!(
            written(Some(decimal("100"))),
            r#"{"change_percent":"100.0"}"#
        );
        assert_eq!(
            written(Some(decimal("-12.50"))),
            r#"{"change_percent":"-12.5"}"#
        );
        assert_eq!(written(None), r#"{"change_percent":null}"#);
    }
}
