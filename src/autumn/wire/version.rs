//! The `X-API-Version` header: which shapes a request and its response use.
//!
//! Parsed as Autumn parses it (`parseVersion` in Autumn's
//! `shared/api/versionUtils/convertVersionUtils.ts`): a calendar version (`2026-03-17`,
//! optionally with `.clover`), a semantic version, partial ones normalized (`2` is `2.0.0`),
//! `beta`, or a legacy float (`1.1`; a leading number is read as JavaScript's `parseFloat`
//! reads it). Anything else is Autumn's 400 `invalid_api_version`.

use std::fmt;

/// A version of Autumn's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiVersion {
    V0_1,
    V0_2,
    V1_1,
    V1_2,
    /// `beta` (legacy float 1.4).
    V1Beta,
    V2_0,
    V2_1,
    V2_2,
    V2_3,
    /// What autumn-js 1.3.13 sends; newer than Autumn's `2.3.0` in the repository snapshot
    /// read, where the 2.x shapes used here are unchanged.
    V2_4,
}

/// The header's name.
pub const HEADER: &str = "x-api-version";

impl ApiVersion {
    /// Every version, oldest first.
    pub const ALL: [ApiVersion; 10] = [
        ApiVersion::V0_1,
        ApiVersion::V0_2,
        ApiVersion::V1_1,
        ApiVersion::V1_2,
        ApiVersion::V1Beta,
        ApiVersion::V2_0,
        ApiVersion::V2_1,
        ApiVersion::V2_2,
        ApiVersion::V2_3,
        ApiVersion::V2_4,
    ];

    /// The newest version: what a request without the header gets from an organization
    /// created today (Autumn's `createdAtToVersion`).
    pub const LATEST: ApiVersion = ApiVersion::V2_4;

    /// The semantic version, as sent in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V0_1 => "0.1.0",
            ApiVersion::V0_2 => "0.2.0",
            ApiVersion::V1_1 => "1.1.0",
            ApiVersion::V1_2 => "1.2.0",
            ApiVersion::V1Beta => "beta",
            ApiVersion::V2_0 => "2.0.0",
            ApiVersion::V2_1 => "2.1.0",
            ApiVersion::V2_2 => "2.2.0",
            ApiVersion::V2_3 => "2.3.0",
            ApiVersion::V2_4 => "2.4.0",
        }
    }

    /// The calendar form, where Autumn's registry has one.
    fn calendar(self) -> Option<&'static str> {
        match self {
            ApiVersion::V0_1 => Some("2025-02-01"),
            ApiVersion::V0_2 => Some("2025-04-01"),
            ApiVersion::V1_1 => Some("2025-04-17"),
            ApiVersion::V1_2 => Some("2025-05-05"),
            ApiVersion::V1Beta | ApiVersion::V2_4 => None,
            ApiVersion::V2_0 => Some("2026-03-16"),
            ApiVersion::V2_1 => Some("2026-03-17"),
            ApiVersion::V2_2 => Some("2026-03-18"),
            ApiVersion::V2_3 => Some("2026-05-13"),
        }
    }

    /// Whether requests and responses use the 2.x "plans" shapes.
    pub fn is_plans_api(self) -> bool {
        self >= ApiVersion::V2_0
    }

    /// Reads a header value; `None` for a value Autumn does not know.
    pub fn parse(text: &str) -> Option<ApiVersion> {
        if let Some(calendar) = calendar_form(text) {
            return ApiVersion::ALL
                .into_iter()
                .find(|version| version.calendar() == Some(calendar));
        }
        if !text.is_empty()
            && text
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
        {
            let mut parts = text.split('.').map(|part| part.trim_start_matches('0'));
            let mut next = || match parts.next() {
                None | Some("") => "0",
                Some(part) => part,
            };
            let normalized = format!("{}.{}.{}", next(), next(), next());
            if let Some(version) = ApiVersion::ALL
                .into_iter()
                .find(|version| version.as_str() == normalized)
            {
                return Some(version);
            }
        }
        if text == "beta" {
            return Some(ApiVersion::V1Beta);
        }
        match leading_float(text)? {
            "1" | "0.2" => Some(ApiVersion::V0_2),
            "0.1" => Some(ApiVersion::V0_1),
            "1.1" => Some(ApiVersion::V1_1),
            "1.2" => Some(ApiVersion::V1_2),
            "1.4" => Some(ApiVersion::V1Beta),
            _ => None,
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// `YYYY-MM-DD` with an optional `.clover` suffix, without the suffix.
fn calendar_form(text: &str) -> Option<&str> {
    let date = text.strip_suffix(".clover").unwrap_or(text);
    let bytes = date.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    shape.then_some(date)
}

/// The number JavaScript's `parseFloat` reads at the start of `text`, normalized (`1.10` is
/// `1.1`, `01` is `1`), or `None` when there is none.
fn leading_float(text: &str) -> Option<&'static str> {
    let number: String = text
        .trim_start()
        .chars()
        .scan(false, |seen_dot, character| match character {
            '0'..='9' => Some(character),
            '.' if !*seen_dot => {
                *seen_dot = true;
                Some(character)
            }
            _ => None,
        })
        .collect();
    let value: f64 = number.parse().ok()?;
    // Only the five legacy values matter; compare them as JavaScript's `switch` does.
    [
        ("1", 1.0),
        ("0.2", 0.2),
        ("0.1", 0.1),
        ("1.1", 1.1),
        ("1.2", 1.2),
        ("1.4", 1.4),
    ]
    .into_iter()
    .find(|(_, legacy)| (value - legacy).abs() < f64::EPSILON)
    .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_read_as_autumn_reads_them() {
        let cases = [
            ("2.1.0", Some(ApiVersion::V2_1)),
            ("2", Some(ApiVersion::V2_0)),
            ("2.2", Some(ApiVersion::V2_2)),
            ("2.4.0", Some(ApiVersion::V2_4)),
            ("2026-03-17", Some(ApiVersion::V2_1)),
            ("2026-05-13.clover", Some(ApiVersion::V2_3)),
            ("2025-04-17", Some(ApiVersion::V1_1)),
            ("1.1", Some(ApiVersion::V1_1)),
            ("1.2.0", Some(ApiVersion::V1_2)),
            ("1", Some(ApiVersion::V0_2)),
            ("beta", Some(ApiVersion::V1Beta)),
            ("1.4", Some(ApiVersion::V1Beta)),
            ("9.9.9", None),
            ("2026-01-01", None),
            ("latest", None),
            ("", None),
            ("2.5.0", None),
        ];
        for (header, expected) in cases {
            assert_eq!(ApiVersion::parse(header), expected, "{header:?}");
        }
    }

    #[test]
    fn only_versions_from_two_use_the_plans_shapes() {
        assert!(ApiVersion::V2_0.is_plans_api());
        assert!(ApiVersion::LATEST.is_plans_api());
        assert!(!ApiVersion::V1Beta.is_plans_api());
        assert!(!ApiVersion::V1_2.is_plans_api());
    }
}
