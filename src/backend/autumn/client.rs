//! One HTTPS client for Autumn's API: every request paced under the rate limit, sent with the
//! key and an explicit `X-API-Version`, and retried when the failure is worth it.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::blocking::Client as HttpClient;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER, USER_AGENT};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::api_url::ApiUrl;
use super::call_error::CallError;
use super::pace::{self, Pace, REQUESTS_PER_SECOND};
use super::retry::{Jitter, Next, RetryPolicy};
use super::secret_key::SecretKey;
use crate::autumn::wire::error::{ErrorBody, code};
use crate::autumn::wire::version::{self, ApiVersion};

/// `text` with every word that holds the key, or its first 12 characters (past the
/// `am_sk_test_` prefix), replaced by `[redacted]`.
fn scrub(text: &str, key: &str) -> String {
    let probe: String = key.chars().take(12).collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find(probe.as_str()) {
        out.push_str(&rest[..found]);
        let tail = &rest[found..];
        let end = tail
            .find(|character: char| character.is_whitespace() || "\"'`,;)".contains(character))
            .unwrap_or(tail.len());
        out.push_str("[redacted]");
        rest = &tail[end.max(probe.len())..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn the_key_is_scrubbed_whole_or_in_part() {
        let key = "am_sk_test_0123456789abcdef";
        assert_eq!(
            scrub("Invalid secret key: am_sk_test_0123* (`x`)", key),
            "Invalid secret key: [redacted] (`x`)"
        );
        assert_eq!(
            scrub(&format!("got {key}, {key}"), key),
            "got [redacted], [redacted]"
        );
        assert_eq!(scrub("am_sk_test_ alone", key), "am_sk_test_ alone");
    }
}

/// The API version every request asks for: the shapes of `crate::autumn::wire` (2.x plans),
/// whatever the organization's age would pick.
pub const API_VERSION: ApiVersion = ApiVersion::V2_2;

/// How long connecting may take (within the policy's timeout of a whole try).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the client counted, for tests and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Of those, retries.
    pub retries: u64,
}

/// A client of one organization's Autumn API. Shared by reference, so independent reads can
/// be sent at once from several threads: the pace, the jitter and the counts are each behind
/// a lock, and every request, from whichever thread, is paced by the one [`Pace`] (shared with
/// other processes too: [`Client::share_pace`]).
pub struct Client {
    http: HttpClient,
    url: ApiUrl,
    key: SecretKey,
    pace: Mutex<Pace>,
    policy: RetryPolicy,
    jitter: Mutex<Jitter>,
    counts: Mutex<Counts>,
}

impl Client {
    pub fn new(url: ApiUrl, key: SecretKey, policy: RetryPolicy) -> Result<Client, CallError> {
        let secure = url.as_str().starts_with("https://");
        let http = HttpClient::builder()
            .timeout(policy.timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(policy.timeout))
            // Only the configured URL is ever reached: a redirect could carry the key
            // elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(secure)
            // Plain http goes only to this machine (`ApiUrl`), where no certificate is ever
            // checked: the system's roots are read (a few milliseconds) only for https.
            .tls_built_in_native_certs(secure)
            .build()
            .map_err(|error| CallError::NoAnswer {
                detail: format!("the HTTPS client could not start: {error}"),
            })?;
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |elapsed| {
                u64::from(elapsed.subsec_nanos()) ^ elapsed.as_secs()
            });
        Ok(Client {
            http,
            url,
            key,
            pace: Mutex::new(Pace::per_second(REQUESTS_PER_SECOND)),
            policy,
            jitter: Mutex::new(Jitter::seeded(seed)),
            counts: Mutex::new(Counts::default()),
        })
    }

    /// Paces this client's requests together with every other process using the same URL and
    /// key (through a file in the user's cache, `pace::shared_file`); alone, as before, when
    /// there is no cache directory or the file cannot be opened.
    pub fn share_pace(&self) {
        let Some(path) = pace::shared_file(self.url.as_str(), self.key.expose()) else {
            return;
        };
        *self.pace.lock().unwrap_or_else(PoisonError::into_inner) =
            Pace::shared(REQUESTS_PER_SECOND, &path);
    }

    pub fn url(&self) -> &ApiUrl {
        &self.url
    }

    pub fn counts(&self) -> Counts {
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `POST /v1/{route}` with `body`, read as `R`. A write carries `idempotency_key`, so a
    /// retry after an answer was lost never performs it twice: a retry Autumn refuses as a
    /// duplicate is [`CallError::EarlierTryTook`].
    pub fn call<R: DeserializeOwned>(
        &self,
        route: &str,
        body: &impl Serialize,
        idempotency_key: Option<&str>,
    ) -> Result<R, CallError> {
        self.post(route, body, idempotency_key, self.policy.timeout)
    }

    /// [`Client::call`] for a request carrying many changes (`catalog.update`), whose answer
    /// is not used: each try may take the policy's `bulk_timeout`, and the answer is only
    /// checked to be JSON, without building it. An answer that is not JSON is the same
    /// [`CallError::Unreadable`], word for word, as reading it whole would give.
    pub fn call_in_bulk_unread(
        &self,
        route: &str,
        body: &impl Serialize,
        idempotency_key: Option<&str>,
    ) -> Result<(), CallError> {
        let timeout = self.policy.bulk_timeout.max(self.policy.timeout);
        let answer = self.send_body(route, body, idempotency_key, timeout)?;
        if serde_json::from_slice::<IgnoredAny>(&answer).is_ok() {
            return Ok(());
        }
        // Rare: read again as a value, for the words such a read says where it stops.
        self.read_answer::<serde_json::Value>(route, &answer)
            .map(drop)
    }

    /// [`Client::call`], the answer's body as it came, for a caller that may read it in more
    /// than one way ([`Client::read_answer`]).
    pub fn call_for_body(
        &self,
        route: &str,
        body: &impl Serialize,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<u8>, CallError> {
        self.send_body(route, body, idempotency_key, self.policy.timeout)
    }

    /// `GET /v1/{route}`, read as `R` (`organization/me`).
    pub fn get<R: DeserializeOwned>(&self, route: &str) -> Result<R, CallError> {
        let answer = self.send(route, None, None, self.policy.timeout)?;
        self.read_answer(route, &answer)
    }

    /// `POST /v1/{route}` with `body`, each try allowed `timeout`, read as `R`.
    fn post<R: DeserializeOwned>(
        &self,
        route: &str,
        body: &impl Serialize,
        idempotency_key: Option<&str>,
        timeout: Duration,
    ) -> Result<R, CallError> {
        let answer = self.send_body(route, body, idempotency_key, timeout)?;
        self.read_answer(route, &answer)
    }

    /// `POST /v1/{route}` with `body` written as JSON, each try allowed `timeout`: the
    /// answer's body.
    fn send_body(
        &self,
        route: &str,
        body: &impl Serialize,
        idempotency_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Vec<u8>, CallError> {
        let bytes = serde_json::to_vec(body).map_err(|error| CallError::Unreadable {
            route: route.to_string(),
            detail: format!("the request body could not be written: {error}"),
        })?;
        self.send(route, Some(&bytes), idempotency_key, timeout)
    }

    /// An answer's body read as `R`; what cannot be read is said without the key.
    pub fn read_answer<R: DeserializeOwned>(
        &self,
        route: &str,
        answer: &[u8],
    ) -> Result<R, CallError> {
        serde_json::from_slice(answer).map_err(|error| CallError::Unreadable {
            route: route.to_string(),
            detail: self.scrub(&error.to_string()),
        })
    }

    /// Sends a request (a `POST` with `body`, a `GET` without), paced and retried, each try
    /// within `timeout`.
    fn send(
        &self,
        route: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Vec<u8>, CallError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            // Every try, a retry too, starts only when the pace lets it; the wait is outside
            // the lock, so other threads may start meanwhile.
            loop {
                let wait = self
                    .pace
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .try_start();
                match wait {
                    None => break,
                    Some(wait) => std::thread::sleep(wait),
                }
            }
            {
                let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
                counts.requests += 1;
                if attempt > 1 {
                    counts.retries += 1;
                }
            }
            let error = match self.try_once(route, body, idempotency_key, timeout) {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            if attempt > 1 && error.code() == Some(code::DUPLICATE_IDEMPOTENCY_KEY) {
                // An earlier try of this very request took; only its answer was lost.
                return Err(CallError::EarlierTryTook);
            }
            if !error.is_transient() {
                return Err(error);
            }
            let share = self
                .jitter
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .next_share();
            match self.policy.next(attempt, error.retry_after(), share) {
                Next::RetryAfter(wait) => std::thread::sleep(wait),
                Next::GiveUp => return Err(error),
            }
        }
    }

    fn try_once(
        &self,
        route: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Vec<u8>, CallError> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", self.key.expose()))
            .map_err(|_| CallError::BadKey)?;
        authorization.set_sensitive(true);
        let url = self.url.route(route);
        let mut request = match body {
            Some(body) => self
                .http
                .post(url)
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec()),
            None => self.http.get(url),
        }
        .header(AUTHORIZATION, authorization)
        .header(version::HEADER, API_VERSION.as_str())
        .header(USER_AGENT, concat!("pricectl/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().map_err(|error| self.no_answer(&error))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = response.bytes().map_err(|error| self.no_answer(&error))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => (body.code, body.message),
            Err(_) => (
                String::new(),
                String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            ),
        };
        Err(CallError::Answered {
            status: status.as_u16(),
            code: self.scrub(&code),
            message: self.scrub(&message),
            retry_after,
        })
    }

    fn no_answer(&self, error: &reqwest::Error) -> CallError {
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        CallError::NoAnswer {
            detail: self.scrub(&detail),
        }
    }

    /// Text from the other side with the key taken out, should a server echo it, whole or
    /// in part (`Invalid secret key: am_sk_test_wron*`).
    fn scrub(&self, text: &str) -> String {
        scrub(text, self.key.expose())
    }
}
