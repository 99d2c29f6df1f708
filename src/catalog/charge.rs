//! What a quantity of an item costs, exactly (no rounding: rounding to the currency's minor
//! unit happens once, at charge time, with a named rule).

use rust_decimal::Decimal;

use super::choices::TierMode;
use super::item::{Rate, TierBound};

/// The money for `quantity` units at `rate`, where amounts are for every `per` units.
///
/// Graduated tiers charge each unit at the tier it falls in; volume tiers charge every unit at
/// the tier the whole quantity falls in. `None` only on arithmetic overflow.
pub fn cost_of(rate: &Rate, per: Decimal, quantity: Decimal) -> Option<Decimal> {
    match rate {
        Rate::Flat { amount } => quantity.checked_div(per)?.checked_mul(*amount),
        Rate::Tiered { tier_mode, tiers } => {
            let tiers: Vec<(TierBound, Decimal)> =
                tiers.iter().map(|tier| (tier.up_to, tier.amount)).collect();
            tiered_cost(*tier_mode, &tiers, per, quantity)
        }
    }
}

/// [`cost_of`] for tiers given as `(up_to, amount)` pairs in ascending order.
pub fn tiered_cost(
    mode: TierMode,
    tiers: &[(TierBound, Decimal)],
    per: Decimal,
    quantity: Decimal,
) -> Option<Decimal> {
    match mode {
        TierMode::Volume => {
            let (_, amount) = tiers.iter().find(|(up_to, _)| match up_to {
                TierBound::Units(bound) => quantity <= *bound,
                TierBound::Infinite => true,
            })?;
            quantity.checked_div(per)?.checked_mul(*amount)
        }
        TierMode::Graduated => {
            let mut total = Decimal::ZERO;
            let mut floor = Decimal::ZERO;
            for (up_to, amount) in tiers {
                if quantity <= floor {
                    break;
                }
                let ceiling = match up_to {
                    TierBound::Units(bound) => quantity.min(*bound),
                    TierBound::Infinite => quantity,
                };
                let units = ceiling - floor;
                total = total.checked_add(units.checked_div(per)?.checked_mul(*amount)?)?;
                floor = ceiling;
            }
            Some(total)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn flat_prices_charge_per_billing_unit() {
        let rate = Rate::Flat {
            amount: decimal("0.01"),
        };
        assert_eq!(
            cost_of(&rate, Decimal::ONE, decimal("500")),
            Some(decimal("5"))
        );
        assert_eq!(
            cost_of(&rate, Decimal::ONE, decimal("1000")),
            Some(decimal("10"))
        );
        let per_thousand = Rate::Flat {
            amount: decimal("10"),
        };
        assert_eq!(
            cost_of(&per_thousand, decimal("1000"), decimal("3000")),
            Some(decimal("30"))
        );
    }

    #[test]
    fn graduated_and_volume_tiers() {
        let tiers = [
            (TierBound::Units(decimal("100")), decimal("1")),
            (TierBound::Units(decimal("200")), decimal("0.5")),
            (TierBound::Infinite, decimal("0.25")),
        ];
        let cases = [
            (TierMode::Graduated, "50", "50"),
            (TierMode::Graduated, "150", "125"),
            (TierMode::Graduated, "300", "175"),
            (TierMode::Volume, "50", "50"),
            (TierMode::Volume, "150", "75"),
            (TierMode::Volume, "300", "75"),
            (TierMode::Graduated, "0", "0"),
        ];
        for (mode, quantity, expected) in cases {
            assert_eq!(
                tiered_cost(mode, &tiers, Decimal::ONE, decimal(quantity)),
                Some(decimal(expected)),
                "{mode:?} {quantity}"
            );
        }
    }
}
