//! Time for the ledger: instants as UTC milliseconds, RFC 3339 in and out, and calendar
//! arithmetic for billing periods (a month after January 31 is the last day of February).

use std::fmt;

use crate::catalog::{PriceInterval, ResetInterval};

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub i64);

/// A text that is not an RFC 3339 date or date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date (`2026-01-31`) or an RFC 3339 date-time (`2026-01-31T12:00:00Z`)")]
pub struct InvalidInstant(pub String);

const MILLIS_PER_DAY: i64 = 86_400_000;

impl Instant {
    /// The current time.
    pub fn now() -> Instant {
        let elapsed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Instant(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
    }

    /// Parses `2026-01-31`, `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.250+02:00` (also with
    /// a space instead of `T`).
    pub fn parse(text: &str) -> Result<Instant, InvalidInstant> {
        let invalid = || InvalidInstant(text.to_string());
        let number = |part: &str| -> Result<i64, InvalidInstant> {
            if part.is_empty() || !part.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(invalid());
            }
            part.parse().map_err(|_| invalid())
        };
        let (date, time) = match text.find(['T', 't', ' ']) {
            Some(index) => (&text[..index], Some(&text[index + 1..])),
            None => (text, None),
        };
        let mut date_parts = date.split('-');
        let (Some(year), Some(month), Some(day), None) = (
            date_parts.next(),
            date_parts.next(),
            date_parts.next(),
            date_parts.next(),
        ) else {
            return Err(invalid());
        };
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return Err(invalid());
        }
        let (year, month, day) = (number(year)?, number(month)?, number(day)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(invalid());
        }
        let mut millis = days_from_civil(year, month, day) * MILLIS_PER_DAY;
        if let Some(time) = time {
            let (clock, offset) = if let Some(stripped) = time.strip_suffix(['Z', 'z']) {
                (stripped, 0)
            } else if let Some(index) = time.rfind(['+', '-']) {
                let (clock, offset) = time.split_at(index);
                let sign = if offset.starts_with('-') { -1 } else { 1 };
                let (hours, minutes) = offset[1..].split_once(':').ok_or_else(invalid)?;
                // An offset is two digits of hours and two of minutes (RFC 3339), so a
                // hostile one can never overflow the milliseconds.
                if hours.len() != 2 || minutes.len() != 2 {
                    return Err(invalid());
                }
                let (hours, minutes) = (number(hours)?, number(minutes)?);
                if hours > 23 || minutes > 59 {
                    return Err(invalid());
                }
                (clock, sign * (hours * 60 + minutes) * 60_000)
            } else {
                return Err(invalid()); // a date-time without an offset is ambiguous
            };
            let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
            let mut clock_parts = clock.split(':');
            let (Some(hours), Some(minutes), Some(seconds), None) = (
                clock_parts.next(),
                clock_parts.next(),
                clock_parts.next(),
                clock_parts.next(),
            ) else {
                return Err(invalid());
            };
            let (hours, minutes, seconds) = (number(hours)?, number(minutes)?, number(seconds)?);
            if hours > 23 || minutes > 59 || seconds > 60 {
                return Err(invalid());
            }
            let fraction_millis = if fraction.is_empty() {
                0
            } else {
                let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
                number(&digits)?
            };
            millis += ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction_millis - offset;
        }
        Ok(Instant(millis))
    }

    /// The same instant a whole number of `interval`s later (calendar months for months,
    /// quarters, half years and years; the day is clamped to the month's last day).
    #[must_use]
    pub fn add(self, interval: Period, count: i64) -> Instant {
        let fixed = |unit: i64| Instant(self.0 + unit * count);
        match interval {
            Period::Minute => fixed(60_000),
            Period::Hour => fixed(3_600_000),
            Period::Day => fixed(MILLIS_PER_DAY),
            Period::Week => fixed(7 * MILLIS_PER_DAY),
            Period::Months(months) => {
                let days = self.0.div_euclid(MILLIS_PER_DAY);
                let within_day = self.0.rem_euclid(MILLIS_PER_DAY);
                let (year, month, day) = civil_from_days(days);
                let total = year * 12 + (month - 1) + months * count;
                let (new_year, new_month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
                let new_day = day.min(days_in_month(new_year, new_month));
                Instant(days_from_civil(new_year, new_month, new_day) * MILLIS_PER_DAY + within_day)
            }
        }
    }
}

impl Instant {
    /// The start of the UTC calendar `period` this instant is in: midnight, Monday midnight,
    /// the 1st of the month, January 1st (for a number of months that divides a year: the
    /// first month of its part of the year). Minutes and hours start on the minute and hour.
    #[must_use]
    pub fn calendar_start(self, period: Period) -> Instant {
        let day = self.0.div_euclid(MILLIS_PER_DAY);
        match period {
            Period::Minute => Instant(self.0 - self.0.rem_euclid(60_000)),
            Period::Hour => Instant(self.0 - self.0.rem_euclid(3_600_000)),
            Period::Day => Instant(day * MILLIS_PER_DAY),
            // 1970-01-01 was a Thursday: Monday is 3 days before a day count that is 0 mod 7.
            Period::Week => Instant((day - (day + 3).rem_euclid(7)) * MILLIS_PER_DAY),
            Period::Months(months) => {
                let (year, month, _) = civil_from_days(day);
                let months = months.clamp(1, 12);
                let first = (month - 1) / months * months + 1;
                Instant(days_from_civil(year, first, 1) * MILLIS_PER_DAY)
            }
        }
    }

    /// How many whole `interval`s fit from `self` to `later`, at most: an estimate from below
    /// of the `n` with `self + n intervals <= later`, without stepping through each (a period
    /// of minutes over years is millions of steps).
    pub fn periods_until(self, interval: Period, later: Instant) -> i64 {
        let elapsed = later.0 - self.0;
        let fixed = |unit: i64| elapsed.div_euclid(unit);
        match interval {
            Period::Minute => fixed(60_000),
            Period::Hour => fixed(3_600_000),
            Period::Day => fixed(MILLIS_PER_DAY),
            Period::Week => fixed(7 * MILLIS_PER_DAY),
            Period::Months(months) => {
                let (from_year, from_month, _) = civil_from_days(self.0.div_euclid(MILLIS_PER_DAY));
                let (to_year, to_month, _) = civil_from_days(later.0.div_euclid(MILLIS_PER_DAY));
                // One month less than the calendar difference: a later day of the month or time
                // of day may not have been reached yet.
                ((to_year - from_year) * 12 + (to_month - from_month) - 1).div_euclid(months)
            }
        }
    }
}

impl fmt::Display for Instant {
    /// RFC 3339 in UTC, with milliseconds only when there are some.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let within = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let (hours, minutes, seconds, millis) = (
            within / 3_600_000,
            within / 60_000 % 60,
            within / 1000 % 60,
            within % 1000,
        );
        write!(
            formatter,
            "{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}"
        )?;
        if millis != 0 {
            write!(formatter, ".{millis:03}")?;
        }
        formatter.write_str("Z")
    }
}

/// A billing or reset period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Minute,
    Hour,
    Day,
    Week,
    Months(i64),
}

impl From<ResetInterval> for Period {
    fn from(interval: ResetInterval) -> Self {
        match interval {
            ResetInterval::Minute => Period::Minute,
            ResetInterval::Hour => Period::Hour,
            ResetInterval::Day => Period::Day,
            ResetInterval::Week => Period::Week,
            ResetInterval::Month => Period::Months(1),
            ResetInterval::Quarter => Period::Months(3),
            ResetInterval::SemiAnnual => Period::Months(6),
            ResetInterval::Year => Period::Months(12),
        }
    }
}

impl Period {
    /// The period of a recurring price; `None` for one-off prices.
    pub fn of_price(interval: PriceInterval) -> Option<Period> {
        interval.as_reset_interval().map(Period::from)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{Instant, Period};

    fn at(text: &str) -> Instant {
        Instant::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn parses_and_formats_rfc_3339() {
        let cases = [
            ("1970-01-01", "1970-01-01T00:00:00Z", 0),
            (
                "2026-01-31T12:00:00Z",
                "2026-01-31T12:00:00Z",
                1_769_860_800_000,
            ),
            (
                "2026-01-31T14:00:00+02:00",
                "2026-01-31T12:00:00Z",
                1_769_860_800_000,
            ),
            (
                "2024-02-29T00:00:00.5Z",
                "2024-02-29T00:00:00.500Z",
                1_709_164_800_500,
            ),
        ];
        for (input, output, millis) in cases {
            assert_eq!(at(input).0, millis, "{input}");
            assert_eq!(at(input).to_string(), output, "{input}");
        }
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-01-01",
            "2026-01-01T10:00:00",
            "yesterday",
            "2026-01-01T25:00:00Z",
        ] {
            assert!(Instant::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn months_are_calendar_months() {
        let cases = [
            (
                "2026-01-31T00:00:00Z",
                Period::Months(1),
                1,
                "2026-02-28T00:00:00Z",
            ),
            (
                "2024-01-31T00:00:00Z",
                Period::Months(1),
                1,
                "2024-02-29T00:00:00Z",
            ),
            (
                "2026-01-15T09:30:00Z",
                Period::Months(1),
                12,
                "2027-01-15T09:30:00Z",
            ),
            (
                "2026-11-30T00:00:00Z",
                Period::Months(3),
                1,
                "2027-02-28T00:00:00Z",
            ),
            (
                "2026-01-01T00:00:00Z",
                Period::Day,
                31,
                "2026-02-01T00:00:00Z",
            ),
            (
                "2026-01-01T00:00:00Z",
                Period::Week,
                2,
                "2026-01-15T00:00:00Z",
            ),
        ];
        for (start, period, count, expected) in cases {
            assert_eq!(
                at(start).add(period, count).to_string(),
                expected,
                "{start} + {count} {period:?}"
            );
        }
    }
}
