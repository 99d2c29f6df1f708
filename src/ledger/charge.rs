use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::catalog::Currency;

/// What a customer is charged at once: line items rounded one by one, and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Charge {
    pub currency: String,
    #[serde(with = "crate::catalog::decimal")]
    pub total: Decimal,
    pub line_items: Vec<LineItem>,
}

/// One line of a charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LineItem {
    pub description: String,
    /// Rounded to the currency's minor unit.
    #[serde(with = "crate::catalog::decimal")]
    pub amount: Decimal,
    /// The exact amount before rounding.
    #[serde(with = "crate::catalog::decimal")]
    pub exact: Decimal,
}

/// Rounds a charge to the currency's minor unit, half away from zero (the rule named in
/// docs/ledger.md; 0.005 USD is 0.01).
pub fn round_charge(currency: &Currency, amount: Decimal) -> Decimal {
    let mut rounded =
        amount.round_dp_with_strategy(currency.minor_units, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(currency.minor_units);
    rounded
}

impl Charge {
    /// A charge of line items (description, exact amount): each rounded once, the total their
    /// sum, so the line items always add up to the total.
    pub fn new(currency: &Currency, lines: Vec<(String, Decimal)>) -> Charge {
        let line_items: Vec<LineItem> = lines
            .into_iter()
            .map(|(description, exact)| LineItem {
                description,
                amount: round_charge(currency, exact),
                exact: exact.normalize(),
            })
            .collect();
        let mut total = line_items.iter().map(|line| line.amount).sum::<Decimal>();
        total.rescale(currency.minor_units);
        Charge {
            currency: currency.code.to_string(),
            total,
            line_items,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::{Charge, round_charge};
    use crate::catalog::Currency;

    #[test]
    fn rounds_half_away_from_zero_per_line() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let cases = [
            (usd, "0.005", "0.01"),
            (usd, "0.0049", "0.00"),
            (usd, "5", "5.00"),
            (usd, "-0.005", "-0.01"),
            (jpy, "0.5", "1"),
        ];
        for (currency, amount, expected) in cases {
            assert_eq!(
                round_charge(currency, Decimal::from_str(amount).unwrap()).to_string(),
                expected
            );
        }
        let charge = Charge::new(
            usd,
            vec![
                ("a".into(), Decimal::from_str("0.005").unwrap()),
                ("b".into(), Decimal::from_str("0.005").unwrap()),
            ],
        );
        assert_eq!(
            charge.total.to_string(),
            "0.02",
            "the sum of rounded lines, not the rounded sum"
        );
    }
}
