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
        Rate::Flat { amount } => per_units(quantity, per, *amount),
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
            per_units(quantity, per, *amount)
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
                total = total.checked_add(per_units(units, per, *amount)?)?;
                floor = ceiling;
            }
            Some(total)
        }
    }
}

/// `units / per × amount`, multiplied first: `1 / 3` is not exact in a decimal, and the
/// truncated quotient times the amount can land just under a rounding midpoint (1 unit at
/// 0.015 per 3 is 0.005, which rounds to 0.01; divided first it is 0.00499…, which rounds to
/// 0.00). Only a product too large for a decimal is divided first. `None` when both overflow.
fn per_units(units: Decimal, per: Decimal, amount: Decimal) -> Option<Decimal> {
    units
        .checked_mul(amount)
        .and_then(|product| product.checked_div(per))
        .or_else(|| units.checked_div(per)?.checked_mul(amount))
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
    fn multiplies_before_dividing_by_the_billing_unit() {
        let rate = Rate::Flat {
            amount: decimal("0.015"),
        };
        assert_eq!(
            cost_of(&rate, decimal("3"), decimal("1")),
            Some(decimal("0.005"))
        );
        // Divided first, 241 / 3 × 0.045 is 3.6149999999999999999999999998, a cent short
        // once rounded.
        let rate = Rate::Flat {
            amount: decimal("0.045"),
        };
        assert_eq!(
            cost_of(&rate, decimal("3"), decimal("241")),
            Some(decimal("3.615"))
        );
        let tiers = [(TierBound::Infinite, decimal("0.045"))];
        for mode in [TierMode::Graduated, TierMode::Volume] {
            assert_eq!(
                tiered_cost(mode, &tiers, decimal("3"), decimal("241")),
                Some(decimal("3.615")),
                "{mode:?}"
            );
        }
        // A product beyond a decimal's range is divided first rather than refused.
        let large = decimal("70000000000000000000000000000");
        assert_eq!(
            cost_of(
                &Rate::Flat {
                    amount: decimal("2")
                },
                decimal("10"),
                large
            ),
            Some(decimal("14000000000000000000000000000"))
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
