//! Where Autumn's API is: `https://` anywhere, plain `http://` only to this machine.

use std::fmt;
use std::net::IpAddr;

pub use crate::backend::DEFAULT_AUTUMN_API_URL as DEFAULT_API_URL;

/// The environment variable that overrides [`DEFAULT_API_URL`].
pub const API_URL_VARIABLE: &str = "AUTUMN_API_URL";

/// A base URL requests go under (`{base}/v1/features.list`), checked: `https`, or `http` to a
/// loopback address (a local `pricectl serve`, a test server), never plain `http` across a
/// network, where the secret key would travel in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUrl(String);

/// Why a URL is not one requests may go to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiUrlError {
    #[error("`{0}` is not an http(s) URL such as `https://api.useautumn.com`")]
    NotHttp(String),
    #[error(
        "`{0}` is plain http to another machine: the secret key would cross the network unencrypted; use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)"
    )]
    PlainHttpOffLoopback(String),
    #[error(
        "`{0}` carries a user name, password, query or fragment; give only the scheme, host, port and path"
    )]
    Extra(String),
}

impl ApiUrl {
    /// Checks `text` (a trailing `/` or `/v1` is dropped: routes add `/v1/…`).
    pub fn parse(text: &str) -> Result<ApiUrl, ApiUrlError> {
        let trimmed = text.trim();
        let (secure, rest) = if let Some(rest) = trimmed.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(ApiUrlError::NotHttp(text.to_string()));
        };
        if rest.contains(['@', '?', '#']) {
            return Err(ApiUrlError::Extra(text.to_string()));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        let host = host_of(authority);
        if host.is_empty() {
            return Err(ApiUrlError::NotHttp(text.to_string()));
        }
        if !secure && !is_loopback(host) {
            return Err(ApiUrlError::PlainHttpOffLoopback(text.to_string()));
        }
        let mut base = trimmed.trim_end_matches('/').to_string();
        if let Some(stripped) = base.strip_suffix("/v1") {
            base = stripped.to_string();
        }
        Ok(ApiUrl(base))
    }

    /// The URL of a route: `features.list` → `{base}/v1/features.list`.
    pub fn route(&self, route: &str) -> String {
        format!("{}/v1/{route}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The host of `host[:port]` or `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_this_machine() {
        type Expected = Result<&'static str, fn(String) -> ApiUrlError>;
        let cases: [(&str, Expected); 10] = [
            ("https://api.useautumn.com", Ok("https://api.useautumn.com")),
            (
                "https://api.useautumn.com/v1/",
                Ok("https://api.useautumn.com"),
            ),
            ("http://127.0.0.1:8080", Ok("http://127.0.0.1:8080")),
            ("http://localhost:3000/", Ok("http://localhost:3000")),
            ("http://[::1]:9000", Ok("http://[::1]:9000")),
            ("http://127.7.0.1", Ok("http://127.7.0.1")),
            (
                "http://api.useautumn.com",
                Err(ApiUrlError::PlainHttpOffLoopback),
            ),
            (
                "http://10.0.0.5:8080",
                Err(ApiUrlError::PlainHttpOffLoopback),
            ),
            ("ftp://example.com", Err(ApiUrlError::NotHttp)),
            ("https://user:pw@example.com", Err(ApiUrlError::Extra)),
        ];
        for (text, expected) in cases {
            let expected = expected
                .map(|base| ApiUrl(base.to_string()))
                .map_err(|make| make(text.to_string()));
            assert_eq!(ApiUrl::parse(text), expected, "{text}");
        }
        assert_eq!(
            ApiUrl::parse("https://api.useautumn.com")
                .expect("valid")
                .route("plans.list"),
            "https://api.useautumn.com/v1/plans.list"
        );
    }
}
