//! What a change of an item's prepaid quantity charges or credits, and when: the item's
//! proration policy (Autumn's item `proration.on_increase` / `on_decrease`, read by
//! `priceToProrationConfig`; without one, prorated and now both ways). See docs/ledger.md,
//! "Changing a prepaid quantity".

use rust_decimal::Decimal;

use super::clock::Instant;
use super::error::LedgerError;
use crate::catalog::charge::cost_of;
use crate::catalog::{ItemPrice, OnDecrease, OnIncrease, Proration};

/// When a change's line items are billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billed {
    /// Charged (or credited) now.
    Now,
    /// On the next invoice: at the item's next period boundary.
    NextCycle,
    /// Never: the quantity in force when the period ends is what the renewal charges.
    Never,
}

/// A change of one item's quantity, as the policy bills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billing {
    pub billed: Billed,
    /// Line items (description, exact amount): a credit for the quantity paid for, a charge
    /// for the new one. Empty when nothing is billed.
    pub lines: Vec<(String, Decimal)>,
    /// The quantity paid for until the period ends, after the change.
    pub paid: Decimal,
    /// Whether the units move now (`false`: a decrease that credits nothing keeps the freed
    /// units usable until the period ends).
    pub units_move_now: bool,
}

/// A change of an item's quantity within a period.
pub struct Change<'a> {
    pub item_id: &'a str,
    pub price: &'a ItemPrice,
    /// The quantity in force before the change (its direction decides the policy).
    pub from: Decimal,
    /// The quantity paid for the rest of the period (`from`, unless an earlier change this
    /// period was not billed).
    pub paid: Decimal,
    pub to: Decimal,
    /// The share of the period still to come (1 at its start).
    pub share: Decimal,
    /// The end of the period.
    pub until: Instant,
}

/// What a change bills under `policy` (`None`: prorated and now, both ways, Autumn's default):
/// an increase by `on_increase`, a decrease by `on_decrease`. Prorated policies credit the
/// quantity paid for and charge the new one, each for the share of the period still to come;
/// `bill_immediately` does both in full.
pub fn bill_change(policy: Option<Proration>, change: &Change<'_>) -> Result<Billing, LedgerError> {
    let (billed, prorated) = if change.to > change.from {
        match policy.map_or(OnIncrease::ProrateImmediately, |policy| policy.on_increase) {
            OnIncrease::ProrateImmediately => (Billed::Now, true),
            OnIncrease::BillImmediately => (Billed::Now, false),
            OnIncrease::ProrateNextCycle => (Billed::NextCycle, true),
            OnIncrease::BillNextCycle => (Billed::Never, false),
        }
    } else {
        match policy.map_or(OnDecrease::ProrateImmediately, |policy| policy.on_decrease) {
            OnDecrease::ProrateImmediately => (Billed::Now, true),
            OnDecrease::ProrateNextCycle => (Billed::NextCycle, true),
            OnDecrease::None => (Billed::Never, false),
        }
    };
    let units_move_now = change.to > change.from || billed != Billed::Never;
    if billed == Billed::Never {
        return Ok(Billing {
            billed,
            lines: Vec::new(),
            paid: change.paid,
            units_move_now,
        });
    }
    let share = if prorated { change.share } else { Decimal::ONE };
    let cost = |quantity: Decimal| -> Result<Decimal, LedgerError> {
        cost_of(&change.price.rate, change.price.per, quantity)
            .and_then(|cost| cost.checked_mul(share))
            .ok_or_else(|| LedgerError::Amount("the charge overflows".into()))
    };
    let suffix = if prorated && share != Decimal::ONE {
        format!(", prorated until {}", change.until)
    } else {
        String::new()
    };
    let mut lines = Vec::new();
    if change.paid > Decimal::ZERO {
        lines.push((
            format!(
                "{} × {}: credited{suffix}",
                change.item_id,
                change.paid.normalize()
            ),
            -cost(change.paid)?,
        ));
    }
    if change.to > Decimal::ZERO {
        lines.push((
            format!("{} × {}{suffix}", change.item_id, change.to.normalize()),
            cost(change.to)?,
        ));
    }
    Ok(Billing {
        billed,
        lines,
        paid: change.to,
        units_move_now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Billing as PriceBilling, PriceInterval, Rate};

    fn seats_at_ten() -> ItemPrice {
        ItemPrice {
            billing: PriceBilling::Prepaid,
            interval: PriceInterval::Month,
            per: Decimal::ONE,
            rate: Rate::Flat {
                amount: Decimal::TEN,
            },
            prepaid: None,
        }
    }

    fn change(price: &ItemPrice, from: i64, to: i64) -> Change<'_> {
        Change {
            item_id: "seats",
            price,
            from: Decimal::from(from),
            paid: Decimal::from(from),
            to: Decimal::from(to),
            share: Decimal::new(5, 1),
            until: Instant(0),
        }
    }

    fn total(billing: &Billing) -> Decimal {
        billing.lines.iter().map(|(_, amount)| *amount).sum()
    }

    #[test]
    fn each_policy_bills_a_change_now_next_cycle_or_never() {
        let price = seats_at_ten();
        let policy = |on_increase, on_decrease| {
            Some(Proration {
                on_increase,
                on_decrease,
            })
        };
        // 3 → 5 seats at $10 with half the period left.
        let cases = [
            (None, 3, 5, Billed::Now, "10"),
            (
                policy(OnIncrease::BillImmediately, OnDecrease::None),
                3,
                5,
                Billed::Now,
                "20",
            ),
            (
                policy(OnIncrease::ProrateNextCycle, OnDecrease::None),
                3,
                5,
                Billed::NextCycle,
                "10",
            ),
            (
                policy(OnIncrease::BillNextCycle, OnDecrease::None),
                3,
                5,
                Billed::Never,
                "0",
            ),
            (None, 5, 3, Billed::Now, "-10"),
            (
                policy(OnIncrease::ProrateImmediately, OnDecrease::ProrateNextCycle),
                5,
                3,
                Billed::NextCycle,
                "-10",
            ),
            (
                policy(OnIncrease::ProrateImmediately, OnDecrease::None),
                5,
                3,
                Billed::Never,
                "0",
            ),
        ];
        for (policy, from, to, billed, expected) in cases {
            let billing = bill_change(policy, &change(&price, from, to)).expect("bills");
            assert_eq!(billing.billed, billed, "{policy:?} {from} → {to}");
            assert_eq!(
                total(&billing),
                expected.parse::<Decimal>().expect("decimal")
            );
            // What is not billed stays paid at the old quantity; the units of a decrease
            // that credits nothing stay until the period ends.
            let paid = if billed == Billed::Never { from } else { to };
            assert_eq!(billing.paid, Decimal::from(paid));
            assert_eq!(billing.units_move_now, to > from || billed != Billed::Never);
        }
    }
}
