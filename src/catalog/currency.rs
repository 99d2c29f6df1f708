//! ISO 4217 currencies: codes, minor units and card-payment minimum charges.
//!
//! The table is ISO 4217 List One as maintained by SIX (the ISO 4217 maintenance
//! agency), in the state published on 2026-01-01. Compared with older copies of
//! the list that circulate, it no longer has:
//!
//! * `HRK` (Croatia joined the euro in 2023),
//! * `BGN` (Bulgaria joined the euro on 2026-01-01),
//! * `ANG` (replaced by `XCG` in Curaçao and Sint Maarten in 2025),
//! * `CUC` (Cuba dropped the convertible peso),
//! * `SLL` (redenominated as `SLE`),
//! * `ZWL` (replaced by `ZWG`).
//!
//! Codes that are not money a customer can be charged in are left out on
//! purpose, because a price list in them is always a mistake: precious metals
//! (`XAU`, `XAG`, `XPT`, `XPD`), accounting units (`XDR`, `XSU`, `XUA`, `XAD`,
//! `XBA`–`XBD`), and the test and "no currency" codes (`XTS`, `XXX`). Fund codes
//! that do carry money amounts (`BOV`, `CHE`, `CHW`, `CLF`, `COU`, `MXV`, `USN`,
//! `UYI`, `UYW`) stay, since ISO lists them with real minor units.

use rust_decimal::Decimal;

/// An ISO 4217 currency as pricing needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// The three-letter ISO 4217 code, upper case (`USD`).
    pub code: &'static str,
    /// Digits after the decimal point of the currency's minor unit (USD 2, JPY 0, KWD 3).
    pub minor_units: u32,
    /// The smallest amount a card payment processor (Stripe's published minimum charge amounts)
    /// accepts, in minor units of this currency; `None` when no minimum is published.
    minimum_charge_minor: Option<i64>,
}

/// A currency without a published card minimum.
const fn iso(code: &'static str, minor_units: u32) -> Currency {
    Currency {
        code,
        minor_units,
        minimum_charge_minor: None,
    }
}

/// A currency with a published card minimum, given in minor units so the table
/// stays integer-only (USD 0.50 is written as 50, HUF 175.00 as 17500).
const fn iso_min(code: &'static str, minor_units: u32, minimum_charge_minor: i64) -> Currency {
    Currency {
        code,
        minor_units,
        minimum_charge_minor: Some(minimum_charge_minor),
    }
}

/// Every active ISO 4217 currency used for payments, sorted by code so that
/// [`Currency::from_code`] can binary-search it. The sort order is checked at
/// compile time below, because an unsorted entry would make lookups silently
/// miss instead of failing loudly.
///
/// Minimum charges are Stripe's published minimum charge amounts; Stripe
/// publishes them only for the settlement currencies listed here.
static CURRENCIES: &[Currency] = &[
    iso_min("AED", 2, 200),
    iso("AFN", 2),
    iso("ALL", 2),
    iso("AMD", 2),
    iso("AOA", 2),
    iso("ARS", 2),
    iso_min("AUD", 2, 50),
    iso("AWG", 2),
    iso("AZN", 2),
    iso("BAM", 2),
    iso("BBD", 2),
    iso("BDT", 2),
    iso("BHD", 3),
    iso("BIF", 0),
    iso("BMD", 2),
    iso("BND", 2),
    iso("BOB", 2),
    iso("BOV", 2),
    iso_min("BRL", 2, 50),
    iso("BSD", 2),
    iso("BTN", 2),
    iso("BWP", 2),
    iso("BYN", 2),
    iso("BZD", 2),
    iso_min("CAD", 2, 50),
    iso("CDF", 2),
    iso("CHE", 2),
    iso_min("CHF", 2, 50),
    iso("CHW", 2),
    iso("CLF", 4),
    iso("CLP", 0),
    iso("CNY", 2),
    iso("COP", 2),
    iso("COU", 2),
    iso("CRC", 2),
    iso("CUP", 2),
    iso("CVE", 2),
    iso_min("CZK", 2, 1500),
    iso("DJF", 0),
    iso_min("DKK", 2, 250),
    iso("DOP", 2),
    iso("DZD", 2),
    iso("EGP", 2),
    iso("ERN", 2),
    iso("ETB", 2),
    iso_min("EUR", 2, 50),
    iso("FJD", 2),
    iso("FKP", 2),
    iso_min("GBP", 2, 30),
    iso("GEL", 2),
    iso("GHS", 2),
    iso("GIP", 2),
    iso("GMD", 2),
    iso("GNF", 0),
    iso("GTQ", 2),
    iso("GYD", 2),
    iso_min("HKD", 2, 400),
    iso("HNL", 2),
    iso("HTG", 2),
    iso_min("HUF", 2, 17500),
    iso("IDR", 2),
    iso("ILS", 2),
    iso_min("INR", 2, 50),
    iso("IQD", 3),
    iso("IRR", 2),
    iso("ISK", 0),
    iso("JMD", 2),
    iso("JOD", 3),
    iso_min("JPY", 0, 50),
    iso("KES", 2),
    iso("KGS", 2),
    iso("KHR", 2),
    iso("KMF", 0),
    iso("KPW", 2),
    iso("KRW", 0),
    iso("KWD", 3),
    iso("KYD", 2),
    iso("KZT", 2),
    iso("LAK", 2),
    iso("LBP", 2),
    iso("LKR", 2),
    iso("LRD", 2),
    iso("LSL", 2),
    iso("LYD", 3),
    iso("MAD", 2),
    iso("MDL", 2),
    iso("MGA", 2),
    iso("MKD", 2),
    iso("MMK", 2),
    iso("MNT", 2),
    iso("MOP", 2),
    iso("MRU", 2),
    iso("MUR", 2),
    iso("MVR", 2),
    iso("MWK", 2),
    iso_min("MXN", 2, 1000),
    iso("MXV", 2),
    iso_min("MYR", 2, 200),
    iso("MZN", 2),
    iso("NAD", 2),
    iso("NGN", 2),
    iso("NIO", 2),
    iso_min("NOK", 2, 300),
    iso("NPR", 2),
    iso_min("NZD", 2, 50),
    iso("OMR", 3),
    iso("PAB", 2),
    iso("PEN", 2),
    iso("PGK", 2),
    iso("PHP", 2),
    iso("PKR", 2),
    iso_min("PLN", 2, 200),
    iso("PYG", 0),
    iso("QAR", 2),
    iso_min("RON", 2, 200),
    iso("RSD", 2),
    iso("RUB", 2),
    iso("RWF", 0),
    iso("SAR", 2),
    iso("SBD", 2),
    iso("SCR", 2),
    iso("SDG", 2),
    iso_min("SEK", 2, 300),
    iso_min("SGD", 2, 50),
    iso("SHP", 2),
    iso("SLE", 2),
    iso("SOS", 2),
    iso("SRD", 2),
    iso("SSP", 2),
    iso("STN", 2),
    iso("SVC", 2),
    iso("SYP", 2),
    iso("SZL", 2),
    iso_min("THB", 2, 1000),
    iso("TJS", 2),
    iso("TMT", 2),
    iso("TND", 3),
    iso("TOP", 2),
    iso("TRY", 2),
    iso("TTD", 2),
    iso("TWD", 2),
    iso("TZS", 2),
    iso("UAH", 2),
    iso("UGX", 0),
    iso_min("USD", 2, 50),
    iso("USN", 2),
    iso("UYI", 0),
    iso("UYU", 2),
    iso("UYW", 4),
    iso("UZS", 2),
    iso("VED", 2),
    iso("VES", 2),
    iso("VND", 0),
    iso("VUV", 0),
    iso("WST", 2),
    iso("XAF", 0),
    iso("XCD", 2),
    iso("XCG", 2),
    iso("XOF", 0),
    iso("XPF", 0),
    iso("YER", 2),
    iso("ZAR", 2),
    iso("ZMW", 2),
    iso("ZWG", 2),
];

/// Whether `a` sorts strictly before `b`, byte-wise (codes are ASCII, so this
/// is the same order `str::cmp` uses). Written by hand because `Ord` is not
/// callable in a const context.
const fn code_before(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// Whether the table is strictly ascending (sorted, no duplicates).
const fn strictly_sorted(table: &[Currency]) -> bool {
    let mut i = 1;
    while i < table.len() {
        if !code_before(table[i - 1].code, table[i].code) {
            return false;
        }
        i += 1;
    }
    true
}

// Binary search is only correct on a sorted table; break the build rather than
// ship lookups that miss codes that are present.
const _: () = assert!(
    strictly_sorted(CURRENCIES),
    "CURRENCIES must be sorted by code with no duplicates"
);

impl Currency {
    /// Looks a code up; `None` when it is not an active ISO 4217 code. Exact, case-sensitive match (codes are upper case).
    ///
    /// Case-sensitive on purpose: the catalog should store codes in their
    /// canonical form, so `usd` is reported (with a suggestion) rather than
    /// silently accepted.
    #[must_use]
    pub fn from_code(code: &str) -> Option<&'static Currency> {
        CURRENCIES
            .binary_search_by(|c| c.code.cmp(code))
            .ok()
            .and_then(|i| CURRENCIES.get(i))
    }

    /// The smallest card charge as a decimal amount in major units (USD → 0.50), if published.
    ///
    /// The result carries the currency's scale (`0.50`, not `0.5`), so it prints
    /// the way the currency is written.
    #[must_use]
    pub fn minimum_charge(&self) -> Option<Decimal> {
        // `minor_units` is at most 4, far below `Decimal`'s maximum scale of 28,
        // so `Decimal::new` cannot panic here.
        self.minimum_charge_minor
            .map(|minor| Decimal::new(minor, self.minor_units))
    }

    /// The size of one minor unit as a decimal (USD → 0.01, JPY → 1, KWD → 0.001).
    #[must_use]
    pub fn minor_unit(&self) -> Decimal {
        Decimal::new(1, self.minor_units)
    }

    /// Whether `amount` is a whole number of minor units (0.01 USD yes, 0.015 USD no).
    ///
    /// Trailing zeros do not count (`10.500` USD is fine), and the sign does not
    /// matter: a refund of `-0.015` USD is just as unpayable as a charge of
    /// `0.015`.
    #[must_use]
    pub fn is_whole_minor_units(&self, amount: Decimal) -> bool {
        // `normalize` strips trailing zeros, leaving the scale equal to the
        // position of the last non-zero fractional digit. `Decimal` keeps the
        // sign apart from the mantissa and scale, so negative amounts need no
        // special case.
        amount.normalize().scale() <= self.minor_units
    }

    /// An amount as people read it: the code, then at least the minor unit's digits and more
    /// only when the amount has them (`USD 0.10`, `USD 0.015`, `JPY 50`). Never rounded.
    pub fn format_amount(&self, amount: Decimal) -> String {
        let mut shown = amount.normalize();
        if shown.scale() < self.minor_units {
            // Adding trailing zeros is exact.
            shown.rescale(self.minor_units);
        }
        format!("{} {shown}", self.code)
    }

    /// Every active code, sorted, for "did you mean" suggestions.
    pub fn all_codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|c| c.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> &'static Currency {
        Currency::from_code(code).unwrap_or_else(|| panic!("{code} should be in the table"))
    }

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in CURRENCIES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} must sort strictly before {}",
                pair[0].code,
                pair[1].code
            );
        }
    }

    #[test]
    fn table_size_is_plausible() {
        // ISO 4217 List One has roughly 180 codes; after dropping the non-money
        // X-codes, anything outside this range means rows were lost or doubled.
        assert!(
            (150..=180).contains(&CURRENCIES.len()),
            "unexpected table size {}",
            CURRENCIES.len()
        );
    }

    #[test]
    fn every_code_is_three_ascii_upper_case_letters() {
        for c in CURRENCIES {
            assert_eq!(c.code.len(), 3, "{}", c.code);
            assert!(c.code.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.code);
        }
    }

    #[test]
    fn minor_units_are_within_iso_range() {
        // ISO 4217 uses 0, 2, 3 and 4 only; anything else is a typo.
        for c in CURRENCIES {
            assert!(matches!(c.minor_units, 0 | 2 | 3 | 4), "{}", c.code);
        }
    }

    #[test]
    fn minor_units_spot_checks() {
        let cases = [
            ("USD", 2),
            ("EUR", 2),
            ("GBP", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("VND", 0),
            ("ISK", 0),
            ("CLP", 0),
            ("PYG", 0),
            ("XAF", 0),
            ("XOF", 0),
            ("XPF", 0),
            ("UGX", 0),
            ("RWF", 0),
            ("KMF", 0),
            ("GNF", 0),
            ("DJF", 0),
            ("BIF", 0),
            ("VUV", 0),
            ("UYI", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("JOD", 3),
            ("OMR", 3),
            ("TND", 3),
            ("LYD", 3),
            ("IQD", 3),
            ("CLF", 4),
            ("UYW", 4),
            ("XCD", 2),
            ("XCG", 2),
            ("ZWG", 2),
            ("SLE", 2),
            ("VES", 2),
            ("VED", 2),
            ("STN", 2),
            ("MRU", 2),
        ];
        for (code, units) in cases {
            assert_eq!(currency(code).minor_units, units, "{code}");
        }
    }

    #[test]
    fn minor_unit_size() {
        assert_eq!(currency("USD").minor_unit(), Decimal::new(1, 2));
        assert_eq!(currency("JPY").minor_unit(), Decimal::ONE);
        assert_eq!(currency("KWD").minor_unit(), Decimal::new(1, 3));
        assert_eq!(currency("CLF").minor_unit().to_string(), "0.0001");
    }

    #[test]
    fn minimum_charges() {
        let usd = currency("USD").minimum_charge().expect("USD has a minimum");
        assert_eq!(usd, Decimal::new(50, 2));
        // Exactly 0.50: value and the currency's scale.
        assert_eq!(usd.to_string(), "0.50");

        assert_eq!(
            currency("JPY").minimum_charge(),
            Some(Decimal::from(50_i64))
        );
        assert_eq!(
            currency("HUF").minimum_charge().map(|d| d.to_string()),
            Some("175.00".to_owned())
        );
        assert_eq!(currency("GBP").minimum_charge(), Some(Decimal::new(30, 2)));
        assert_eq!(currency("DKK").minimum_charge(), Some(Decimal::new(250, 2)));
        assert_eq!(currency("KWD").minimum_charge(), None);
        assert_eq!(currency("XOF").minimum_charge(), None);
    }

    #[test]
    fn published_minimums_are_whole_minor_units() {
        for c in CURRENCIES {
            if let Some(min) = c.minimum_charge() {
                assert!(min > Decimal::ZERO, "{}", c.code);
                assert!(c.is_whole_minor_units(min), "{}", c.code);
            }
        }
    }

    #[test]
    fn unknown_codes_are_none() {
        for code in [
            "usd", "Usd", "ABC", "US", "USDD", "", " USD", "XAU", "XXX", "HRK",
        ] {
            assert!(Currency::from_code(code).is_none(), "{code:?}");
        }
    }

    #[test]
    fn every_code_round_trips() {
        for code in Currency::all_codes() {
            assert_eq!(currency(code).code, code);
        }
    }

    #[test]
    fn all_codes_is_sorted_and_complete() {
        let codes: Vec<&str> = Currency::all_codes().collect();
        assert_eq!(codes.len(), CURRENCIES.len());
        assert!(codes.is_sorted());
        assert!(codes.contains(&"EUR"));
    }

    #[test]
    fn whole_minor_units() {
        // (code, amount as mantissa and scale, expected)
        let cases = [
            ("USD", 1, 2, true),     // 0.01
            ("USD", 15, 3, false),   // 0.015
            ("USD", 10500, 3, true), // 10.500
            ("USD", 0, 0, true),     // 0
            ("USD", -1, 2, true),    // -0.01
            ("USD", -15, 3, false),  // -0.015
            ("JPY", 1, 0, true),     // 1
            ("JPY", 5, 1, false),    // 0.5
            ("JPY", 100, 2, true),   // 1.00
            ("JPY", -5, 1, false),   // -0.5
            ("KWD", 1, 3, true),     // 0.001
            ("KWD", 1, 4, false),    // 0.0001
            ("CLF", 1, 4, true),     // 0.0001
            ("CLF", 1, 5, false),    // 0.00001
        ];
        for (code, mantissa, scale, expected) in cases {
            let amount = Decimal::new(mantissa, scale);
            assert_eq!(
                currency(code).is_whole_minor_units(amount),
                expected,
                "{amount} {code}"
            );
        }
    }

    #[test]
    fn whole_minor_units_parsed_amounts() {
        // Amounts as they arrive from a catalog file, trailing zeros and all.
        let cases = [
            ("USD", "10.500", true),
            ("USD", "-0.000", true),
            ("USD", "1.230000000", true),
            ("USD", "1.2300000001", false),
        ];
        for (code, text, expected) in cases {
            let amount: Decimal = text.parse().expect("valid decimal");
            assert_eq!(
                currency(code).is_whole_minor_units(amount),
                expected,
                "{text} {code}"
            );
        }
    }

    #[test]
    fn formats_amounts_without_rounding() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let cases = [
            (usd, "0.1", "USD 0.10"),
            (usd, "0.015", "USD 0.015"),
            (usd, "20", "USD 20.00"),
            (jpy, "50", "JPY 50"),
            (jpy, "0.5", "JPY 0.5"),
        ];
        for (currency, amount, expected) in cases {
            let amount: Decimal = amount.parse().unwrap();
            assert_eq!(currency.format_amount(amount), expected);
        }
    }
}
