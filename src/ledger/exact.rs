//! Exact arithmetic for balances: a result a decimal cannot hold exactly is an error, never a
//! silent rounding.
//!
//! `rust_decimal` rounds a result that needs more than 28 digits after the point or more than
//! 96 bits of mantissa (`500 - 0.0000000000000000000000000875` comes back as `500`), and then a
//! lot would no longer agree with its entries. Here the exact result is computed on the
//! mantissas in 128-bit integers, and only a result that fits a decimal is returned.

use rust_decimal::Decimal;

use super::error::LedgerError;

/// `a + b`, exactly.
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    exact_sum(a, b).ok_or_else(|| inexact(a, "+", b))
}

/// `a - b`, exactly.
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    exact_sum(a, -b).ok_or_else(|| inexact(a, "-", b))
}

/// `a × b`, exactly.
pub fn mul(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    let ((mantissa_a, scale_a), (mantissa_b, scale_b)) = (parts(a), parts(b));
    mantissa_a
        .checked_mul(mantissa_b)
        .and_then(|mantissa| build(mantissa, scale_a + scale_b))
        .ok_or_else(|| inexact(a, "×", b))
}

/// The sum of several values, exactly.
pub fn sum(values: impl IntoIterator<Item = Decimal>) -> Result<Decimal, LedgerError> {
    values.into_iter().try_fold(Decimal::ZERO, add)
}

fn exact_sum(a: Decimal, b: Decimal) -> Option<Decimal> {
    let ((mantissa_a, scale_a), (mantissa_b, scale_b)) = (parts(a), parts(b));
    let scale = scale_a.max(scale_b);
    let aligned = |mantissa: i128, from: u32| {
        10_i128
            .checked_pow(scale - from)
            .and_then(|factor| mantissa.checked_mul(factor))
    };
    build(
        aligned(mantissa_a, scale_a)?.checked_add(aligned(mantissa_b, scale_b)?)?,
        scale,
    )
}

fn parts(value: Decimal) -> (i128, u32) {
    let normalized = value.normalize();
    (normalized.mantissa(), normalized.scale())
}

/// The decimal `mantissa × 10^-scale`, when a decimal holds it exactly.
fn build(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if scale > 28 || mantissa.unsigned_abs() >= 1_u128 << 96 {
        return None;
    }
    Some(Decimal::from_i128_with_scale(mantissa, scale))
}

fn inexact(a: Decimal, operation: &str, b: Decimal) -> LedgerError {
    LedgerError::Amount(format!(
        "{} {operation} {} cannot be held exactly: a decimal keeps about 28 significant digits, at most 28 after the point, up to the largest decimal (about 7.9e28); use values with fewer digits",
        a.normalize(),
        b.normalize()
    ))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::{add, mul, sub};

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    #[test]
    fn exact_results_are_returned_and_rounded_ones_refused() {
        let exact = [
            (add(decimal("0.1"), decimal("0.2")), "0.3"),
            (sub(decimal("500"), decimal("150")), "350"),
            (mul(decimal("100000"), decimal("0.0015")), "150"),
            (
                mul(decimal("0.000000000000002"), decimal("0.00000000000005")),
                "0.0000000000000000000000000001",
            ),
            (add(decimal("0.5"), decimal("0.5")), "1"),
            (
                mul(decimal("0.0000000000000000000000001"), decimal("0.875")),
                "0.0000000000000000000000000875",
            ),
        ];
        for (result, expected) in exact {
            assert_eq!(result.expect("exact"), decimal(expected));
        }
        for inexact in [
            sub(decimal("500"), decimal("0.0000000000000000000000000875")),
            mul(decimal("0.00000000000000000001"), decimal("0.000000000001")),
            add(
                decimal("50000000000000000000000000000"),
                decimal("50000000000000000000000000000"),
            ),
            mul(decimal("0.3333333333333333333333333333"), decimal("0.5")),
        ] {
            let error = inexact.expect_err("rounded");
            assert!(
                error.to_string().contains("cannot be held exactly"),
                "{error}"
            );
        }
    }
}
